"""Every file a unit's result depends on besides the unit's own files is a dependency of its
cache entry, and of the record of the whole run (armlint/run/replay.py): a Bicep module or
``using`` target outside the unit (another folder, excluded, or not there yet), a Terraform
root module's ``.terraform.lock.hcl`` (there or not), an ARM linked template reached through a
symlinked folder that is retargeted. After each change a cached run gives what a run without
any cache gives, and the record is not replayed."""

import os
import time
from pathlib import Path

import pytest

from armlint.run import cache_pack, pipeline, replay
from armlint.run.pipeline import RunOptions, check_unit, run_check
from tests.hardening.hardening_helpers import deployment, template, windows_vm
from tests.pipeline.test_replay import armlint, records

ROOT = Path(__file__).resolve().parents[2]
BICEP_VM = (ROOT / "examples" / "bicep" / "main.bicep").read_text(encoding="utf-8")
LOCK = 'provider "registry.terraform.io/hashicorp/azurerm" {\n  version = "%s"\n}\n'
# automatic_updates_enabled came to scale sets in a later azurerm than 4.41 or 4.42: with
# either locked it is AZP111 naming the version, without a lock file (the newest) nothing.
TERRAFORM_VMSS = (ROOT / "tests/fixtures/terraform/rules/AZP111_bad/main.tf").read_text("utf-8")


