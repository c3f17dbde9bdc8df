"""SARIF 2.1.0 for code scanning (GitHub, Azure DevOps SARIF viewer, IDEs).

One run; ``tool.driver.rules`` holds every rule of the run sorted by id (plus a plain
descriptor for a finding whose rule is not in ``result.rules``, so every ``ruleIndex`` is
valid). Each result has a region with columns (``columnKind`` unicodeCodePoints: columns count
characters), a ``partialFingerprints`` entry ``armlint/v1`` so alerts survive line moves, and,
when suppressed, a ``suppressions`` entry: ``external`` for a baseline, ``inSource`` otherwise,
with the reason as justification. Resource identity and provenance go in ``properties``.
Paths are relative URIs against ``%SRCROOT%`` (described, without the runner's absolute
path, in ``originalUriBaseIds`` when ``options.root`` is set, which the command line always does: the git top level or the
configuration's folder); a path outside the root is reached with ``../`` steps.
``executionSuccessful`` is false when a file could not be linted; failed files and the run's
notes are ``toolExecutionNotifications``.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

from armlint.model import Finding, Location, RuleInfo, RunResult
from armlint.report.common import (
    display_path,
    end_of,
    findings_to_list,
    is_baseline,
    start_of,
)

if TYPE_CHECKING:
    from armlint.report import ReportOptions

SCHEMA_URI = (
    "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
)
LEVELS = {"error": "error", "warning": "warning", "info": "note"}
FINGERPRINT_KEY = "armlint/v1"
SOURCE_ROOT = "%SRCROOT%"
ROOT_DESCRIPTION = "The repository root: the git top level, else the configuration file's folder."
# [project.urls] labels that name the project's home, most specific first.
HOME_LABELS = ("homepage", "home", "documentation", "repository", "source")


def render(result: RunResult, options: ReportOptions) -> str:
    return json.dumps(sarif_log(result, options), indent=2) + "\n"


def sarif_log(result: RunResult, options: ReportOptions) -> dict[str, Any]:
    shown = findings_to_list(result, options, keep_suppressed=True)
    rules = rule_descriptors(result.rules, shown, options.help_uri)
    rule_index = {rule["id"]: index for index, rule in enumerate(rules)}
    run: dict[str, Any] = {
        "tool": {"driver": driver(options.tool_version, rules)},
        "invocations": [invocation(result, options.root)],
    }
    if options.root:
        # No "uri": the runner's absolute path means nothing on the machine that reads the log,
        # and SARIF lets the consumer (code scanning: the checkout) supply the base.
        run["originalUriBaseIds"] = {SOURCE_ROOT: {"description": {"text": ROOT_DESCRIPTION}}}
    run["columnKind"] = "unicodeCodePoints"
    run["results"] = [
        result_object(finding, rule_index[finding.rule], options.root) for finding in shown
    ]
    return {"$schema": SCHEMA_URI, "version": "2.1.0", "runs": [run]}


def driver(tool_version: str, rules: list[dict[str, Any]]) -> dict[str, Any]:
    described: dict[str, Any] = {"name": "armlint"}
    if tool_version:
        described["version"] = tool_version
    home = information_uri()
    if home:
        described["informationUri"] = home
    described["rules"] = rules
    return described


def information_uri() -> str:
    """The project's home page from the installed package metadata, '' when it names none.

    Read from metadata rather than written here so the link is never a guess.
    """
    from importlib import metadata

    try:
        fields = metadata.metadata("armlint")
    except metadata.PackageNotFoundError:
        return ""
    urls = {}
    for entry in fields.get_all("Project-URL") or []:
        label, _, url = entry.partition(",")
        urls[label.strip().lower()] = url.strip()
    for label in HOME_LABELS:
        if urls.get(label):
            return urls[label]
    home = fields.get_all("Home-page") or []
    return home[0] if home else ""


def rule_descriptors(
    rules: dict[str, RuleInfo], shown: list[Finding], help_base: str = ""
) -> list[dict[str, Any]]:
    infos = dict(rules)
    for finding in shown:
        # A finding made outside the rule pack still needs a descriptor to point at.
        infos.setdefault(
            finding.rule, RuleInfo(finding.rule, finding.name, finding.severity, finding.name)
        )
    return [rule_descriptor(infos[rule_id], help_base) for rule_id in sorted(infos)]


def rule_descriptor(info: RuleInfo, help_base: str = "") -> dict[str, Any]:
    """What code scanning shows beside an alert: the short and full descriptions and the
    rule's documentation as help (text and Markdown). No ``tags`` or ``security-severity``:
    these rules are about patch configuration, and a made-up security score would mislead."""
    summary = info.summary or info.name
    descriptor: dict[str, Any] = {
        "id": info.id,
        "name": info.name,
        "shortDescription": {"text": summary},
        "fullDescription": {"text": full_description(info)},
    }
    help_uri = help_base.rstrip("/") + f"/{info.id}.md" if help_base else info.help_uri
    if help_uri:
        descriptor["helpUri"] = help_uri
    body = info.docs.strip() or summary
    descriptor["help"] = {"text": f"{summary}\n\n{body}", "markdown": f"**{summary}**\n\n{body}"}
    descriptor["defaultConfiguration"] = {"level": LEVELS.get(info.severity, "warning")}
    return descriptor


def full_description(info: RuleInfo) -> str:
    """The first paragraph of the docs' "What it checks" section, on one line; the summary
    when the rule has no docs."""
    docs = info.docs
    marker = "## What it checks"
    if marker in docs:
        section = docs.split(marker, 1)[1].strip()
        paragraph = section.split("\n\n", 1)[0]
        if paragraph and not paragraph.startswith("#"):
            return " ".join(paragraph.split())
    return info.summary or info.name


def invocation(result: RunResult, root: str) -> dict[str, Any]:
    failed = [report for report in result.files if report.status == "error"]
    notifications = [
        {
            "level": "error",
            "message": {"text": f"{display_path(report.path, root)}: {report.reason or 'failed'}"},
        }
        for report in failed
    ]
    notifications += [{"level": "note", "message": {"text": note}} for note in result.notes]
    described: dict[str, Any] = {"executionSuccessful": not failed}
    if notifications:
        described["toolExecutionNotifications"] = notifications
    return described


def result_object(finding: Finding, rule_index: int, root: str) -> dict[str, Any]:
    described: dict[str, Any] = {
        "ruleId": finding.rule,
        "ruleIndex": rule_index,
        "level": LEVELS.get(finding.severity, "warning"),
        "message": {"text": finding.text},
        "locations": [{"physicalLocation": physical_location(finding.location, root)}],
    }
    if finding.fingerprint:
        described["partialFingerprints"] = {FINGERPRINT_KEY: finding.fingerprint}
    if finding.suppressed:
        described["suppressions"] = [suppression(finding.suppressed)]
    if finding.fix is not None:
        described["fixes"] = [sarif_fix(finding, root)]
    properties = finding_properties(finding)
    if properties:
        described["properties"] = properties
    return described


def sarif_fix(finding: Finding, root: str) -> dict[str, Any]:
    """SARIF 3.55: one artifactChange per file, each edit a replacement of a region."""
    assert finding.fix is not None
    changes: dict[str, list[dict[str, Any]]] = {}
    for edit in finding.fix.edits:
        where = edit.location
        if where is None:
            continue
        region = {
            "startLine": where.line,
            "startColumn": where.column,
            "endLine": where.end_line,
            "endColumn": where.end_column,
        }
        changes.setdefault(edit.path, []).append(
            {"deletedRegion": region, "insertedContent": {"text": edit.new_text}}
        )
    return {
        "description": {"text": f"{finding.fix.title} ({finding.fix.applicability})"},
        "artifactChanges": [
            {"artifactLocation": artifact_location(path, root), "replacements": replacements}
            for path, replacements in changes.items()
        ],
    }


def physical_location(location: Location, root: str) -> dict[str, Any]:
    line, column = start_of(location)
    region: dict[str, int] = {"startLine": line, "startColumn": column}
    end = end_of(location)
    if end:
        region["endLine"], region["endColumn"] = end
    return {"artifactLocation": artifact_location(location.path, root), "region": region}


def artifact_location(path: str, root: str) -> dict[str, str]:
    """A URI relative to %SRCROOT%: inside the root as the repository names the file,
    outside it with '../' steps, so the runner's absolute paths never reach the log."""
    shown = display_path(path, root)
    if (root and os.path.isabs(shown)) or shown.startswith("../"):
        try:
            shown = os.path.relpath(os.path.abspath(path), os.path.abspath(root or "."))
        except ValueError:  # another drive on Windows: no relative form exists
            return {"uri": Path(os.path.abspath(path)).as_uri()}
        shown = shown.replace(os.sep, "/")
    elif os.path.isabs(shown):
        return {"uri": Path(shown).as_uri()}
    return {"uri": quote(shown, safe="/"), "uriBaseId": SOURCE_ROOT}


def suppression(reason: str) -> dict[str, str]:
    return {
        "kind": "external" if is_baseline(reason) else "inSource",
        "status": "accepted",
        "justification": reason,
    }


def finding_properties(finding: Finding) -> dict[str, Any]:
    properties: dict[str, Any] = {}
    if finding.resource:
        properties["resource"] = finding.resource
    if finding.provenance:
        properties["provenance"] = list(finding.provenance)
    return properties
