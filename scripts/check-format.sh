#!/usr/bin/env bash
# SPDX-License-Identifier: ISC
# Check that every C file follows .clang-format (STYLE.md: "committed and
# checked in CI"). With --fix, reformat them instead.
#
# Formatting differs between clang-format releases, so the check runs only
# with the release the tree is formatted with (CLANG_FORMAT_MAJOR); with
# another one it says so and passes rather than fail on style drift.
set -euo pipefail
CLANG_FORMAT_MAJOR=14

top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
cf=$(command -v "clang-format-$CLANG_FORMAT_MAJOR" || command -v clang-format ||
     true)
if [ -z "$cf" ]; then
    echo "check-format: clang-format not installed; skipped"
    exit 0
fi
major=$("$cf" --version | sed -nE 's/.*version ([0-9]+).*/\1/p')
if [ "$major" != "$CLANG_FORMAT_MAJOR" ]; then
    echo "check-format: $cf is version $major, the tree follows" \
         "$CLANG_FORMAT_MAJOR; skipped"
    exit 0
fi
mapfile -t files < <(git ls-files '*.c' '*.h')
if [ "${1:-}" = "--fix" ]; then
    "$cf" -i "${files[@]}"
    exit 0
fi
bad=0
for f in "${files[@]}"; do
    if ! "$cf" --dry-run -Werror "$f" >/dev/null 2>&1; then
        echo "check-format: $f differs from .clang-format"
        bad=$((bad + 1))
    fi
done
if [ "$bad" -ne 0 ]; then
    echo "check-format: $bad file(s) need scripts/check-format.sh --fix"
    exit 1
fi
echo "check-format: ${#files[@]} files follow .clang-format"
