"""The command line: argument parsing and sub-commands only; the work happens elsewhere."""

from __future__ import annotations

import argparse
import contextlib
import os
import sys
from pathlib import Path

from armlint import __version__

EXIT_OK, EXIT_FINDINGS, EXIT_USAGE = 0, 1, 2
CHECK_FORMATS = ("text", "json", "sarif", "junit", "github", "azure-devops", "markdown", "html")
TABLE_FORMATS = ("text", "json", "csv", "markdown", "html")


class UsageError(Exception):
    """A problem with how armlint was called or configured: one line, exit code 2."""


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="armlint",
        description="Lint Azure VM guest-patch settings in ARM, Bicep and Terraform; preview patch batches.",
    )
    parser.add_argument("--version", action="version", version=f"armlint {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")
    _add_check(commands)
    _add_diff(commands)
    _add_rules(commands)
    _add_table_command(commands, "plan", "preview which patch batch each VM would land in")
    _add_table_command(commands, "inventory", "one row per VM with its patch posture")
    config = commands.add_parser("config", help="print the effective configuration")
    config.add_argument("--config", metavar="FILE", help="configuration file to use")
    return parser


def _add_common(command: argparse.ArgumentParser) -> None:
    command.add_argument("paths", nargs="*", default=["."], help="files or folders (default: .)")
    command.add_argument("--config", metavar="FILE", help="configuration file to use")
    command.add_argument(
        "--parameters", action="append", default=[], metavar="FILE", help="ARM parameter file"
    )
    command.add_argument(
        "--var-file", action="append", default=[], metavar="FILE", help="Terraform variables file"
    )
    command.add_argument("--exclude", action="append", default=[], metavar="PATTERN")
    command.add_argument("--profile", choices=("current", "preview-2020"))
    _add_deployment(command)


def _add_deployment(command: argparse.ArgumentParser) -> None:
    """What the user knows about the deployment; unbound values stay unknown."""
    command.add_argument(
        "--location", metavar="REGION", help="region of the resource group / deployment"
    )
    command.add_argument(
        "--set",
        action="append",
        default=[],
        metavar="NAME=VALUE",
        help="ARM or Bicep parameter value (like az deployment --parameters NAME=VALUE)",
    )
    command.add_argument(
        "--var",
        action="append",
        default=[],
        metavar="NAME=VALUE",
        help="Terraform root variable (like terraform plan -var)",
    )


def _add_check(commands) -> None:
    check = commands.add_parser("check", help="lint templates (the default job)")
    _add_common(check)
    check.add_argument("--format", choices=CHECK_FORMATS, default="text")
    check.add_argument(
        "--output",
        action="append",
        default=[],
        metavar="[FORMAT:]FILE",
        help="write the report to FILE (atomically); repeat as sarif:armlint.sarif for more",
    )
    check.add_argument("--select", help="comma-separated rule ids, names or prefixes to run")
    check.add_argument("--ignore", help="comma-separated rule ids, names or prefixes to skip")
    check.add_argument("--fail-on", choices=("error", "warning", "info"))
    check.add_argument("--show-unknown", action="store_true", help="list AZP002 unknown values")
    check.add_argument("--no-explore", action="store_true", help="do not explore allowedValues")
    check.add_argument(
        "--jobs",
        type=int,
        default=os.cpu_count() or 1,
        metavar="N",
        help="processes to use (default: the number of cores); the output is the same",
    )
    check.add_argument("--shard", metavar="K/N", help="check only the K-th of N stable shards")
    check.add_argument("--no-cache", action="store_true", help="do not reuse cached results")
    check.add_argument("--baseline", metavar="FILE", help="accept the findings recorded in FILE")
    check.add_argument(
        "--write-baseline", metavar="FILE", help="record today's findings in FILE; exit 0"
    )
    check.add_argument(
        "--show-suppressed", action="store_true", help="list suppressed findings too"
    )
    check.add_argument(
        "--against",
        metavar="REF",
        help="also report patch-mode changes against each file as it is at git REF (AZP4xx)",
    )


