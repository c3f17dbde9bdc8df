"""The whole check on damaged real templates: corpus files (ARM templates with their parameter
files, Terraform, Bicep) with bytes flipped, the end cut off or lines deleted, then checked and
reported in-process. No exception may leave ``run_check`` or a report (at the command line
that would be the exit code 3 traceback), every file is accounted for, and no file is marked as
an internal error. 150 examples in the test suite (see fuzz_settings); bench/fuzz.py runs more.
"""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

import pytest
from hardening_helpers import fuzz_settings
from hypothesis import given
from hypothesis import strategies as st

from armlint.report import ReportOptions, render
from armlint.run.pipeline import RunOptions, run_check

STACK = "Azure__AzureStack-QuickStart-Templates"
AZURERM = "hashicorp__terraform-provider-azurerm/examples"
BICEP_SAMPLES = "Azure__bicep/src/Bicep.Core.Samples/Files/user_submitted/201"
# Small files that hold VMs, with the quirks the corpus notes name: parameter files, the
# upstream-invalid file, tabs, a BOM, apiProfile, symbolic names, patch settings in Terraform
# and Bicep. Each group is copied into one folder; one of its files is damaged.
GROUPS = [
    (
        f"{STACK}/101-vm-windows-create/azuredeploy.json",
        f"{STACK}/101-vm-windows-create/azuredeploy.parameters.json",
    ),
    (f"{STACK}/101-vm-linux-create-passwordfromkv/azuredeploy.json",),
    (f"{STACK}/ethereum-consortium-blockchain-poa/common/nested/vmss.json",),
    (f"{STACK}/sample-hybrid-application/Hybrid-Deployment/Hybrid-AzureStack/azuredeploy.json",),
    (f"{BICEP_SAMPLES}/1vm-2nics-2subnets-1vnet/vm.symbolicnames.json",),
    (f"{AZURERM}/orchestrated-vm-scale-set/automatic-vm-guest-patching/main.tf",),
    (
        f"{AZURERM}/virtual-machines/windows/hotpatching-enabled/main.tf",
        f"{AZURERM}/virtual-machines/windows/hotpatching-enabled/variables.tf",
    ),
    (f"{BICEP_SAMPLES}/vm-windows10-with-nvidia-gpu-extension-and-condition/main.bicep",),
    ("Azure__ResourceModules/modules/compute/virtual-machine/tests/e2e/windows/main.test.bicep",),
]

pytestmark = [pytest.mark.corpus, pytest.mark.slow]

FLIPS = st.lists(
    st.tuples(st.integers(min_value=0), st.integers(min_value=1, max_value=255)),
    min_size=1,
    max_size=8,
)
MUTATIONS = (
    st.tuples(st.just("flip"), FLIPS)
    | st.tuples(st.just("truncate"), st.floats(min_value=0, max_value=1))
    | st.tuples(st.just("delete-lines"), st.lists(st.integers(min_value=0), min_size=1, max_size=3))
)


def mutated(data: bytes, mutation) -> bytes:
    kind, detail = mutation
    if kind == "flip":
        damaged = bytearray(data)
        for position, mask in detail:
            if damaged:
                damaged[position % len(damaged)] ^= mask
        return bytes(damaged)
    if kind == "truncate":
        return data[: int(len(data) * detail)]
    lines = data.splitlines(keepends=True)
    for index in detail:
        if lines:
            del lines[index % len(lines)]
    return b"".join(lines)


def check_damaged(corpus: Path, group: tuple[str, ...], victim: int, mutation) -> None:
    folder = Path(tempfile.mkdtemp(prefix="armlint-fuzz-"))
    try:
        for index, relative in enumerate(group):
            data = (corpus / relative).read_bytes()
            if index == victim % len(group):
                data = mutated(data, mutation)
            (folder / Path(relative).name).write_bytes(data)
        result = run_check(RunOptions(paths=[str(folder)], show_unknown=True))
        for fmt in ("json", "text", "sarif"):
            render(fmt, result, ReportOptions(show_unknown=True, tool_version="fuzz"))
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    assert len(result.files) == len(group), result.files
    for report in result.files:
        assert "internal error" not in report.reason, report
    assert not [note for note in result.notes if "internal error" in note], result.notes


@fuzz_settings(150, share=0.05)
@given(st.sampled_from(GROUPS), st.integers(min_value=0, max_value=1), MUTATIONS)
def test_damaged_corpus_files_are_reported_not_crashed_on(corpus_dir, group, victim, mutation):
    check_damaged(corpus_dir, group, victim, mutation)


def test_the_chosen_corpus_files_exist(corpus_dir):
    missing = [path for group in GROUPS for path in group if not (corpus_dir / path).is_file()]
    assert missing == []
