"""GitLab Code Quality report from armlint's JSON output.

    python -m armlint.report.gitlab_quality < armlint.json > gl-code-quality.json

A converter rather than a ``--format``: it needs nothing but the JSON report, which
``schemas/output.schema.json`` keeps stable, so it can run in a later step or job.

GitLab wants a JSON array of issues ``{description, check_name, fingerprint, severity,
location: {path, lines: {begin}}}``. Severities: error -> ``major``, warning -> ``minor``,
info -> ``info``; GitLab's ``critical`` and ``blocker`` are not used, as armlint has three levels.
Suppressed findings are left out, as in the other CI formats. GitLab compares the issues of
the merge request with those of the target branch by fingerprint, so the fingerprint is built
from armlint's own (which survives line moves) plus path and rule, and numbered when two
findings would share one: GitLab treats issues with one fingerprint as one issue.
Paths must be relative to the repository: an absolute path inside the current folder (the
job starts in the checkout) is made relative. Bad input is a one-line error, exit 2.
"""

from __future__ import annotations

import hashlib
import json
import os
import sys
from collections import Counter
from typing import Any

EXIT_OK, EXIT_USAGE = 0, 2
SEVERITIES = {"error": "major", "warning": "minor", "info": "info"}
PROG = "python -m armlint.report.gitlab_quality"


class ConvertError(ValueError):
    """Input that is not armlint's JSON report; the message is one line."""


def convert(report: Any) -> list[dict[str, Any]]:
    """The Code Quality issues for the unsuppressed findings of an armlint JSON report."""
    findings = report.get("findings") if isinstance(report, dict) else None
    if not isinstance(findings, list):
        raise ConvertError("not an armlint JSON report (no 'findings' list)")
    used: Counter[str] = Counter()
    issues = []
    for number, finding in enumerate(findings, start=1):
        check_finding(finding, number)
        if not finding.get("suppressed"):
            issues.append(issue(finding, used))
    return issues


def check_finding(finding: Any, number: int) -> None:
    if not isinstance(finding, dict):
        raise ConvertError(f"finding {number} is not a JSON object")
    for key in ("rule", "message", "path"):
        if not isinstance(finding.get(key), str):
            raise ConvertError(f"finding {number} has no '{key}' text")


def issue(finding: dict, used: Counter[str]) -> dict[str, Any]:
    rule, path = finding["rule"], repository_path(finding["path"])
    line = finding.get("line")
    return {
        "description": f"{rule}: {finding['message']}",
        "check_name": rule,
        "fingerprint": fingerprint(finding, path, used),
        "severity": SEVERITIES.get(str(finding.get("severity")), "minor"),
        "location": {"path": path, "lines": {"begin": line if isinstance(line, int) else 1}},
    }


def fingerprint(finding: dict, path: str, used: Counter[str]) -> str:
    identity = "|".join([path, finding["rule"], finding.get("fingerprint") or finding["message"]])
    used[identity] += 1
    if used[identity] > 1:
        identity += f"|{used[identity]}"
    return hashlib.sha256(identity.encode("utf-8", "surrogatepass")).hexdigest()


def repository_path(path: str) -> str:
    shown = path.replace("\\", "/")
    if os.path.isabs(path):
        relative = os.path.relpath(path, os.getcwd())
        if relative != os.pardir and not relative.startswith(os.pardir + os.sep):
            shown = relative.replace(os.sep, "/")
    return shown[2:] if shown.startswith("./") else shown


def main(argv: list[str] | None = None) -> int:
    arguments = sys.argv[1:] if argv is None else argv
    if arguments:
        print(f"{PROG}: error: reads armlint's JSON report on stdin; no arguments", file=sys.stderr)
        return EXIT_USAGE
    try:
        issues = convert(read_report(sys.stdin))
    except ConvertError as error:
        print(f"{PROG}: error: {error}", file=sys.stderr)
        return EXIT_USAGE
    sys.stdout.write(json.dumps(issues, indent=2) + "\n")
    return EXIT_OK


def read_report(stream) -> Any:
    try:
        text = (
            stream.buffer.read().decode("utf-8-sig") if hasattr(stream, "buffer") else stream.read()
        )
    except UnicodeDecodeError:
        raise ConvertError("the input is not UTF-8 text") from None
    if not text.strip():
        raise ConvertError("no input: give armlint's JSON report on stdin")
    try:
        return json.loads(text)
    except json.JSONDecodeError as error:
        raise ConvertError(f"the input is not JSON ({error.msg} at line {error.lineno})") from None


if __name__ == "__main__":
    sys.exit(main())
