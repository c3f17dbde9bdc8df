"""Configuration: files, extend chains, per-file rules, origins and hostile YAML."""

from __future__ import annotations

import sys
import time
from pathlib import Path

import pytest

from armlint import cli
from armlint.config import (
    COMMAND_LINE,
    DEFAULT,
    MAX_CONFIG_BYTES,
    Config,
    ConfigError,
    apply_per_file,
    find_config,
    glob_match,
    load_config,
)
from armlint.model import Finding, Location, RunResult

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "config"
BASE = FIXTURES / "base.armlint.yaml"
TEAM = FIXTURES / "team" / ".armlint.yaml"
PROJECT = FIXTURES / "project" / "pyproject.toml"


def write(folder: Path, name: str, text: str) -> Path:
    path = folder / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def finding(rule: str, path: str, severity: str = "error") -> Finding:
    return Finding(rule, rule.lower(), severity, f"{rule} message", Location(path, 3, 5))


# -- the existing API -------------------------------------------------------------------------


def test_no_file_gives_defaults_and_every_key_says_default():
    config = load_config(None)
    assert (config.fail_on, config.profile, config.max_file_size_mb, config.explore) == (
        "error",
        "current",
        20,
        True,
    )
    assert set(config.origins) >= {"select", "ignore", "fail_on", "severity", "per_file"}
    assert set(config.origins.values()) == {DEFAULT}


def test_a_single_yaml_file_names_itself_as_the_origin(tmp_path):
    path = write(tmp_path, ".armlint.yaml", "ignore: [AZP302]\nfail-on: warning\n")
    config = load_config(path)
    assert config.ignore == ["AZP302"] and config.fail_on == "warning"
    assert config.origins["ignore"] == str(path)
    assert config.origins["profile"] == DEFAULT
    assert config.source == str(path) and config.files == [str(path)]


def test_find_config_stops_at_the_repository_root(tmp_path):
    (tmp_path / ".git").mkdir()
    inner = tmp_path / "a" / "b"
    inner.mkdir(parents=True)
    assert find_config(inner) is None
    path = write(tmp_path, ".armlint.yaml", "ignore: [AZP302]\n")
    assert find_config(inner) == str(path)  # text since session 9 (s9-nopath)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # Values are never quoted (issue 12: an error must not echo file content), keys are.
        ("colour: red\n", "(top level): unknown key 'colour'"),
        ("fail-on: sometimes\n", "fail-on: must be one of error, warning, info"),
        ("max-file-size-mb: 0\n", "max-file-size-mb: must be at least 1"),
        ("explore: maybe\n", "explore: must be of type boolean"),
        ("per-file: [{ignore: [AZP102]}]\n", "per-file.0: missing files"),
        ("per-file: [{files: [x], severity: {AZP1: loud}}]\n", "per-file.0.severity.AZP1"),
        ("- just\n- a list\n", "must be a mapping"),
        ("a: [unclosed\n", "invalid YAML"),
    ],
)
def test_a_bad_key_or_value_is_a_one_line_error(tmp_path, text, expected):
    path = write(tmp_path, ".armlint.yaml", text)
    with pytest.raises(ConfigError) as error:
        load_config(path)
    message = str(error.value)
    assert expected in message and "\n" not in message and message.startswith(str(path))


def test_new_keys_are_read_from_toml():
    config = load_config(PROJECT)
    assert config.max_file_size_mb == 5 and config.explore is False
    assert config.exclude == ["build/"]
    assert config.origins["max_file_size_mb"] == str(PROJECT)


# -- extend -----------------------------------------------------------------------------------


def test_extend_reads_the_base_first_and_the_extending_file_wins():
    config = load_config(TEAM)
    base, team = str(FIXTURES / "base.armlint.yaml"), str(TEAM)
    assert config.files == [base, team]
    assert config.select == ["AZP"] and config.origins["select"] == base
    assert config.ignore == ["AZP301"] and config.origins["ignore"] == team  # replaced whole
    assert config.fail_on == "warning" and config.origins["fail_on"] == base
    assert config.profile == "preview-2020" and config.origins["profile"] == team
    assert config.origins["exclude"] == DEFAULT


