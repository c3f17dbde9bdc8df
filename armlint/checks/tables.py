"""The data tables in rules/data/ and the questions rules ask of them.

The tables are the facts (image lists, api-versions, Azure Stack profiles), each naming its
source at the top of its file; this module only loads them and answers lookups, so updating
a list never needs a code change.
"""

from __future__ import annotations

import os
import re
from functools import cache

from armlint.paths import rules_dir

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing (start-up)
if TYPE_CHECKING:
    from typing import Any

IMAGE_SUPPORTED = "supported"
IMAGE_UNSUPPORTED = "unsupported"
IMAGE_REMOVED = "removed"

OS_NAMES = ("Windows", "Linux")

# Compiled at first use (_api_version_pattern): every check imports this module, and a
# Terraform check never reads an api-version; compiling it cost about 0.3 ms of start-up.
_API_VERSION: re.Pattern[str] | None = None


def _api_version_pattern() -> re.Pattern[str]:
    global _API_VERSION
    _API_VERSION = re.compile(r"^(\d{4})-(\d{2})-(\d{2})(-preview)?$", re.IGNORECASE)
    return _API_VERSION


def api_version_key(version: Any) -> tuple[int, int, int, int] | None:
    """A sortable key for an api-version, or None when it is not one.

    Api-versions compare by date; a preview sorts just before the stable version of the same
    date, so '2016-04-30-preview' lies between 2016-03-30 and 2017-03-30.
    """
    if not isinstance(version, str):
        return None
    match = (_API_VERSION or _api_version_pattern()).match(version.strip())
    if match is None:
        return None
    year, month, day, preview = match.groups()
    return int(year), int(month), int(day), 0 if preview else 1


def listed_api_version_key(version: str) -> tuple[int, int, int, int]:
    """The key of an api-version that rules/data lists (a first or a recommended version).

    Each such entry is an api-version; one that is not is a mistake in the data, raised here
    rather than compared as None.
    """
    key = api_version_key(version)
    if key is None:
        raise ValueError(f"rules/data lists {version!r} as an api-version; it is not one")
    return key


def _image_key(publisher: str, offer: str, sku: str) -> tuple[str, str, str]:
    # Case-insensitive: the docs themselves mix case (see the note in images.yaml).
    return publisher.lower(), offer.lower(), sku.lower()


def _expand(entries: list[dict]) -> frozenset[tuple[str, str, str]]:
    return frozenset(
        _image_key(entry["publisher"], entry["offer"], sku)
        for entry in entries
        for sku in entry["skus"]
    )


def _could_match(images: frozenset, publisher: Any, offer: Any, sku: Any) -> bool:
    """Whether some listed image fits the parts; a part that is not a string fits anything."""
    wanted = [part.lower() if isinstance(part, str) else None for part in (publisher, offer, sku)]
    return any(
        all(want is None or want == have for want, have in zip(wanted, image, strict=True))
        for image in images
    )


# Plain classes, not dataclasses: every check imports this module, and creating a dataclass
# costs about a millisecond of start-up.
class _ImageProfile:
    __slots__ = ("supported", "hotpatchable", "historical", "hotpatch_preview")

    def __init__(
        self,
        supported: frozenset,
        hotpatchable: frozenset,
        historical: frozenset,
        hotpatch_preview: frozenset = frozenset(),  # hotpatch-capable by name, not settled
    ) -> None:
        self.supported = supported
        self.hotpatchable = hotpatchable
        self.historical = historical
        self.hotpatch_preview = hotpatch_preview


