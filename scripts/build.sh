#!/usr/bin/env bash
# SPDX-License-Identifier: ISC
# Configure and build adit: `scripts/build.sh [normal|asan]`.
#
# normal -> build/      (-O2 -g, RelWithDebInfo)
# asan   -> build-asan/ (-O0 -g, AddressSanitizer + UndefinedBehaviorSanitizer)
set -euo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
mode=${1:-normal}
jobs=${ADIT_JOBS:-2}

case "$mode" in
normal)
    dir="$top/build"
    args=(-DCMAKE_BUILD_TYPE=RelWithDebInfo -DCMAKE_C_FLAGS_RELWITHDEBINFO="-O2 -g")
    ;;
asan)
    dir="$top/build-asan"
    # Plain Debug (-O0 -g), as every engineer's own ASan build.
    args=(-DCMAKE_BUILD_TYPE=Debug -DADIT_SANITIZE=ON)
    ;;
*)
    echo "usage: $0 [normal|asan]" >&2
    exit 2
    ;;
esac

cmake -S "$top" -B "$dir" "${args[@]}" >/dev/null
cmake --build "$dir" -j "$jobs"
echo "build.sh: $mode build in $dir"
