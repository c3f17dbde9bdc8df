"""``kind_of_name`` decides by the last extensions with look-ups (issue 16): it must give the
kind the suffix tests it replaced gave, for every name."""

from hypothesis import given
from hypothesis import strategies as st

from armlint.run.discover import kind_of_name

EXAMPLE_SUFFIXES = (".tfvars.sample", ".tfvars.example")
READ_SUFFIXES = (*EXAMPLE_SUFFIXES, ".json", ".jsonc", ".tf", ".tfvars", ".bicep", ".bicepparam")


def kind_by_suffixes(name: str) -> str | None:
    """The suffix tests ``kind_of_name`` made before (session 10)."""
    name = name.lower()
    if not name.endswith(READ_SUFFIXES):
        return None
    if name.endswith(EXAMPLE_SUFFIXES):
        return "example"
    if name.endswith(".tf.json"):
        return "terraform"
    if name.endswith((".tfvars", ".tfvars.json")):
        return "tfvars"
    if name.endswith((".json", ".jsonc")):
        return "json"
    if name.endswith(".tf"):
        return "terraform"
    if name.endswith(".bicepparam"):
        return "bicepparam"
    if name.endswith(".bicep"):
        return "bicep"
    return None


PARTS = ["", ".", "a", "json", "JSON", "jsonc", "tf", "TF", "tfvars", "bicep", "bicepparam"]
PARTS += ["sample", "example", "parameters", "x.y", "auto"]


@given(st.lists(st.sampled_from(PARTS), max_size=5), st.sampled_from(["", ".", ".."]))
def test_kind_of_name_gives_what_the_suffix_tests_gave(parts: list[str], start: str) -> None:
    for separator in (".", ""):
        name = start + separator.join(parts)
        assert kind_of_name(name) == kind_by_suffixes(name), name


def test_kinds_of_common_names() -> None:
    cases = {
        "azuredeploy.json": "json",
        "Main.JSONC": "json",
        "x.tfvars.jsonc": "json",
        "main.tf.json": "terraform",
        "prod.tfvars.json": "tfvars",
        "prod.tfvars": "tfvars",
        "main.tf": "terraform",
        "prod.tfvars.sample": "example",
        "x.sample": None,
        "main.bicep": "bicep",
        "main.bicepparam": "bicepparam",
        "json": None,
        ".json": "json",
        "tf.json": "json",
        "README.md": None,
    }
    for name, kind in cases.items():
        assert kind_of_name(name) == kind, name


@given(st.text(alphabet="aJ.tfvsonixmplbce", max_size=20))
def test_kind_of_any_name(name: str) -> None:
    assert kind_of_name(name) == kind_by_suffixes(name)
