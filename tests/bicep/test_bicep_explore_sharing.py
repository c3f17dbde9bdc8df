"""Exploration of @allowed values re-evaluates only what a choice changes (bicep/reads.py).

Each test loads the same sources twice: sharing the evaluation across combinations and
evaluating every combination whole (``share=False``, the reference); the records must be the
same, facts, positions, traces and scenarios included. The sources make a choice reach the VM
in each way that must invalidate a cached value: a variable, a parameter default, a module
parameter, a module condition, a resource loop, an output and a resource name.
"""

from __future__ import annotations

from pathlib import Path

from armlint.bicep.loader import load_files
from armlint.bicep.reads import Memo, Reads
from armlint.bicep.template import Template

MAIN = """\
@allowed([
  'Windows'
  'Linux'
])
param osKind string = 'Windows'

@allowed([
  'AutomaticByPlatform'
  'Manual'
])
param mode string = 'AutomaticByPlatform'

@allowed([
  1
  2
])
param count int = 1

param modeCopy string = mode

var windowsConfig = {
  enableAutomaticUpdates: modeCopy == 'Manual' ? false : true
  patchSettings: {
    patchMode: modeCopy
  }
}
var linuxConfig = {
  patchSettings: {
    patchMode: 'ImageDefault'
  }
}
var unrelated = {
  tags: [for i in range(0, 20): 'tag${i}']
}

module vmModule 'vm.bicep' = if (osKind == 'Windows') {
  name: 'vm-module'
  params: {
    patchMode: mode
    names: unrelated.tags
  }
}

resource vms 'Microsoft.Compute/virtualMachines@2023-03-01' = [for i in range(0, count): {
  name: '${vmModule.outputs.prefix}-${i}'
  location: 'westeurope'
  properties: {
    osProfile: osKind == 'Windows' ? {
      windowsConfiguration: windowsConfig
    } : {
      linuxConfiguration: linuxConfig
    }
    storageProfile: {
      imageReference: {
        publisher: osKind == 'Windows' ? 'MicrosoftWindowsServer' : 'Canonical'
        offer: 'offer'
        sku: 'sku'
      }
    }
  }
}]
"""

MODULE = """\
param patchMode string
param names array

output prefix string = 'vm-${patchMode}'

resource vm 'Microsoft.Compute/virtualMachines@2023-03-01' = {
  name: 'module-vm-${length(names)}'
  location: 'westeurope'
  properties: {
    osProfile: {
      windowsConfiguration: {
        patchSettings: {
          patchMode: patchMode
        }
      }
    }
  }
}
"""


def _write(folder: Path) -> list[Path]:
    (folder / "main.bicep").write_text(MAIN, encoding="utf-8")
    (folder / "vm.bicep").write_text(MODULE, encoding="utf-8")
    return [folder / "main.bicep", folder / "vm.bicep"]


def _described(records) -> list[tuple]:
    """Everything a record says, in a comparable form."""
    return [
        (
            record.address,
            record.name,
            record.scenario,
            record.location,
            tuple(
                (name, repr(fact.value), fact.location, fact.source, fact.trace)
                for name, fact in sorted(record.facts.items())
            ),
        )
        for record in records
    ]


def test_shared_exploration_gives_the_records_of_whole_evaluations(tmp_path):
    files = _write(tmp_path)
    shared = load_files(files).records
    whole = load_files(files, share=False).records
    assert _described(shared) == _described(whole)
    # not a vacuous comparison: every way a choice reaches a VM changed something
    by_scenario = {(r.name, r.scenario): r.fact("patch_mode").value for r in shared}
    names = {name for name, _ in by_scenario}
    assert {"vm-AutomaticByPlatform-0", "vm-Manual-0", "vm-Manual-1"} <= names  # loop, output
    assert "module-vm-20" in names  # module parameter through a variable
    modes = {value for (name, _), value in by_scenario.items() if not name.startswith("module")}
    assert {"AutomaticByPlatform", "Manual", "ImageDefault"} <= modes  # var, default, ternary
    updates = {r.fact("enable_automatic_updates").value for r in shared if r.name.startswith("vm-")}
    assert updates == {True, False}  # a conditional in a variable
    linux = [r for r in shared if r.fact("os").value == "Linux"]
    assert len(linux) == 3  # count 1 and 2; the names are unknown without the module's output
    assert all(r.name == "vms" for r in linux)
    assert not any(
        r.name.startswith("module-vm") and dict(r.scenario).get("osKind") == "Linux" for r in shared
    )  # the module's condition


def test_shared_exploration_evaluates_an_unrelated_variable_once(tmp_path, monkeypatch):
    files = _write(tmp_path)
    counts: dict[tuple[bool, str], int] = {}
    original = Template._var_value

    def counting(self, name):
        key = (sharing, name)
        counts[key] = counts.get(key, 0) + 1
        return original(self, name)

    monkeypatch.setattr(Template, "_var_value", counting)
    for sharing in (True, False):
        load_files(files, share=sharing)
    combinations = counts[(False, "unrelated")]
    assert combinations >= 4  # once per combination that deploys the module, unshared
    assert counts[(True, "unrelated")] == 1
    assert counts[(True, "windowsConfig")] >= 2  # it reads the mode choice: again when it changes


def test_a_memo_entry_is_dropped_only_when_a_choice_it_read_changes():
    reads = Reads()
    memo = Memo(reads)
    calls: list[str] = []

    def reading(key, value):
        def compute():
            calls.append(value)
            reads.read(key)
            return value

        return compute

    outer_calls: list[str] = []

    def outer():
        outer_calls.append("outer")
        return memo.get("inner", reading(("f", "a"), "inner"))

    assert memo.get("outer", outer) == "inner"
    assert memo.get("other", reading(("f", "b"), "other")) == "other"
    reads.invalidate({("f", "b")})
    memo.get("outer", outer)
    memo.get("other", reading(("f", "b"), "other"))
    assert (calls, outer_calls) == (["inner", "other", "other"], ["outer"])
    reads.invalidate({("f", "a")})  # read by inner, and so by outer which reused it
    memo.get("outer", outer)
    assert (calls[-1], outer_calls) == ("inner", ["outer", "outer"])


def test_a_value_that_met_itself_is_computed_again_for_every_combination():
    reads = Reads()
    memo = Memo(reads)
    calls: list[int] = []

    def looping():
        calls.append(1)
        return memo.get("self", looping, lambda: "cycle")

    assert memo.get("self", looping, lambda: "cycle") == "cycle"
    assert memo.get("self", looping, lambda: "cycle") == "cycle"
    assert len(calls) == 1
    reads.invalidate(set())
    memo.get("self", looping, lambda: "cycle")
    assert len(calls) == 2
