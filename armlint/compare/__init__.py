"""Two versions of the same VMs: pairing records (``pairing``), two sets of files (``diff``) and
the files at a git ref (``git``). The AZP4xx rules themselves are in
``armlint.checks.transition_rules``."""
