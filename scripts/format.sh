#!/bin/sh
# format.sh [--check]: applies the project's .clang-format to its C sources
# (plugin/, tests/unit/, tests/fuzz/, batch/), or with --check only says
# which files differ (exit 1). The layout depends on clang-format's
# version: the project formats with clang-format 14 (Debian 12); with
# another major version --check skips (exit 77).
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
command -v clang-format >/dev/null || { echo "format.sh: no clang-format" >&2; exit 77; }
major=$(clang-format --version | sed -n 's/.*clang-format version \([0-9]*\).*/\1/p')
# The tracked files; without git (a tarball, a machine without it) the same
# folders as found on disk.
if ! files=$(git ls-files 'plugin/*.[ch]' 'tests/unit/*.[ch]' 'tests/fuzz/*.[ch]' 'batch/*.[ch]' \
    2>/dev/null) || [ -z "$files" ]; then
    files=$(find plugin tests/unit tests/fuzz batch -maxdepth 1 -name '*.[ch]' | sort)
fi
if [ "${1:-}" = --check ]; then
    [ "$major" = 14 ] || { echo "format.sh: clang-format $major, not 14: not checked"; exit 77; }
    bad=0
    for f in $files; do
        if ! clang-format "$f" | cmp -s - "$f"; then
            echo "not formatted: $f (scripts/format.sh formats it)"
            bad=1
        fi
    done
    [ $bad = 0 ] && echo "$(echo "$files" | wc -w) files formatted as .clang-format says"
    exit $bad
fi
# shellcheck disable=SC2086
clang-format -i $files
