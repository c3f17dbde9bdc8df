"""Where a value that a fix changes is written, when it is not written at the property.

A fact's trace names what the value came through, outermost first: ``parameters('mode')
(vm.json:5)`` then ``defaultValue``, ``var.patch_mode (main.tf:1)`` then ``set in
terraform.tfvars:1``, ``param mode (main.bicep:1)``, ``variables('mode') (vm.json:5)``,
``local.patch_mode (main.tf:2)``. A value that came straight from one definition (a trace of one
step, or a parameter and the default or the parameter file that set it) is edited where it is
written, provided that place holds a plain literal equal to the value the checks saw. Anything
longer (a variable built from a parameter, an allowed-value choice, a module argument) gets no
fix: the edit would be a guess.

``Definition.uses`` counts the references to the name in the files that can refer to it, so
that a fix is safe only when every one of them wants the same new value (armlint.fix.propose).
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from armlint.fix import edits
from armlint.model import Fact, TextEdit, VmRecord

# A step that names a definition: its kind, its name, and the file and line it is declared at.
_NAMED = re.compile(
    r"^(?:(?P<arm>parameters|variables)\('(?P<arm_name>[^']+)'\)"
    r"|(?P<bicep>param|var) (?P<bicep_name>\w+)"
    r"|(?P<tf>var|local)\.(?P<tf_name>\w+))"
    r" \((?P<file>[^():]+):(?P<line>\d+)\)$"
)
_SET_IN = re.compile(r"^set in (?P<file>[^():]+):(?P<line>\d+)$")
# A literal a fix can replace: a string without escapes or interpolation, a boolean, a number.
_DECLARATION_CHARS = 4096
_LITERAL = re.compile(r"""(?:"[^"\\\n$]*"|'[^'\\\n$]*'|(?:true|false|-?\d+)(?![\w.]))""")


@dataclass(frozen=True, slots=True)
class Definition:
    """The literal to replace and how many references the defined name has."""

    path: str
    start: int
    end: int
    text: str  # the file's whole text
    uses: int


@dataclass(frozen=True, slots=True)
class _Step:
    kind: str  # 'parameters' | 'variables' | 'param' | 'var' | 'var.' | 'local.'
    name: str
    file: str
    line: int


def definition(
    record: VmRecord, fact: Fact, read: Callable[[str], str | None]
) -> Definition | None:
    """The definition that gave ``fact`` its value, when one literal did."""
    if not fact.trace or len(fact.trace) > 2:
        return None
    step = _named_step(fact.trace[0])
    if step is None or not _written_as_reference(fact, step, read):
        return None
    # An ARM parameter says "defaultValue"; a Bicep param or Terraform variable default, a
    # variable or a local is the one step itself.
    declared = fact.trace[1:] == (("defaultValue",) if step.kind == "parameters" else ())
    if declared:
        found = _at_declaration(record, step, read)
    elif len(fact.trace) == 2 and (given := _SET_IN.match(fact.trace[1])):
        found = _in_parameter_file(record, step, given.group("file"), int(given["line"]), read)
    else:
        return None
    if found is None or _literal_value(found.text[found.start : found.end]) != fact.value:
        return None  # not the plain literal the checks read: no edit
    return found


def _written_as_reference(fact: Fact, step: _Step, read) -> bool:
    """Whether the property is written as the bare reference to the definition: the value did
    not pass through a function or another variable that the trace may leave out."""
    if fact.location is None:
        return False
    text = read(fact.location.path)
    if text is None:
        return False
    start, end = edits.span_of(text, fact.location)
    written = text[start:end].strip()
    name = re.escape(step.name)
    reference = {
        "parameters": rf"""["']\[\s*parameters\(\s*'{name}'\s*\)\s*\]["']""",
        "variables": rf"""["']\[\s*variables\(\s*'{name}'\s*\)\s*\]["']""",
        "param": name,
        "var": name,
        "var.": rf"var\.{name}",
        "local.": rf"local\.{name}",
    }[step.kind]
    flags = re.IGNORECASE if step.kind in ("parameters", "variables") else 0  # ARM ignores case
    return re.fullmatch(reference, written, flags) is not None


def _named_step(step: str) -> _Step | None:
    match = _NAMED.match(step)
    if match is None:
        return None
    line = int(match["line"])
    if match["arm"]:
        return _Step(match["arm"], match["arm_name"], match["file"], line)
    if match["bicep"]:
        return _Step(match["bicep"], match["bicep_name"], match["file"], line)
    return _Step(match["tf"] + ".", match["tf_name"], match["file"], line)