def test_extend_merges_severity_rule_by_rule_with_origins_per_rule():
    config = load_config(TEAM)
    assert config.severity == {"AZP201": "info", "manual-mode-with-automatic-updates": "warning"}
    assert config.origins["severity.AZP201"] == str(TEAM)
    assert config.origins["severity.manual-mode-with-automatic-updates"] == str(BASE)
    assert config.origins["severity"] == f"{BASE}, {TEAM}"


def test_extend_puts_the_base_per_file_entries_first():
    config = load_config(TEAM)
    assert [entry.files for entry in config.per_file] == [
        ("generated/**",),
        ("legacy/**/*.json",),
        ("*.tf",),
    ]
    assert [entry.origin for entry in config.per_file] == [str(BASE), str(TEAM), str(TEAM)]
    assert config.origins["per_file"] == f"{BASE}, {TEAM}"


def test_pyproject_can_extend_a_yaml_file():
    config = load_config(PROJECT)
    assert config.ignore == ["AZP302"] and config.origins["ignore"] == str(BASE)
    assert config.exclude == ["build/"] and config.origins["exclude"] == str(PROJECT)


def test_an_extend_cycle_is_an_error_that_names_the_chain():
    with pytest.raises(ConfigError, match=r"extend cycle: .*a\.armlint\.yaml -> .*b\.armlint"):
        load_config(FIXTURES / "cycle" / "a.armlint.yaml")


def test_a_file_extending_itself_is_a_cycle(tmp_path):
    path = write(tmp_path, ".armlint.yaml", "extend: .armlint.yaml\n")
    with pytest.raises(ConfigError, match="extend cycle"):
        load_config(path)


def test_extending_a_missing_file_is_an_error(tmp_path):
    path = write(tmp_path, ".armlint.yaml", "extend: ../nowhere.yaml\n")
    with pytest.raises(ConfigError, match=r"extend: no such file: .*nowhere\.yaml"):
        load_config(path)


def test_an_error_in_the_base_names_the_base(tmp_path):
    write(tmp_path, "base.yaml", "fail-on: never\n")
    path = write(tmp_path, "team/.armlint.yaml", "extend: ../base.yaml\n")
    with pytest.raises(ConfigError) as error:
        load_config(path)
    assert str(error.value).startswith(str(tmp_path / "base.yaml"))


def test_a_long_extend_chain_is_cut_off(tmp_path):
    for number in range(12):
        write(tmp_path, f"c{number}.yaml", f"extend: c{number + 1}.yaml\n")
    write(tmp_path, "c12.yaml", "ignore: [AZP302]\n")
    with pytest.raises(ConfigError, match="deeper than"):
        load_config(tmp_path / "c0.yaml")


# -- origins and the command line -------------------------------------------------------------


def test_override_marks_the_value_as_coming_from_the_command_line():
    config = load_config(TEAM)
    config.override("fail_on", "info")
    assert config.fail_on == "info" and config.origins["fail_on"] == COMMAND_LINE
    with pytest.raises(KeyError):
        config.override("colour", "red")


def test_effective_lists_every_key_with_its_value_and_origin():
    rows = {key: (value, origin) for key, value, origin in load_config(TEAM).effective()}
    assert rows["fail-on"] == ("warning", str(BASE))
    assert rows["explore"] == (True, DEFAULT)
    assert rows["per-file"][0][0] == {"files": ["generated/**"], "ignore": ["AZP3"]}


def test_armlint_config_prints_where_each_value_came_from(capsys):
    assert cli.main(["config", "--config", str(TEAM)]) == 0
    out = capsys.readouterr().out
    assert f'profile = "preview-2020"  # {TEAM}' in out
    assert f'fail-on = "warning"  # {BASE}' in out
    assert "exclude = []  # default" in out


