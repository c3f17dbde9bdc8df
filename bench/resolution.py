"""How many VM resources of the corpus armlint resolves, per input format.

A resource counts as resolved when, in every allowed-values choice armlint explores for it, its patch mode, automatic updates (Windows only), image and
api version (ARM and Bicep) or location (Terraform and Bicep) are known or platform defaults,
not unknown. Files with identical content are counted once (the corpus has near-duplicates).

Each format is measured twice: as the files stand, and with a deployment location given
(``--location``, which binds resourceGroup().location, deployment().location and Terraform
resource groups whose location the files leave unknown). For what stays unknown with a location
given, the most common reasons are listed.

Run: python bench/resolution.py [CORPUS] [--location REGION]
     (defaults: ../shared/corpus beside the repository, westeurope)
"""

from __future__ import annotations

import hashlib
import sys
from collections import defaultdict
from pathlib import Path

from armlint.model import DeploymentContext, Unknown
from armlint.pipeline import RunOptions, load_records

ROOT = Path(__file__).resolve().parent.parent
NEEDED = {
    "arm": ("patch_mode", "enable_automatic_updates", "image", "api_version"),
    "bicep": ("patch_mode", "enable_automatic_updates", "image", "api_version", "location"),
    "terraform": ("patch_mode", "enable_automatic_updates", "image", "location"),
    "plan": ("patch_mode", "enable_automatic_updates", "image", "location"),
}


def unresolved(record) -> list[str]:
    missing = []
    for name in NEEDED[record.format]:
        if name == "image":
            parts = ("image_publisher", "image_offer", "image_sku", "image_id")
            if any(isinstance(record.value(part), Unknown) for part in parts):
                missing.append("image")
        elif name == "enable_automatic_updates" and record.value("os") == "Linux":
            continue
        elif isinstance(record.value(name), Unknown):
            missing.append(name)
    return missing


def main() -> None:
    arguments = sys.argv[1:]
    location = "westeurope"
    if "--location" in arguments:
        at = arguments.index("--location")
        location = arguments[at + 1]
        del arguments[at : at + 2]
    corpus = Path(arguments[0]) if arguments else ROOT.parent / "shared" / "corpus"
    print(f"corpus: {corpus}  (resources counted once per distinct file content)")
    print("without a location:")
    measure(corpus, DeploymentContext(), reasons=False)
    print(f"with --location {location}:")
    measure(corpus, DeploymentContext(location=location), reasons=True)


def measure(corpus: Path, deployment: DeploymentContext, reasons: bool) -> None:
    options = RunOptions(paths=[str(corpus)], explore=True, deployment=deployment)
    result = load_records(options)
    seen_content: dict[str, str] = {}
    totals: dict[str, int] = defaultdict(int)
    resolved: dict[str, int] = defaultdict(int)
    why: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    because: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    resources: dict[tuple[str, str], list] = {}
    for record in result.records:
        digest = seen_content.setdefault(record.path, _digest(record.path))
        resources.setdefault((digest, record.identity), []).append(record)
    for scenarios in resources.values():
        fmt = scenarios[0].format
        totals[fmt] += 1
        missing = sorted({name for record in scenarios for name in unresolved(record)})
        if not missing:
            resolved[fmt] += 1
        for name in missing:
            why[fmt][name] += 1
            because[fmt][_reason(scenarios, name)] += 1
    for fmt in sorted(totals):
        share = 100.0 * resolved[fmt] / totals[fmt]
        reasons_text = ", ".join(f"{name} {count}" for name, count in sorted(why[fmt].items()))
        print(
            f"  {fmt:<10} {resolved[fmt]:4d} / {totals[fmt]:4d} resolved = {share:5.1f}%   unresolved: {reasons_text}"
        )
        if reasons and fmt in ("bicep", "terraform"):
            top = sorted(because[fmt].items(), key=lambda item: (-item[1], item[0]))[:30]
            for text, count in top:
                print(f"      {count:3d}  {text}")
    all_total, all_resolved = sum(totals.values()), sum(resolved.values())
    print(
        f"  {'all':<10} {all_resolved:4d} / {all_total:4d} resolved = {100.0 * all_resolved / max(all_total, 1):5.1f}%"
    )


def _reason(scenarios: list, name: str) -> str:
    """Why one needed value is unknown, shortened: the first Unknown's reason."""
    parts = (
        ("image_publisher", "image_offer", "image_sku", "image_id") if name == "image" else (name,)
    )
    for record in scenarios:
        for part in parts:
            value = record.value(part)
            if isinstance(value, Unknown):
                return f"{name}: {value.reason[:110]}"
    return name


def _digest(path: str) -> str:
    try:
        return hashlib.sha1(Path(path).read_bytes()).hexdigest()
    except OSError:
        return path


if __name__ == "__main__":
    main()
