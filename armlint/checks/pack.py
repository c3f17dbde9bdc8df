"""The rule pack: ``rules/AZPxxx.yaml`` read into ``Rule`` objects, and rule selection."""

from __future__ import annotations

import os
from functools import cache

from armlint.model import SEVERITIES, RuleInfo

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing (start-up)
if TYPE_CHECKING:
    from pathlib import Path
    from typing import Any

# Relative: the repository's own docs folder; SARIF consumers may be given a full base
# (``--help-uri``) since no public home is named anywhere yet.
DOCS_BASE = "docs/rules/"
# Record formats as `format_overrides` names them: a plan is Terraform, Bicep deploys as ARM
# but is named on its own so a rule can tell them apart.
FORMAT_FAMILY = {"arm": "arm", "bicep": "bicep", "terraform": "terraform", "plan": "terraform"}


class Rule:
    """One rule file. A plain class, like ``RulePack``: every run reads the pack at start-up,
    where creating a dataclass costs about a millisecond."""

    def __init__(self, data: dict) -> None:
        severity = data.get("severity", "error")
        if severity not in SEVERITIES:
            raise ValueError(f"rule {data.get('id')}: unknown severity {severity!r}")
        self.id: str = data["id"]
        self.name: str = data["name"]
        self.severity: str = severity
        self.summary: str = data.get("summary", "")
        self.message: str = data.get("message", "")
        # Code rules with several kinds of finding: one template each (engine.hit_message).
        self.messages: dict[str, str] = dict(data.get("messages", {}))
        self.applies_to: tuple[str, ...] = tuple(data.get("applies_to", ("vm", "vmss")))
        self.profiles: tuple[str, ...] = tuple(data.get("profiles", ("current", "preview-2020")))
        self.at: str = data.get("at", "")
        self.when: Any = data.get("when")
        self.check: str | None = data.get("check")
        # What runs it: record, transition, plan, load, hygiene.
        self.engine: str = data.get("engine", "record")
        self.profile_overrides: dict[str, dict] = data.get("profile_overrides") or {}
        # Severity by input format where the sources differ: the Terraform provider refuses at
        # plan time what the ARM API's behaviour is unconfirmed for ({terraform: {severity:
        # error}}).
        self.format_overrides: dict[str, dict] = data.get("format_overrides") or {}
        self.sources: tuple[str, ...] = tuple(data.get("sources", ()))
        # The docs text is not here: RulePack.docs reads it when asked (rules, SARIF).
        # applicability, title: see armlint/fix
        self.fix: dict[str, str] = data.get("fix") or {}

    def condition(self, profile: str) -> Any:
        override = self.profile_overrides.get(profile, {})
        return override.get("when", self.when)

    def severity_for(self, profile: str, record_format: str | None = None) -> str:
        by_format = self.format_overrides.get(FORMAT_FAMILY.get(record_format or "", ""), {})
        if "severity" in by_format:
            return by_format["severity"]
        return self.profile_overrides.get(profile, {}).get("severity", self.severity)

    def info(self, docs: str = "") -> RuleInfo:
        return RuleInfo(
            self.id,
            self.name,
            self.severity,
            self.summary,
            DOCS_BASE + f"{self.id}.md",
            docs=docs,
        )


class RulePack:
    def __init__(self, rules: dict[str, Rule], files: list[tuple[str, str]] | None = None) -> None:
        self.rules = rules
        self._files = files or []  # (rule id, its YAML file): where the docs are
        self._docs: dict[str, str] | None = None
        self._fixable: dict[str, str] | None = None

    def docs(self, rule_id: str) -> str:
        """A rule's documentation (Markdown). Read from a copy of its own on first use: it
        was 62% of the pack's copy, and a check never shows it (issue 16, start-up)."""
        if self._docs is None:
            from armlint.datacache import load_yaml_member

            texts = load_yaml_member([path for _, path in self._files], "docs")
            self._docs = {
                rule: text or "" for (rule, _), text in zip(self._files, texts, strict=True)
            }
        return self._docs.get(rule_id, "")

    def by_name(self) -> dict[str, str]:
        return {rule.name: rule.id for rule in self.rules.values()}

    def resolve(self, selector: str) -> set[str]:
        """Rule ids matching an id, a name, an id prefix ('AZP1', 'AZP') or a name prefix."""
        text = selector.strip()
        names = self.by_name()
        if text in names:
            return {names[text]}
        upper = text.upper()
        matched = {rule_id for rule_id in self.rules if rule_id.startswith(upper)}
        if not matched and text:  # a name prefix: 'manual-mode' for every manual-mode-* rule
            matched = {rule_id for name, rule_id in names.items() if name.startswith(text.lower())}
        if not matched:
            import difflib

            close = difflib.get_close_matches(text, [*names, *self.rules], n=1)
            hint = f"; did you mean {close[0]!r}?" if close else ""
            raise ValueError(f"unknown rule or prefix: {selector!r}{hint}")
        return matched

    def select(self, select: list[str] | None, ignore: list[str] | None) -> set[str]:
        chosen: set[str] = set()
        for selector in select or ["AZP"]:
            chosen |= self.resolve(selector)
        for selector in ignore or []:
            chosen -= self.resolve(selector)
        return chosen

    def run_by(self, engines: set[str]) -> set[str]:
        """The ids of the rules these engines run (the rules a command can report)."""
        return {rule_id for rule_id, rule in self.rules.items() if rule.engine in engines}

    def fixable(self) -> dict[str, str]:
        """Rule id -> the applicability its YAML declares, for the rules that have a fix.
        Worked out once: the pipeline asks for each unit (issue 16). Not to be changed."""
        if self._fixable is None:
            self._fixable = {
                rule_id: rule.fix["applicability"]
                for rule_id, rule in self.rules.items()
                if rule.fix
            }
        return self._fixable

    def infos(self, docs: bool = True) -> dict[str, RuleInfo]:
        """Each rule's description for the reports; with ``docs`` its documentation too (only
        SARIF shows it)."""
        return {
            rule_id: rule.info(self.docs(rule_id) if docs else "")
            for rule_id, rule in sorted(self.rules.items())
        }


@cache
def load_pack(directory: Path | None = None) -> RulePack:
    from armlint.datacache import load_yaml_files
    from armlint.paths import rules_dir

    folder = directory or rules_dir()
    # os.listdir, not Path.glob: the glob machinery was a sixth of loading the pack.
    names = sorted(name for name in os.listdir(folder) if _is_rule_file(name))
    paths = [os.path.join(folder, name) for name in names]  # as text: Paths cost more to make
    rules: dict[str, Rule] = {}
    files = []
    for data, path in zip(load_yaml_files(paths, leave_out="docs"), paths, strict=True):
        rule = Rule(data)
        rules[rule.id] = rule
        files.append((rule.id, path))
    return RulePack(rules, files)


def _is_rule_file(name: str) -> bool:
    return name.startswith("AZP") and name.endswith(".yaml")