def _at_declaration(record: VmRecord, step: _Step, read) -> Definition | None:
    """A parameter default, a variable, a Bicep param default, a Terraform variable default or
    local, in the template or module that declares it."""
    path = _beside(record.path, step.file)
    text = read(path) if path else None
    if path is None or text is None:
        return None
    name = re.escape(step.name)
    after_key = {
        "parameters": rf'"{name}"\s*:\s*\{{[^{{}}]*?"defaultValue"\s*:\s*',
        "variables": rf'"{name}"\s*:\s*',
        "param": rf"\bparam\s+{name}\s+[^=\n]+=\s*",
        "var": rf"\bvar\s+{name}\s*=\s*",
        "var.": rf'\bvariable\s+"{name}"\s*\{{[^{{}}]*?\bdefault\s*=\s*',
        "local.": rf"\b{name}\s*=\s*",
    }[step.kind]
    span = _literal_after(text, step.line, after_key)
    if span is None:
        return None
    return Definition(path, *span, text, _uses(record, step, path, text, read))


def _in_parameter_file(record: VmRecord, step: _Step, file: str, line: int, read):
    """A value an ARM parameter file, a .bicepparam or a .tfvars file sets."""
    path = _parameter_file_path(record, file)
    text = read(path) if path else None
    if path is None or text is None:
        return None
    name = re.escape(step.name)
    if path.endswith(".json"):
        after_key = rf'"{name}"\s*:\s*\{{[^{{}}]*?"value"\s*:\s*'
    elif path.endswith(".bicepparam"):
        after_key = rf"\bparam\s+{name}\s*=\s*"
    else:
        after_key = rf"^[ \t]*{name}\s*=\s*"
    span = _literal_after(text, line, after_key)
    if span is None:
        return None
    template_text = read(record.path) or ""
    return Definition(path, *span, text, _uses(record, step, record.path, template_text, read))


def _literal_after(text: str, line: int, after_key: str) -> tuple[int, int] | None:
    """The literal that follows ``after_key`` matched on line ``line`` (1-based)."""
    starts = edits.line_starts(text)
    if not 1 <= line <= len(starts):
        return None
    line_end = text.find("\n", starts[line - 1])
    line_end = len(text) if line_end == -1 else line_end
    # A declaration spans a few lines: the search stops well before the end of a large file.
    stop = min(len(text), line_end + _DECLARATION_CHARS)
    key = re.compile(after_key, re.IGNORECASE | re.MULTILINE).search(text, starts[line - 1], stop)
    if key is None or key.start() > line_end:
        return None  # the key is not on the declared line: not the definition the trace named
    literal = _LITERAL.match(text, key.end())
    if literal is None:
        return None
    return literal.span()


def _literal_value(written: str) -> Any:
    if written in ("true", "false"):
        return written == "true"
    if written[:1] in "\"'":
        return written[1:-1]
    return int(written)


def _uses(record: VmRecord, step: _Step, path: str, text: str, read) -> int:
    """References to the name where it can be referred to: the template (ARM, Bicep) or every
    .tf file of the module folder (Terraform)."""
    name = re.escape(step.name)
    if step.kind in ("parameters", "variables"):
        return len(re.findall(rf"\b{step.kind}\(\s*'{name}'\s*\)", text, re.IGNORECASE))
    if step.kind in ("param", "var"):
        # Every mention but the declaration and property keys (`patchMode: patchMode`).
        mentions = re.findall(rf"^[ \t]*{name}[ \t]*:|\b{name}\b", text, re.MULTILINE)
        return sum(1 for m in mentions if not m.rstrip().endswith(":")) - 1
    folder = os.path.dirname(record.path) or "."
    reference = re.compile(rf"\b{re.escape(step.kind)}{name}\b")
    total = 0
    for file_name in sorted(os.listdir(folder)):
        if file_name.endswith(".tf"):
            total += len(reference.findall(read(os.path.join(folder, file_name)) or ""))
    return total


def _beside(path: str, file: str) -> str | None:
    """``file`` (a name from a trace) in the folder of ``path``."""
    folder = os.path.dirname(path)
    candidate = os.path.join(folder, file) if folder else file
    return candidate if os.path.isfile(candidate) else None


def _parameter_file_path(record: VmRecord, file: str) -> str | None:
    if record.parameter_file and os.path.basename(record.parameter_file) == file:
        return record.parameter_file if os.path.isfile(record.parameter_file) else None
    for folder in (record.root_module, os.path.dirname(record.path)):
        if folder and os.path.isfile(os.path.join(folder, file)):
            return os.path.normpath(os.path.join(folder, file))  # 'x.tfvars', not './x.tfvars'

    return _beside(record.path, file)


def definition_edit(found: Definition, value: Any) -> TextEdit:
    """Replace the defining literal with ``value`` as that file's language writes it."""
    like = found.text[found.start : found.end]
    file_format = "bicep" if found.path.endswith((".bicep", ".bicepparam")) else "arm"
    if found.path.endswith((".tf", ".tfvars")):
        file_format = "terraform"
    new_text = edits.literal(value, file_format, like=like)
    return edits.edit(found.path, found.text, found.start, found.end, new_text)
