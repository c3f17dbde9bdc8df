"""The process's standard streams, set up alike by the command (``cli.main``) and by the replay
of a recorded check (``armlint.__main__``). Imports nothing but ``sys``."""

import sys


def tolerant_streams() -> None:
    """Template text may hold anything JSON allows (a lone surrogate, say): stdout and stderr
    escape what the terminal cannot show rather than stop the run on it."""
    for stream in (sys.stdout, sys.stderr):
        reconfigure = getattr(stream, "reconfigure", None)
        if reconfigure is not None:
            try:
                reconfigure(errors="backslashreplace")
            except (ValueError, OSError):
                pass
