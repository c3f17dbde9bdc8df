"""The real-world corpus (../shared/corpus beside the repository): every file accounted for,
no traceback, and AZP001 only for the one file that is really invalid JSON upstream."""

import json
from pathlib import Path

import pytest

INVALID = (
    "Azure__AzureStack-QuickStart-Templates/101-vm-linux-create-passwordfromkv/azuredeploy.json"
)

pytestmark = pytest.mark.corpus


@pytest.fixture(scope="module")
def corpus_run(corpus_check):
    return corpus_check  # tests/corpus/conftest.py


def manifest_paths(corpus_dir: Path) -> set[str]:
    rows = (corpus_dir / "MANIFEST.tsv").read_text(encoding="utf-8").splitlines()[1:]
    return {f"{row.split(chr(9))[0]}/{row.split(chr(9))[2]}" for row in rows if row.strip()}


def test_runs_without_a_traceback(corpus_run):
    assert corpus_run.returncode in (0, 1), corpus_run.stderr
    assert "Traceback" not in corpus_run.stderr
    assert "internal error" not in corpus_run.stderr


def test_accounts_for_every_corpus_file(corpus_run, corpus_dir):
    report = json.loads(corpus_run.stdout)
    assert report["summary"]["files"]["total"] == 883
    assert len(manifest_paths(corpus_dir)) == 883
    assert not [note for note in report["notes"] if "internal error" in note]


def test_azp001_only_for_the_one_invalid_upstream_file(corpus_run):
    report = json.loads(corpus_run.stdout)
    parse_errors = [f for f in report["findings"] if f["rule"] == "AZP001"]
    assert len(parse_errors) == 1
    (finding,) = parse_errors
    assert finding["path"].replace("\\", "/").endswith(INVALID)
    assert (finding["line"], finding["column"]) == (22, 5)  # the "}" after a trailing comma