def _add_diff(commands) -> None:
    diff = commands.add_parser(
        "diff", help="report patch-mode changes from BEFORE to AFTER (AZP4xx)"
    )
    diff.add_argument("before", help="file or folder as deployed (or an exported VM JSON)")
    diff.add_argument("after", help="file or folder as it will be deployed")
    diff.add_argument("--config", metavar="FILE", help="configuration file to use")
    diff.add_argument("--parameters", action="append", default=[], metavar="FILE")
    diff.add_argument("--var-file", action="append", default=[], metavar="FILE")
    diff.add_argument("--exclude", action="append", default=[], metavar="PATTERN")
    diff.add_argument("--profile", choices=("current", "preview-2020"))
    diff.add_argument("--format", choices=CHECK_FORMATS, default="text")
    diff.add_argument("--output", action="append", default=[], metavar="[FORMAT:]FILE")
    diff.add_argument("--select")
    diff.add_argument("--ignore")
    diff.add_argument("--fail-on", choices=("error", "warning", "info"))
    diff.add_argument("--show-unknown", action="store_true")


def _add_rules(commands) -> None:
    rules = commands.add_parser("rules", help="list the rule pack, or show one rule's docs")
    rules.add_argument("rule", nargs="?", help="rule id or name")


def _add_table_command(commands, name: str, help_text: str) -> None:
    command = commands.add_parser(name, help=help_text)
    _add_common(command)
    command.add_argument("--format", choices=TABLE_FORMATS, default="text")
    command.add_argument("--output", metavar="FILE", help="write to FILE (atomically)")
    command.add_argument("--fail-on", choices=("error", "warning", "info"))
    command.add_argument("--window", metavar="HH:00-HH:00", help="local off-peak hours")
    command.add_argument("--batch-size", type=int, metavar="N", help="best-effort batch size")
    command.add_argument(
        "--update-domains",
        action="append",
        default=[],
        metavar="SET=N",
        help="update domain count of an availability set (wins over the template)",
    )
    command.add_argument("--date", metavar="YYYY-MM-DD", help="day to show UTC windows for")


COMMANDS = ("check", "diff", "rules", "plan", "inventory", "config")


