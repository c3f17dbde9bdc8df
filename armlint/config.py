"""Configuration from ``[tool.armlint]`` in pyproject.toml or ``.armlint.yaml``.

Each file is validated against ``schemas/config.schema.json``; a bad key or value is a one-line
error (exit 2). Command-line options win over the file; the file wins over the defaults.

``extend = "../base.armlint.yaml"`` (relative to the file that says it) reads another file
first; the extending file wins. Scalars and lists are replaced whole, as in ruff; ``severity``
is merged rule by rule; ``per-file`` entries of the base come first. A cycle is an error.

``per-file`` entries narrow the rules for some files::

    [[tool.armlint.per-file]]
    files = ["legacy/**/*.json"]        # gitignore-style, relative to the file that says it
    ignore = ["AZP302"]                 # not reported for these files
    select = ["AZP1"]                   # only these (of the rules the run enables) are reported
    severity = { AZP102 = "warning" }   # severity for these files

``Config.rules_for(path)`` gives what applies to one file (later matching entries add
ignores, narrow the selection further and win on severity); ``apply_per_file(result, config)``
applies it to a run's findings. A per-file ``select`` cannot enable a rule the run does not.

``Config.origins`` names, for every effective key, the file it came from, ``default`` or
``command line`` (``Config.override``); ``severity.<RULE>`` keys do the same for each severity
entry.
"""

from __future__ import annotations

import json
import os

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing (start-up)
if TYPE_CHECKING:
    from pathlib import Path
    from typing import Any

    from armlint.model import RunResult

CONFIG_NAMES = (".armlint.yaml", ".armlint.yml", "pyproject.toml")
DEFAULT = "default"
COMMAND_LINE = "command line"
MAX_CONFIG_BYTES = 1024 * 1024  # a real configuration is a few hundred bytes
MAX_YAML_NODES = 10_000  # after expanding aliases; a billion-laughs document has 9**9
MAX_EXTEND_DEPTH = 10
CONFIG_SUFFIXES = (".toml", ".yaml", ".yml")
UNKNOWN_RULE = "AZP002"  # always counted, never filtered by selection (as in the pipeline)
OFF = "off"  # a severity that turns the rule off, as ruff users expect


class ConfigError(Exception):
    """A configuration problem the user must fix; shown as one line, exit code 2."""


# PerFile, FileRules and Config are plain classes: every run imports this module, where
# creating a dataclass costs about a millisecond (two for a frozen one).
class PerFile:
    """One ``per-file`` entry, with the folder its patterns are relative to."""

    __slots__ = ("files", "root", "origin", "ignore", "select", "severity")

    def __init__(
        self,
        files: tuple[str, ...],
        root: str,
        origin: str,
        ignore: tuple[str, ...] = (),
        select: tuple[str, ...] = (),
        severity: tuple[tuple[str, str], ...] = (),
    ) -> None:
        self.files = files
        self.root = root
        self.origin = origin
        self.ignore = ignore
        self.select = select
        self.severity = severity

    def matches(self, path: str) -> bool:
        return any(glob_match(pattern, path, self.root) for pattern in self.files)


class FileRules:
    """What the per-file entries say about one file, as rule ids."""

    __slots__ = ("ignore", "select", "severity")

    def __init__(
        self,
        ignore: frozenset[str] = frozenset(),
        select: frozenset[str] | None = None,
        severity: dict[str, str] | None = None,
    ) -> None:
        self.ignore = ignore  # not reported for the file
        self.select = select  # when set, only these are reported for the file
        self.severity = {} if severity is None else severity  # rule id -> severity

    def narrows(self) -> bool:
        return bool(self.ignore) or self.select is not None

    def enabled(self, enabled: set[str] | None, every_rule: set[str]) -> set[str] | None:
        """The run's enabled rules (None: all) narrowed for this file."""
        if not self.narrows():
            return enabled
        chosen = set(every_rule if enabled is None else enabled)
        if self.select is not None:
            chosen &= self.select
        return chosen - self.ignore


