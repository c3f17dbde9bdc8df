"""Terraform: configuration (``.tf``, ``.tf.json``, tfvars) and ``terraform show -json`` plans.

Both produce the same ``VmRecord`` s as the ARM loader, so one rule pack checks every format.
The parser (python-hcl2 / lark) is imported only when a Terraform file is actually loaded.
"""

from __future__ import annotations

from pathlib import Path

from armlint.model import DeploymentContext, LoadResult


def load(
    files: list[Path], var_files: list[Path] = (), deployment: DeploymentContext | None = None
) -> LoadResult:
    """Load .tf / .tf.json / .tfvars files: one directory is one module (see ``loader``)."""
    from armlint.terraform.loader import load as load_configuration

    return load_configuration(list(files), list(var_files), deployment)


def load_plan(path: Path) -> LoadResult:
    """Load the JSON of ``terraform show -json <planfile>``."""
    from armlint.terraform.plan import load_plan as load_plan_file

    return load_plan_file(Path(path))


def is_plan(data: dict) -> bool:
    """True for ``terraform show -json`` output: ``format_version`` and resource changes/values."""
    return (
        isinstance(data, dict)
        and "format_version" in data
        and ("resource_changes" in data or "planned_values" in data)
    )


__all__ = ["is_plan", "load", "load_plan"]
