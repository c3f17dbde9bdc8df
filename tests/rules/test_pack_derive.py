"""Derived facts: what the tables say about a facts view, and how unknowns pass through."""

from __future__ import annotations

import pytest

from armlint.checks.derive import derive
from armlint.checks.tables import load_tables
from armlint.model import Unknown

WINDOWS_IMAGE = {
    "image_publisher": "MicrosoftWindowsServer",
    "image_offer": "WindowsServer",
    "image_sku": "2022-datacenter-azure-edition",
}


def facts(view: dict, profile: str = "current") -> dict:
    return derive(view, profile, load_tables())


def test_nothing_to_derive_from_an_empty_view():
    assert facts({}) == {"image_kind": "none"}


def test_a_supported_marketplace_image():
    derived = facts(WINDOWS_IMAGE)
    assert derived == {
        "image_kind": "marketplace",
        "image_supported": True,
        "image_removed": False,
        "image_hotpatchable": False,
    }


def test_a_removed_image():
    derived = facts({"image_publisher": "OpenLogic", "image_offer": "CentOS", "image_sku": "7_9"})
    assert (derived["image_supported"], derived["image_removed"]) == (False, True)


def test_a_custom_image_is_neither_supported_nor_hotpatchable():
    derived = facts({"image_id": "/subscriptions/x/images/golden"})
    assert derived["image_kind"] == "custom"
    assert derived["image_supported"] is False
    assert derived["image_hotpatchable"] is False


def test_an_unknown_image_id_is_still_a_custom_image():
    assert facts({"image_id": Unknown("parameter")})["image_kind"] == "custom"


def test_an_unknown_sku_propagates_its_unknown():
    sku = Unknown("parameters('sku') has no value")
    derived = facts({**WINDOWS_IMAGE, "image_sku": sku})
    assert derived["image_supported"] is sku
    assert derived["image_hotpatchable"] is sku


def test_known_parts_decide_when_no_listed_image_fits_them():
    sku = Unknown("parameters('sku') has no value")
    derived = facts({"image_publisher": "Debian", "image_offer": "debian-12", "image_sku": sku})
    assert derived["image_supported"] is False
    assert derived["image_removed"] is False
    assert derived["image_hotpatchable"] is False


def test_a_missing_part_matches_no_listed_image():
    derived = facts({"image_publisher": "MicrosoftWindowsServer", "image_offer": "WindowsServer"})
    assert derived["image_supported"] is False


@pytest.mark.parametrize(
    ("view", "valid", "suggestion"),
    [
        ({"os": "Windows", "patch_mode": "AutomaticByPlatform"}, True, None),
        ({"os": "Windows", "patch_mode": "AutomaticByPlatfom"}, False, "AutomaticByPlatform"),
        ({"os": "Windows", "patch_mode": "automaticbyos"}, False, "AutomaticByOS"),
        ({"os": "Windows", "patch_mode": "ImageDefault"}, False, "AutomaticByOS"),
        (
            {"os": "Windows", "patch_mode": "ImageDefault", "enable_automatic_updates": False},
            False,
            "Manual",
        ),
        ({"os": "Linux", "patch_mode": "AutomaticByOS"}, False, "ImageDefault"),
        ({"os": "Linux", "patch_mode": "Manual"}, False, "ImageDefault"),
        ({"os": "Linux", "patch_mode": "ImageDefault"}, True, None),
        ({"os": "Linux", "patch_mode": "Nonsense"}, False, "ImageDefault"),
        ({"os": "Linux", "patch_mode": True}, False, "ImageDefault"),
    ],
)
def test_patch_mode_validity_and_suggestion(view, valid, suggestion):
    derived = facts(view)
    assert derived["patch_mode_valid"] is valid
    assert derived.get("patch_mode_suggestion") == suggestion


def test_an_unknown_os_leaves_only_os_specific_modes_undecided():
    os = Unknown("no windowsConfiguration, linuxConfiguration or osType")
    assert facts({"os": os, "patch_mode": "AutomaticByPlatform"})["patch_mode_valid"] is True
    assert facts({"os": os, "patch_mode": "Manual"})["patch_mode_valid"] is os
    assert facts({"os": os, "patch_mode": "AutomaticByPlatfom"})["patch_mode_valid"] is False


def test_an_unknown_patch_mode_propagates():
    mode = Unknown("parameters('patchMode') has no value")
    derived = facts({"os": "Windows", "patch_mode": mode})
    assert derived["patch_mode_valid"] is mode
    assert derived["patch_mode_suggestion"] is mode


def test_preview_2020_has_no_linux_patch_modes():
    derived = facts({"os": "Linux", "patch_mode": "AutomaticByPlatform"}, "preview-2020")
    assert derived["patch_mode_valid"] is False
    assert derived["patch_mode_suggestion"] == "ImageDefault"
    assert facts({"os": "Linux", "patch_mode": "ImageDefault"}, "preview-2020")["patch_mode_valid"]


@pytest.mark.parametrize(
    ("version", "is_vm", "recommended"),
    [
        ("2024-07-01", True, True),
        ("2021-03-01", True, True),
        ("2020-12-01", True, False),
        ("2016-04-30-preview", True, False),
        ("2021-08-01", False, True),
    ],
)
def test_api_version_facts(version, is_vm, recommended):
    derived = facts({"api_version": version})
    assert derived["api_version_is_vm"] is is_vm
    assert derived["api_version_recommended"] is recommended


def test_preview_2020_recommends_2020_06_01():
    assert facts({"api_version": "2020-06-01"}, "preview-2020")["api_version_recommended"] is True


def test_a_value_that_is_no_api_version_is_not_vm_and_has_no_recommendation():
    derived = facts({"api_version": "latest"})
    assert derived["api_version_is_vm"] is False
    assert "api_version_recommended" not in derived


def test_an_unknown_api_version_propagates():
    version = Unknown("apiProfile 'my-profile' is not a known Azure Stack profile")
    derived = facts({"api_version": version})
    assert derived["api_version_is_vm"] is version
    assert derived["api_version_recommended"] is version
