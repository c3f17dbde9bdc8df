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


def the_parents_signals() -> set[int]:
    """The signals a worker must not handle as the parent does (``held_signals``)."""
    names = ("SIGINT", "SIGHUP", "SIGTERM")
    return {number for name in names if (number := getattr(signal, name, None)) is not None}


def hold_signals() -> set[int] | None:
    """Block the parent's signals in the calling thread while the pool starts its workers;
    returns what to give ``release_signals``, or None where signal masks do not exist.

    A forked worker inherits the parent's handlers (Ctrl-C raising KeyboardInterrupt, SIGTERM
    and SIGHUP raising ``cli.Stopped``) until ``watch_parent`` has run; a signal in that gap,
    which a loaded machine makes long, printed a traceback per worker. The mask is inherited
    too, so the signal waits in the worker until ``watch_parent`` has replaced the handlers,
    and in the parent until the pool can be terminated."""
    mask = getattr(signal, "pthread_sigmask", None)
    if mask is None:
        return None
    return set(mask(signal.SIG_BLOCK, the_parents_signals()))


def release_signals(held: set[int] | None) -> None:
    """Restore the mask ``hold_signals`` changed: a signal that came meanwhile is handled now."""
    if held is not None:
        signal.pthread_sigmask(signal.SIG_SETMASK, held)


def watch_parent(parent: int) -> None:
    for name in ("SIGINT", "SIGHUP"):
        number = getattr(signal, name, None)
        if number is not None:
            signal.signal(number, signal.SIG_IGN)
    # A worker is killed by the parent's pool.terminate() with SIGTERM: keep its default.
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    if hasattr(signal, "pthread_sigmask"):  # the parent held them while forking (hold_signals)
        signal.pthread_sigmask(signal.SIG_UNBLOCK, the_parents_signals())
    threading.Thread(target=_exit_when_orphaned, args=(parent,), daemon=True).start()


def _exit_when_orphaned(parent: int) -> None:
    while os.getppid() == parent:
        time.sleep(PARENT_POLL_SECONDS)
    os._exit(1)  # no clean-up: the parent is gone and nobody reads the result
