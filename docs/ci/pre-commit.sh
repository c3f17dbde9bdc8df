#!/usr/bin/env bash
# A plain git pre-commit hook for armlint, for repositories that do not use the pre-commit
# framework. Install: cp docs/ci/pre-commit.sh .git/hooks/pre-commit (keep it executable).
#
# It lints the staged templates, then reports patch-mode changes against HEAD (AZP401-AZP404),
# the same two checks as the `armlint` and `armlint-transitions` hooks in .pre-commit-hooks.yaml.
# Both run even when the first fails, so one commit attempt shows every problem.
# The files are read from the working tree: a file with unstaged edits is checked as it is on
# disk, not as staged (the pre-commit framework stashes such edits first; this script does not,
# because touching the working tree from a hook risks losing work).
# armlint must be on PATH (activate its virtual environment before committing). The result
# cache stays on: between two commit attempts most files are unchanged and are not checked again.
# Skip once with: git commit --no-verify
set -uo pipefail

cd "$(git rev-parse --show-toplevel)" || exit 2

# -z and read -d '': any file name, spaces and newlines included, arrives as one argument.
files=()
while IFS= read -r -d '' file; do
    case "$file" in
        *.json | *.jsonc | *.bicep | *.bicepparam | *.tf | *.tfvars) files+=("$file") ;;
    esac
done < <(git diff --cached --name-only --diff-filter=ACMR -z)

if [ "${#files[@]}" -eq 0 ]; then
    exit 0
fi

# The hook's exit code is the highest of the two (1 findings, 2 usage, 3 internal error).
status=0
run() {
    "$@"
    local code=$?
    if [ "$code" -gt "$status" ]; then status=$code; fi
}

# `--` so a file named like an option is still taken as a file.
run armlint check --force-exclude -- "${files[@]}"
run armlint check --force-exclude --against HEAD --select AZP4 -- "${files[@]}"
exit "$status"
