"""One run of armlint: discover the files, load and check them in work units, and pass every
command's findings through one path (``findings.py``): selection, severities, unknown values,
de-duplication, order, inline suppressions, per-file configuration and the baseline."""