# -- per-file rules ---------------------------------------------------------------------------


def test_per_file_patterns_are_relative_to_the_file_that_declares_them(monkeypatch):
    monkeypatch.chdir(FIXTURES)
    config = load_config(TEAM)
    legacy = config.rules_for("team/legacy/old/vm.json")
    assert legacy.ignore == {"AZP102"} and legacy.severity == {"AZP101": "info"}
    assert config.rules_for("legacy/vm.json").ignore == frozenset()  # outside team/
    generated = config.rules_for("generated/x/vm.json")  # the base's folder
    assert "AZP301" in generated.ignore and "AZP102" not in generated.ignore


def test_a_pattern_without_a_slash_matches_the_name_at_any_depth(monkeypatch):
    monkeypatch.chdir(FIXTURES)
    config = load_config(TEAM)
    rules = config.rules_for("team/modules/net/main.tf")
    assert "AZP101" in rules.select and all(r.startswith("AZP1") for r in rules.select)
    assert config.rules_for("team/modules/net/main.bicep").select is None


@pytest.mark.parametrize(
    ("pattern", "path", "expected"),
    [
        ("legacy/**/*.json", "legacy/vm.json", True),
        ("legacy/**/*.json", "legacy/a/b/vm.json", True),
        ("legacy/**/*.json", "legacy/a/vm.bicep", False),
        ("legacy/*.json", "legacy/a/vm.json", False),
        ("legacy/", "legacy/a/vm.json", True),
        ("/legacy/**", "legacy/vm.json", True),
        ("*.tf", "deep/er/main.tf", True),
        ("v?.json", "x/v1.json", True),
        ("**/*.json", "x/y/z.json", True),
        ("legacy/**", "other/legacy/vm.json", False),
    ],
)
def test_glob_match(tmp_path, pattern, path, expected):
    assert glob_match(pattern, str(tmp_path / path), str(tmp_path)) is expected


def test_a_path_outside_the_root_never_matches_a_folder_pattern(tmp_path):
    assert not glob_match("**/*.json", str(tmp_path.parent / "vm.json"), str(tmp_path))


def test_per_file_entries_stack_ignores_narrow_selection_and_win_on_severity(tmp_path):
    path = write(
        tmp_path,
        ".armlint.yaml",
        "per-file:\n"
        "  - {files: ['legacy/**'], select: [AZP1, AZP3], severity: {AZP101: info}}\n"
        "  - {files: ['legacy/old/**'], select: [AZP10], ignore: [AZP104],"
        " severity: {AZP101: warning}}\n",
    )
    config = load_config(path)
    rules = config.rules_for(str(tmp_path / "legacy/old/vm.json"))
    assert "AZP101" in rules.select and all(r.startswith("AZP10") for r in rules.select)
    assert "AZP104" in rules.ignore and rules.severity == {"AZP101": "warning"}
    enabled = config.enabled_for(str(tmp_path / "legacy/old/vm.json"), {"AZP101", "AZP104"})
    assert enabled == {"AZP101"}
    assert config.enabled_for(str(tmp_path / "new/vm.json"), {"AZP104"}) == {"AZP104"}


def test_apply_per_file_drops_and_reweighs_findings_but_keeps_unknowns(tmp_path):
    path = write(
        tmp_path,
        ".armlint.yaml",
        "per-file:\n"
        "  - files: ['legacy/**']\n"
        "    ignore: [manual-mode-with-automatic-updates]\n"
        "    severity: {AZP101: info}\n",
    )
    config = load_config(path)
    legacy, other = str(tmp_path / "legacy/vm.json"), str(tmp_path / "vm.json")
    result = RunResult(
        findings=[
            finding("AZP102", legacy),
            finding("AZP101", legacy),
            finding("AZP002", legacy, "info"),
            finding("AZP102", other),
            finding("AZP101", other),
        ]
    )
    apply_per_file(result, config)
    assert [(f.rule, f.location.path, f.severity) for f in result.findings] == [
        ("AZP101", legacy, "info"),
        ("AZP002", legacy, "info"),
        ("AZP102", other, "error"),
        ("AZP101", other, "error"),
    ]


