"""Bicep: tree-sitter loading, evaluation, extraction (-> VmRecord).

``load`` is the whole public interface. The implementation (and tree-sitter) is imported only
when it is called, so that ``import armlint.bicep`` costs nothing when only JSON is checked.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from armlint.model import DeploymentContext, LoadResult


def load(
    files: list[Path], *, explore: bool = True, deployment: DeploymentContext | None = None
) -> LoadResult:
    """Turn .bicep and .bicepparam files into VM records, load-time findings and notes.

    ``explore=False`` evaluates each @allowed parameter at its default only (one scenario).
    """
    from armlint.bicep.loader import load_files

    return load_files(files, explore_allowed=explore, deployment=deployment)


__all__ = ["load"]
