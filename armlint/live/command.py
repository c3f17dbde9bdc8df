"""The ``armlint drift`` command's work, so that cli.py only parses arguments."""

from __future__ import annotations

import os
import sys

EXIT_OK, EXIT_FINDINGS = 0, 1


class DriftUsageError(Exception):
    """Missing paths or nothing to compare: one line, exit code 2."""


def run_drift_command(args, config, options, version: str) -> int:
    from armlint.live.drift import DriftError, run_drift
    from armlint.live.drift_report import render
    from armlint.model import SEVERITY_RANK
    from armlint.report import ReportOptions, write_atomic
    from armlint.run.options import MissingPaths

    try:
        drift = run_drift([args.templates], args.exports, options, args.resource_group)
    except MissingPaths as error:
        raise DriftUsageError(f"no such file or directory: {error}") from None
    except DriftError as error:
        raise DriftUsageError(str(error)) from None
    report_options = ReportOptions(
        show_unknown=options.show_unknown,
        color=sys.stdout.isatty() and "NO_COLOR" not in os.environ and not args.output,
        tool_version=version,
    )
    text = render(drift, args.format, report_options)
    if args.output:
        write_atomic(args.output, text)
    else:
        sys.stdout.write(text)
    threshold = SEVERITY_RANK[args.fail_on or config.fail_on]
    failing = any(SEVERITY_RANK[f.severity] >= threshold for f in drift.result.findings)
    return EXIT_FINDINGS if failing else EXIT_OK
