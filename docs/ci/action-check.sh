#!/usr/bin/env bash
# The `armlint check` step of the composite action (action.yml), kept in a file so it can be
# tested without GitHub. Reads its inputs from ARMLINT_* variables; records the exit code in
# $GITHUB_OUTPUT (exit-code=N) and exits 0, so the SARIF upload still runs after findings.
set -u
command=(armlint check --format "${ARMLINT_FORMAT:-github}" --fail-on "${ARMLINT_FAIL_ON:-error}")
if [ -n "${ARMLINT_SARIF:-}" ]; then command+=(--output "sarif:${ARMLINT_SARIF}"); fi
if [ -n "${ARMLINT_AGAINST:-}" ]; then command+=(--against "${ARMLINT_AGAINST}"); fi
# Extra options and paths are lists of words (no quoting inside a word).
read -r -a extra <<< "${ARMLINT_ARGS:-}"
read -r -a paths <<< "${ARMLINT_PATHS:-.}"
command+=("${extra[@]}" -- "${paths[@]}")
"${command[@]}"
code=$?
echo "exit-code=${code}" >> "${GITHUB_OUTPUT:-/dev/null}"
exit 0