class Config:
    """The defaults, then each file's values (``load_config``), then the command line's
    (``override``)."""

    def __init__(self, source: str = "") -> None:
        self.select: list[str] = []
        self.ignore: list[str] = []
        self.exclude: list[str] = []
        self.fail_on = "error"
        self.profile = "current"
        self.severity: dict[str, str] = {}
        self.extra_supported_images: list[dict] = []
        self.per_file: list[PerFile] = []
        self.max_file_size_mb = 20
        self.explore = True
        self.location = ""  # binds resourceGroup().location and friends (like --location)
        self.plan: dict[str, Any] = {}  # [tool.armlint.plan], see planner/settings
        self.source = source  # the file named or found, '' for defaults
        self.files: list[str] = []  # every file read, the extended ones first
        # key -> where its value came from
        self.origins: dict[str, str] = dict.fromkeys(KEY_MAP.values(), DEFAULT)
        self._rules_cache: dict[str, FileRules] = {}

    def override(self, attribute: str, value: Any) -> None:
        """A value given on the command line (it wins over every file)."""
        if attribute not in KEY_MAP.values():
            raise KeyError(attribute)
        setattr(self, attribute, value)
        self.origins[attribute] = COMMAND_LINE
        self._rules_cache.clear()

    def effective(self) -> list[tuple[str, Any, str]]:
        """(key as written in the file, value, origin) for every key, for ``armlint config``."""
        rows = []
        for key, attribute in KEY_MAP.items():
            value = getattr(self, attribute)
            if attribute == "per_file":
                value = [_per_file_as_written(entry) for entry in value]
            rows.append((key, value, self.origins.get(attribute, DEFAULT)))
        return rows

    def rules_for(self, path: str) -> FileRules:
        """The per-file ignores, selection and severities for ``path`` (rule ids).

        Raises ConfigError for a selector that names no rule.
        """
        key = os.path.abspath(path)
        if key not in self._rules_cache:
            self._rules_cache[key] = _rules_for(self.per_file, path)
        return self._rules_cache[key]

    def enabled_for(self, path: str, enabled: set[str] | None) -> set[str] | None:
        """The rules a run with ``enabled`` (None: all) reports for ``path``."""
        rules = self.rules_for(path)
        if not rules.narrows():
            return enabled
        from armlint.checks.pack import load_pack

        return rules.enabled(enabled, set(load_pack().rules))

    def check_rules(self) -> None:
        """Resolve every per-file selector now, so a typo fails before the run (ConfigError)."""
        for entry in self.per_file:
            _resolve_all(entry.ignore, entry)
            _resolve_all(entry.select, entry)
            _resolve_all([name for name, _ in entry.severity], entry)


KEY_MAP = {
    "select": "select",
    "ignore": "ignore",
    "exclude": "exclude",
    "fail-on": "fail_on",
    "profile": "profile",
    "severity": "severity",
    "extra-supported-images": "extra_supported_images",
    "per-file": "per_file",
    "max-file-size-mb": "max_file_size_mb",
    "explore": "explore",
    "location": "location",
    "plan": "plan",
}


# -- finding and loading ------------------------------------------------------------------


def find_config(start: str | os.PathLike[str]) -> str | None:
    """The nearest config file at or above ``start``; pyproject.toml only with [tool.armlint].

    Two in one folder (``.armlint.yaml`` and ``[tool.armlint]``) is a ConfigError naming both.
    On text paths (os.path), not pathlib's: a check with no configuration builds no ``Path``
    (issue 16, start-up)."""
    folder = os.path.realpath(start)
    while True:
        found = [
            os.path.join(folder, name)
            for name in CONFIG_NAMES
            if os.path.isfile(os.path.join(folder, name))
            and (name != "pyproject.toml" or _has_tool_section(os.path.join(folder, name)))
        ]
        if len(found) > 1:
            # Silently preferring one would drop settings someone wrote; make them choose.
            raise ConfigError(f"two configuration files: {' and '.join(found)}; keep one")
        if found:
            return found[0]
        parent = os.path.dirname(folder)
        if parent == folder or os.path.exists(os.path.join(folder, ".git")):
            return None
        folder = parent


def _has_tool_section(path: str) -> bool:
    try:
        with open(path, encoding="utf-8", errors="replace") as stream:
            return "[tool.armlint" in stream.read()
    except OSError:
        return False


def load_config(path: str | os.PathLike[str] | None) -> Config:
    """The configuration in ``path`` and the files it extends; defaults for None."""
    if path is None:
        return Config()
    from pathlib import Path  # only with a configuration file: see find_config

    config = Config(source=str(path))
    for layer_path, raw in _layers(Path(path), ()):
        config.files.append(str(layer_path))
        _apply_layer(config, raw, layer_path)
    return config


