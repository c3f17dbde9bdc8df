"""Merge the SARIF logs of sharded armlint runs into one log with one run.

    python -m armlint.report.sarif_merge [--expect N] FILE_OR_FOLDER... > armlint.sarif

Why one run and not the logs side by side: GitHub code scanning refuses several runs of one
tool and category in an upload, and the Azure DevOps SARIF viewer lists each run on its own.
A folder argument means every ``*.sarif`` file under it, because Windows shells do not expand
``*`` and Azure's artifact download puts each shard's file in a folder of its own.

The merged run has:

* the tool of the inputs (every run must come from armlint, and from the same version, since
  different versions may describe a rule differently);
* the union of the rules by id, sorted by id as ``armlint.report.sarif`` writes them, with each
  result's ``ruleIndex`` pointing into the new list;
* the results of all runs, sorted by uri, line, column, rule id and message (the order of an
  unsharded run), so the bytes do not depend on which shard finished first. A result found in
  several logs is kept once: shards split the files, so the same result in two logs comes from
  work that was not split (``--against`` runs in every shard), not from two problems;
* one invocation: ``executionSuccessful`` only when every shard's was, with the notifications
  of all shards (each once).

``--expect N`` fails unless exactly N logs were found: a shard that crashed writes no log, and
uploading the other shards' results would close that shard's alerts as if they were fixed.
Input that cannot be read or is not an armlint SARIF 2.1.0 log is a one-line error, exit 2.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import Counter
from functools import cache
from pathlib import Path
from typing import Any
from urllib.parse import unquote

from armlint.paths import schemas_dir
from armlint.report.sarif import SCHEMA_URI

TOOL_NAME = "armlint"
EXIT_OK, EXIT_USAGE = 0, 2
# Run members this module knows how to combine; anything else would be silently lost.
MERGEABLE_RUN_KEYS = {"tool", "invocations", "originalUriBaseIds", "columnKind", "results"}
NOTIFICATION_KEYS = ("toolExecutionNotifications", "toolConfigurationNotifications")


class MergeError(ValueError):
    """Input that cannot be merged; the message is one line naming the log and the problem."""


# -- merging ---------------------------------------------------------------------------------


def merge(documents: list[dict], names: list[str] | None = None) -> dict[str, Any]:
    """One SARIF 2.1.0 log with one run holding everything the given armlint logs report.

    ``names`` label the documents in error messages (file names); by default "log 1", ...
    """
    labels = names or [f"log {number}" for number in range(1, len(documents) + 1)]
    runs = [
        (label, run)
        for label, document in zip(labels, documents, strict=True)
        for run in runs_of(document, label)
    ]
    if not runs:
        raise MergeError("no runs to merge: give at least one SARIF log with a run")
    rules = merged_rules([run for _, run in runs])
    index = {rule["id"]: position for position, rule in enumerate(rules)}
    merged: dict[str, Any] = {"tool": {"driver": merged_driver(runs, rules)}}
    invocations = merged_invocations([run for _, run in runs])
    if invocations:
        merged["invocations"] = invocations
    base_ids = merged_base_ids(runs)
    if base_ids:
        merged["originalUriBaseIds"] = base_ids
    merged["columnKind"] = merged_column_kind(runs)
    per_run = [
        [remapped(result, run, index, label) for result in run.get("results", [])]
        for label, run in runs
    ]
    merged["results"] = sorted(union_of(per_run), key=result_order)
    return {"$schema": SCHEMA_URI, "version": "2.1.0", "runs": [merged]}


def runs_of(document: Any, label: str) -> list[dict]:
    """The runs of one log, after checking everything the merge relies on."""
    if not isinstance(document, dict):
        raise MergeError(f"{label}: not a SARIF log (expected a JSON object)")
    if document.get("version") != "2.1.0":
        raise MergeError(f"{label}: not a SARIF 2.1.0 log (version {document.get('version')!r})")
    check_schema(document, label)
    runs = document["runs"]
    for run in runs:
        check_run(run, label)
    return runs


def check_schema(document: dict, label: str) -> None:
    """Valid against the SARIF 2.1.0 schema, so the rest can rely on the shapes it defines."""
    from jsonschema.exceptions import best_match

    error = best_match(sarif_validator().iter_errors(document))
    if error is not None:
        where = error.json_path if error.path else "the top level"
        message = error.message if len(error.message) <= 120 else error.message[:117] + "..."
        raise MergeError(f"{label}: not valid SARIF 2.1.0 at {where}: {message}")


@cache
def sarif_validator():
    import jsonschema

    schema = json.loads((Path(schemas_dir()) / "sarif-2.1.0.json").read_text(encoding="utf-8"))
    return jsonschema.Draft4Validator(schema)  # the draft the schema declares


def check_run(run: Any, label: str) -> None:
    if not isinstance(run, dict):
        raise MergeError(f"{label}: a run is not a JSON object")
    unknown = sorted(set(run) - MERGEABLE_RUN_KEYS)
    if unknown:
        raise MergeError(f"{label}: the run has {unknown[0]!r}, which this merge cannot combine")
    driver = run.get("tool", {}).get("driver") if isinstance(run.get("tool"), dict) else None
    if not isinstance(driver, dict) or driver.get("name") != TOOL_NAME:
        name = driver.get("name") if isinstance(driver, dict) else None
        raise MergeError(f"{label}: the run is not from armlint (tool {name!r})")
    rules = driver.get("rules", [])
    if not isinstance(rules, list) or not all(
        isinstance(rule, dict) and isinstance(rule.get("id"), str) for rule in rules
    ):
        raise MergeError(f"{label}: tool.driver.rules must be a list of rules with an 'id'")
    for key in ("results", "invocations"):
        values = run.get(key, [])
        if not isinstance(values, list) or not all(isinstance(value, dict) for value in values):
            raise MergeError(f"{label}: '{key}' must be a list of JSON objects")


def merged_driver(runs: list[tuple[str, dict]], rules: list[dict]) -> dict[str, Any]:
    versions = sorted({str(run["tool"]["driver"].get("version", "")) for _, run in runs})
    if len(versions) > 1:
        listed = ", ".join(version or "(none)" for version in versions)
        raise MergeError(f"the logs come from different armlint versions: {listed}")
    driver = {key: value for key, value in runs[0][1]["tool"]["driver"].items() if key != "rules"}
    driver["rules"] = rules
    return driver


def merged_rules(runs: list[dict]) -> list[dict]:
    """Every rule once, by id; one version of armlint describes a rule the same in every shard."""
    by_id: dict[str, dict] = {}
    for run in runs:
        for rule in run["tool"]["driver"].get("rules", []):
            by_id.setdefault(rule["id"], rule)
    return [by_id[rule_id] for rule_id in sorted(by_id)]


def merged_invocations(runs: list[dict]) -> list[dict]:
    invocations = [invocation for run in runs for invocation in run.get("invocations", [])]
    if not invocations:
        return []
    combined: dict[str, Any] = {
        "executionSuccessful": all(item.get("executionSuccessful") is True for item in invocations)
    }
    for key in NOTIFICATION_KEYS:
        notes = unique([note for item in invocations for note in item.get(key, [])])
        if notes:
            combined[key] = notes
    return [combined]


def merged_base_ids(runs: list[tuple[str, dict]]) -> dict[str, Any]:
    """The union of the uri base ids; one id meaning two places would move results silently."""
    merged: dict[str, Any] = {}
    for label, run in runs:
        for key, value in (run.get("originalUriBaseIds") or {}).items():
            if key in merged and merged[key] != value:
                raise MergeError(f"{label}: {key} is {value!r} here but {merged[key]!r} before")
            merged[key] = value
    return merged


def merged_column_kind(runs: list[tuple[str, dict]]) -> str:
    kinds = {run.get("columnKind", "unicodeCodePoints") for _, run in runs}
    if len(kinds) > 1:
        raise MergeError(f"the logs count columns differently: {', '.join(sorted(kinds))}")
    return kinds.pop()


def remapped(result: dict, run: dict, index: dict[str, int], label: str) -> dict:
    """The result with ``ruleId`` filled in and ``ruleIndex`` pointing into the merged rules."""
    rule_id = result.get("ruleId") or rule_id_at(run, result.get("ruleIndex"), label)
    copy = dict(result)
    copy["ruleId"] = rule_id
    if rule_id in index:
        copy["ruleIndex"] = index[rule_id]
    else:
        copy.pop("ruleIndex", None)  # an index into the old list would now name another rule
    return copy


def rule_id_at(run: dict, position: Any, label: str) -> str:
    rules = run["tool"]["driver"].get("rules", [])
    if isinstance(position, int) and 0 <= position < len(rules):
        return rules[position]["id"]
    raise MergeError(f"{label}: a result names no rule (no ruleId and no valid ruleIndex)")


def union_of(per_run: list[list[dict]]) -> list[dict]:
    """The results of all runs; a result kept as often as the log that has it most often."""
    kept: dict[str, list[dict]] = {}
    for results in per_run:
        seen: Counter[str] = Counter()
        for result in results:
            key = canonical(result)
            seen[key] += 1
            if seen[key] > len(kept.get(key, [])):
                kept.setdefault(key, []).append(result)
    return [result for group in kept.values() for result in group]


def result_order(result: dict) -> tuple:
    uri, line, column = first_position(result)
    message = result.get("message", {}).get("text", "")
    return (uri, line, column, result.get("ruleId", ""), message, canonical(result))


def first_position(result: dict) -> tuple[str, int, int]:
    """Where the result is, with the uri unquoted so it sorts like the path armlint sorts by."""
    try:
        physical = result["locations"][0]["physicalLocation"]
    except (KeyError, IndexError, TypeError):
        return "", 0, 0
    uri = unquote(physical.get("artifactLocation", {}).get("uri", ""))
    region = physical.get("region", {})
    return uri, region.get("startLine", 0), region.get("startColumn", 0)


def canonical(value: Any) -> str:
    return json.dumps(value, sort_keys=True, separators=(",", ":"))


def unique(items: list[Any]) -> list[Any]:
    seen: set[str] = set()
    kept = []
    for item in items:
        key = canonical(item)
        if key not in seen:
            seen.add(key)
            kept.append(item)
    return kept


# -- command line ----------------------------------------------------------------------------


class _Parser(argparse.ArgumentParser):
    def error(self, message: str):  # one line, like every other error here
        self.exit(EXIT_USAGE, f"{self.prog}: error: {message}\n")


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="python -m armlint.report.sarif_merge",
        description="Merge the SARIF logs of armlint shards into one log (written to stdout).",
    )
    parser.add_argument(
        "inputs", nargs="+", metavar="FILE_OR_FOLDER", help="a folder means its *.sarif files"
    )
    parser.add_argument(
        "--expect", type=int, metavar="N", help="fail unless exactly N logs are found"
    )
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(sys.argv[1:] if argv is None else argv)
    try:
        files = log_files(args.inputs)
        if args.expect is not None and len(files) != args.expect:
            raise MergeError(
                f"expected {args.expect} SARIF logs, found {len(files)}: a shard's log is missing or extra"
            )
        merged = merge([read_log(path) for path in files], [str(path) for path in files])
    except MergeError as error:
        print(f"{parser.prog}: error: {error}", file=sys.stderr)
        return EXIT_USAGE
    # ASCII only (json's default), so a Windows console or cmd redirection cannot re-encode it.
    sys.stdout.write(json.dumps(merged, indent=2) + "\n")
    return EXIT_OK


def log_files(inputs: list[str]) -> list[Path]:
    files: list[Path] = []
    for name in inputs:
        path = Path(name)
        if path.is_dir():
            found = sorted(item for item in path.rglob("*.sarif") if item.is_file())
            if not found:
                raise MergeError(f"{name}: no .sarif files in this folder")
            files.extend(found)
        else:
            files.append(path)  # a missing file is reported when it is read
    return files


def read_log(path: Path) -> Any:
    try:
        text = path.read_text(encoding="utf-8-sig")  # -sig: PowerShell writes a BOM
    except FileNotFoundError:
        raise MergeError(f"{path}: no such file") from None
    except OSError as error:
        raise MergeError(f"{path}: cannot read: {error.strerror}") from None
    except UnicodeDecodeError:
        raise MergeError(f"{path}: not UTF-8 text") from None
    try:
        return json.loads(text)
    except json.JSONDecodeError as error:
        raise MergeError(f"{path}: not JSON ({error.msg} at line {error.lineno})") from None


if __name__ == "__main__":
    sys.exit(main())
