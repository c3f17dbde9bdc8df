"""What keeps a Bicep check cheap after parsing (issue 16): no cyclic garbage left by a load,
each step of the facts' property paths taken once, syntax read once per node, the pre-pass
passing over what needs nothing. The records themselves are compared with the reference
evaluation in test_bicep_explore_sharing.py and on the corpus by the snapshot test."""

from __future__ import annotations

import gc
from pathlib import Path

from armlint.bicep import compat, extract, program, records, template
from armlint.bicep.loader import load_files
from armlint.bicep.syntax import parse_file

MAIN = """\
@allowed([
  'AutomaticByPlatform'
  'Manual'
])
param mode string = 'AutomaticByPlatform'

var settings = {
  patchMode: mode
  assessmentMode: 'ImageDefault'
}

module names 'names.bicep' = [for i in range(0, 3): {
  name: 'names-${i}'
  params: { index: i }
}]

resource vm 'Microsoft.Compute/virtualMachines@2023-03-01' = {
  name: names[0].outputs.name
  location: 'westeurope'
  properties: {
    osProfile: {
      windowsConfiguration: {
        enableAutomaticUpdates: mode == 'Manual' ? false : true
        patchSettings: settings
      }
    }
  }
}

resource health 'Microsoft.Compute/virtualMachines/extensions@2023-03-01' = {
  parent: vm
  name: 'health'
  properties: {
    type: 'ApplicationHealthWindows'
  }
}
"""

NAMES = """\
param index int
output name string = 'vm-${index}'
"""


def _write(folder: Path) -> list[Path]:
    (folder / "main.bicep").write_text(MAIN, encoding="utf-8")
    (folder / "names.bicep").write_text(NAMES, encoding="utf-8")
    return [folder / "main.bicep", folder / "names.bicep"]


def test_a_load_leaves_no_cyclic_garbage(tmp_path):
    """Templates and their caches refer to each other; the load empties the caches when the
    records are made, so all of it is freed at once instead of by the cyclic collector."""
    files = _write(tmp_path)
    gc.collect()
    result = load_files(files)  # two combinations of 'mode', three module instances
    assert len(result.records) == 2
    assert gc.collect() == 0


def test_each_step_of_a_property_path_is_taken_once(tmp_path, monkeypatch):
    files = _write(tmp_path)
    taken: list[str] = []
    real = extract.BicepNode._child

    def counting(self, key):
        taken.append(key)
        return real(self, key)

    monkeypatch.setattr(extract.BicepNode, "_child", counting)
    load_files(files)
    assert taken.count("properties") < len(taken) / 4  # read once per body, not once per fact
    assert "patchMode" in taken


def test_a_body_is_read_once_for_its_properties(tmp_path, monkeypatch):
    """The extension asks its 'parent' and the VM its 'name' in every combination."""
    files = _write(tmp_path)
    bodies: list[int] = []
    real = template._property_nodes

    def counting(body, owner):
        bodies.append(body.start_byte)
        return real(body, owner)

    monkeypatch.setattr(template, "_property_nodes", counting)
    load_files(files)
    assert bodies and len(bodies) == len(set(bodies))


def test_a_module_file_is_made_once_for_all_instances_and_combinations(tmp_path, monkeypatch):
    files = _write(tmp_path)
    shown: list[str] = []

    def counting(text):
        shown.append(text)
        return Path(text)

    monkeypatch.setattr(template, "Path", counting)  # how template.py names a module's file
    result = load_files(files)
    assert {record.name for record in result.records} == {"vm-0"}
    assert len(shown) == 1  # not once per instance (3) and combination (2)


def test_an_object_written_out_is_read_once_for_its_members(tmp_path, monkeypatch):
    files = _write(tmp_path)
    read: list[int] = []
    real = program._written_members

    def counting(node, source):
        read.append(node.start_byte)
        return real(node, source)

    monkeypatch.setattr(program, "_written_members", counting)
    load_files(files)
    settings = MAIN.index("{\n  patchMode")  # evaluated once per combination
    assert read.count(settings) == 1


def test_locations_need_no_line_table(tmp_path):
    path = tmp_path / "a.bicep"
    text = "var a = 'x'\n// é\nvar b = 'é' \nvar c = 1\n"
    source = parse_file(path, path.name, text.encode())
    declarations = [n for n in source.root.named_children if n.type == "variable_declaration"]
    values = [node.named_children[-1] for node in declarations]
    where = [source.location(value) for value in values]
    assert [(w.line, w.column, w.end_column) for w in where] == [(1, 9, 12), (3, 9, 12), (4, 9, 10)]
    assert source._line_starts is None
    assert source.location(values[1]) is where[1]  # made once per place


def test_the_skimming_pre_pass_passes_over_strings_that_need_nothing(monkeypatch):
    strings: list[int] = []
    real = compat._Scanner._string

    def counting(self, pos):
        strings.append(pos)
        return real(self, pos)

    monkeypatch.setattr(compat._Scanner, "_string", counting)
    text = b"var o = {\n  a: 'plain'\n  b: 'x/y'\n  c: '${d}'\n  ...e\n}\n"
    result = compat.rewrite(text)
    assert result.spreads == {text.index(b"...")}
    assert b"'x_y'" in result.data
    # only the string with a '/' to hide and the interpolated one were read byte by byte
    assert [text[pos : pos + 2] for pos in strings] == [b"'x", b"'$"]


def test_the_resources_around_are_collected_again_only_when_a_choice_changes_them(
    tmp_path, monkeypatch
):
    files = _write(tmp_path)
    collected: list[str] = []
    real = records.collect

    def counting(root):
        collected.append(root.address)
        return real(root)

    monkeypatch.setattr(records, "collect", counting)
    result = load_files(files)
    assert len(result.records) == 2  # 'mode' changes the VM's facts, not which resources exist
    assert len(collected) == 1


def test_an_extension_type_is_read_once_for_a_vm_across_combinations(tmp_path, monkeypatch):
    files = _write(tmp_path)
    read: list[str] = []
    real = records._read_extension_type

    def counting(candidate, reading):
        read.append(candidate.decl.symbolic)
        return real(candidate, reading)

    monkeypatch.setattr(records, "_read_extension_type", counting)
    result = load_files(files)
    assert [record.facts["health_extension"].value for record in result.records] == [True, True]
    assert read == ["health"]  # the VM's record is made again for 'Manual', the type is not read
