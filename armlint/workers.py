"""What a worker process does first: leave the parent's signals to the parent, and die with it.

Ctrl-C and a terminal hang-up go to the whole process group; the parent handles them and
terminates its pool, so a worker ignores them (it would otherwise print a traceback each).
A parent killed outright (SIGKILL) cannot clean up: each worker watches for that itself, with
no Linux-only ``prctl``, by noticing that its parent process changed.
"""

from __future__ import annotations

import os
import signal
import threading
import time

PARENT_POLL_SECONDS = 0.5


def watch_parent(parent: int) -> None:
    for name in ("SIGINT", "SIGHUP"):
        number = getattr(signal, name, None)
        if number is not None:
            signal.signal(number, signal.SIG_IGN)
    # A worker is killed by the parent's pool.terminate() with SIGTERM: keep its default.
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    threading.Thread(target=_exit_when_orphaned, args=(parent,), daemon=True).start()


def _exit_when_orphaned(parent: int) -> None:
    while os.getppid() == parent:
        time.sleep(PARENT_POLL_SECONDS)
    os._exit(1)  # no clean-up: the parent is gone and nobody reads the result
