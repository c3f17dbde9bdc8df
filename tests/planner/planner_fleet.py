"""Builders for planner tests: VmRecords made directly, as the loaders would make them."""

from __future__ import annotations

from typing import Any

from armlint.model import Fact, Location, VmRecord

LINUX_IMAGE = {
    "image_publisher": "Canonical",
    "image_offer": "0001-com-ubuntu-server-jammy",
    "image_sku": "22_04-lts-gen2",
}

PATCHED = {
    "os": "Linux",
    "patch_mode": "AutomaticByPlatform",
    "provision_vm_agent": True,
    **LINUX_IMAGE,
}


def vm(
    name: str,
    line: int = 1,
    *,
    kind: str = "vm",
    group: str = "",
    index: int | None = None,
    path: str = "fleet.json",
    **facts: Any,
) -> VmRecord:
    """A record at ``path:line``; facts default to a patched Linux VM, None drops a fact."""
    values = {**PATCHED, **facts}
    located = {
        fact: Fact(value, Location(path, line + offset + 1, 7), "literal")
        for offset, (fact, value) in enumerate(values.items())
        if value is not None
    }
    resource_type = (
        "Microsoft.Compute/virtualMachineScaleSets"
        if kind == "vmss"
        else "Microsoft.Compute/virtualMachines"
    )
    return VmRecord(
        path=path,
        format="arm",
        kind=kind,
        resource_type=resource_type,
        name=name,
        location=Location(path, line, 5),
        facts=located,
        address=f"{resource_type}/{name}",
        group=group,
        index=index,
    )


def supported(_record: VmRecord) -> bool:
    return True


def batch_of(plan_dict: dict, vm_name: str) -> dict:
    [batch] = [b for b in plan_dict["batches"] if vm_name in b["vms"]]
    return batch
