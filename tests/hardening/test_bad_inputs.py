"""Bad input never stops a run: each case runs the real command line on a folder holding the bad
file and a good template with a known finding (see hardening_helpers.assert_handled), then checks
what armlint said about the bad file. docs/hardening.md lists the same cases as a table."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from hardening_helpers import (
    GOOD_TEMPLATE,
    check_folder,
    deployment,
    lint_folder,
    only_finding,
    scan_folder,
    template,
    windows_vm,
)

GOOD_TEXT = GOOD_TEMPLATE.read_text(encoding="utf-8")

# -- encodings and bytes that are not JSON ----------------------------------------------------


@pytest.mark.parametrize(
    ("content", "message", "position"),
    [
        (b"", "the file is empty (no JSON value)", (1, 1)),
        (b"  \n\t \r\n ", "the file is empty (no JSON value)", (3, 2)),
        (bytes(range(256)) * 16, "binary file, not JSON text", (1, 1)),
        (b'{"a": "caf\xe9"}', "not valid UTF-8 text (byte 10: invalid continuation byte)", (1, 1)),
        (
            ("\ufeff" + GOOD_TEXT).encode("utf-32"),
            "not valid UTF-8 text (byte 0: UTF-32 text; save the file as UTF-8)",
            (1, 1),
        ),
    ],
    ids=["empty", "whitespace-only", "binary", "invalid-utf8", "utf32"],
)
def test_unreadable_json_is_one_parse_error(tmp_path, content, message, position):
    run = lint_folder(tmp_path, {"bad.json": content})
    finding = only_finding(run, "bad.json", "AZP001")
    assert finding["message"] == message
    assert (finding["line"], finding["column"]) == position
    assert run.summary["files"]["error"] == 1


@pytest.mark.parametrize("codec", ["utf-16-le", "utf-16-be"])
def test_utf16_with_a_byte_order_mark_is_read_like_utf8(tmp_path, codec):
    run = lint_folder(tmp_path, {"wide.json": ("\ufeff" + GOOD_TEXT).encode(codec)})
    assert [(f["rule"], f["line"], f["column"]) for f in run.findings("wide.json")] == [
        ("AZP102", 29, 35)
    ]


@pytest.mark.parametrize(
    ("text", "column"),
    [("[" * 10_000 + "]" * 10_000, 201), ('{"a":' * 10_000 + "1" + "}" * 10_000, 1001)],
    ids=["arrays", "objects"],
)
def test_json_nested_10000_deep_is_refused_at_level_201(tmp_path, text, column):
    run = lint_folder(tmp_path, {"deep.json": text})
    finding = only_finding(run, "deep.json", "AZP001")
    assert finding["message"] == "nesting deeper than 200 levels"
    assert (finding["line"], finding["column"]) == (1, column)


def test_duplicate_keys_are_azp003_with_both_lines(tmp_path):
    text = GOOD_TEXT.replace('"name": "good-vm",', '"name": "good-vm",\n      "name": "dup-vm",')
    run = lint_folder(tmp_path, {"dup.json": text})
    finding = only_finding(run, "dup.json", "AZP003")
    assert finding["message"].startswith("duplicate key 'name': first at line 14, again at line 15")
    assert (finding["line"], finding["column"]) == (15, 7)
    assert "AZP102" in run.rules("dup.json")  # the rest of the file is still checked


@pytest.mark.parametrize("word", ["NaN", "Infinity", "-Infinity"])
def test_nan_and_infinity_are_parse_errors_at_the_word(tmp_path, word):
    text = '{\n  "resources": [],\n  "variables": {"n": ' + word + "}\n}"
    run = lint_folder(tmp_path, {"nan.json": text})
    finding = only_finding(run, "nan.json", "AZP001")
    assert finding["message"] == f"{word} is not valid JSON"
    assert (finding["line"], finding["column"]) == (3, 22)


def test_an_integer_too_long_for_python_is_a_parse_error(tmp_path):
    # int() refuses more than 4300 digits; this used to fail the whole folder with exit code 0
    run = lint_folder(tmp_path, {"long.json": template(variables='{"n": ' + "9" * 5000 + "}")})
    finding = only_finding(run, "long.json", "AZP001")
    assert finding["message"] == "number with 5000 digits is too long"


# -- size -------------------------------------------------------------------------------------


def test_a_file_above_the_default_20_mb_limit_is_not_read(tmp_path):
    folder = scan_folder(tmp_path, {})
    with open(folder / "huge.json", "wb") as handle:  # sparse: costs no disk space
        handle.truncate(20 * 1024 * 1024 + 1)
    run = check_folder(folder)
    finding = only_finding(run, "huge.json", "AZP001")
    assert finding["message"] == "file is 20.0 MB, above the 20 MB limit; it was not read"
    assert run.summary["files"]["total"] == 2 and run.returncode == 1


def test_max_file_size_mb_in_the_configuration_is_the_limit(tmp_path):
    padding = template(variables='{"s": "' + "x" * (1024 * 1024) + '"}')
    folder = scan_folder(tmp_path, {"big.json": padding, ".armlint.yaml": "max-file-size-mb: 1\n"})
    run = check_folder(folder)
    finding = only_finding(run, "big.json", "AZP001")
    assert finding["message"] == "file is 1.0 MB, above the 1 MB limit; it was not read"
    assert run.summary["files"]["total"] == 2 and "AZP102" in run.rules("good.json")


def test_max_bytes_is_the_limit(tmp_path):
    from armlint.run.pipeline import RunOptions, run_check

    folder = scan_folder(tmp_path, {"big.json": template(variables='{"s": "' + "x" * 5000 + '"}')})
    result = run_check(RunOptions(paths=[str(folder)], max_bytes=4096))
    (finding,) = [f for f in result.findings if f.location.path.endswith("big.json")]
    assert finding.message == "file is 5182 bytes, above the 4096 bytes limit; it was not read"
    assert {Path(r.path).name: r.status for r in result.files} == {
        "big.json": "error",
        "good.json": "linted",
    }


def test_a_10_mb_string_as_a_value(tmp_path):
    huge = "x" * 10_000_000
    files = {
        "unused.json": template(variables=f'{{"s": "{huge}"}}'),
        "used.json": template(resources="[" + windows_vm(f'"{huge}"') + "]"),
        "literal.json": template(resources="[" + windows_vm(f"\"[concat('{huge}')]\"") + "]"),
    }
    run = lint_folder(tmp_path, files)
    assert run.findings("unused.json") == []
    assert only_finding(run, "used.json", "AZP105")["line"] == 1
    assert only_finding(run, "literal.json", "AZP105")["line"] == 1


def test_a_10_mb_value_gives_a_short_message(tmp_path):
    vm = windows_vm('"' + "x" * 10_000_000 + '"')
    run = lint_folder(tmp_path, {"used.json": template(resources=f"[{vm}]")})
    assert len(only_finding(run, "used.json", "AZP105")["message"]) < 1000
    assert run.seconds < 2


def test_a_lone_surrogate_escape_is_printed(tmp_path):
    from hardening_helpers import armlint

    text = GOOD_TEXT.replace('"defaultValue": "Manual"', '"defaultValue": "\\ud800"')
    folder = scan_folder(tmp_path, {"surrogate.json": text})
    run = armlint(["check", ".", "--no-cache"], cwd=folder, process=True)  # stdout encoding
    assert run.returncode == 1, run.stderr
    assert "surrogate.json:31:28: AZP105" in run.stdout  # at the patchMode value


@pytest.mark.skipif(sys.platform != "linux", reason="needs a file system that takes any bytes")
def test_a_file_name_that_is_not_utf8_in_an_output_file(tmp_path):
    from hardening_helpers import armlint

    folder = scan_folder(tmp_path, {})
    with open(os.path.join(os.fsencode(folder), b"bad\xff.json"), "wb") as handle:
        handle.write(b"{")
    run = armlint(
        ["check", ".", "--no-cache", "--output", "text:report.txt"], cwd=folder, process=True
    )
    assert run.returncode == 1, run.stderr
    assert "AZP001" in (folder / "report.txt").read_text(encoding="utf-8", errors="replace")


@pytest.mark.parametrize("name", ["main.tf", "main.bicep"])
def test_max_bytes_applies_to_terraform_and_bicep(tmp_path, name):
    from armlint.run.pipeline import RunOptions, run_check

    padding = "// " + "x" * 5000 + "\n"
    folder = scan_folder(tmp_path, {name: padding})
    result = run_check(RunOptions(paths=[str(folder)], max_bytes=4096))
    statuses = {Path(r.path).name: r.status for r in result.files}
    assert statuses[name] == "error"


# -- evaluation limits ------------------------------------------------------------------------


def copy_loop(count: str) -> str:
    return f'"copy": {{"name": "vms", "count": {count}}},'


def test_copy_count_of_a_billion_is_capped_at_800(tmp_path):
    vm = windows_vm(name="\"[concat('vm', copyIndex())]\"", extra=copy_loop("1000000000"))
    run = lint_folder(tmp_path, {"billion.json": template(resources=f"[{vm}]")})
    assert only_finding(run, "billion.json", "AZP102")  # one finding for the 800 instances
    assert run.notes("copy count 1000000000 is above ARM's limit of 800")


def test_copy_count_from_an_unknown_expression(tmp_path):
    vm = windows_vm(name="\"[concat('vm', copyIndex())]\"", extra=copy_loop('"[notAFunction()]"'))
    run = lint_folder(tmp_path, {"unknown-count.json": template(resources=f"[{vm}]")})
    # the instances are unknown, their literal patch settings are not
    assert only_finding(run, "unknown-count.json", "AZP102")


@pytest.mark.parametrize(
    "variables",
    [
        '{"a": "[variables(\'a\')]"}',
        '{"a": "[variables(\'b\')]", "b": "[concat(variables(\'a\'))]"}',
    ],
    ids=["a-a", "a-b-a"],
)
def test_recursive_variables_are_unknown(tmp_path, variables):
    vm = windows_vm("\"[variables('a')]\"")
    run = lint_folder(tmp_path, {"loop.json": template(resources=f"[{vm}]", variables=variables)})
    finding = only_finding(run, "loop.json", "AZP002")
    assert "refers to itself" in finding["message"]


def variable_chain(links: int) -> str:
    """v0 -> v1 -> ... -> v<links>, which is not declared."""
    chain = ", ".join(f'"v{i}": "[variables(\'v{i + 1}\')]"' for i in range(links))
    vm = windows_vm("\"[variables('v0')]\"")
    return template(f"[{vm}]", variables="{" + chain + "}")


def parameter_chain(links: int) -> str:
    """Defaults that read the next parameter, p0 -> p1 -> ... -> p<links>."""
    declaration = '"p{}": {{"type": "string", "defaultValue": "[parameters(\'p{}\')]"}}'
    chain = ", ".join(declaration.format(i, i + 1) for i in range(links))
    vm = windows_vm("\"[parameters('p0')]\"")
    return template(f"[{vm}]", parameters="{" + chain + "}")


@pytest.mark.parametrize("make", [variable_chain, parameter_chain])
def test_chains_of_3000_references_are_unknown(tmp_path, make):
    run = lint_folder(tmp_path, {"chain.json": make(3000)})
    assert "too deeply" in only_finding(run, "chain.json", "AZP002")["message"]


def test_exponential_allowed_values_space_is_bounded(tmp_path):
    count = 40  # 3**40 combinations
    parameters = ", ".join(
        f'"p{i}": {{"type": "string", "allowedValues": ["Manual", "AutomaticByOS", "ImageDefault"]}}'
        for i in range(count)
    )
    expression = "'Manual'"
    for i in range(count):
        expression = f"if(equals(parameters('p{i}'), 'Manual'), {expression}, parameters('p{i}'))"
    vm = windows_vm(f'"[{expression}]"')
    text = template(resources=f"[{vm}]", parameters=f"{{{parameters}}}")
    run = lint_folder(tmp_path, {"choices.json": text})
    assert run.notes("combinations of allowedValues; explored each value of each parameter")
    assert "AZP102" in run.rules("choices.json")


def test_concat_nested_5000_deep_is_unknown(tmp_path):
    expression = "'Manual'"
    for _ in range(5000):
        expression = f"concat({expression}, '')"
    vm = windows_vm(f'"[{expression}]"')
    run = lint_folder(tmp_path, {"deep-concat.json": template(f"[{vm}]")})
    finding = only_finding(run, "deep-concat.json", "AZP002")
    assert "expression nests deeper than 200 levels" in finding["message"]


def test_copy_loops_inside_copy_loops_stop_at_the_budget(tmp_path):
    # 800 deployments of 800 VMs: 640,000 records took five minutes before the budget covered them
    vm = windows_vm(
        name="\"[concat('vm', copyIndex('inner'))]\"",
        extra='"copy": {"name": "inner", "count": 800},',
    )
    outer = deployment(
        f'"template": {{"resources": [{vm}]}}',
        name="\"[concat('d', copyIndex())]\"",
    ).replace('"properties"', '"copy": {"name": "outer", "count": 800}, "properties"')
    run = lint_folder(tmp_path, {"copies.json": template(f"[{outer}]")})
    assert run.notes("evaluation budget exhausted")
    assert run.seconds < 10


def test_a_big_array_read_by_every_copy_instance_stops_at_the_budget(tmp_path):
    big = "[" + ",".join(["0"] * 1000) + "]"
    variables = f'{{"copy": [{{"name": "items", "count": 800, "input": {big}}}]}}'
    vm = windows_vm(
        "\"[string(length(variables('items')))]\"",
        name="\"[concat('vm', copyIndex())]\"",
        extra=copy_loop("800"),
    )
    run = lint_folder(tmp_path, {"arrays.json": template(f"[{vm}]", variables=variables)})
    assert run.notes("evaluation budget exhausted")
    assert run.seconds < 10


# -- linked templates -------------------------------------------------------------------------


def test_linked_template_outside_the_tree_is_not_read(tmp_path):
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "secret.json").write_text(GOOD_TEXT, encoding="utf-8")
    links = [
        deployment('"templateLink": {"relativePath": "../../etc/passwd"}', '"passwd"'),
        deployment('"templateLink": {"relativePath": "../outside/secret.json"}', '"secret"'),
    ]
    run = lint_folder(tmp_path, {"links.json": template("[" + ", ".join(links) + "]")})
    messages = sorted(f["message"] for f in run.findings("links.json"))
    assert messages == [
        f"linked template '{path}' is outside the scanned tree and is not read;"
        " the VMs it deploys are not checked"
        for path in ("../../etc/passwd", "../outside/secret.json")
    ]
    assert run.findings("secret.json") == []


def test_linked_template_uri_is_never_fetched(tmp_path, monkeypatch, capsys):
    import socket

    from armlint import cli

    attempts = []

    def refuse(*args, **kwargs):
        attempts.append(args)
        raise OSError("armlint must not use the network")

    for name in ("socket", "create_connection", "getaddrinfo"):
        monkeypatch.setattr(socket, name, refuse)
    link = deployment('"templateLink": {"uri": "https://example.com/vm.json"}')
    folder = scan_folder(tmp_path, {"uri.json": template(f"[{link}]")})
    monkeypatch.chdir(folder)
    code = cli.main(
        ["check", ".", "--format", "json", "--show-unknown", "--no-cache", "--jobs", "1"]
    )
    output = capsys.readouterr().out
    assert code == 1 and attempts == []
    assert "linked template https://example.com/vm.json is not fetched" in output


# -- the file system --------------------------------------------------------------------------

needs_symlinks = pytest.mark.skipif(
    not hasattr(os, "symlink") or sys.platform == "win32", reason="needs POSIX symlinks"
)


@needs_symlinks
def test_symlink_loops_are_reported_and_not_followed(tmp_path):
    folder = scan_folder(tmp_path, {})
    os.symlink("b.json", folder / "a.json")
    os.symlink("a.json", folder / "b.json")
    os.symlink("self.json", folder / "self.json")
    os.symlink(tmp_path / "missing.json", folder / "dangling.json")
    (folder / "sub").mkdir()
    os.symlink("..", folder / "sub" / "up")  # a folder loop: never walked into
    os.symlink("../sub", folder / "sub" / "again")
    run = check_folder(folder)
    for name in ("a.json", "b.json", "self.json"):
        finding = only_finding(run, name, "AZP001")
        assert finding["message"] == "cannot read the file: Too many levels of symbolic links"
    finding = only_finding(run, "dangling.json", "AZP001")
    assert finding["message"] == "cannot read the file: No such file or directory"
    assert run.summary["files"] == {"total": 5, "linted": 1, "skipped": 0, "error": 4}
    assert run.returncode == 1 and "Traceback" not in run.stderr


@needs_symlinks
def test_a_looping_bicep_symlink_does_not_end_the_run(tmp_path):
    folder = scan_folder(tmp_path, {})
    os.symlink("loop.bicep", folder / "loop.bicep")
    run = check_folder(folder)
    assert run.returncode == 1, run.stderr
    assert run.summary["files"]["total"] == 2


def test_an_unreadable_file(tmp_path):
    folder = scan_folder(tmp_path, {"secret.json": GOOD_TEXT})
    os.chmod(folder / "secret.json", 0)
    try:
        if os.access(folder / "secret.json", os.R_OK):
            pytest.skip("running as root (or on a file system without modes): chmod 000 reads")
        run = check_folder(folder)
        finding = only_finding(run, "secret.json", "AZP001")
        assert finding["message"] == "cannot read the file: Permission denied"
        assert run.summary["files"]["total"] == 2
    finally:
        os.chmod(folder / "secret.json", 0o644)


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs named pipes")
def test_a_fifo_or_a_device_is_skipped_not_read(tmp_path):
    # Reading either never ends: a FIFO blocks, /dev/zero fills the memory.
    folder = scan_folder(tmp_path, {})
    os.mkfifo(folder / "pipe.json")
    os.mkfifo(folder / "pipe.tf")
    if Path("/dev/zero").exists():
        os.symlink("/dev/zero", folder / "zero.bicep")
    run = check_folder(folder)
    special = len(list(folder.glob("*"))) - 2  # not .git and good.json
    assert run.summary["files"] == {
        "total": 1 + special,
        "linted": 1,
        "skipped": special,
        "error": 0,
    }
    assert run.returncode == 1 and run.seconds < 10


# -- Terraform and Bicep syntax errors --------------------------------------------------------

# case: (content, (line, column), message); positions as armlint reports them today
HCL_ERRORS = {
    "missing-value": (
        'resource "azurerm_linux_virtual_machine" "x" {\n  patch_mode =\n}\n',
        (2, 15),
        "unexpected end of line (a value or closing bracket is missing)",
    ),
    "unterminated-string": (
        'resource "a" "b" {\n  name = "open\n}\n',
        (2, 11),
        "unexpected end of file (an unclosed block or bracket?)",
    ),
    "unclosed-block": (
        "locals {\n  a = [1, 2\n",
        (3, 1),
        "unexpected end of file (an unclosed block or bracket?)",
    ),
    "stray-interpolation": ('resource "a" "b" { x = ${ } }\n', (1, 24), "unexpected '${'"),
    "extra-brace": ("locals {\n  a = 1\n}\n}\n", (4, 1), "unexpected '}'"),
    "not-utf8": (b'locals { a = "\xff\xfe" }\n', (1, 1), "the file is not UTF-8 text (byte 14)"),
}


@pytest.mark.parametrize("case", sorted(HCL_ERRORS))
def test_hcl_syntax_errors(tmp_path, case):
    content, position, message = HCL_ERRORS[case]
    run = lint_folder(tmp_path, {"main.tf": content})
    finding = only_finding(run, "main.tf", "AZP001")
    assert finding["message"] == f"cannot parse main.tf: {message}"
    assert (finding["line"], finding["column"]) == position
    assert run.summary["files"]["error"] == 1


def test_terraform_json_syntax_error(tmp_path):
    run = lint_folder(tmp_path, {"main.tf.json": '{"resource": {"a": [1, 2}}'})
    finding = only_finding(run, "main.tf.json", "AZP001")
    assert (finding["line"], finding["column"]) == (1, 25)


BICEP_ERRORS = {
    # tree-sitter's error node starts at the declaration, not at the missing value on line 2
    "missing-value": (
        "resource vm 'Microsoft.Compute/virtualMachines@2022-11-01' = {\n  name:\n",
        (1, 1),
        "syntax error: unexpected 'resource'",
    ),
    "unterminated-string": ("param p string = 'open\n", (2, 1), 'syntax error: missing "\'"'),
    "stray-braces": ("}}}{{ ))) var =\n", (1, 1), "syntax error: unexpected '}'"),
    "unfinished-loop": (
        "var a = [for i in range(0, 10):\n",
        (1, 32),
        "syntax error: missing 'identifier'",
    ),
    "unterminated-multiline": (
        "var a = '''\nnever closed\n",
        (1, 9),
        "syntax error: unexpected \"'''\"",
    ),
    "not-utf8": (b"var a = '\xff\xfe'\n", (1, 1), "file is not UTF-8"),
}


@pytest.mark.parametrize("case", sorted(BICEP_ERRORS))
def test_bicep_syntax_errors(tmp_path, case):
    content, position, message = BICEP_ERRORS[case]
    run = lint_folder(tmp_path, {"main.bicep": content})
    finding = only_finding(run, "main.bicep", "AZP001")
    assert finding["message"] == message
    assert (finding["line"], finding["column"]) == position


# -- configuration ----------------------------------------------------------------------------


def alias_bomb(levels: int = 9) -> str:
    """The 'billion laughs': nine anchors that expand to 9**9 strings."""
    lines = ['a: &a ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
    previous = "a"
    for name in "bcdefghi"[: levels - 1]:
        lines.append(f"{name}: &{name} [" + ", ".join([f"*{previous}"] * 9) + "]")
        previous = name
    lines.append(f"exclude: *{previous}")
    return "\n".join(lines) + "\n"


def limited_memory() -> None:
    """In the child: at most 2 GB, so a regression fails this test instead of the machine."""
    import resource

    limit = 2 * 1024**3
    resource.setrlimit(resource.RLIMIT_AS, (limit, limit))


@pytest.mark.skipif(sys.platform == "win32", reason="uses resource limits")
def test_yaml_alias_bomb_is_a_fast_one_line_error(tmp_path):
    import resource

    folder = scan_folder(tmp_path, {".armlint.yaml": alias_bomb()})
    # The child's CPU time, not wall time: a bomb burns CPU, and a loaded CI machine only
    # stretches the wall clock (the 5 s timeout still catches a hang).
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    completed = subprocess.run(
        [sys.executable, "-m", "armlint", "check", "."],
        cwd=folder,
        capture_output=True,
        text=True,
        timeout=5,
        preexec_fn=limited_memory,
        check=False,
    )
    assert completed.returncode == 2, completed.stderr
    assert completed.stderr.count("\n") == 1 and "Traceback" not in completed.stderr
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    assert cpu < 2
