"""Issue 13: armlint tried as a new user would, one test (or more) per problem found then.

Each test runs the real command line in a temporary repository; each failed on the behaviour
before the change (noted in the test's docstring where it is not obvious).
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest
import tomllib
from everyday_helpers import BAD_ARM, BAD_LINE, GOOD_ARM, ROOT, armlint

# -- file selection --------------------------------------------------------------------------


def test_force_exclude_applies_the_config_exclude_to_named_files(repo, env):
    """Before: a file named on the command line was linted whatever `exclude` said."""
    (repo / ".armlint.yaml").write_text('exclude: ["templates/"]\n', encoding="utf-8")
    named = armlint("check", "templates/legacy.json", cwd=repo, env=env)
    assert named.returncode == 1 and BAD_LINE in named.stdout  # named: read, as ruff does
    forced = armlint("check", "--force-exclude", "templates/legacy.json", cwd=repo, env=env)
    assert forced.returncode == 0, forced.stdout
    assert "AZP102" not in forced.stdout


def test_exclude_takes_comma_lists(repo, env):
    """Before: `--exclude a/,b/` was one pattern that matched nothing."""
    (repo / "other").mkdir()
    (repo / "other" / "vm.json").write_text(BAD_ARM, encoding="utf-8")
    completed = armlint("check", "--exclude", "templates/,other/", cwd=repo, env=env)
    assert completed.returncode == 0, completed.stdout


def test_exclude_patterns_are_relative_to_the_config_not_the_scanned_folder(repo, env):
    """Before: `templates/legacy.json` in exclude matched nothing when scanning templates/."""
    (repo / ".armlint.yaml").write_text('exclude: ["templates/legacy.json"]\n', encoding="utf-8")
    completed = armlint("check", "templates", cwd=repo, env=env)
    assert completed.returncode == 0, completed.stdout


def test_a_star_stays_inside_one_folder(repo, env):
    """Before: `templates/*` matched files in every folder below templates/ (fnmatch)."""
    deeper = repo / "templates" / "deep"
    deeper.mkdir()
    (deeper / "vm.json").write_text(BAD_ARM, encoding="utf-8")
    (repo / "templates" / "legacy.json").write_text(GOOD_ARM, encoding="utf-8")
    completed = armlint("check", "--exclude", "/templates/*.json", cwd=repo, env=env)
    assert completed.returncode == 1
    assert f"templates/deep/vm.json:{BAD_LINE}" in completed.stdout


def test_gitignore_is_honoured_unless_told_not_to(repo, env):
    """Before: .gitignore was not read."""
    (repo / ".gitignore").write_text("templates/\n", encoding="utf-8")
    assert armlint("check", ".", cwd=repo, env=env).returncode == 0
    unignored = armlint("check", "--no-respect-gitignore", ".", cwd=repo, env=env)
    assert unignored.returncode == 1 and BAD_LINE in unignored.stdout


def test_a_negated_gitignore_line_keeps_a_file(repo, env):
    (repo / ".gitignore").write_text("*.json\n!legacy.json\n", encoding="utf-8")
    completed = armlint("check", ".", cwd=repo, env=env)
    assert completed.returncode == 1 and BAD_LINE in completed.stdout


def test_per_file_and_exclude_share_the_gitignore_dialect(repo, env):
    """A bare name matches at any depth in both, as in .gitignore."""
    config = 'per-file:\n  - files: ["legacy.json"]\n    ignore: ["AZP102"]\n'
    (repo / ".armlint.yaml").write_text(config, encoding="utf-8")
    assert armlint("check", ".", cwd=repo, env=env).returncode == 0


# -- paths relative to the repository root ----------------------------------------------------


def test_sarif_and_github_paths_are_relative_to_the_repository_root(repo, env):
    """Before: run from templates/, the uri was `legacy.json`."""
    folder = repo / "templates"
    sarif = armlint("check", "--format", "sarif", ".", cwd=folder, env=env)
    log = json.loads(sarif.stdout)
    location = log["runs"][0]["results"][0]["locations"][0]["physicalLocation"]
    uri = {"uri": "templates/legacy.json", "uriBaseId": "%SRCROOT%"}
    assert location["artifactLocation"] == uri
    assert "%SRCROOT%" in log["runs"][0]["originalUriBaseIds"]
    github = armlint("check", "--format", "github", ".", cwd=folder, env=env)
    assert "file=templates/legacy.json," in github.stdout


@pytest.mark.parametrize("fmt", ["text", "json", "sarif", "junit", "github", "html", "markdown"])
def test_absolute_arguments_never_put_absolute_paths_in_reports(repo, env, tmp_path, fmt):
    """Before: an absolute argument gave `file:///...` URIs and absolute paths."""
    target = str(repo / "templates" / "legacy.json")
    completed = armlint("check", "--format", fmt, target, cwd=repo, env=env)
    assert completed.returncode == 1
    assert "templates/legacy.json" in completed.stdout
    assert str(tmp_path) not in completed.stdout
    assert "file://" not in completed.stdout


# -- SARIF for code scanning ------------------------------------------------------------------


def test_sarif_rules_carry_help_from_the_rule_docs(repo, env):
    """Before: no fullDescription and no help; helpUri named a repository nobody mentions."""
    log = json.loads(armlint("check", "--format", "sarif", ".", cwd=repo, env=env).stdout)
    rules = {rule["id"]: rule for rule in log["runs"][0]["tool"]["driver"]["rules"]}
    docs = (ROOT / "rules" / "AZP102.yaml").read_text(encoding="utf-8")
    azp102 = rules["AZP102"]
    assert azp102["fullDescription"]["text"].startswith("A Windows VM or scale set")
    assert "## Why it matters" in azp102["help"]["markdown"]
    assert "Why it matters" in azp102["help"]["text"] and "Why it matters" in docs
    assert azp102["helpUri"] == "docs/rules/AZP102.md"
    assert (ROOT / azp102["helpUri"]).is_file()
    for rule in rules.values():
        assert rule["fullDescription"]["text"] and rule["help"]["text"], rule["id"]
    [result] = log["runs"][0]["results"]
    assert set(result["partialFingerprints"]) == {"armlint/v1"}


def test_sarif_help_uri_is_configurable(repo, env):
    base = "https://docs.example.test/armlint/rules/"
    completed = armlint("check", "--format", "sarif", "--help-uri", base, ".", cwd=repo, env=env)
    rules = json.loads(completed.stdout)["runs"][0]["tool"]["driver"]["rules"]
    assert {rule["helpUri"] for rule in rules} == {f"{base}{rule['id']}.md" for rule in rules}


# -- a quiet, scannable terminal --------------------------------------------------------------

NOTE_A = "terraform: 2 module call(s) with registry or remote sources were not fetched"


def test_notes_of_one_kind_are_one_line_with_a_count(tmp_path):
    from armlint.model import RunResult
    from armlint.report import ReportOptions, render

    notes = [
        f"{NOTE_A}; their outputs are unknown (in app/one)",
        f"{NOTE_A.replace('2', '7')}; their outputs are unknown (in app/two)",
        "bicep: 3 registry module(s) (br:, br/public:, ts:) not fetched; their outputs are unknown",
    ]
    text = render("text", RunResult(notes=notes), ReportOptions())
    note_lines = [line for line in text.splitlines() if line.startswith("note:")]
    assert len(note_lines) == 2
    assert "2 times; in app/one, app/two" in note_lines[0]
    verbose = render("text", RunResult(notes=notes), ReportOptions(verbose=True))
    assert sum(line.startswith("note:") for line in verbose.splitlines()) == 3


def test_quiet_prints_findings_only(repo, env):
    completed = armlint("check", "-q", ".", cwd=repo, env=env)
    assert completed.returncode == 1
    assert completed.stdout.splitlines() == [
        line for line in completed.stdout.splitlines() if BAD_LINE in line
    ]
    assert len(completed.stdout.splitlines()) == 1


def test_statistics_counts_findings_per_rule(repo, env):
    (repo / "templates" / "second.json").write_text(BAD_ARM, encoding="utf-8")
    completed = armlint("check", "--statistics", ".", cwd=repo, env=env)
    assert completed.returncode == 1
    assert completed.stdout.splitlines()[0].split("\t") == [
        "2",
        "AZP102",
        "[error]",
        "manual-mode-with-automatic-updates",
    ]


def test_exit_zero(repo, env):
    completed = armlint("check", "--exit-zero", ".", cwd=repo, env=env)
    assert completed.returncode == 0 and BAD_LINE in completed.stdout


@pytest.mark.parametrize(
    ("flag", "variables", "coloured"),
    [
        ("--color=always", {}, True),
        ("--color=never", {"FORCE_COLOR": "1"}, False),
        ("--color=auto", {"FORCE_COLOR": "1"}, True),
        ("--color=auto", {"FORCE_COLOR": "1", "NO_COLOR": "1"}, False),
        ("--color=auto", {}, False),  # not a terminal
    ],
)
def test_colour_choice(repo, env, flag, variables, coloured):
    env.update(variables)
    completed = armlint("check", flag, ".", cwd=repo, env=env)
    assert ("\x1b[" in completed.stdout) is coloured


def test_full_format_shows_the_source_line_with_carets(repo, env):
    completed = armlint("check", "--output-format", "full", ".", cwd=repo, env=env)
    lines = completed.stdout.splitlines()
    index = next(i for i, line in enumerate(lines) if BAD_LINE in line)
    assert lines[index + 2].startswith('13 |           "windowsConfiguration"')
    caret = lines[index + 3]
    assert caret.index("^") == lines[index + 2].index("{")  # column 35 of line 13


@pytest.mark.parametrize("command", [["rules"], ["rules", "AZP102"], ["config"]])
def test_a_closed_pipe_is_a_quiet_exit_0(repo, env, command):
    """Before: `armlint rules AZP102 | head -1` ended with "internal error: BrokenPipeError"."""
    script = (
        f"{sys.executable} -m armlint {' '.join(command)} | head -c 1 >/dev/null;"
        " echo ${PIPESTATUS[0]}"
    )
    completed = subprocess.run(
        ["bash", "-c", script], cwd=repo, env=env, capture_output=True, text=True, timeout=60
    )
    assert completed.stdout.strip() == "0"
    assert completed.stderr == ""


# -- argument checking ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (["check", "--jobs", "0"], "must be 1 or more"),
        (["check", "--jobs", "-3"], "must be 1 or more"),
        (["check", "--parameters", "nope.json"], "--parameters: no such file: nope.json"),
        (["plan", "--var-file", "nope.tfvars"], "--var-file: no such file: nope.tfvars"),
        (["frobnicate"], "unknown command 'frobnicate'"),
        (["chek"], "did you mean 'check'?"),
        (["plan", "--format", "csv"], "invalid choice: 'csv'"),
        (["check", "--var-f", "x.tfvars"], "unrecognized arguments: --var-f"),
        (["check", "--select", "manual-mod-with"], "unknown rule or prefix"),
    ],
)
def test_bad_arguments_are_one_line_and_exit_2(repo, env, arguments, message):
    completed = armlint(*arguments, cwd=repo, env=env)
    assert completed.returncode == 2, completed.stdout + completed.stderr
    assert message in completed.stderr
    assert "Traceback" not in completed.stderr


def test_help_documents_exit_codes_and_not_csv_for_plan(repo, env):
    check = armlint("check", "--help", cwd=repo, env=env).stdout
    assert "exit codes:" in check and "--force-exclude" in check and "--statistics" in check
    plan = armlint("plan", "--help", cwd=repo, env=env).stdout
    assert "csv" not in plan


# -- JUnit ------------------------------------------------------------------------------------


def test_junit_info_findings_do_not_fail_a_passing_run(repo, env):
    """Before: info findings were failures, so the Tests tab went red with exit 0."""
    junitparser = pytest.importorskip("junitparser")
    config = "severity:\n  AZP102: info\n"
    (repo / ".armlint.yaml").write_text(config, encoding="utf-8")
    completed = armlint("check", "--output", "junit:report.xml", ".", cwd=repo, env=env)
    assert completed.returncode == 0
    xml = junitparser.JUnitXml.fromfile(str(repo / "report.xml"))
    cases = [case for suite in xml for case in suite]
    assert any(case.name.startswith("AZP102") for case in cases)
    assert not any(case.result for case in cases)


# -- configuration ----------------------------------------------------------------------------


def test_armlint_config_prints_toml_that_reads_back(repo, env):
    """Before: Python reprs (`True`, `{'AZP102': 'warning'}`)."""
    config = 'severity:\n  AZP102: warning\nexplore: false\nper-file:\n  - files: ["x/"]\n'
    config += '    ignore: ["AZP3"]\n'
    (repo / ".armlint.yaml").write_text(config, encoding="utf-8")
    completed = armlint("config", cwd=repo, env=env)
    table = tomllib.loads(completed.stdout)["tool"]["armlint"]
    assert table["severity"] == {"AZP102": "warning"} and table["explore"] is False
    assert table["per-file"] == [{"files": ["x/"], "ignore": ["AZP3"]}]
    as_json = json.loads(armlint("config", "--format", "json", cwd=repo, env=env).stdout)
    assert as_json["settings"]["severity"] == {"AZP102": "warning"}


def test_two_configuration_files_are_an_error_naming_both(repo, env):
    """Before: .armlint.yaml silently won and [tool.armlint] was dropped."""
    (repo / ".armlint.yaml").write_text("fail-on: warning\n", encoding="utf-8")
    (repo / "pyproject.toml").write_text('[tool.armlint]\nprofile = "current"\n', "utf-8")
    completed = armlint("check", ".", cwd=repo, env=env)
    assert completed.returncode == 2
    assert ".armlint.yaml" in completed.stderr and "pyproject.toml" in completed.stderr


def test_severity_off_turns_a_rule_off(repo, env):
    (repo / ".armlint.yaml").write_text("severity:\n  AZP102: 'off'\n", encoding="utf-8")
    completed = armlint("check", ".", cwd=repo, env=env)
    assert completed.returncode == 0 and "AZP102" not in completed.stdout


def test_per_file_severity_off(repo, env):
    config = 'per-file:\n  - files: ["templates/"]\n    severity: {AZP102: "off"}\n'
    (repo / ".armlint.yaml").write_text(config, encoding="utf-8")
    assert armlint("check", ".", cwd=repo, env=env).returncode == 0


def test_name_prefixes_select_rules(repo, env):
    """Before: `--select manual-mode` was rejected."""
    selected = armlint("check", "--select", "manual-mode", ".", cwd=repo, env=env)
    assert selected.returncode == 1 and "AZP102" in selected.stdout
    ignored = armlint("check", "--ignore", "manual-mode", ".", cwd=repo, env=env)
    assert ignored.returncode == 0


# -- CI examples ------------------------------------------------------------------------------


def test_no_example_installs_from_a_package_index():
    """Before: every example ran `pip install armlint`, which no index serves."""
    for example in (ROOT / "docs" / "ci").glob("*.yml"):
        text = example.read_text(encoding="utf-8")
        assert not re.search(r"pip install armlint\b", text), example.name
        assert re.search(r"pip install \./armlint-[\w.-]+\.whl|uses: <owner>/armlint@", text)


def test_the_composite_action_installs_from_its_own_checkout():
    import yaml

    action = yaml.safe_load((ROOT / "action.yml").read_text(encoding="utf-8"))
    assert action["runs"]["using"] == "composite"
    install = action["runs"]["steps"][0]["run"]
    assert '"${{ github.action_path }}"' in install and "pip install" in install
    example = yaml.safe_load((ROOT / "docs" / "ci" / "github-action.yml").read_text("utf-8"))
    [step] = [s for s in example["jobs"]["armlint"]["steps"] if "armlint@" in s.get("uses", "")]
    assert set(step["with"]) <= set(action["inputs"])


def test_the_action_check_step_writes_sarif_and_reports_the_exit_code(repo, env, tmp_path):
    shim = tmp_path / "bin"
    shim.mkdir()
    (shim / "armlint").write_text(f'#!/bin/sh\nexec "{sys.executable}" -m armlint "$@"\n')
    (shim / "armlint").chmod(0o755)
    output = tmp_path / "github_output"
    env.update(
        PATH=f"{shim}:{env['PATH']}",
        GITHUB_OUTPUT=str(output),
        ARMLINT_PATHS="templates",
        ARMLINT_FORMAT="github",
        ARMLINT_FAIL_ON="error",
        ARMLINT_SARIF="armlint.sarif",
        ARMLINT_ARGS="--select AZP1",
    )
    script = ROOT / "docs" / "ci" / "action-check.sh"
    completed = subprocess.run(
        ["bash", str(script)], cwd=repo, env=env, capture_output=True, text=True, timeout=120
    )
    assert completed.returncode == 0, completed.stderr
    assert "::error file=templates/legacy.json,line=13," in completed.stdout
    assert output.read_text(encoding="utf-8").strip() == "exit-code=1"
    log = json.loads((repo / "armlint.sarif").read_text(encoding="utf-8"))
    assert log["runs"][0]["results"][0]["ruleId"] == "AZP102"


def test_named_paths_after_options_are_not_taken_for_a_command(repo, env):
    completed = armlint("templates/legacy.json", cwd=repo, env=env)
    assert completed.returncode == 1 and BAD_LINE in completed.stdout
    assert Path(repo / "templates").is_dir()


# -- every input accounted for ----------------------------------------------------------------


def test_stdin_is_read_and_named_by_stdin_filename(repo, env):
    """Before: '-' was a missing file (exit 2)."""
    completed = armlint("check", "-", cwd=repo, env=env, stdin=BAD_ARM)
    assert completed.returncode == 1 and f"stdin.json:{BAD_LINE}" in completed.stdout
    named = armlint(
        "check", "--stdin-filename", "infra/app.json", "--format", "sarif", "-",
        cwd=repo, env=env, stdin=BAD_ARM,
    )  # fmt: skip
    [result] = json.loads(named.stdout)["runs"][0]["results"]
    assert result["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == (
        "infra/app.json"
    )


def test_a_fingerprint_from_stdin_matches_the_file_at_that_name(repo, env):
    on_disk = armlint("check", "--format", "json", "templates/legacy.json", cwd=repo, env=env)
    piped = armlint(
        "check", "--format", "json", "--stdin-filename", "templates/legacy.json", "-",
        cwd=repo, env=env, stdin=BAD_ARM,
    )  # fmt: skip
    fingerprints = [
        [finding["fingerprint"] for finding in json.loads(run.stdout)["findings"]]
        for run in (on_disk, piped)
    ]
    assert fingerprints[0] == fingerprints[1]


@pytest.mark.skipif(sys.platform == "win32", reason="process substitution")
def test_process_substitution_is_read_in_check_and_diff(repo, env):
    """Before: `armlint diff <(git show ...) vm.json` said 0 problems, exit 0."""
    (repo / "templates" / "new.json").write_text(GOOD_ARM, encoding="utf-8")
    check = f"{sys.executable} -m armlint check <(cat templates/legacy.json)"
    diff = f"{sys.executable} -m armlint diff <(cat templates/legacy.json) templates/new.json"
    for script, expected in ((check, "AZP102"), (diff, "AZP402")):
        completed = subprocess.run(
            ["bash", "-c", script], cwd=repo, env=env, capture_output=True, text=True, timeout=120
        )
        assert completed.returncode == 1, completed.stdout + completed.stderr
        assert expected in completed.stdout
        assert "armlint-input-" not in completed.stdout  # the temporary copy is not named


# -- Terraform names in messages --------------------------------------------------------------

TERRAFORM_VM = """resource "azurerm_windows_virtual_machine" "vm" {
  name                  = "vm1"
  resource_group_name   = "rg"
  location              = "westeurope"
  size                  = "Standard_B2s"
  admin_username        = "a"
  admin_password        = "b"
  network_interface_ids = []
  patch_mode            = "PATCH_MODE"
  UPDATES_ARGUMENT = UPDATES
  provision_vm_agent    = false
  os_disk {
    caching              = "ReadWrite"
    storage_account_type = "Standard_LRS"
  }
}
"""


@pytest.mark.parametrize("argument", ["automatic_updates_enabled", "enable_automatic_updates"])
def test_terraform_findings_name_arguments_as_written(repo, env, argument):
    """Before: "patchMode is 'Manual' ... enableAutomaticUpdates is true" on a .tf file."""
    text = TERRAFORM_VM.replace("UPDATES_ARGUMENT", argument).replace("UPDATES", "true")
    (repo / "main.tf").write_text(text.replace("PATCH_MODE", "Manual"), encoding="utf-8")
    completed = armlint("check", "main.tf", cwd=repo, env=env)
    assert f"AZP102 [error] patch_mode is 'Manual' (literal) but {argument} is true" in (
        completed.stdout
    )
    assert "patchMode" not in completed.stdout and "enableAutomaticUpdates" not in completed.stdout


@pytest.mark.parametrize(
    ("version", "argument"),
    [("4.30.0", "enable_automatic_updates"), ("4.42.0", "automatic_updates_enabled")],
)
def test_a_left_out_argument_is_named_as_the_pinned_provider_spells_it(
    repo, env, version, argument
):
    """The default (absent argument) is named in the pinned version's words: azurerm added
    automatic_updates_enabled in 4.42.0 (rules/data/terraform.yaml)."""
    text = TERRAFORM_VM.replace("  UPDATES_ARGUMENT = UPDATES\n", "").replace(
        "PATCH_MODE", "Manual"
    )
    pin = (
        'terraform {\n  required_providers {\n    azurerm = {\n      source  = "hashicorp/azurerm"\n'
        f'      version = "{version}"\n    }}\n  }}\n}}\n'
    )
    (repo / "main.tf").write_text(pin + text, encoding="utf-8")
    completed = armlint("check", "main.tf", cwd=repo, env=env)
    assert f"but {argument} is true (platform default)" in completed.stdout, completed.stdout


def test_terraform_code_rule_and_provision_vm_agent_messages(repo, env):
    text = TERRAFORM_VM.replace("UPDATES_ARGUMENT", "automatic_updates_enabled")
    by_os = text.replace("UPDATES", "false").replace("PATCH_MODE", "AutomaticByOS")
    (repo / "main.tf").write_text(by_os, encoding="utf-8")
    completed = armlint("check", "main.tf", cwd=repo, env=env)
    assert "AZP101 [error] patch_mode is 'AutomaticByOS'" in completed.stdout
    assert "automatic_updates_enabled is false" in completed.stdout
    by_platform = text.replace("UPDATES", "true").replace("PATCH_MODE", "AutomaticByPlatform")
    (repo / "main.tf").write_text(by_platform, encoding="utf-8")
    completed = armlint("check", "--select", "AZP104", "main.tf", cwd=repo, env=env)
    assert "AZP104" in completed.stdout, completed.stdout
    assert "provision_vm_agent is false" in completed.stdout
    assert "(patch_mode 'AutomaticByPlatform')" in completed.stdout
    assert "provisionVMAgent" not in completed.stdout and "patchMode" not in completed.stdout


def test_arm_findings_keep_arm_names(repo, env):
    completed = armlint("check", ".", cwd=repo, env=env)
    assert "patchMode is 'Manual' (literal) but enableAutomaticUpdates is true" in completed.stdout
