"""The cheap Bicep pre-pass against the token-by-token reference, and module paths resolved
once per load (the two costs issue 16 names for Bicep besides exploration)."""

from __future__ import annotations

from pathlib import Path

import pytest

from armlint.bicep import loader
from armlint.bicep.compat import rewrite

# Inside brackets the pre-pass only looks at strings, comments, brackets, '...' and '!'.
NESTED = [
    "var o = {\n  ...base\n  b: [\n    ...list\n    1\n  ]\n}\n",
    "var a = x.y!.z\nvar b = { c: f(x)!.d, e: arr[0]!, g: 1 != 2, h: 'a' =~ 'b' }\n",
    "var n = { a: 5!, b: x1!, c: 1ab!, d: 'q'!, e: (x) ! }\n",
    "var s = { u: 'http://x/y', v: '''\n//not a comment\n''', w: '${ a }/${'${b}/c'}' }\n",
    "var c = {\n  // a 'quote' and a { brace\n  /* ] ) } */ a: 1 # x\n  #disable-next-line no-unused ' [\n  b: 2\n}\n",
    "var i = '${ {a: [ 1, ...x ]} }'\nparam p resourceInput<'x@1'>.properties = { a: 1 }\n",
    "type t = {\n  @description('x')\n  a: string?\n}\nvar after = [1, 2]\n",
    "resource r 'x@1' = {\n  name: 'n'\n  properties: { a: r2!.id }\n}\noutput o string = r.name\n",
    "var unbalanced = { a: [ 1 }\n]\nvar next = 1\n",
    "var open = { a: 'unterminated\n}\n",
    "var deep = ((((x!))))\n",
]


def fields(text: bytes, **options):
    result = rewrite(text, **options)
    return (
        result.data,
        result.spreads,
        result.param_assignments,
        result.type_texts,
        result.imported,
    )


@pytest.mark.parametrize("text", NESTED)
def test_the_skimming_pre_pass_equals_the_token_by_token_one(text):
    data = text.encode()
    assert fields(data) == fields(data, skim=False)


def test_rewrites_inside_brackets_still_happen():
    text = NESTED[0]
    result = rewrite(text.encode())
    assert result.spreads == {text.index("...base"), text.index("...list")}
    assert b"__:base" in result.data
    data = rewrite(b"var b = { c: f(x)!.d, e: 1 != 2 }\n").data
    assert data == b"var b = { c: f(x) .d, e: 1 != 2 }\n"


@pytest.mark.corpus
def test_every_corpus_bicep_file_gets_the_reference_rewrite(corpus_dir):
    files = sorted(p for p in corpus_dir.rglob("*") if p.suffix in (".bicep", ".bicepparam"))
    assert len(files) > 100
    for path in files:
        data = path.read_bytes()
        param_file = path.suffix == ".bicepparam"
        assert fields(data, param_file=param_file) == fields(
            data, param_file=param_file, skim=False
        ), path


def test_a_module_path_is_resolved_once_per_load(tmp_path, monkeypatch):
    (tmp_path / "mod.bicep").write_text("param n string\n", encoding="utf-8")
    main = tmp_path / "main.bicep"
    main.write_text(
        "module m './mod.bicep' = [for i in range(0, 4): {\n"
        "  name: 'm${i}'\n  params: { n: 'x' }\n}]\n",
        encoding="utf-8",
    )
    calls: list[Path] = []
    real = loader._resolved

    def counting(path: Path) -> Path:
        calls.append(path)
        return real(path)

    monkeypatch.setattr(loader, "_resolved", counting)
    result = loader.load_files([main])
    assert not result.findings
    assert len(calls) == len(set(calls)) == 2  # main.bicep and ./mod.bicep, once each
