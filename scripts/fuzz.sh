#!/bin/sh
# SPDX-License-Identifier: ISC
# Build every libFuzzer harness in tests/fuzz with clang and run each one for
# a bounded time over (and growing) its corpus in tests/fuzz/corpus/<name>/.
#
# usage: scripts/fuzz.sh [-m] [-t seconds] [-j jobs] [-b build-dir] [name...]
#   -m  afterwards, minimize each corpus in place (libFuzzer -merge=1 on
#       edge coverage; hand-named seeds are kept as they are, the inputs
#       the fuzzer found are renamed to their hashes)
#   -t  seconds per harness (default 60, or $FUZZ_TIME)
#   -j  parallel build jobs (default 2)
#   -b  build directory (default <repo>/build-fuzz)
#   name  only these harnesses (fuzz_<name>.c); default: all of them
#
# Exits non-zero when the build fails or any harness finds a crash, leak,
# timeout or out-of-memory; reproducers are left in <build-dir>/artifacts/.
set -eu

root=$(cd "$(dirname "$0")/.." && pwd)
secs=${FUZZ_TIME:-60}
jobs=2
build="$root/build-fuzz"
minimize=0

while getopts mt:j:b:h opt; do
    case $opt in
    m) minimize=1 ;;
    t) secs=$OPTARG ;;
    j) jobs=$OPTARG ;;
    b) build=$OPTARG ;;
    h)
        sed -n '3,16p' "$0" | sed 's/^# \{0,1\}//'
        exit 0
        ;;
    *)
        sed -n '6,13p' "$0" | sed 's/^# \{0,1\}//' >&2
        exit 2
        ;;
    esac
done
shift $((OPTIND - 1))

case $secs in
'' | *[!0-9]*)
    echo "fuzz.sh: -t wants a whole number of seconds" >&2
    exit 2
    ;;
esac

if ! command -v clang >/dev/null 2>&1; then
    echo "fuzz.sh: clang not found (apt-get install clang libclang-rt-dev)" >&2
    exit 2
fi

# The harness names: the arguments, or every tests/fuzz/fuzz_<name>.c.
names=
if [ $# -gt 0 ]; then
    names=$*
else
    for f in "$root"/tests/fuzz/fuzz_*.c; do
        [ -e "$f" ] || continue
        n=$(basename "$f" .c)
        names="$names ${n#fuzz_}"
    done
fi
if [ -z "$names" ]; then
    echo "fuzz.sh: no harnesses in $root/tests/fuzz" >&2
    exit 0
fi

for n in $names; do
    if [ ! -f "$root/tests/fuzz/fuzz_$n.c" ]; then
        echo "fuzz.sh: no harness tests/fuzz/fuzz_$n.c" >&2
        exit 2
    fi
done

cmake -S "$root" -B "$build" -DCMAKE_C_COMPILER=clang \
    -DCMAKE_BUILD_TYPE=RelWithDebInfo -DADIT_FUZZ=ON -DADIT_TESTS=OFF \
    >/dev/null

# Only the fuzz targets are built, one at a time, so that unrelated
# breakage (the binaries, one broken harness) does not stop the others;
# a harness that does not build still makes the run fail.
# Keep only the inputs that add coverage: merge into a directory that holds
# just the hand-named seeds (any name that is not a 40-digit hash, which is
# how libFuzzer names what it finds), then replace the corpus with it; the
# seeds stay under their names. Coverage means edges (-use_counters=0): hit
# count buckets would keep several times the inputs for little gain. A
# failed merge leaves the corpus alone.
minimize_corpus() {
    tmp="$build/merge_$1"
    rm -rf "$tmp"
    mkdir -p "$tmp"
    for f in "$2"/*; do
        [ -f "$f" ] || continue
        if printf '%s\n' "${f##*/}" | grep -Eqx '[0-9a-f]{40}'; then
            continue
        fi
        cp -p "$f" "$tmp"/
    done
    if "$build/fuzz_$1" -merge=1 -use_counters=0 -timeout=10 \
        -rss_limit_mb=2048 "$tmp" "$2" >"$build/merge_$1.log" 2>&1 &&
        [ -n "$(ls -A "$tmp")" ]; then
        find "$2" -maxdepth 1 -type f -delete
        mv "$tmp"/* "$2"/
        echo "   corpus minimized to $(find "$2" -maxdepth 1 -type f | wc -l) inputs"
    else
        echo "   (merge failed; corpus kept; log: $build/merge_$1.log)" >&2
    fi
    rm -rf "$tmp"
}

failed=
runnable=
for n in $names; do
    if cmake --build "$build" -j "$jobs" --target "fuzz_$n" \
        >"$build/build_$n.log" 2>&1; then
        runnable="$runnable $n"
    else
        echo "!! fuzz_$n does not build; log: $build/build_$n.log" >&2
        grep -E 'error' "$build/build_$n.log" | head -n 10 >&2 || true
        failed="$failed $n(build)"
    fi
done

for n in $runnable; do
    corpus="$root/tests/fuzz/corpus/$n"
    art="$build/artifacts/$n"
    mkdir -p "$corpus" "$art"
    echo "== fuzz_$n: ${secs}s over $corpus"
    # The corpus directory comes first, so new inputs that add coverage
    # are written back into it.
    if "$build/fuzz_$n" -max_total_time="$secs" -timeout=10 \
        -rss_limit_mb=2048 -print_final_stats=1 \
        -artifact_prefix="$art/" "$corpus" >"$build/fuzz_$n.log" 2>&1; then
        grep -E '^(Done|stat::new_units_added)' "$build/fuzz_$n.log" || true
        if [ "$minimize" = 1 ]; then
            minimize_corpus "$n" "$corpus"
        fi
    else
        echo "!! fuzz_$n FAILED; log: $build/fuzz_$n.log" >&2
        grep -E 'ERROR|SUMMARY|Test unit written' "$build/fuzz_$n.log" >&2 ||
            tail -n 20 "$build/fuzz_$n.log" >&2
        failed="$failed $n"
    fi
done

if [ -n "$failed" ]; then
    echo "fuzz.sh: failed:$failed (reproducers in $build/artifacts/)" >&2
    exit 1
fi
echo "fuzz.sh: all harnesses ran ${secs}s without a crash:$runnable"
