"""The ``armlint`` command (pyproject's entry point) and ``python -m armlint``.

An unchanged check is answered from its record (armlint/run/replay.py) before the command line
and its imports are loaded; anything else runs the command (``cli.console_main``)."""

import sys


def main() -> int:
    from armlint.run.replay import Invocation, replayed

    invocation = Invocation(sys.argv[1:])
    try:
        record = replayed(invocation)
        if record is not None:
            return _print(record.text, record.code)
    except KeyboardInterrupt:
        from armlint.cli import interrupted  # the command's message, imported only now

        return interrupted()
    from armlint.cli import console_main

    return console_main(invocation)


def _print(text: str, code: int) -> int:
    """The recorded report on stdout, as the command prints one (``cli._print_report``)."""
    from armlint.streams import tolerant_streams

    tolerant_streams()
    try:
        sys.stdout.write(text)
        sys.stdout.flush()
    except (OSError, ValueError) as error:
        from armlint.cli import stdout_failed

        return stdout_failed(error, code)
    return code


if __name__ == "__main__":
    sys.exit(main())
