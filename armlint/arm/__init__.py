"""ARM JSON: a position-keeping loader, the template language, evaluation and extraction.

``load`` is the format's public interface, as ``armlint.terraform.load`` and
``armlint.bicep.load`` are; ``armlint.arm.kinds`` tells the JSON file kinds apart. The
implementation is imported only when it is called.
"""

from __future__ import annotations

import gc
from collections.abc import Sequence

# The files named as str(Path(...)) named them. At module level: it is light, and the import
# statement in ``load`` cost about 8,000 instructions a unit (issue 16).
from armlint.paths import path_text

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing (start-up)
if TYPE_CHECKING:
    from pathlib import Path

    from armlint.arm.files import JsonLoad, LiveExports, Progress
    from armlint.model import DeploymentContext


def load(
    paths: Sequence[Path | str],
    *,
    parameters: Sequence[Path | str] = (),
    roots: Sequence[Path | str] = (),
    explore: bool = True,
    max_bytes: int = 20 * 1024 * 1024,
    exports: bool = False,
    progress: Progress | None = None,
    deployment: DeploymentContext | None = None,
    live: LiveExports | None = None,
) -> JsonLoad:
    """Records, load-time findings and file reports for these JSON files; the Terraform plan
    files among them are returned for the Terraform loader (``JsonLoad.plans``).

    ``parameters`` are parameter files for every template (else each template takes the
    ``X.parameters*.json`` beside it); ``roots`` bound where linked templates may be read from;
    ``exports=True`` turns exported VMs into records (the before side of ``armlint diff``);
    ``deployment`` is what the user says about the deployment (--location, --set); ``live``
    tells exports of live Azure state, handed back in ``JsonLoad.live``.
    """
    from armlint.arm.files import load_files

    # The cyclic garbage collector is held off meanwhile, as for Bicep (bicep.loader): reading
    # and evaluation make no reference cycles (tests/arm/test_reference_cycles.py), so what
    # they drop is freed at once, and the collector would only walk the JSON trees, scopes and
    # nodes still in use, again and again (a tenth of an ARM run on the corpus).
    collecting = gc.isenabled()
    gc.disable()
    try:
        return load_files(
            [path_text(p) for p in paths],
            parameters=[path_text(p) for p in parameters],
            roots=[path_text(p) for p in roots],
            explore=explore,
            max_bytes=max_bytes,
            exports=exports,
            progress=progress,
            deployment=deployment,
            live=live,
        )
    finally:
        if collecting:
            gc.enable()


__all__ = ["load"]