def _layers(path: Path, chain: tuple[Path, ...]) -> list[tuple[Path, dict[str, Any]]]:
    """The files to apply, the most basic first, each read and validated once."""
    try:
        resolved = path.resolve()
    except (OSError, ValueError, RuntimeError) as error:
        message = f"{_clip(str(path))}: cannot read the configuration: {_why(error)}"
        raise ConfigError(message) from None
    if resolved in chain:
        names = " -> ".join(str(p) for p in (*chain, resolved))
        raise ConfigError(f"{path}: extend cycle: {names}")
    if len(chain) >= MAX_EXTEND_DEPTH:
        raise ConfigError(f"{path}: extend goes deeper than {MAX_EXTEND_DEPTH} files")
    raw = _read(path)
    _validate(raw, path)
    extend = raw.get("extend")
    if extend is None:
        return [(path, raw)]
    from pathlib import Path

    base = Path(os.path.normpath(path.parent / os.path.expanduser(extend)))
    if base.suffix.lower() not in CONFIG_SUFFIXES:
        # Never read a file that cannot be a configuration (extend: /etc/shadow): an error
        # message about it could show its content.
        raise ConfigError(f"{path}: extend: {_clip(extend)} is not a .toml, .yaml or .yml file")
    try:
        exists = base.exists()
    except (OSError, ValueError) as error:
        raise ConfigError(f"{path}: extend: {_clip(extend)}: {_why(error)}") from None
    if not exists:
        raise ConfigError(f"{path}: extend: no such file: {_clip(str(base))}")
    return [*_layers(base, (*chain, resolved)), (path, raw)]


def _apply_layer(config: Config, raw: dict[str, Any], path: Path) -> None:
    origin = str(path)
    for key, value in raw.items():
        if key == "extend":
            continue
        attribute = KEY_MAP[key]
        if attribute == "severity":
            _merge_severity(config, value, origin)
        elif attribute == "per_file":
            config.per_file.extend(_per_file(entry, path) for entry in value)
            config.origins["per_file"] = _joined(config.origins["per_file"], origin)
        else:
            setattr(config, attribute, value)
            config.origins[attribute] = origin


def _merge_severity(config: Config, value: dict[str, str], origin: str) -> None:
    for selector, severity in value.items():
        config.severity[selector] = severity
        config.origins[f"severity.{selector}"] = origin
    config.origins["severity"] = _joined(config.origins["severity"], origin)


def _joined(previous: str, origin: str) -> str:
    """Origins of a merged key, in the order the files were applied."""
    if previous == DEFAULT:
        return origin
    return previous if origin in previous.split(", ") else f"{previous}, {origin}"


def _per_file(entry: dict[str, Any], path: Path) -> PerFile:
    return PerFile(
        files=tuple(entry["files"]),
        root=str(path.parent.resolve()),
        origin=str(path),
        ignore=tuple(entry.get("ignore", ())),
        select=tuple(entry.get("select", ())),
        severity=tuple(entry.get("severity", {}).items()),
    )


def _per_file_as_written(entry: PerFile) -> dict[str, Any]:
    written: dict[str, Any] = {"files": list(entry.files)}
    if entry.ignore:
        written["ignore"] = list(entry.ignore)
    if entry.select:
        written["select"] = list(entry.select)
    if entry.severity:
        written["severity"] = dict(entry.severity)
    return written


# -- reading ------------------------------------------------------------------------------


def _read(path: Path) -> dict[str, Any]:
    from armlint.fileio import TooLargeError, read_regular

    try:
        text = read_regular(path, MAX_CONFIG_BYTES).decode("utf-8-sig")
    except TooLargeError:
        raise ConfigError(
            f"{path}: the configuration is larger than {MAX_CONFIG_BYTES} bytes"
        ) from None
    except UnicodeDecodeError as error:
        raise ConfigError(f"{path}: not UTF-8 text (byte {error.start})") from None
    except (OSError, ValueError) as error:
        raise ConfigError(f"{path}: cannot read the configuration: {_why(error)}") from None
    if path.suffix == ".toml":
        return _read_toml(text, path)
    return _read_yaml(text, path)


def _read_toml(text: str, path: Path) -> dict[str, Any]:
    import tomllib

    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise ConfigError(f"{path}: invalid TOML: {error}") from None
    except RecursionError:
        raise ConfigError(f"{path}: invalid TOML: nested too deeply") from None
    # pyproject.toml keeps it under [tool.armlint]; a stand-alone base.toml may be bare.
    if path.name == "pyproject.toml" or "tool" in data:
        data = data.get("tool", {}).get("armlint", {})
    if not isinstance(data, dict):
        raise ConfigError(f"{path}: [tool.armlint] must be a table")
    return data


