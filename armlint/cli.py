"""The command line: argument parsing and sub-commands only; the work happens elsewhere."""

from __future__ import annotations

# No contextlib: try/except does what its suppress() did, and its import was about 3 M
# instructions of every run's start-up (issue 16).
import argparse
import errno
import gc
import os
import sys
from functools import partial

from armlint import __version__

EXIT_OK, EXIT_FINDINGS, EXIT_USAGE = 0, 1, 2
EXIT_INTERNAL, EXIT_OUTPUT = 3, 4  # 4: a report could not be written (disk full, closed stdout)
CHECK_FORMATS = (
    "text", "full", "json", "sarif", "junit", "github", "azure-devops", "markdown", "html",
)  # fmt: skip
TABLE_FORMATS = {
    "plan": ("text", "json", "markdown", "html"),
    "inventory": ("text", "json", "csv", "markdown", "html"),
}
EXIT_CODES = """exit codes:
  0  no finding at or above --fail-on (or --exit-zero)
  1  findings at or above --fail-on (default: error)
  2  usage or configuration error (one line on stderr)
  3  internal error (set ARMLINT_DEBUG=1 for the traceback)
  4  a report could not be written (disk full, closed stdout)
  128+N  stopped by signal N (130 Ctrl-C, 143 SIGTERM, 129 SIGHUP)"""


# Errors only a write gives (armlint reads nothing on a full disk): the output failed.
WRITE_ERRORS = {errno.ENOSPC, errno.EFBIG, getattr(errno, "EDQUOT", errno.ENOSPC)}


class UsageError(Exception):
    """A problem with how armlint was called or configured: one line, exit code 2."""


class OutputFailed(Exception):
    """A report could not be written (no space, closed stream): one line, exit code 4."""


def _terminal_columns() -> int:
    """``shutil.get_terminal_size().columns``: COLUMNS when a positive number, else the
    width of the terminal on standard output, else 80."""
    try:
        columns = int(os.environ["COLUMNS"])
    except (KeyError, ValueError):
        columns = 0
    if columns <= 0:
        stream = sys.__stdout__  # None when Python runs without one
        try:
            columns = os.get_terminal_size(stream.fileno()).columns if stream else 0
        except (AttributeError, ValueError, OSError):
            columns = 0
    return columns or 80


class _Parser(argparse.ArgumentParser):
    """armlint's parsers (the command's and each sub-command's, as ``parser_class``)."""

    def __init__(self, *args, **kwargs) -> None:
        kwargs.setdefault("epilog", EXIT_CODES)
        kwargs.setdefault("formatter_class", _help_formatter())
        # No prefix abbreviations: `--var x=1` must not silently mean `--var-file x=1`.
        kwargs["allow_abbrev"] = False
        super().__init__(*args, **kwargs)


def _help_formatter():
    """argparse's formatter with the terminal width read once per parser: argparse makes a
    formatter for every option it adds (to check its metavar), and without a width each one
    would read the terminal's again, with argparse's own default importing shutil (with bz2
    and lzma) too; all of that a share of every run's start-up."""
    return partial(argparse.RawDescriptionHelpFormatter, width=_terminal_columns() - 2)


def build_parser(chosen: tuple[str, ...] | None = None) -> argparse.ArgumentParser:
    """The whole command line, or with ``chosen`` only those sub-commands' options: building
    every sub-command's was a share of each run's start-up, and a run uses one at most."""
    parser = _Parser(
        prog="armlint",
        description="Lint Azure VM guest-patch settings in ARM, Bicep and Terraform; preview patch batches.",
    )
    parser.add_argument("--version", action="version", version=f"armlint {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    adders = {
        "check": _add_check,
        "diff": _add_diff,
        "drift": _add_drift,
        "rules": _add_rules,
        "plan": lambda commands: _add_table_command(
            commands, "plan", "preview which patch batch each VM would land in"
        ),
        "inventory": lambda commands: _add_table_command(
            commands, "inventory", "one row per VM with its patch posture"
        ),
        "config": _add_config,
    }
    for name, add in adders.items():
        if chosen is None or name in chosen:
            add(commands)
    return parser


def _add_config(commands) -> None:
    config = commands.add_parser("config", help="print the effective configuration (TOML)")
    config.add_argument("--config", metavar="FILE", help="configuration file to use")
    config.add_argument(
        "--format", choices=("toml", "json"), default="toml", help="TOML (default) or JSON"
    )


