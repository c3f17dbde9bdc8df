"""Fixes: text edits that repair what a finding proves, proposed, verified and applied.

``propose`` attaches a ``Fix`` to each finding whose rule declares one (``fix:`` in its YAML);
``edits`` turns positions into character offsets and writes values the way each format spells
them; ``apply`` splices the edits into the files, re-parses them and writes them atomically.
"""