def test_an_unknown_rule_in_per_file_is_a_config_error(tmp_path):
    path = write(tmp_path, ".armlint.yaml", "per-file: [{files: ['*.tf'], ignore: [AZP999]}]\n")
    config = load_config(path)
    with pytest.raises(ConfigError, match=r"per-file \['\*\.tf'\]: unknown rule or prefix"):
        config.check_rules()
    with pytest.raises(ConfigError):
        config.rules_for(str(tmp_path / "main.tf"))


def test_without_per_file_entries_nothing_changes():
    config = Config()
    result = RunResult(findings=[finding("AZP102", "vm.json")])
    apply_per_file(result, config)
    assert len(result.findings) == 1 and config.enabled_for("vm.json", {"AZP102"}) == {"AZP102"}


# -- hostile files ----------------------------------------------------------------------------


def billion_laughs(levels: int = 9) -> str:
    lines = ['a: &a ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
    previous = "a"
    for name in "bcdefghi"[: levels - 1]:
        lines.append(f"{name}: &{name} [" + ", ".join([f"*{previous}"] * 9) + "]")
        previous = name
    lines.append(f"exclude: *{previous}")
    return "\n".join(lines) + "\n"


def test_a_billion_laughs_document_is_a_fast_one_line_error(tmp_path):
    path = write(tmp_path, ".armlint.yaml", billion_laughs())
    start = time.perf_counter()
    with pytest.raises(ConfigError, match="expands to more than") as error:
        load_config(path)
    assert time.perf_counter() - start < 1
    assert "\n" not in str(error.value)


def test_a_three_anchor_bomb_is_caught_too(tmp_path):
    # Few anchors, wide lists: counting anchors alone would let this through.
    wide = ", ".join(["x"] * 200)
    text = f"a: &a [{wide}]\nb: &b [{', '.join(['*a'] * 200)}]\nexclude: [*b, *b]\n"
    path = write(tmp_path, ".armlint.yaml", text)
    with pytest.raises(ConfigError, match="expands to more than"):
        load_config(path)


def test_a_self_referencing_alias_is_rejected(tmp_path):
    path = write(tmp_path, ".armlint.yaml", "exclude: &a [*a]\n")
    with pytest.raises(ConfigError, match="refers to itself"):
        load_config(path)


def test_ordinary_anchors_still_work(tmp_path):
    text = "ignore: &quiet [AZP302]\nper-file: [{files: ['legacy/**'], ignore: *quiet}]\n"
    config = load_config(write(tmp_path, ".armlint.yaml", text))
    assert config.per_file[0].ignore == ("AZP302",)


def test_deep_nesting_is_an_error_not_a_crash(tmp_path):
    # As deep as Python's recursion limit: the loader's recursion fails there even at one frame
    # per level (5000 levels took 1.8 s of CPU: PyYAML's scanner is quadratic in flow depth).
    depth = sys.getrecursionlimit()
    path = write(tmp_path, ".armlint.yaml", "exclude: " + "[" * depth + "]" * depth + "\n")
    with pytest.raises(ConfigError):
        load_config(path)


def test_an_oversized_file_is_refused_before_parsing(tmp_path):
    path = write(tmp_path, ".armlint.yaml", "# " + "x" * MAX_CONFIG_BYTES + "\n")
    with pytest.raises(ConfigError, match="larger than"):
        load_config(path)


def test_the_command_line_turns_a_bomb_into_exit_2(tmp_path, capsys, monkeypatch):
    (tmp_path / ".git").mkdir()
    write(tmp_path, ".armlint.yaml", billion_laughs())
    monkeypatch.chdir(tmp_path)
    assert cli.main(["check", ".", "--no-cache", "--jobs", "1"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "expands to more than" in err