@pytest.fixture
def top(tmp_path, monkeypatch):
    """An empty repository, the current folder, with a private cache; files count as settled
    as soon as they are older than the run (as in test_replay.py)."""
    monkeypatch.setenv("ARMLINT_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.delenv("ARMLINT_DEBUG", raising=False)
    repo = tmp_path / "repo"
    (repo / ".git").mkdir(parents=True)
    monkeypatch.chdir(repo)
    monkeypatch.setattr(cache_pack, "SETTLED_NS", 0)
    return repo


def write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


def outcome(folder: str, cache: bool) -> tuple[list[dict], list[str]]:
    result = run_check(RunOptions(paths=[folder], cache=cache, show_unknown=True))
    return [finding.to_dict() for finding in result.findings], result.notes


# -- the three places: (the folder checked, make the files, change what the result rests on)


def bicep_module(top: Path) -> None:
    """bicep/main.bicep calls a module in another folder, outside the files checked."""
    write(top / "bicep" / "main.bicep", "module vm '../mods/vm.bicep' = {\n  name: 'vm'\n}\n")
    write(top / "mods" / "vm.bicep", BICEP_VM)


def edit_bicep_module(top: Path) -> None:
    path = top / "mods" / "vm.bicep"
    text = path.read_text(encoding="utf-8")
    changed = text.replace("patchMode: 'AutomaticByPlatform'", "patchMode: 'Manual'")
    assert changed != text
    path.write_text(changed, encoding="utf-8")


def bicep_module_not_there(top: Path) -> None:
    """Its folder is there (a new folder would change the stamp of the walked one above)."""
    write(top / "bicep" / "main.bicep", "module vm '../mods/vm.bicep' = {\n  name: 'vm'\n}\n")
    (top / "mods").mkdir()


def create_bicep_module(top: Path) -> None:
    write(top / "mods" / "vm.bicep", BICEP_VM)


def bicep_using(top: Path) -> None:
    """A parameter file in another folder than the template it names by ``using``."""
    write(top / "bicep" / "main.bicepparam", "using '../mods/vm.bicep'\n")
    write(top / "mods" / "vm.bicep", BICEP_VM)


def terraform_without_lock(top: Path) -> None:
    write(top / "tf" / "main.tf", TERRAFORM_VMSS)


def create_lock(top: Path) -> None:
    write(top / "tf" / ".terraform.lock.hcl", LOCK % "4.41.0")


def terraform_with_lock(top: Path) -> None:
    terraform_without_lock(top)
    create_lock(top)


def edit_lock(top: Path) -> None:
    write(top / "tf" / ".terraform.lock.hcl", "# upgraded\n" + LOCK % "4.42.0")


def remove_lock(top: Path) -> None:
    (top / "tf" / ".terraform.lock.hcl").unlink()


def arm_linked_through_symlink(top: Path) -> None:
    """arm/main.json links vendor/current/linked.json; current is a symlink to v1."""
    link = deployment('"templateLink": {"relativePath": "vendor/current/linked.json"}')
    write(top / "arm" / "main.json", template(f"[{link}]"))
    write(top / "arm" / "vendor" / "v1" / "linked.json", template(f"[{windows_vm()}]"))
    automatic = windows_vm(patch_mode='"AutomaticByPlatform"', name='"good-vm"')
    write(top / "arm" / "vendor" / "v2" / "linked.json", template(f"[{automatic}]"))
    os.symlink("v1", top / "arm" / "vendor" / "current")


def retarget_symlink(top: Path) -> None:
    """``ln -sfn v2 vendor/current``: a new link put in place of the old one."""
    vendor = top / "arm" / "vendor"
    os.symlink("v2", vendor / "current.new")
    os.replace(vendor / "current.new", vendor / "current")


def arm_linked_outside_the_tree(top: Path) -> None:
    """The same, but current points outside the folder checked: the template is not read."""
    arm_linked_through_symlink(top)
    write(top / "outside" / "linked.json", template(f"[{windows_vm()}]"))
    (top / "arm" / "vendor" / "current").unlink()
    os.symlink(top / "outside", top / "arm" / "vendor" / "current")


CHANGES = {
    "bicep-module-edited": ("bicep", bicep_module, edit_bicep_module),
    "bicep-module-created": ("bicep", bicep_module_not_there, create_bicep_module),
    "bicep-using-target-edited": ("bicep", bicep_using, edit_bicep_module),
    "terraform-lock-created": ("tf", terraform_without_lock, create_lock),
    "terraform-lock-edited": ("tf", terraform_with_lock, edit_lock),
    "terraform-lock-removed": ("tf", terraform_with_lock, remove_lock),
    "arm-symlink-retargeted": ("arm", arm_linked_through_symlink, retarget_symlink),
    "arm-symlink-retargeted-into-the-tree": ("arm", arm_linked_outside_the_tree, retarget_symlink),
}


@pytest.mark.parametrize("change", CHANGES.values(), ids=CHANGES.keys())
def test_a_cached_result_follows_what_the_unit_read_besides_its_files(top, change):
    folder, make, edit = change
    make(top)
    before = outcome(folder, cache=True)
    assert outcome(folder, cache=True) == before  # stored, and served unchanged
    edit(top)
    after = outcome(folder, cache=True)
    assert after == outcome(folder, cache=False)
    assert after != before  # the change matters to the result


@pytest.mark.parametrize("change", CHANGES.values(), ids=CHANGES.keys())
def test_the_record_of_the_run_is_not_replayed_after_the_change(top, monkeypatch, capsys, change):
    folder, make, edit = change
    make(top)
    check = ("check", folder, "--format", "json", "--jobs", "1")
    first = armlint(monkeypatch, capsys, *check)
    if records(top):  # a symlink met in the walk: no record (the run is checked each time)
        assert armlint(monkeypatch, capsys, *check) == (*first[:2], False)  # replayed
    edit(top)
    code, out, ran = armlint(monkeypatch, capsys, *check)
    assert ran and out != first[1]
    fresh = armlint(monkeypatch, capsys, *check, "--no-cache")
    assert (code, out) == fresh[:2]


def test_a_root_module_without_a_lock_file_is_served_from_the_cache(top, monkeypatch, capsys):
    """Its lock file is a dependency that must stay absent: the entry holds, and so does the
    record of the run, which lists the lock file among the paths that must not exist."""
    terraform_without_lock(top)
    first = outcome("tf", cache=True)
    checked = []
    original = pipeline.check_unit
    monkeypatch.setattr(
        pipeline, "check_unit", lambda *args: checked.append(args) or original(*args)
    )
    assert outcome("tf", cache=True) == first
    assert checked == [], "the second run should not check the unit again"
    check = ("check", "tf", "--format", "json", "--jobs", "1")
    recorded = armlint(monkeypatch, capsys, *check)
    assert records(top)
    assert armlint(monkeypatch, capsys, *check) == (*recorded[:2], False)
    assert b"tf/.terraform.lock.hcl\n" in records(top)[0].read_bytes()


def test_a_dependency_found_absent_and_stamped_in_one_run_is_not_recorded(top):
    """It came or went while the run used it: the record could hold either state."""
    lock = "tf/.terraform.lock.hcl"
    basis = replay.Basis()
    basis.saw({lock: (1, 2, 3, 0, 0)}, [lock])
    assert replay.record(replay.Invocation(["check", "tf"]), basis, "", 0) == (
        f"{lock} changed during the run"
    )
    assert not records(top)


def test_a_dependency_that_is_a_fifo_is_still_refused(top):
    """Absent is not 'not a regular file': an entry naming a FIFO it cannot read is kept
    with that said and not used, as before absent dependencies were kept."""
    link = deployment('"templateLink": {"relativePath": "sub/linked.json"}')
    write(top / "arm" / "main.json", template(f"[{link}]"))
    (top / "arm" / "sub").mkdir()
    os.mkfifo(top / "arm" / "sub" / "linked.json")
    options = RunOptions(paths=["arm"], cache=True, note_cache_misses=True)
    first = run_check(options)
    again = run_check(options)
    assert [f.to_dict() for f in again.findings] == [f.to_dict() for f in first.findings]
    assert any("names a dependency that was not a regular file" in n for n in again.notes)


# -- found by the second review (session 12) ----------------------------------------------


@pytest.mark.parametrize("change", [*CHANGES.values(), None], ids=[*CHANGES.keys(), "none"])
def test_a_dependency_changed_while_the_run_goes_on_is_not_stored(top, monkeypatch, change):
    """The entry's dependency digests are taken when it is stored, after the unit was
    checked: a change in between would pair this result with other content. The unit keeps
    its dependencies' stamps (and their folders') from right after its load, refused when
    younger than the racy margin before the load began; the entry is stored only if they
    still hold, so the next run checks the unit again. Files must be older than the margin
    here: half a second (file times are coarser than the clock the run starts by)."""
    folder, make, edit = change or CHANGES["terraform-lock-edited"]
    make(top)
    monkeypatch.setattr(cache_pack, "SETTLED_NS", 500_000_000)
    time.sleep(0.6)
    original = pipeline._load_unit

    def load_then_change(unit, options):
        loaded = original(unit, options)
        if change is not None:
            edit(top)  # after the loader read it, before the entry is stored
        return loaded

    monkeypatch.setattr(pipeline, "_load_unit", load_then_change)
    outcome(folder, cache=True)
    monkeypatch.setattr(pipeline, "_load_unit", original)
    checked = []
    monkeypatch.setattr(
        pipeline, "check_unit", lambda *args: checked.append(args) or check_unit(*args)
    )
    cached = outcome(folder, cache=True)
    assert bool(checked) == (change is not None)  # unchanged: stored and served
    assert cached == outcome(folder, cache=False)


def test_a_dependency_younger_than_the_racy_margin_is_not_stored(top, monkeypatch):
    """Written within SETTLED_NS of the load, it could change again in the same clock tick
    without new times: the entry is not stored."""
    terraform_with_lock(top)
    monkeypatch.setattr(cache_pack, "SETTLED_NS", 3_000_000_000)
    outcome("tf", cache=True)
    checked = []
    original = pipeline.check_unit
    monkeypatch.setattr(
        pipeline, "check_unit", lambda *args: checked.append(args) or original(*args)
    )
    outcome("tf", cache=True)
    assert checked, "the unit should be checked again: its entry was not stored"


def test_a_lock_file_that_is_a_fifo_is_refused_not_waited_on(top):
    terraform_without_lock(top)
    os.mkfifo(top / "tf" / ".terraform.lock.hcl")
    assert outcome("tf", cache=True) == outcome("tf", cache=False)  # returns: no hang


def test_a_linked_template_name_too_long_for_the_system_is_a_finding(top):
    """ENAMETOOLONG from Path.exists (Python 3.11) was an internal error."""
    link = deployment('"templateLink": {"relativePath": "%s.json"}' % ("x" * 300))
    write(top / "arm" / "main.json", template(f"[{link}]"))
    findings, notes = outcome("arm", cache=False)
    assert not any("internal error" in note for note in notes)
    assert any("does not exist" in finding["message"] for finding in findings)
