"""The rule pack is read from one JSON copy of all its YAML files (armlint/datacache.py): one
read per run instead of a path resolution and a read per rule file (issue 16, start-up). The
copy must give what the YAML says, follow an edit at once, and never serve another set of
files' data."""

from __future__ import annotations

import json
import os
from pathlib import Path

import yaml

from armlint.datacache import load_yaml, load_yaml_files

RULE = "id: AZP900\nname: {name}\nseverity: warning\nsummary: a test rule\n"


def _rules(folder, names):
    folder.mkdir(exist_ok=True)
    paths = []
    for number, name in enumerate(names):
        path = folder / f"AZP90{number}.yaml"
        path.write_text(RULE.format(name=name), encoding="utf-8")
        paths.append(path)
    return paths


def _copies(cache):
    return sorted((cache / "data").glob("*.json"))


def test_the_copy_gives_what_the_yaml_says_and_is_read_back(tmp_path, monkeypatch):
    monkeypatch.setenv("ARMLINT_CACHE_DIR", str(tmp_path / "cache"))
    paths = _rules(tmp_path / "rules", ["first", "second"])
    expected = [yaml.safe_load(path.read_text(encoding="utf-8")) for path in paths]
    assert load_yaml_files(paths) == expected
    (copy,) = _copies(tmp_path / "cache")
    assert json.loads(copy.read_text(encoding="utf-8"))["data"] == expected
    # The second call is served by the copy: proven by a copy whose data was changed.
    stored = json.loads(copy.read_text(encoding="utf-8"))
    stored["data"][0]["name"] = "from the copy"
    copy.write_text(json.dumps(stored), encoding="utf-8")
    assert load_yaml_files(paths)[0]["name"] == "from the copy"
    assert load_yaml(paths[1]) == expected[1]


def test_an_edited_rule_file_takes_effect_at_once(tmp_path, monkeypatch):
    monkeypatch.setenv("ARMLINT_CACHE_DIR", str(tmp_path / "cache"))
    paths = _rules(tmp_path / "rules", ["first", "second"])
    load_yaml_files(paths)
    paths[1].write_text(RULE.format(name="edited"), encoding="utf-8")
    os.utime(paths[1], ns=(1, 1))  # a new modification time even on a coarse clock
    assert load_yaml_files(paths)[1]["name"] == "edited"


def test_a_copy_made_for_other_files_is_not_served(tmp_path, monkeypatch):
    """The copy's name is only a CRC of the files' stamp: a copy under that name whose stamp
    differs (a clash, or a folder moved) is parsed again, never trusted."""
    monkeypatch.setenv("ARMLINT_CACHE_DIR", str(tmp_path / "cache"))
    paths = _rules(tmp_path / "rules", ["first"])
    load_yaml_files(paths)
    (copy,) = _copies(tmp_path / "cache")
    copy.write_text(json.dumps({"stamp": "other files", "data": [{"name": "wrong"}]}))
    assert load_yaml_files(paths)[0]["name"] == "first"


def test_the_pack_loads_through_one_copy_and_its_docs_through_another(tmp_path, monkeypatch):
    """A check reads the copy without the rules' docs text (62% of the pack's copy, shown only
    by `armlint rules` and SARIF); the docs are read from their own copy when asked."""
    from armlint.checks.pack import load_pack
    from armlint.paths import rules_dir

    monkeypatch.setenv("ARMLINT_CACHE_DIR", str(tmp_path / "cache"))
    folder = Path(rules_dir())  # text since session 9 (s9-nopath)
    load_pack.__wrapped__(folder)  # not the cached pack of this test process: writes the copies
    docs_copy, rules_copy = _copies(tmp_path / "cache")
    assert docs_copy.name.endswith("-docs.json") and rules_copy.name.endswith("-without-docs.json")
    assert not any("docs" in rule for rule in json.loads(rules_copy.read_text("utf-8"))["data"])
    docs_copy.unlink()
    pack = load_pack.__wrapped__(folder)
    assert len(pack.rules) == len(list(folder.glob("AZP*.yaml")))
    assert _copies(tmp_path / "cache") == [rules_copy]  # the docs were neither read nor parsed
    assert pack.infos(docs=False)["AZP101"].docs == ""
    expected = yaml.safe_load((folder / "AZP101.yaml").read_text(encoding="utf-8"))["docs"]
    assert pack.docs("AZP101") == expected == pack.infos()["AZP101"].docs