class Tables:
    """Everything in rules/data/ that the checks consult, already indexed."""

    def __init__(
        self,
        *,
        images: dict[str, _ImageProfile],
        vm_api_versions: tuple[str, ...],
        vm_api_version_set: frozenset[str],
        properties: dict[str, dict],
        profile_settings: dict[str, dict],
        patch_mode_equivalents: dict[str, dict[str, str]],
        compute_api_profiles: dict[str, str],
        sources: dict[str, dict],
        terraform: dict,
    ) -> None:
        self.images = images
        self.vm_api_versions = vm_api_versions
        self.vm_api_version_set = vm_api_version_set  # lower case, for lookups
        self.properties = properties
        # Per armlint profile: recommended api-version, patch modes.
        self.profile_settings = profile_settings
        self.patch_mode_equivalents = patch_mode_equivalents
        self.compute_api_profiles = compute_api_profiles
        self.sources = sources
        self.terraform = terraform  # rules/data/terraform.yaml: azurerm behaviour by version

    # --- images -------------------------------------------------------------------------------

    def _image_profile(self, profile: str) -> _ImageProfile:
        return self.images.get(profile) or self.images["current"]

    def image_status(self, publisher: str, offer: str, sku: str, profile: str = "current") -> str:
        """'supported', 'unsupported', or 'removed' (was supported once, no longer listed)."""
        lists = self._image_profile(profile)
        key = _image_key(str(publisher), str(offer), str(sku))
        if key in lists.supported:
            return IMAGE_SUPPORTED
        if key in lists.historical:
            return IMAGE_REMOVED
        return IMAGE_UNSUPPORTED

    def is_hotpatchable(
        self, publisher: str, offer: str, sku: str, profile: str = "current"
    ) -> bool:
        key = _image_key(str(publisher), str(offer), str(sku))
        return key in self._image_profile(profile).hotpatchable

    def is_hotpatch_preview(self, publisher: str, offer: str, sku: str, profile: str) -> bool:
        key = _image_key(str(publisher), str(offer), str(sku))
        return key in self._image_profile(profile).hotpatch_preview

    def image_could_be(
        self, status: str, publisher: Any, offer: Any, sku: Any, profile: str
    ) -> bool:
        """Whether an image with unknown parts (non-strings) could have this status.

        Lets a rule decide without the unknown part when no listed image fits the known parts,
        e.g. any OpenLogic image is unsupported whatever its sku.
        """
        lists = self._image_profile(profile)
        if status == IMAGE_SUPPORTED:
            return _could_match(lists.supported, publisher, offer, sku)
        if status == IMAGE_REMOVED:
            return _could_match(lists.historical - lists.supported, publisher, offer, sku)
        if status == "hotpatchable":
            return _could_match(lists.hotpatchable, publisher, offer, sku)
        raise ValueError(f"unknown image status {status!r}")

    # --- api-versions and patch properties ----------------------------------------------------

    def is_vm_api_version(self, version: Any) -> bool:
        """True when Microsoft.Compute defines virtual machines in this api-version."""
        return isinstance(version, str) and version.strip().lower() in self.vm_api_version_set

    def property_name(self, name: str) -> str:
        """The schema property for a schema name or a fact name ('patch_mode' -> 'patchMode')."""
        if name in self.properties:
            return name
        for prop, entry in self.properties.items():
            if entry["fact"] == name:
                return prop
        raise KeyError(f"not a patch property: {name!r}")

    def first_api_version(self, prop: str, os: str) -> str | None:
        """The first api-version that defines the property for this OS; None when it never does."""
        return self.properties[self.property_name(prop)]["first"].get(os)

    def defined_in(self, prop: str, os: str, api_version: str) -> bool:
        first = self.first_api_version(prop, os)
        have = api_version_key(api_version)
        return first is not None and have is not None and have >= listed_api_version_key(first)

    def enum_values(
        self, prop: str, api_version: str | None = None, os: str | None = None
    ) -> tuple:
        """The values the schema allows for the property.

        With an api-version, only where that version defines the property (else ()); without an
        OS, the values any OS allows. Booleans and objects have no enum: ().
        """
        entry = self.properties[self.property_name(prop)]
        if not entry.get("enum"):
            return ()
        systems = [os] if os in OS_NAMES else list(entry["enum"])
        values: list[str] = []
        for system in systems:
            if api_version is not None and not self.defined_in(prop, system, api_version):
                continue
            values.extend(v for v in entry["enum"].get(system, ()) if v not in values)
        return tuple(values)

    def patch_modes(self, os: str, profile: str = "current") -> tuple[str, ...]:
        """The patchMode values valid for the OS under the profile."""
        override = self._profile_settings(profile).get("patch_modes")
        if override:
            return tuple(override.get(os, ()))
        return self.enum_values("patchMode", os=os)

    def recommended_api_version(self, profile: str = "current") -> str:
        return self._profile_settings(profile)["recommended_api_version"]

    def _profile_settings(self, profile: str) -> dict:
        return self.profile_settings.get(profile) or self.profile_settings["current"]

    # --- the azurerm provider (rules/data/terraform.yaml) ----------------------------------------

    def provider_patch_mode_default(self, resource_type: str, version: Any) -> dict | None:
        """The patch_mode_default row for a resource at a provider version (None: no row)."""
        key = provider_version_key(version) or self._newest_provider_version()
        for row in self.terraform["patch_mode_default"].get(resource_type, ()):
            if in_version_range(row, key):
                return row
        return None

    def _newest_provider_version(self) -> tuple[int, ...]:
        """The newest release terraform.yaml lists (assumed where no version is pinned)."""
        newest = self.terraform["releases"][-1]
        key = provider_version_key(newest)
        if key is None:
            raise ValueError(f"terraform.yaml lists {newest!r} as a release; it is not a version")
        return key

    def provider_argument_rows(self, resource_type: str) -> list[dict]:
        """The version-bound arguments of a resource type."""
        rows = []
        for row in self.terraform["arguments"]:
            types = row["resource"] if isinstance(row["resource"], list) else [row["resource"]]
            if resource_type in types:
                rows.append(row)
        return rows

    def argument_in_version(self, resource_type: str, names: tuple[str, ...], version: Any) -> str:
        """The first of ``names`` (spellings of one argument, newest first) that the azurerm
        ``version`` has; the first when the version is unknown (armlint assumes the newest)."""
        key = provider_version_key(version)
        if key is None:
            return names[0]
        rows = self.provider_argument_rows(resource_type)
        for name in names:
            if all(in_version_range(row, key) for row in rows if row["path"] == name):
                return name
        return names[0]

    def compute_api_version_for(self, api_profile: str) -> str | None:
        """The Microsoft.Compute api-version an Azure Stack API profile implies, if confirmed."""
        return self.compute_api_profiles.get(api_profile)