def _read_yaml(text: str, path: Path) -> dict[str, Any]:
    import yaml

    try:
        data = _bounded_safe_load(text, path)
    except yaml.YAMLError as error:
        raise ConfigError(f"{path}: invalid YAML: {_yaml_problem(error)}") from None
    except RecursionError:
        raise ConfigError(f"{path}: invalid YAML: nested too deeply") from None
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise ConfigError(f"{path}: the configuration must be a mapping of keys to values")
    return data


def _yaml_problem(error) -> str:
    """What is wrong and where, without the quoted line that PyYAML's message includes."""
    problem = getattr(error, "problem", None) or "cannot parse"
    mark = getattr(error, "problem_mark", None)
    where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark is not None else ""
    return _clip(_one_line(problem)) + where


def _bounded_safe_load(text: str, path: Path) -> Any:
    """``yaml.safe_load``, after checking that aliases do not expand the document beyond
    MAX_YAML_NODES nodes: composing keeps one node per anchor, so this check is cheap even
    for a billion-laughs document, which would otherwise expand to gigabytes."""
    import yaml

    loader = yaml.SafeLoader(text)
    try:
        node = loader.get_single_node()
        if node is None:
            return None
        _check_expanded_size(node, path)
        return loader.construct_document(node)
    finally:
        loader.dispose()


def _check_expanded_size(root, path: Path) -> None:
    import yaml

    sizes: dict[int, int] = {}
    visiting: set[int] = set()

    def size(node) -> int:
        key = id(node)
        if key in sizes:
            return sizes[key]
        if key in visiting:
            raise ConfigError(f"{path}: a YAML alias refers to itself")
        visiting.add(key)
        total = 1
        for child in _children(node, yaml):
            total += size(child)
            if total > MAX_YAML_NODES:
                raise ConfigError(
                    f"{path}: the YAML expands to more than {MAX_YAML_NODES} values"
                    " (anchors and aliases); write the values out"
                )
        visiting.discard(key)
        sizes[key] = total
        return total

    size(root)


def _children(node, yaml) -> list:
    if isinstance(node, yaml.SequenceNode):
        return list(node.value)
    if isinstance(node, yaml.MappingNode):
        return [part for pair in node.value for part in pair]
    return []


def _validate(raw: dict[str, Any], path: Path) -> None:
    import jsonschema

    from armlint.paths import schemas_dir

    with open(os.path.join(schemas_dir(), "config.schema.json"), encoding="utf-8") as handle:
        schema = json.loads(handle.read())
    validator = jsonschema.Draft202012Validator(schema)
    try:
        errors = sorted(validator.iter_errors(raw), key=lambda e: [str(p) for p in e.path])
    except RecursionError:
        raise ConfigError(f"{path}: the configuration is nested too deeply") from None
    if errors:
        error = errors[0]
        where = ".".join(_clip(str(part)) for part in error.absolute_path) or "(top level)"
        raise ConfigError(f"{path}: {where}: {_schema_problem(error)}")


def _schema_problem(error) -> str:
    """The broken rule in the schema's words. jsonschema's own message quotes the value whole,
    which may be anything: only keys are quoted here, 80 characters at most."""
    expected = error.validator_value
    if error.validator == "additionalProperties" and isinstance(error.instance, dict):
        allowed = error.schema.get("properties", {})
        unknown = [str(key) for key in error.instance if key not in allowed]
        return "unknown key " + ", ".join(repr(_clip(key)) for key in unknown[:3])
    if error.validator == "type":
        return f"must be of type {expected}"
    if error.validator == "enum":
        return "must be one of " + ", ".join(str(value) for value in expected)
    if error.validator == "required":
        return "missing " + ", ".join(str(key) for key in expected)
    if error.validator == "minimum":
        return f"must be at least {expected}"
    return _short(f"does not satisfy {error.validator}: {expected}")


def _clip(text: str, limit: int = 80) -> str:
    text = " ".join(str(text).split())
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _why(error: BaseException) -> str:
    return getattr(error, "strerror", None) or str(error) or type(error).__name__


def _one_line(text: str) -> str:
    return " ".join(text.split())


def _short(text: str, limit: int = 300) -> str:
    # jsonschema quotes the offending value whole; a long list must not flood the terminal.
    return text if len(text) <= limit else text[: limit - 3] + "..."


# -- per-file rules -----------------------------------------------------------------------


