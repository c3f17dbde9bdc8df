"""The data tables in rules/data/ and the lookups armlint.checks.tables answers from them."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from armlint.checks.tables import api_version_key, load_tables
from armlint.paths import rules_dir

WS = ("MicrosoftWindowsServer", "WindowsServer")


@pytest.fixture(scope="module")
def tables():
    return load_tables()


def test_every_image_name_loads_as_text():
    # YAML reads 7_9 as the number 79 and 8.1 as a float; each must be quoted in the file.
    images = yaml.safe_load(
        (Path(rules_dir()) / "data" / "images.yaml").read_text(encoding="utf-8")
    )
    for name, entries in images["lists"].items():
        for entry in entries:
            for value in (entry["publisher"], entry["offer"], *entry["skus"]):
                assert isinstance(value, str), (name, value)


@pytest.mark.parametrize(
    ("image", "status"),
    [
        ((*WS, "2022-datacenter-azure-edition"), "supported"),
        ((*WS, "2019-datacenter"), "supported"),  # the docs write 2019-Datacenter
        (("canonical", "UBUNTU-24_04-LTS", "Server"), "supported"),
        (("RedHat", "RHEL", "7_9"), "supported"),
        (("OpenLogic", "CentOS", "7_9"), "removed"),
        (("OpenLogic", "CentOS", "8_3"), "removed"),
        ((*WS, "2019-Datacenter-Server-Core"), "removed"),  # only in the 2020 preview
        (("Debian", "debian-12", "12-gen2"), "unsupported"),
        ((*WS, "2019-datacenter-core-smalldisk"), "unsupported"),
    ],
)
def test_image_status_in_the_current_profile(tables, image, status):
    assert tables.image_status(*image, "current") == status


def test_preview_2020_supports_exactly_the_seed_documents_five_skus(tables):
    skus = [
        "2012-R2-Datacenter",
        "2016-Datacenter",
        "2016-Datacenter-Server-Core",
        "2019-Datacenter",
        "2019-Datacenter-Server-Core",
    ]
    for sku in skus:
        assert tables.image_status(*WS, sku, "preview-2020") == "supported"
    assert (
        tables.image_status(*WS, "2022-datacenter-azure-edition", "preview-2020") == "unsupported"
    )
    assert tables.image_status("Canonical", "UbuntuServer", "18.04-LTS", "preview-2020") == (
        "unsupported"
    )


@pytest.mark.parametrize(
    ("sku", "hotpatchable"),
    [
        ("2022-datacenter-azure-edition-core", True),
        ("2022-DATACENTER-AZURE-EDITION-HOTPATCH", True),
        ("2025-datacenter-azure-edition", True),
        ("2022-datacenter-azure-edition", False),
        ("2019-Datacenter", False),
    ],
)
def test_hotpatchable_images(tables, sku, hotpatchable):
    assert tables.is_hotpatchable(*WS, sku, "current") is hotpatchable


def test_every_hotpatchable_image_is_supported(tables):
    for profile in ("current", "preview-2020"):
        lists = tables.images[profile]
        assert lists.hotpatchable <= lists.supported


def test_image_could_be_decides_from_the_known_parts(tables):
    assert not tables.image_could_be("supported", "OpenLogic", None, None, "current")
    assert tables.image_could_be("removed", "OpenLogic", None, None, "current")
    assert tables.image_could_be("supported", *WS, None, "current")
    assert not tables.image_could_be("hotpatchable", "Canonical", None, None, "current")


def test_api_versions_compare_by_date_with_previews_first():
    order = ["2015-06-15", "2016-03-30", "2016-04-30-preview", "2016-04-30", "2017-03-30"]
    assert sorted(reversed(order), key=api_version_key) == order
    assert api_version_key("latest") is None
    assert api_version_key(20210301) is None


@pytest.mark.parametrize(
    ("version", "is_vm"),
    [
        ("2024-07-01", True),
        ("2016-04-30-preview", True),
        ("2021-08-01", False),  # disks and galleries only
        ("2020-06-30", False),
        ("2024-07-10", False),
        ("latest", False),
    ],
)
def test_is_vm_api_version(tables, version, is_vm):
    assert tables.is_vm_api_version(version) is is_vm


def test_first_api_versions(tables):
    assert tables.first_api_version("patchMode", "Windows") == "2020-06-01"
    assert tables.first_api_version("patch_mode", "Linux") == "2020-12-01"
    assert tables.first_api_version("enableHotpatching", "Windows") == "2020-12-01"
    assert tables.first_api_version("enableHotpatching", "Linux") is None
    assert tables.first_api_version("assessmentMode", "Linux") == "2021-03-01"
    assert tables.first_api_version("rebootSetting", "Windows") == "2022-03-01"
    assert tables.first_api_version("bypass_platform_safety_checks", "Linux") == "2023-03-01"


def test_enum_values_depend_on_the_api_version_and_os(tables):
    assert tables.enum_values("patchMode", "2020-06-01", "Windows") == (
        "Manual",
        "AutomaticByOS",
        "AutomaticByPlatform",
    )
    assert tables.enum_values("patchMode", "2020-06-01", "Linux") == ()
    assert tables.enum_values("patchMode", "2020-12-01", "Linux") == (
        "ImageDefault",
        "AutomaticByPlatform",
    )
    assert set(tables.enum_values("patchMode")) == {
        "Manual",
        "AutomaticByOS",
        "AutomaticByPlatform",
        "ImageDefault",
    }
    assert tables.enum_values("rebootSetting", "2021-11-01") == ()
    assert tables.enum_values("enableHotpatching") == ()


def test_profiles_change_patch_modes_and_recommended_versions(tables):
    assert tables.patch_modes("Linux", "current") == ("ImageDefault", "AutomaticByPlatform")
    assert tables.patch_modes("Linux", "preview-2020") == ("ImageDefault",)
    assert tables.recommended_api_version("current") == "2021-03-01"
    assert tables.recommended_api_version("preview-2020") == "2020-06-01"


def test_azure_stack_profiles_map_to_vm_api_versions(tables):
    assert tables.compute_api_version_for("2019-03-01-hybrid") == "2017-12-01"
    assert tables.compute_api_version_for("2020-09-01-hybrid") == "2020-06-01"
    assert tables.compute_api_version_for("latest") is None
    for version in tables.compute_api_profiles.values():
        assert tables.is_vm_api_version(version)


def test_every_table_names_its_source():
    for name in ("images.yaml", "api_versions.yaml", "api_profiles.yaml"):
        head = (Path(rules_dir()) / "data" / name).read_text(encoding="utf-8")[:1500]
        assert "Source" in head and "http" in head, name
