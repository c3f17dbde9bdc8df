"""armlint works offline and never runs code from its input.

The commands run in-process with every way into the network replaced by one that
records the attempt and fails; the sources are searched for the calls that execute or
unpickle data.
"""

from __future__ import annotations

import io
import socket
import tokenize
from pathlib import Path

import pytest
from hardening_helpers import GOOD_TEMPLATE, ROOT, deployment, template

from armlint import cli

# One folder of each format, and one with linked templates (templateLink.uri).
CORPUS_SUBSET = [
    "Azure__AzureStack-QuickStart-Templates/101-vm-windows-create",
    "Azure__AzureStack-QuickStart-Templates/ethereum-consortium-blockchain-poa",
    "Azure__RDS-Templates/wvd-templates",
    "hashicorp__terraform-provider-azurerm/examples/virtual-machines/windows",
    "Azure__terraform-azurerm-virtual-machine",
    "Azure__ResourceModules/modules/compute/virtual-machine",
]
NETWORK_FUNCTIONS = ("create_connection", "getaddrinfo", "gethostbyname")


@pytest.fixture
def no_network(monkeypatch, tmp_path):
    """Every attempt to reach the network is recorded and fails (result cache in tmp_path)."""
    attempts: list[str] = []

    def refuse(name):
        def refused(*args, **kwargs):
            attempts.append(f"{name}{args!r}")
            raise OSError(f"armlint tried the network: socket.{name}")

        return refused

    class RefusedSocket(socket.socket):  # still a class: ssl subclasses socket.socket
        def __init__(self, *args, **kwargs):
            refuse("socket")(*args)

    monkeypatch.setattr(socket, "socket", RefusedSocket)
    for name in NETWORK_FUNCTIONS:
        monkeypatch.setattr(socket, name, refuse(name))
    monkeypatch.setenv("ARMLINT_CACHE_DIR", str(tmp_path / "cache"))
    return attempts


@pytest.fixture
def fixture_folder(tmp_path):
    """The good template and a template whose linked deployments point at URLs."""
    folder = tmp_path / "inputs"
    folder.mkdir()
    (folder / "good.json").write_bytes(GOOD_TEMPLATE.read_bytes())
    links = [
        deployment('"templateLink": {"uri": "https://example.com/vm.json"}', '"remote"'),
        deployment(
            '"templateLink": {"uri": "[uri(deployment().properties.templateLink.uri, \'nested/vm.json\')]"}',
            '"relative-uri"',
        ),
    ]
    (folder / "linked.json").write_text(template("[" + ", ".join(links) + "]"), encoding="utf-8")
    (folder / "main.tf").write_text(
        'module "vm" {\n  source = "git::https://example.com/vm.git"\n}\n'
        'module "registry" {\n  source = "Azure/avm-res-compute-virtualmachine/azurerm"\n}\n',
        encoding="utf-8",
    )
    (folder / "main.bicep").write_text(
        "module vm 'br/public:avm/res/compute/virtual-machine:0.1.0' = {\n  name: 'vm'\n}\n",
        encoding="utf-8",
    )
    return folder


def inputs(fixture_folder: Path, corpus: Path) -> list[str]:
    return [str(fixture_folder), *(str(corpus / folder) for folder in CORPUS_SUBSET)]


@pytest.mark.parametrize(
    "command",
    [
        ["check", "--format", "json", "--no-cache", "--jobs", "1"],
        ["check", "--format", "sarif", "--jobs", "1"],  # with the result cache
        ["plan", "--format", "json"],
        ["inventory", "--format", "csv"],
    ],
    ids=["check", "check-cached", "plan", "inventory"],
)
@pytest.mark.corpus
def test_commands_never_use_the_network(command, no_network, fixture_folder, corpus_dir, capsys):
    code = cli.main([*command, *inputs(fixture_folder, corpus_dir)])
    captured = capsys.readouterr()
    assert code in (0, 1), captured.err
    assert no_network == []
    assert "Traceback" not in captured.err and "internal error" not in captured.out


def test_linked_uris_are_reported_as_not_fetched(no_network, fixture_folder, capsys):
    cli.main(["check", "--show-unknown", "--no-cache", "--jobs", "1", str(fixture_folder)])
    output = capsys.readouterr().out
    assert "linked template https://example.com/vm.json is not fetched" in output
    assert no_network == []


def test_the_guard_catches_a_real_attempt(no_network):
    import urllib.request

    with pytest.raises(OSError):
        urllib.request.urlopen("http://192.0.2.1/template.json", timeout=1)
    assert no_network


# -- no code execution from data --------------------------------------------------------------

FORBIDDEN_CALLS = {"eval", "exec"}
FORBIDDEN_MODULES = {"pickle", "cPickle", "_pickle", "marshal", "shelve", "dill"}
UNSAFE_YAML = {"load", "load_all", "unsafe_load", "unsafe_load_all", "full_load", "full_load_all"}


def code_tokens(path: Path) -> list[tokenize.TokenInfo]:
    """The file's tokens without comments and strings: 'pickle' in a comment is no use of it."""
    text = path.read_text(encoding="utf-8")
    skipped = {tokenize.COMMENT, tokenize.STRING, tokenize.NL, tokenize.NEWLINE}
    skipped |= {getattr(tokenize, name) for name in ("FSTRING_MIDDLE",) if hasattr(tokenize, name)}
    return [
        t for t in tokenize.generate_tokens(io.StringIO(text).readline) if t.type not in skipped
    ]


def forbidden_uses(path: Path) -> list[str]:
    tokens = code_tokens(path)
    found = []
    for index, token in enumerate(tokens):
        before = tokens[index - 1].string if index else ""
        after = tokens[index + 1].string if index + 1 < len(tokens) else ""
        where = f"{path.name}:{token.start[0]}"
        if token.string in FORBIDDEN_CALLS and after == "(" and before not in (".", "def"):
            found.append(f"{where}: {token.string}(")
        if token.type == tokenize.NAME and token.string in FORBIDDEN_MODULES:
            found.append(f"{where}: {token.string}")
        if token.string == "yaml" and after == "." and index + 2 < len(tokens):
            member = tokens[index + 2].string
            if member in UNSAFE_YAML or member in ("Loader", "UnsafeLoader", "FullLoader"):
                found.append(f"{where}: yaml.{member}")
    return found


def test_sources_never_eval_exec_unpickle_or_load_unsafe_yaml():
    sources = sorted((ROOT / "armlint").rglob("*.py"))
    assert len(sources) > 50
    found = [use for path in sources for use in forbidden_uses(path)]
    assert found == []


def test_the_source_search_finds_what_it_looks_for(tmp_path):
    sample = tmp_path / "sample.py"
    lines = ["import pickle", "eval('1')", "yaml.load(text)", "yaml.safe_load(text)"]
    lines += ["# eval( and marshal in a comment", "x = 'exec(' ", "node._eval(1)", "exec (code)"]
    sample.write_text("\n".join(lines) + "\n", encoding="utf-8")
    found = [use.split(": ", 1)[1] for use in forbidden_uses(sample)]
    assert found == ["pickle", "eval(", "yaml.load", "exec("]