def _rules_for(entries: list[PerFile], path: str) -> FileRules:
    ignore: set[str] = set()
    select: set[str] | None = None
    severity: dict[str, str] = {}
    for entry in entries:
        if not entry.matches(path):
            continue
        ignore |= _resolve_all(entry.ignore, entry)
        if entry.select:
            chosen = _resolve_all(entry.select, entry)
            select = chosen if select is None else select & chosen
        for selector, level in entry.severity:
            chosen = _resolve_all([selector], entry)
            if level == OFF:
                ignore |= chosen
                continue
            for rule_id in chosen:
                severity[rule_id] = level
    return FileRules(frozenset(ignore), None if select is None else frozenset(select), severity)


def _resolve_all(selectors, entry: PerFile) -> set[str]:
    from armlint.checks.pack import load_pack

    pack = load_pack()
    found: set[str] = set()
    for selector in selectors:
        try:
            found |= pack.resolve(selector)
        except ValueError as error:
            raise ConfigError(f"{entry.origin}: per-file {list(entry.files)}: {error}") from None
    return found


def apply_per_file(result: RunResult, config: Config) -> None:
    """Drop the findings per-file entries turn off and apply per-file severities, in place.

    Unknown values (AZP002) stay: like the run-wide selection, they are always counted.
    """
    if not config.per_file:
        return
    kept = []
    for finding in result.findings:
        rules = config.rules_for(finding.location.path)
        if finding.rule != UNKNOWN_RULE and not _reported(finding.rule, rules):
            continue
        if finding.rule in rules.severity:
            finding.severity = rules.severity[finding.rule]
        kept.append(finding)
    result.findings = kept


def _reported(rule_id: str, rules: FileRules) -> bool:
    if rule_id in rules.ignore:
        return False
    return rules.select is None or rule_id in rules.select


# -- glob patterns ------------------------------------------------------------------------


def glob_match(pattern: str, path: str, root: str) -> bool:
    """gitignore-style matching of ``path`` against ``pattern`` relative to ``root``, the
    one dialect armlint uses everywhere (see armlint.globs): ``*`` and ``?`` stay inside one
    folder, ``**`` crosses folders, a trailing ``/`` means everything below, and a pattern
    without ``/`` matches a name at any depth."""
    from armlint.globs import Patterns

    return Patterns([pattern], root).matches(path)


# -- showing the effective configuration ----------------------------------------------------


def effective_toml(config: Config) -> str:
    """The effective configuration as a ``[tool.armlint]`` table that TOML readers (and
    armlint itself, as a pyproject.toml or an ``extend`` target) read back; each key's origin
    is a comment after it (above each per-file table)."""
    chain = " <- ".join(config.files) or "(none found)"
    lines = [f"# configuration files (base first): {_toml_comment(chain)}", "[tool.armlint]"]
    tables = []
    for key, value, origin in config.effective():
        if key == "per-file":
            tables += _per_file_tables(value, origin)
            continue
        lines.append(f"{_toml_key(key)} = {_toml_value(value)}  # {_toml_comment(origin)}")
    return "\n".join([*lines, *tables]) + "\n"


def effective_json(config: Config) -> str:
    document = {
        "files": list(config.files),
        "settings": {key: value for key, value, _ in config.effective()},
        "origins": {key: origin for key, _, origin in config.effective()},
    }
    return json.dumps(document, indent=2) + "\n"


def _per_file_tables(entries: list[dict[str, Any]], origin: str) -> list[str]:
    lines = []
    for entry in entries:
        lines += ["", f"# {_toml_comment(origin)}", "[[tool.armlint.per-file]]"]
        lines += [f"{_toml_key(key)} = {_toml_value(value)}" for key, value in entry.items()]
    return lines


_BARE_KEY = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-")


def _toml_key(key: str) -> str:
    return key if key and set(key) <= _BARE_KEY else json.dumps(key)


def _toml_value(value: Any) -> str:
    # JSON's string escapes are a subset of TOML's basic-string escapes.
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return str(value)
    if isinstance(value, str):
        return json.dumps(value)
    if isinstance(value, dict):
        pairs = ", ".join(f"{_toml_key(str(k))} = {_toml_value(v)}" for k, v in value.items())
        return "{ " + pairs + " }" if pairs else "{}"
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(_toml_value(item) for item in value) + "]"
    return json.dumps(str(value))


def _toml_comment(text: str) -> str:
    return " ".join(str(text).split())