def provider_version_key(text: Any) -> tuple[int, ...] | None:
    """'4.42.0' -> (4, 42, 0); None for anything else."""
    match = re.fullmatch(r"v?(\d+)\.(\d+)\.(\d+)", str(text or "").strip())
    return tuple(int(part) for part in match.groups()) if match else None


def in_version_range(row: dict, version: tuple[int, ...]) -> bool:
    """A terraform.yaml row's `from` (inclusive) / `until` (exclusive) against a version."""
    start, end = provider_version_key(row.get("from")), provider_version_key(row.get("until"))
    return (start is None or version >= start) and (end is None or version < end)


def _read(name: str) -> Any:
    from armlint.datacache import load_yaml

    return load_yaml(os.path.join(rules_dir(), "data", name))


def _image_profiles(images: dict) -> dict[str, _ImageProfile]:
    lists = {name: _expand(entries) for name, entries in images["lists"].items()}

    def union(names: list[str]) -> frozenset:
        return frozenset().union(*(lists[name] for name in names))

    return {
        profile: _ImageProfile(
            supported=union(spec["supported"]),
            hotpatchable=union(spec["hotpatchable"]),
            historical=union(spec["historical"]),
            hotpatch_preview=union(spec.get("hotpatch_preview", [])),
        )
        for profile, spec in images["profiles"].items()
    }


@cache
def load_tables() -> Tables:
    """Read rules/data once per process."""
    images = _read("images.yaml")
    api = _read("api_versions.yaml")
    return Tables(
        images=_image_profiles(images),
        vm_api_versions=tuple(api["vm_api_versions"]),
        vm_api_version_set=frozenset(v.lower() for v in api["vm_api_versions"]),
        properties=api["properties"],
        profile_settings=api["profiles"],
        patch_mode_equivalents=api["patch_mode_equivalents"],
        compute_api_profiles=_read("api_profiles.yaml")["compute_api_version"],
        sources=_read("sources.yaml"),
        terraform=_read("terraform.yaml"),
    )
