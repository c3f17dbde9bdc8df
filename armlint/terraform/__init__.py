"""Terraform: configuration (``.tf``, ``.tf.json``, tfvars) and ``terraform show -json`` plans.

Both produce the same ``VmRecord`` s as the ARM loader, so one rule pack checks every format.
The parser (python-hcl2 / lark) is imported only when a Terraform file is actually loaded.
"""

from __future__ import annotations

from pathlib import Path

from armlint.arm.kinds import is_plan
from armlint.model import DeploymentContext, LoadResult


def load(
    files: list[Path],
    var_files: list[Path] | tuple[Path, ...] = (),
    deployment: DeploymentContext | None = None,
) -> LoadResult:
    """Load .tf / .tf.json / .tfvars files: one directory is one module (see ``loader``)."""
    from armlint.terraform.loader import load as load_configuration

    return load_configuration(list(files), list(var_files), deployment)


def load_plan(path: Path) -> LoadResult:
    """Load the JSON of ``terraform show -json <planfile>``."""
    from armlint.terraform.plan import load_plan as load_plan_file

    return load_plan_file(Path(path))


__all__ = ["is_plan", "load", "load_plan"]