def main(argv: list[str] | None = None) -> int:
    _tolerant_streams()
    arguments = list(sys.argv[1:] if argv is None else argv)
    if not arguments or (
        arguments[0] not in COMMANDS and arguments[0] not in ("-h", "--help", "--version")
    ):
        arguments.insert(0, "check")  # `armlint templates/` means `armlint check templates/`
    args = build_parser().parse_args(arguments)
    try:
        if args.command in ("check", "diff"):
            return _check(args)
        if args.command == "rules":
            return _rules(args)
        if args.command == "config":
            return _show_config(args)
        return _table(args)
    except UsageError as error:
        print(f"armlint: error: {error}", file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:
        print("armlint: interrupted", file=sys.stderr)
        return 130
    except Exception as error:
        if os.environ.get("ARMLINT_DEBUG"):
            raise
        print(
            f"armlint: internal error: {type(error).__name__}: {error}"
            " (set ARMLINT_DEBUG=1 for the traceback)",
            file=sys.stderr,
        )
        return 3


def _tolerant_streams() -> None:
    """Template text may hold anything JSON allows (a lone surrogate, say): escape what the
    terminal cannot show rather than stop the run on it."""
    for stream in (sys.stdout, sys.stderr):
        reconfigure = getattr(stream, "reconfigure", None)
        if reconfigure is not None:
            with contextlib.suppress(ValueError, OSError):
                reconfigure(errors="backslashreplace")


def _settings(args):
    """Configuration file values overridden by the command line."""
    from armlint.config import ConfigError, find_config, load_config

    try:
        path = Path(args.config) if getattr(args, "config", None) else find_config(Path.cwd())
        if path is not None and not path.is_file():
            raise UsageError(f"configuration file not found: {path}")
        return load_config(path)
    except ConfigError as error:
        raise UsageError(str(error)) from None


def _run_options(args, config):
    if getattr(args, "command", "") == "diff":
        args.paths = [args.after]
    from armlint.checks.pack import load_pack
    from armlint.config import ConfigError
    from armlint.pipeline import RunOptions

    pack = load_pack()
    try:
        config.check_rules()
    except ConfigError as error:
        raise UsageError(str(error)) from None
    try:
        select = _split(getattr(args, "select", None)) or config.select or None
        ignore = _split(getattr(args, "ignore", None)) or config.ignore
        enabled = pack.select(select, ignore)
        severities = {}
        for selector, severity in config.severity.items():
            for rule_id in pack.resolve(selector):
                severities[rule_id] = severity
    except ValueError as error:
        raise UsageError(str(error)) from None
    return RunOptions(
        paths=args.paths,
        parameters=args.parameters,
        var_files=args.var_file,
        exclude=config.exclude + args.exclude,
        profile=args.profile or config.profile,
        enabled=enabled,
        severities=severities,
        show_unknown=getattr(args, "show_unknown", False),
        explore=config.explore and not getattr(args, "no_explore", False),
        max_bytes=config.max_file_size_mb * 1024 * 1024,
        progress=_progress_printer(),
        jobs=max(1, getattr(args, "jobs", 1) or 1),
        shard=_shard(getattr(args, "shard", None)),
        cache=args.command == "check" and not getattr(args, "no_cache", True),
        deployment=_deployment(args, config),
    )


def _deployment(args, config):
    from armlint.model import DeploymentContext
    from armlint.planner.regions import PlanError, normalise_region
    from armlint.planner.settings import parse_assignments

    try:
        parameters = parse_assignments(getattr(args, "set", []), "--set")
        variables = parse_assignments(getattr(args, "var", []), "--var")
    except PlanError as error:
        raise UsageError(str(error)) from None
    location = getattr(args, "location", None) or config.location or None
    return DeploymentContext(
        location=normalise_region(location) if location else None,
        parameters=tuple(parameters),
        variables=tuple(variables),
    )


def _plan_options(args, config) -> dict:
    from armlint.planner.settings import parse_assignments, plan_options

    given = {
        "window": args.window,
        "batch-size": args.batch_size,
        "date": args.date,
        "update-domains": dict(parse_assignments(args.update_domains, "--update-domains")),
    }
    return plan_options(config.plan, given)


def _shard(text: str | None):
    from armlint.workunits import parse_shard

    if not text:
        return None
    try:
        return parse_shard(text)
    except ValueError as error:
        raise UsageError(str(error)) from None


def _split(text: str | None) -> list[str]:
    return [part.strip() for part in (text or "").split(",") if part.strip()]


def _progress_printer():
    """Progress on stderr for long runs, only when a person is watching a terminal."""
    if not sys.stderr.isatty() or os.environ.get("CI"):
        return None

    def show(done: int, total: int) -> None:
        if total >= 20 and (done % 10 == 0 or done == total):
            end = "\n" if done == total else ""
            print(
                f"\rarmlint: checked {done}/{total} groups of files",
                end=end,
                file=sys.stderr,
                flush=True,
            )

    return show


def _check(args) -> int:
    from armlint.pipeline import MissingPaths
    from armlint.report import ReportOptions, render, write_atomic

    config = _settings(args)
    options = _run_options(args, config)
    try:
        result = _run(args, options)
    except MissingPaths as error:
        raise UsageError(f"no such file or directory: {error}") from None
    if args.command == "check":
        written = _suppress(args, config, options, result)
        if written is not None:
            return written
    report_options = ReportOptions(
        show_unknown=options.show_unknown,
        show_suppressed=getattr(args, "show_suppressed", False),
        color=sys.stdout.isatty() and "NO_COLOR" not in os.environ,
        tool_version=__version__,
    )
    screen_goes_to_file = False
    for target in args.output:
        fmt, path = _output_target(target, args.format)
        screen_goes_to_file |= fmt == args.format and ":" not in target.split("/")[0]
        plain = ReportOptions(
            show_unknown=options.show_unknown,
            show_suppressed=getattr(args, "show_suppressed", False),
            tool_version=__version__,
        )
        write_atomic(path, render(fmt, result, plain))
    if not screen_goes_to_file:
        sys.stdout.write(render(args.format, result, report_options))
    fail_on = args.fail_on or config.fail_on
    return EXIT_FINDINGS if _fails(result, fail_on) else EXIT_OK


def _run(args, options):
    """check, check --against REF, or diff BEFORE AFTER."""
    from armlint.pipeline import run_check

    if args.command == "diff":
        from armlint import transitions

        options.paths = [args.after]
        return transitions.run_diff([args.before], [args.after], options)
    result = run_check(options)
    if getattr(args, "against", None):
        from armlint import transitions

        if options.shard is not None:
            raise UsageError("--against compares whole files and cannot be sharded; drop --shard")
        try:
            changes = transitions.run_against(args.against, options.paths, options)
        except transitions.GitError as error:
            raise UsageError(str(error)) from None
        result.findings = sorted(result.findings + changes.findings, key=lambda f: f.sort_key)
        result.notes.extend(changes.notes)
        result.unknown_count += changes.unknown_count
    return result


def _suppress(args, config, options, result):
    """Inline suppressions, then per-file rules, then the baseline; each sees the previous."""
    import datetime

    from armlint.baseline import BaselineError, apply_baseline, write_baseline
    from armlint.config import ConfigError, apply_per_file
    from armlint.suppressions import apply_suppressions

    try:
        apply_suppressions(
            result,
            datetime.date.today(),
            enabled=options.enabled,
            enabled_for=lambda path: config.enabled_for(path, options.enabled),
            severities=options.severities,
        )
        apply_per_file(result, config)
    except ConfigError as error:
        raise UsageError(str(error)) from None
    if args.write_baseline:  # before --baseline, so accepted findings stay recorded
        count = write_baseline(result, args.write_baseline)
        print(f"armlint: wrote {count} baseline entries to {args.write_baseline}", file=sys.stderr)
        return EXIT_OK
    if args.baseline:
        try:
            result.notes.extend(apply_baseline(result, args.baseline, enabled=options.enabled))
        except BaselineError as error:
            raise UsageError(str(error)) from None
    return None


def _output_target(target: str, default_format: str) -> tuple[str, str]:
    head, sep, tail = target.partition(":")
    if sep and head in CHECK_FORMATS and tail:
        return head, tail
    return default_format, target


def _fails(result, fail_on: str) -> bool:
    from armlint.model import SEVERITY_RANK

    threshold = SEVERITY_RANK[fail_on]
    return any(SEVERITY_RANK[f.severity] >= threshold for f in result.active_findings())


def _rules(args) -> int:
    from armlint.checks.pack import load_pack

    pack = load_pack()
    if not args.rule:
        for rule in sorted(pack.rules.values(), key=lambda r: r.id):
            print(f"{rule.id}  {rule.name:<42} {rule.severity:<8} {rule.summary}")
        return EXIT_OK
    try:
        (rule_id,) = pack.resolve(args.rule) if args.rule in pack.by_name() else {args.rule.upper()}
    except ValueError as error:
        raise UsageError(str(error)) from None
    rule = pack.rules.get(rule_id)
    if rule is None:
        raise UsageError(f"unknown rule: {args.rule}")
    print(f"# {rule.id} {rule.name}\n\nSeverity: {rule.severity}\n\n{rule.summary}\n")
    print(rule.docs.rstrip())
    return EXIT_OK


def _show_config(args) -> int:
    config = _settings(args)
    chain = " <- ".join(str(path) for path in getattr(config, "files", [])) or "(none found)"
    print(f"# configuration files (base first): {chain}")
    for key, value, origin in config.effective():
        print(f"{key} = {value!r}  # {origin}")
    return EXIT_OK


def _table(args) -> int:
    from armlint.pipeline import MissingPaths, load_records
    from armlint.report import write_atomic

    config = _settings(args)
    options = _run_options(args, config)
    options.explore = False
    try:
        result = load_records(options)
    except MissingPaths as error:
        raise UsageError(f"no such file or directory: {error}") from None
    text, findings = _render_table(args.command, args.format, result, options, args, config)
    if args.output:
        write_atomic(args.output, text)
    else:
        sys.stdout.write(text)
    from armlint.model import SEVERITY_RANK

    threshold = SEVERITY_RANK[args.fail_on or config.fail_on]
    failing = any(SEVERITY_RANK[f.severity] >= threshold for f in findings)
    return EXIT_FINDINGS if failing else EXIT_OK


def _render_table(command: str, fmt: str, result, options, args, config):
    from armlint import planner
    from armlint.pipeline import image_support_checker

    if command == "plan" and fmt == "csv":
        raise UsageError("csv is for inventory; use text, json, markdown or html for plan")
    report = planner.plan_report if command == "plan" else planner.inventory_report
    try:
        settings = planner.PlanSettings(
            image_supported=image_support_checker(options.profile), **_plan_options(args, config)
        )
        return report(
            result.records,
            result.findings,
            settings,
            fmt,
            profile=options.profile,
            enabled=options.enabled,
            severities=options.severities,
        )
    except planner.PlanError as error:
        raise UsageError(str(error)) from None