def _positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number: {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be 1 or more, not {value}")
    return value


def _add_inputs(command: argparse.ArgumentParser) -> None:
    """Options every command that reads templates shares."""
    command.add_argument("--config", metavar="FILE", help="configuration file to use")
    command.add_argument(
        "--parameters", action="append", default=[], metavar="FILE", help="ARM parameter file"
    )
    command.add_argument(
        "--var-file", action="append", default=[], metavar="FILE", help="Terraform variables file"
    )
    command.add_argument(
        "--exclude",
        action="append",
        default=[],
        metavar="PATTERN",
        help="gitignore-style pattern(s) to leave out, comma-separated or repeated",
    )
    command.add_argument(
        "--force-exclude",
        action="store_true",
        help="apply excludes and .gitignore to files named on the command line too (pre-commit)",
    )
    command.add_argument(
        "--no-respect-gitignore",
        dest="respect_gitignore",
        action="store_false",
        help="read files that .gitignore ignores",
    )
    command.add_argument(
        "--profile", choices=("current", "preview-2020"), help="which documented behaviour"
    )
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


def _add_common(command: argparse.ArgumentParser) -> None:
    command.add_argument("paths", nargs="*", default=["."], help="files or folders (default: .)")
    _add_inputs(command)


def _add_reporting(command: argparse.ArgumentParser) -> None:
    """Options of check and diff: what to report and how."""
    command.add_argument(
        "--format",
        "--output-format",
        dest="format",
        choices=CHECK_FORMATS,
        default="text",
        help="report format (full: text with the source line under each finding)",
    )
    command.add_argument(
        "--output",
        action="append",
        default=[],
        metavar="[FORMAT:]FILE",
        help="write the report to FILE (atomically); repeat as sarif:armlint.sarif for more",
    )
    command.add_argument("--select", help="comma-separated rule ids, names or prefixes to run")
    command.add_argument("--ignore", help="comma-separated rule ids, names or prefixes to skip")
    command.add_argument(
        "--fail-on", choices=("error", "warning", "info"), help="lowest severity that exits 1"
    )
    command.add_argument(
        "--exit-zero", action="store_true", help="exit 0 even when findings fail the run"
    )
    command.add_argument("--show-unknown", action="store_true", help="list AZP002 unknown values")
    command.add_argument(
        "-q", "--quiet", action="store_true", help="print findings only (no notes, no summary)"
    )
    command.add_argument(
        "-v",
        "--verbose",
        action="store_true",
        help="list every note instead of a count per kind, and each cache entry that could not "
        "be used",
    )
    command.add_argument(
        "--statistics", action="store_true", help="print the number of findings per rule instead"
    )
    command.add_argument(
        "--color",
        choices=("auto", "always", "never"),
        default="auto",
        help="colours in text output (auto: on a terminal; NO_COLOR and FORCE_COLOR apply)",
    )
    command.add_argument(
        "--stdin-filename",
        metavar="NAME",
        help="name (and so format) of the template read from stdin when a path is '-'",
    )
    command.add_argument(
        "--help-uri",
        metavar="URI",
        help="base of SARIF helpUri links (default: docs/rules/ in the repository)",
    )


def _add_check(commands) -> None:
    check = commands.add_parser("check", help="lint templates (the default job)")
    _add_common(check)
    _add_reporting(check)
    check.add_argument("--no-explore", action="store_true", help="do not explore allowedValues")
    check.add_argument(
        "--jobs",
        type=_positive_int,
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
    fixing = check.add_argument_group("fixes")
    fixing.add_argument("--fix", action="store_true", help="apply the safe fixes")
    fixing.add_argument(
        "--unsafe-fixes", action="store_true", help="with --fix or --diff: the unsafe fixes too"
    )
    fixing.add_argument(
        "--diff", action="store_true", help="print the fixes as a unified diff; write nothing"
    )
    fixing.add_argument(
        "--fix-only", action="store_true", help="apply fixes and report only what was fixed"
    )


def _add_diff(commands) -> None:
    diff = commands.add_parser(
        "diff", help="report patch-mode changes from BEFORE to AFTER (AZP4xx)"
    )
    diff.add_argument("before", help="file or folder as deployed (or an exported VM JSON)")
    diff.add_argument("after", help="file or folder as it will be deployed")
    _add_inputs(diff)
    _add_reporting(diff)


def _add_drift(commands) -> None:
    drift = commands.add_parser(
        "drift", help="compare exported live VMs (az vm list, Resource Graph...) with templates"
    )
    drift.add_argument("templates", help="template file or folder")
    drift.add_argument("exports", nargs="+", help="export files or folders of the live estate")
    _add_common_options(drift)
    drift.add_argument("--format", choices=("text", "json", "sarif", "markdown"), default="text")
    drift.add_argument("--output", metavar="FILE", help="write to FILE (atomically)")
    drift.add_argument("--resource-group", default="", help="pair only with live VMs in it")
    drift.add_argument("--fail-on", choices=("error", "warning", "info"))
    drift.add_argument("--show-unknown", action="store_true")


def _add_common_options(command: argparse.ArgumentParser) -> None:
    command.add_argument("--config", metavar="FILE", help="configuration file to use")
    command.add_argument("--parameters", action="append", default=[], metavar="FILE")
    command.add_argument("--var-file", action="append", default=[], metavar="FILE")
    command.add_argument("--exclude", action="append", default=[], metavar="PATTERN")
    command.add_argument("--profile", choices=("current", "preview-2020"))


def _add_rules(commands) -> None:
    rules = commands.add_parser("rules", help="list the rule pack, or show one rule's docs")
    rules.add_argument("rule", nargs="?", help="rule id or name")


def _add_table_command(commands, name: str, help_text: str) -> None:
    command = commands.add_parser(name, help=help_text)
    _add_common(command)
    command.add_argument("--format", choices=TABLE_FORMATS[name], default="text")
    command.add_argument("--output", metavar="FILE", help="write to FILE (atomically)")
    command.add_argument(
        "--fail-on", choices=("error", "warning", "info"), help="lowest severity that exits 1"
    )
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


COMMANDS = ("check", "diff", "drift", "rules", "plan", "inventory", "config")


class Stopped(BaseException):
    """SIGTERM or SIGHUP arrived: unwind like Ctrl-C does (workers stopped, no output half
    written) and exit 128 + the signal number. A BaseException, so no ``except Exception``
    in a loader swallows it."""

    def __init__(self, signum: int) -> None:
        super().__init__(signum)
        self.signum = signum


# The collector looks at its youngest objects every 700 new containers by default. Start-up
# creates some hundred thousand that live to the end (modules' functions and code, argparse's
# options, the rule pack and its tables), so those collections mostly re-visit and promote
# survivors: about 5 million instructions, 3% of a one-template check (issue 16). Every 10,000
# they are a few; cyclic garbage waits longer, a few megabytes at most.
YOUNG_COLLECTION_THRESHOLD = 10_000


def console_main(invocation=None) -> int:
    """The command as a process (``armlint.__main__.main``, the entry point of ``armlint`` and
    ``python -m armlint``, calls it when no record answers): ``main()``, whose objects are
    then left to the operating system. The interpreter's last collections at exit would walk every object still alive, armlint's modules included (about 14 million
    instructions, 7% of a one-template check; issue 16); frozen (``gc.freeze``), they are
    skipped. Not in ``main()``: a caller that runs it in-process keeps a collector that
    collects what ``main()`` left."""
    gc.set_threshold(YOUNG_COLLECTION_THRESHOLD)
    try:
        code = main(invocation=invocation)
    finally:
        gc.freeze()  # also after SystemExit: --help, --version and usage errors
    _end_process(code)
    return code  # when something still has to run at exit


def _end_process(code: int) -> None:
    """Exit now when nothing is left to run at exit: the interpreter's teardown of every
    module and object was about 5 M instructions (3% of a one-template check; issue 16), and
    the operating system frees the memory anyway. Not when an ``atexit`` handler is
    registered (multiprocessing's, a coverage tool's) or another thread may run (workers):
    the normal exit waits for and runs those. Only stdout and stderr are flushed here: every
    file armlint writes (reports, cache packs, data copies) is closed as soon as it is written."""
    import atexit

    count_handlers = getattr(atexit, "_ncallbacks", None)  # CPython's; elsewhere: exit normally
    if count_handlers is None or count_handlers() or "threading" in sys.modules:
        return
    for stream in (sys.stdout, sys.stderr):
        try:
            if stream is not None:
                stream.flush()
        except (OSError, ValueError):
            return  # let the normal exit report it as it always did
    os._exit(code)


def main(argv: list[str] | None = None, invocation=None) -> int:
    """Run armlint with ``argv`` (the process's arguments by default). ``invocation``: how the
    process was started (``armlint.run.replay.Invocation``), given by the process's entry
    point alone: a check it starts may be recorded for the next identical one."""
    from armlint.streams import tolerant_streams

    tolerant_streams()
    previous = _stop_on_signals()
    try:
        code = _main(list(sys.argv[1:] if argv is None else argv), invocation)
    except KeyboardInterrupt:
        code = interrupted()
    except Stopped as stop:
        _say(f"armlint: stopped by signal {stop.signum}")
        code = 128 + stop.signum
    finally:
        _restore_signals(previous)
    return _flushed(code)


def interrupted() -> int:
    """Ctrl-C: one line, exit 130 (also for a replayed check, ``armlint.__main__``)."""
    _say("armlint: interrupted")
    return 130


def _stop_on_signals() -> dict:
    """SIGTERM and SIGHUP unwind like Ctrl-C; returns the handlers they replace."""
    # The C module behind ``signal``: the same numbers and handlers, without the enums that
    # ``signal`` builds at import (a share of start-up).
    import _signal as signal

    def stop(signum, _frame):
        raise Stopped(signum)

    previous = {}
    for name in ("SIGTERM", "SIGHUP"):
        number = getattr(signal, name, None)
        if number is not None:
            try:
                previous[number] = signal.signal(number, stop)
            except (ValueError, OSError):  # not the main thread
                pass
    return previous


def _restore_signals(previous: dict) -> None:
    """main() may be called in-process (tests, other tools): leave their handlers as found."""
    import _signal as signal  # as in _stop_on_signals

    for number, handler in previous.items():
        try:
            signal.signal(number, handler)
        except (ValueError, OSError, TypeError):
            pass


def _flushed(code: int) -> int:
    """Flush stdout now, while a failure can still be reported: at exit Python would print
    "Exception ignored" and exit 120. A reader that went away (``| head``) is not an error."""
    stream = sys.stdout
    if stream is None:
        return code
    try:
        stream.flush()
    except BrokenPipeError:
        _silence_stdout()
    except (OSError, ValueError) as error:
        _silence_stdout()
        _say(f"armlint: error: cannot write to standard output: {_reason(error)}")
        return EXIT_OUTPUT
    return code


def _silence_stdout() -> None:
    """Point stdout at /dev/null so the flush at exit has nothing left to fail on."""
    try:
        descriptor = os.open(os.devnull, os.O_WRONLY)
        os.dup2(descriptor, sys.stdout.fileno())
        os.close(descriptor)
    except (OSError, ValueError):
        pass
    sys.stdout = None


def _reason(error: BaseException) -> str:
    return getattr(error, "strerror", None) or str(error) or type(error).__name__


def _main(arguments: list[str], invocation=None) -> int:
    try:
        arguments = _with_command(arguments)
    except UsageError as error:
        print(f"armlint: error: {error}", file=sys.stderr)
        return EXIT_USAGE
    args = build_parser(_commands_reached(arguments)).parse_args(arguments)
    args.invocation = invocation
    try:
        if args.command in ("check", "diff"):
            return _check(args)
        if args.command == "rules":
            return _rules(args)
        if args.command == "config":
            return _show_config(args)
        if args.command == "drift":
            return _drift(args)
        return _table(args)
    except UsageError as error:
        _say(f"armlint: error: {error}")
        return EXIT_USAGE
    except OutputFailed as error:
        _say(f"armlint: error: {error}")
        return EXIT_OUTPUT
    except BrokenPipeError:  # `armlint rules | head -1`: the reader has what it wanted
        _silence_stdout()
        return EXIT_OK
    except OSError as error:
        if error.errno not in WRITE_ERRORS:
            raise
        _silence_stdout()
        _say(f"armlint: error: cannot write the output: {_reason(error)}")
        return EXIT_OUTPUT
    except Exception as error:
        if os.environ.get("ARMLINT_DEBUG"):
            raise
        _say(
            f"armlint: internal error: {type(error).__name__}: {error}"
            " (set ARMLINT_DEBUG=1 for the traceback)"
        )
        return EXIT_INTERNAL


def _commands_reached(arguments: list[str]) -> tuple[str, ...] | None:
    """The sub-commands whose options parsing ``arguments`` can need: the one named first;
    none for ``--version`` first (argparse prints it and exits as soon as it reads it); else
    all of them (``--help`` lists them)."""
    first = arguments[0] if arguments else ""
    if first in COMMANDS:
        return (first,)
    return () if first == "--version" else None


def _say(line: str) -> None:
    """One line on stderr; a closed or broken stderr must not turn it into a traceback."""
    try:
        sys.stderr.write(line + "\n")
        sys.stderr.flush()
    except (OSError, ValueError, AttributeError):
        pass


def _is_terminal(stream) -> bool:
    """False for a closed stream too (Python sets sys.stdout to None when fd 1 is closed)."""
    try:
        return stream is not None and stream.isatty()
    except (OSError, ValueError):
        return False


def _with_command(arguments: list[str]) -> list[str]:
    """`armlint templates/` means `armlint check templates/`; `armlint chek` is a typo, not a
    missing file: a first word that is neither a command nor an existing path, and does not
    look like a path, is an unknown command (with a suggestion)."""
    if arguments and (arguments[0] in COMMANDS or arguments[0] in ("-h", "--help", "--version")):
        return arguments
    first = arguments[0] if arguments else ""
    if first and not first.startswith("-") and _looks_like_a_word(first):
        import difflib

        close = difflib.get_close_matches(first, COMMANDS, n=1)
        hint = f"; did you mean {close[0]!r}?" if close else ""
        raise UsageError(f"unknown command {first!r}{hint} (commands: {', '.join(COMMANDS)})")
    return ["check", *arguments]


def _looks_like_a_word(text: str) -> bool:
    return not os.path.lexists(text) and not any(mark in text for mark in "/\\.:*")


def _settings(args):
    """Configuration file values overridden by the command line."""
    from armlint.config import ConfigError, find_config, load_config
    from armlint.paths import path_text

    try:
        cwd = os.getcwd()
    except OSError:  # the folder was removed under the shell that is in it
        raise UsageError("the current folder no longer exists") from None
    try:
        given = getattr(args, "config", None)
        path = path_text(given) if given else find_config(cwd)
        if path is not None and not os.path.isfile(path):
            raise UsageError(f"configuration file not found: {path}")
        return load_config(path)
    except ConfigError as error:
        raise UsageError(str(error)) from None


def _run_options(args, config):
    if getattr(args, "command", "") == "diff":
        args.before, args.after = _relative_argument(args.before), _relative_argument(args.after)
        args.paths = [args.after]
    from armlint.checks.pack import load_pack
    from armlint.config import ConfigError
    from armlint.run.options import Gates, RunOptions

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
    enabled -= {rule_id for rule_id, severity in severities.items() if severity == "off"}
    severities = {rule_id: level for rule_id, level in severities.items() if level != "off"}
    _require_files("--parameters", args.parameters)
    _require_files("--var-file", args.var_file)
    return RunOptions(
        paths=[_relative_argument(path) for path in args.paths],
        parameters=[_relative_argument(path) for path in args.parameters],
        var_files=[_relative_argument(path) for path in args.var_file],
        exclude=_exclude_patterns(config, args.exclude),
        respect_gitignore=getattr(args, "respect_gitignore", True),
        force_exclude=getattr(args, "force_exclude", False),
        profile=args.profile or config.profile,
        enabled=enabled,
        severities=severities,
        show_unknown=getattr(args, "show_unknown", False),
        explore=config.explore and not getattr(args, "no_explore", False),
        max_bytes=config.max_file_size_mb * 1024 * 1024,
        progress=_progress_printer(),
        jobs=getattr(args, "jobs", 1),
        shard=_shard(getattr(args, "shard", None)),
        cache=args.command == "check" and not getattr(args, "no_cache", True),
        note_cache_misses=getattr(args, "verbose", False),
        deployment=_deployment(args, config),
        # --write-baseline records today's findings, so it never applies a baseline.
        gates=Gates(config, None if getattr(args, "write_baseline", None) else _baseline(args)),
    )


def _baseline(args) -> str | None:
    return getattr(args, "baseline", None)


def _relative_argument(path: str) -> str:
    """An absolute argument as a path relative to the current folder: messages, provenance
    and notes quote file paths, and the runner's absolute paths must not reach a report."""
    if not os.path.isabs(path) or not (os.path.isfile(path) or os.path.isdir(path)):
        return path  # also a FIFO (/dev/fd/63): it is reported by the name it was given
    try:
        return os.path.relpath(path)
    except ValueError:  # another drive on Windows
        return path


def _require_files(option: str, names: list[str]) -> None:
    """A file the user named that is not there is a typo to fix now, not a finding."""
    from armlint.paths import path_text  # as Path(name) reads it: "x.json/" is "x.json"

    for name in names:
        if not os.path.exists(path_text(name)):
            raise UsageError(f"{option}: no such file: {name}")


def _exclude_patterns(config, given: list[str]) -> list:
    """Configured patterns are relative to their file's folder, the command line's to ``.``."""
    from armlint.globs import Patterns, split_patterns

    configured = Patterns(split_patterns(config.exclude), _config_folder(config))
    typed = Patterns(split_patterns(given), os.getcwd())
    return [patterns for patterns in (configured, typed) if patterns]


def _config_folder(config) -> str:
    return os.path.dirname(os.path.abspath(config.source)) if config.source else os.getcwd()


def _deployment(args, config):
    from armlint.model import DeploymentContext

    location = getattr(args, "location", None) or config.location or None
    if not (location or getattr(args, "set", None) or getattr(args, "var", None)):
        return DeploymentContext()  # without importing the planner (a tenth of start-up)
    from armlint.planner.regions import PlanError, normalise_region
    from armlint.planner.settings import parse_assignments

    try:
        parameters = parse_assignments(getattr(args, "set", []), "--set")
        variables = parse_assignments(getattr(args, "var", []), "--var")
    except PlanError as error:
        raise UsageError(str(error)) from None
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
    from armlint.run.workunits import parse_shard

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
    if not _is_terminal(sys.stderr) or os.environ.get("CI"):
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
    from armlint.report import render

    config = _settings(args)
    options = _run_options(args, config)
    targets = [_output_target(target, args.format) for target in args.output]
    options.rule_docs = "sarif" in {args.format, *(target.fmt for target in targets)}
    if args.command == "check" and (args.fix or args.diff or args.fix_only):
        return _fix_with_inputs(args, config, options)
    basis = _replay_basis(args, options, targets)
    if basis is not None:  # --config FILE, and the files it extends, may lie anywhere
        basis.add(config.files)
    result = _with_special_inputs(args, options, lambda: _run(args, options, basis))
    if args.command == "check" and getattr(args, "write_baseline", None):
        from armlint.run.baseline import write_baseline

        count = write_baseline(result, args.write_baseline)
        print(
            f"armlint: wrote {count} baseline entries to {args.write_baseline}",
            file=sys.stderr,
        )
        return EXIT_OK
    plain = _report_options(args, config, options)
    screen_goes_to_file = False
    for target in targets:
        screen_goes_to_file |= target.follows_format and target.fmt == args.format
        _write_report(target.path, render(target.fmt, result, plain))
    text = None
    if not screen_goes_to_file:
        screen = plain.replace(color=_use_color(args.color, sys.stdout))
        if args.statistics:
            from armlint.report.text import statistics

            text = statistics(result, screen)
        else:
            text = render(args.format, result, screen)
        _print_report(text)
    fail_on = args.fail_on or config.fail_on
    failed = _fails(result, fail_on) and not args.exit_zero
    code = EXIT_FINDINGS if failed else EXIT_OK
    if basis is not None and text is not None and sys.stdout is not None:
        from armlint.run.replay import record

        record(args.invocation, basis, text, code)
    return code


def _replay_basis(args, options, targets):
    """What the run's output rests on (``armlint.run.replay.Basis``), when the process may
    record it for the next identical invocation: a plain check of files, its report on stdout
    alone, started from the command line (``armlint.__main__``); else None. Progress on a
    terminal does not stop it: it counts the groups checked afresh, and a fully cached run,
    which the replay stands for, checks none and shows none."""
    plain = (
        args.invocation is not None
        and args.command == "check"
        and options.cache
        and not targets
        and not (args.write_baseline or args.against or args.verbose)
        and not (options.parameters or options.var_files)
    )
    if not plain:
        return None
    from armlint.fileio import STDIN_NAME, is_special
    from armlint.run.replay import Basis

    if any(path == STDIN_NAME or is_special(path) for path in args.paths):
        return None  # stdin or a pipe: read once, never the same input again

    return Basis()


def _report_options(args, config, options):
    from armlint.globs import project_root
    from armlint.report import ReportOptions

    return ReportOptions(
        show_unknown=options.show_unknown,
        show_suppressed=getattr(args, "show_suppressed", False),
        tool_version=__version__,
        root=project_root(os.getcwd(), config.source or None),
        quiet=args.quiet,
        verbose=args.verbose,
        fail_on=args.fail_on or config.fail_on,
        help_uri=args.help_uri or "",
    )


def _use_color(choice: str, stream) -> bool:
    """--color wins; then NO_COLOR (any value) and FORCE_COLOR (non-empty, not '0'), as
    https://no-color.org and https://force-color.org say; then whether it is a terminal."""
    if choice != "auto":
        return choice == "always"
    if os.environ.get("NO_COLOR"):
        return False
    if os.environ.get("FORCE_COLOR", "0") not in ("", "0"):
        return True
    isatty = getattr(stream, "isatty", None)
    return bool(isatty and isatty())


def _with_special_inputs(args, options, run):
    """Run with stdin ('-') and FIFOs copied to files first, and reported by their names."""
    inputs = _special_inputs(args, options)
    try:
        result = run()
    finally:
        inputs.cleanup()
    inputs.restore(result)
    return result


def _special_inputs(args, options):
    """Copy stdin ('-') and FIFOs to temporary files and point the arguments at the copies
    (a FIFO can be read once: each argument once). The caller cleans the copies up."""
    from armlint.inputs import InputError, SpecialInputs

    inputs = SpecialInputs(getattr(args, "stdin_filename", None), options.max_bytes)
    try:
        if args.command == "diff":
            args.before, args.after = inputs.path(args.before), inputs.path(args.after)
        else:
            options.paths = [inputs.path(path) for path in options.paths]
    except InputError as error:
        inputs.cleanup()
        raise UsageError(str(error)) from None
    return inputs


def _run(args, options, basis=None):
    """check, check --against REF, or diff BEFORE AFTER; usage problems become UsageError.
    ``basis``: gathers what a plain check's output rests on (armlint/run/replay.py)."""
    from armlint.run.findings import GateError
    from armlint.run.options import MissingPaths

    try:
        if args.command == "diff":
            from armlint.compare.diff import run_diff

            return run_diff([args.before], [args.after], options)
        if getattr(args, "against", None):
            # Imported only here: git comparison is a fifth of a one-file check's imports.
            from armlint.compare.git import GitError, check_against

            try:
                return check_against(args.against, options)
            except GitError as error:
                raise UsageError(str(error)) from None
        from armlint.run.pipeline import run_check

        return run_check(options, basis=basis)
    except MissingPaths as error:
        raise UsageError(f"no such file or directory: {error}") from None
    except GateError as error:
        raise UsageError(str(error)) from None


def _fix_with_inputs(args, config, options) -> int:
    """--fix / --diff on copies of stdin and FIFOs: --diff shows them under their names; a
    fix cannot be written back to a pipe, so --fix refuses them."""
    inputs = _special_inputs(args, options)
    try:
        if inputs.names and not args.diff:
            raise UsageError("--fix cannot write back to stdin or a pipe: use --diff")
        return _fix(args, config, options, inputs.shown)
    finally:
        inputs.cleanup()


def _fix(args, config, options, shown) -> int:
    """--fix / --fix-only apply fixes and check again; --diff only shows them."""
    from armlint.fix.apply import SAFE_ONLY, WITH_UNSAFE

    if args.baseline or args.write_baseline or args.against:
        raise UsageError("--fix and --diff work on plain checks: drop --baseline/--against")
    allowed = WITH_UNSAFE if args.unsafe_fixes else SAFE_ONLY

    def checked():
        return _run(args, options)  # suppressions and per-file rules: the findings path

    if args.diff:
        return _show_diff(args, options, checked, allowed, shown)
    return _apply_fixes(args, config, options, checked, allowed)


def _show_diff(args, options, checked, allowed, shown) -> int:
    """What --fix would write, verified the same way, from fixed texts kept in memory."""
    from armlint.fileio import clear_overlay
    from armlint.fix.apply import MemoryFiles, read_text, run_fixes, unified_diff

    options.jobs = 1  # the fixed texts live in this process
    try:
        _result, outcome = run_fixes(
            checked, allowed, [str(p) for p in options.paths], MemoryFiles()
        )
        after = {path: read_text(path) or "" for path in outcome.files}
    finally:
        clear_overlay()
    changed = {path: text for path, text in after.items() if text != (read_text(path) or "")}
    for path in sorted(changed):
        sys.stdout.write(shown(unified_diff(path, read_text(path) or "", changed[path])))
    sys.stdout.flush()
    for line in outcome.refused:
        print(f"armlint: {shown(line)}", file=sys.stderr)
    count = outcome.fixed
    print(
        f"Would fix {count} finding{'s' if count != 1 else ''} in {len(changed)} file(s)",
        file=sys.stderr,
    )
    return EXIT_FINDINGS if changed else EXIT_OK


def _apply_fixes(args, config, options, checked, allowed) -> int:
    from armlint.fix.apply import run_fixes
    from armlint.report import ReportOptions, render

    result, outcome = run_fixes(checked, allowed, [str(p) for p in options.paths])
    for line in outcome.refused:
        print(f"armlint: {line}", file=sys.stderr)
    done = f"Fixed {outcome.fixed} finding{'s' if outcome.fixed != 1 else ''} in {len(outcome.files)} file(s)"
    if args.fix_only:
        print(done)
        return EXIT_OK
    report_options = ReportOptions(
        show_unknown=options.show_unknown,
        color=sys.stdout.isatty() and "NO_COLOR" not in os.environ,
        tool_version=__version__,
    )
    sys.stdout.write(render(args.format, result, report_options))
    print(done, file=sys.stderr)
    fail_on = args.fail_on or config.fail_on
    return EXIT_FINDINGS if _fails(result, fail_on) else EXIT_OK


# The format an --output file gets from its extension when no FORMAT: prefix is given.
OUTPUT_EXTENSIONS = {
    ".sarif": "sarif",
    ".json": "json",
    ".xml": "junit",
    ".html": "html",
    ".htm": "html",
    ".md": "markdown",
}


class OutputTarget:
    """One ``--output``. A plain class: the command line module is imported by every run, where
    creating a dataclass costs about a millisecond."""

    __slots__ = ("fmt", "path", "follows_format")

    def __init__(self, fmt: str, path: str, follows_format: bool) -> None:
        self.fmt = fmt
        self.path = path
        # Neither a prefix nor an extension chose the format: --format did.
        self.follows_format = follows_format


def _output_target(target: str, default_format: str) -> OutputTarget:
    """``sarif:out.txt`` -> sarif; ``out.sarif`` -> sarif; ``out.txt`` -> --format.

    A prefix of two or more letters that names no format is a usage error, not a file name
    (``pdf:report.pdf``); one letter is a Windows drive (``C:report``)."""
    from armlint.fileio import OutputError, check_output_path

    head, sep, tail = target.partition(":")
    if sep and head in CHECK_FORMATS:
        fmt, path, follows = head, tail, False
    elif sep and len(head) > 1 and head.replace("-", "").isalnum():
        known = ", ".join(CHECK_FORMATS)
        raise UsageError(f"--output {target}: unknown format {head!r}; choose one of: {known}")
    else:
        extension = os.path.splitext(target)[1].lower()
        fmt = OUTPUT_EXTENSIONS.get(extension, default_format)
        path, follows = target, extension not in OUTPUT_EXTENSIONS
    try:
        check_output_path(path)
    except OutputError as error:
        raise UsageError(str(error)) from None
    return OutputTarget(fmt, path, follows)


def _write_report(path: str, text: str) -> None:
    from armlint.fileio import OutputError, write_output

    try:
        write_output(path, text.encode("utf-8", "backslashreplace"))
    except OutputError as error:
        raise (UsageError if error.usage else OutputFailed)(str(error)) from None


def _print_report(text: str) -> None:
    """The report on stdout; a closed, broken or full stdout is a one-line error (exit 4)."""
    stream = sys.stdout
    if stream is None:
        raise OutputFailed("cannot write the report: standard output is closed")
    try:
        stream.write(text)
        stream.flush()
    except (OSError, ValueError) as error:
        _print_report_failed(error)


def stdout_failed(error: OSError | ValueError, code: int) -> int:
    """The exit code after a replayed report (armlint/run/replay.py) could not be written, as
    ``_print_report`` and ``_main`` make it: a reader that went away is no error."""
    try:
        _print_report_failed(error)
    except OutputFailed as failed:
        _say(f"armlint: error: {failed}")
        return EXIT_OUTPUT
    return code


def _print_report_failed(error: OSError | ValueError) -> None:
    _silence_stdout()
    if isinstance(error, BrokenPipeError):
        return  # a reader that went away (`| head`) is not an error
    raise OutputFailed(f"cannot write the report to standard output: {_reason(error)}") from None


def _fails(result, fail_on: str) -> bool:
    from armlint.model import SEVERITY_RANK

    threshold = SEVERITY_RANK[fail_on]
    return any(SEVERITY_RANK[f.severity] >= threshold for f in result.active_findings())


def _rules(args) -> int:
    from armlint.checks.pack import load_pack

    pack = load_pack()
    if not args.rule:
        for rule in sorted(pack.rules.values(), key=lambda r: r.id):
            fix = rule.fix.get("applicability", "") if rule.fix else ""
            print(f"{rule.id}  {rule.name:<42} {rule.severity:<8} {fix:<6} {rule.summary}")
        return EXIT_OK
    try:
        (rule_id,) = pack.resolve(args.rule) if args.rule in pack.by_name() else {args.rule.upper()}
    except ValueError as error:
        raise UsageError(str(error)) from None
    shown = pack.rules.get(rule_id)
    if shown is None:
        raise UsageError(f"unknown rule: {args.rule}")
    fix = f"{shown.fix['applicability']}: {shown.fix['title']}" if shown.fix else "none"
    print(
        f"# {shown.id} {shown.name}\n\nSeverity: {shown.severity}\nFix: {fix}\n\n{shown.summary}\n"
    )
    print(pack.docs(shown.id).rstrip())
    return EXIT_OK


def _show_config(args) -> int:
    from armlint.config import effective_json, effective_toml

    config = _settings(args)
    render = effective_json if args.format == "json" else effective_toml
    sys.stdout.write(render(config))
    return EXIT_OK


def _drift(args) -> int:
    from armlint.live.command import DriftUsageError, run_drift_command

    config = _settings(args)
    args.paths = [args.templates]
    options = _run_options(args, config)
    options.rule_docs = args.format == "sarif"
    try:
        return run_drift_command(args, config, options, __version__)
    except DriftUsageError as error:
        raise UsageError(str(error)) from None


def _table(args) -> int:
    from armlint.fileio import OutputError, check_output_path
    from armlint.model import SEVERITY_RANK
    from armlint.planner import PlanError
    from armlint.planner.report import table_report
    from armlint.report.text_fit import output_width
    from armlint.run.findings import GateError
    from armlint.run.options import MissingPaths
    from armlint.run.pipeline import load_records

    config = _settings(args)
    options = _run_options(args, config)
    try:
        if args.output is not None:
            check_output_path(args.output)
    except OutputError as error:
        raise UsageError(str(error)) from None
    options.explore = False
    if args.command == "plan" and args.format == "csv":
        raise UsageError("csv is for inventory; use text, json, markdown or html for plan")
    try:
        loaded = _with_special_inputs(args, options, lambda: load_records(options))
        # Text on a terminal (or with COLUMNS) fits its width; files and pipes keep whole lines.
        width = output_width() if args.format == "text" and not args.output else None
        text, findings = table_report(
            args.command, args.format, options, _plan_options(args, config), loaded, width
        )
    except MissingPaths as error:
        raise UsageError(f"no such file or directory: {error}") from None
    except (PlanError, GateError) as error:
        raise UsageError(str(error)) from None
    if args.output:
        _write_report(args.output, text)
    else:
        _print_report(text)
    threshold = SEVERITY_RANK[args.fail_on or config.fail_on]
    failing = any(SEVERITY_RANK[f.severity] >= threshold for f in findings)
    return EXIT_FINDINGS if failing else EXIT_OK
