"""Configuration from ``[tool.armlint]`` in pyproject.toml or ``.armlint.yaml``.

The file is validated against ``schemas/config.schema.json``; a bad key or value is a one-line
error (exit 2). Command-line options win over the file; the file wins over the defaults.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

CONFIG_NAMES = (".armlint.yaml", ".armlint.yml", "pyproject.toml")


class ConfigError(Exception):
    """A configuration problem the user must fix; shown as one line, exit code 2."""


@dataclass
class Config:
    select: list[str] = field(default_factory=list)
    ignore: list[str] = field(default_factory=list)
    exclude: list[str] = field(default_factory=list)
    fail_on: str = "error"
    profile: str = "current"
    severity: dict[str, str] = field(default_factory=dict)
    extra_supported_images: list[dict] = field(default_factory=list)
    source: str = ""  # the file the values came from, '' for defaults
    origins: dict[str, str] = field(default_factory=dict)  # key -> where its value came from


KEY_MAP = {
    "select": "select",
    "ignore": "ignore",
    "exclude": "exclude",
    "fail-on": "fail_on",
    "profile": "profile",
    "severity": "severity",
    "extra-supported-images": "extra_supported_images",
}


def find_config(start: Path) -> Path | None:
    """The nearest config file at or above ``start``; pyproject.toml only with [tool.armlint]."""
    current = start.resolve()
    for folder in (current, *current.parents):
        for name in CONFIG_NAMES:
            candidate = folder / name
            if candidate.is_file() and (name != "pyproject.toml" or _has_tool_section(candidate)):
                return candidate
        if (folder / ".git").exists():
            return None
    return None


def _has_tool_section(path: Path) -> bool:
    try:
        return "[tool.armlint" in path.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return False


def load_config(path: Path | None) -> Config:
    if path is None:
        return Config()
    raw = _read(path)
    _validate(raw, path)
    config = Config(source=str(path))
    for key, value in raw.items():
        setattr(config, KEY_MAP[key], value)
        config.origins[KEY_MAP[key]] = str(path)
    return config


def _read(path: Path) -> dict[str, Any]:
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as error:
        raise ConfigError(f"{path}: cannot read the configuration: {error}") from None
    if path.name == "pyproject.toml":
        return _read_toml(text, path)
    return _read_yaml(text, path)


def _read_toml(text: str, path: Path) -> dict[str, Any]:
    import tomllib

    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise ConfigError(f"{path}: invalid TOML: {error}") from None
    section = data.get("tool", {}).get("armlint", {})
    if not isinstance(section, dict):
        raise ConfigError(f"{path}: [tool.armlint] must be a table")
    return section


def _read_yaml(text: str, path: Path) -> dict[str, Any]:
    import yaml

    if text.count("*") > 1000 or text.count("&") > 100:
        # Alias bombs expand exponentially; no real armlint config needs this many anchors.
        raise ConfigError(f"{path}: too many YAML anchors or aliases")
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as error:
        raise ConfigError(f"{path}: invalid YAML: {_one_line(str(error))}") from None
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise ConfigError(f"{path}: the configuration must be a mapping of keys to values")
    return data


def _validate(raw: dict[str, Any], path: Path) -> None:
    import jsonschema

    from armlint.paths import schemas_dir

    schema = json.loads((schemas_dir() / "config.schema.json").read_text(encoding="utf-8"))
    validator = jsonschema.Draft202012Validator(schema)
    errors = sorted(validator.iter_errors(raw), key=lambda e: list(e.absolute_path))
    if errors:
        error = errors[0]
        where = ".".join(str(part) for part in error.absolute_path) or "(top level)"
        raise ConfigError(f"{path}: {where}: {_one_line(error.message)}")


def _one_line(text: str) -> str:
    return " ".join(text.split())
