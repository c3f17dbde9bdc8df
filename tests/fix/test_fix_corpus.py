"""--fix --unsafe-fixes on the real corpus (../shared/corpus, copied, never edited): every fixed
file still parses, the fixed findings are gone, no finding is added, and a second run changes
nothing. The fixes are read from the corpus snapshot (tests/corpus/snapshot.json, which its own
test keeps equal to a real run); the folders holding fixable files are copied whole (parameter
files and linked templates beside them; for a Terraform child module, the root that calls it)
and fixed: a folder without a fix in the snapshot has nothing --fix would change."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest

from armlint.cli import main

CORPUS = Path(__file__).resolve().parents[2].parent / "shared" / "corpus"

pytestmark = pytest.mark.skipif(
    not CORPUS.is_dir() and not os.environ.get("CI"), reason=f"no corpus at {CORPUS}"
)


def check_json(folder: Path, capsys, monkeypatch) -> list[dict]:
    monkeypatch.chdir(folder)
    main(["check", ".", "--format", "json"])
    return json.loads(capsys.readouterr().out)["findings"]


def keys(findings) -> set[tuple[str, str, str]]:
    return {(f["path"], f["rule"], f["resource"]) for f in findings}


def _checked_folder(path: Path) -> Path:
    """The file's folder, or the root module above its modules/ folder (a child module is
    evaluated with the arguments its root gives it)."""
    parts = path.parent.parts
    if "modules" in parts:
        return Path(*parts[: len(parts) - 1 - parts[::-1].index("modules")])
    return path.parent


def test_fixing_the_corpus_is_clean_and_idempotent(tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("ARMLINT_CACHE_DIR", str(tmp_path / "cache"))
    snapshot_file = Path(__file__).resolve().parents[1] / "corpus" / "snapshot.json"
    snapshot = json.loads(snapshot_file.read_text(encoding="utf-8"))
    fixable = [f for f in snapshot["findings"] if "fix" in f]
    assert {f["rule"] for f in fixable} >= {"AZP108", "AZP111"}, (
        "the corpus has fixable findings (AZP108 in sample-hybrid-application, AZP111 in the"
        " azurerm provider's vm-joined-to-active-directory example)"
    )
    work = tmp_path / "corpus"
    for folder in sorted({str(_checked_folder(Path(f["path"]))) for f in fixable}):
        shutil.copytree(CORPUS / folder, work / folder, dirs_exist_ok=True)
    before = check_json(work, capsys, monkeypatch)
    assert keys(fixable) <= keys(before), "the copies give the fixable findings"
    monkeypatch.chdir(work)
    main(["check", ".", "--fix", "--unsafe-fixes"])
    capsys.readouterr()
    after = check_json(work, capsys, monkeypatch)
    broken = keys(f for f in after if f["rule"] == "AZP001")
    assert broken <= keys(f for f in before if f["rule"] == "AZP001"), "fixed files still parse"
    assert keys(after) <= keys(before), "no finding is added"
    assert not [f for f in after if "fix" in f], "every fix was applied"
    assert keys(after) == keys(before) - keys(fixable)
    fixed = {p: p.read_bytes() for p in work.rglob("*") if p.is_file()}
    main(["check", ".", "--fix", "--unsafe-fixes"])
    assert {p: p.read_bytes() for p in work.rglob("*") if p.is_file()} == fixed
