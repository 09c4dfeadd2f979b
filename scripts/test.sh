#!/usr/bin/env bash
# SPDX-License-Identifier: ISC
# The whole test run: install dependencies, then for a normal build and for
# an ASan+UBSan build: build, run ctest (unit tests + fuzz corpus replay),
# run the pytest integration suite against that build's binaries.
# Ends with one line "N passed, N failed" and exits non-zero on any failure.
set -uo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top" || exit 1
modes=${ADIT_TEST_MODES:-"normal asan"}
total_pass=0
total_fail=0
total_skip=0
failures=()

add_counts() { # label pass fail skip
    total_pass=$((total_pass + $2))
    total_fail=$((total_fail + $3))
    total_skip=$((total_skip + $4))
    if [ "$3" -ne 0 ]; then
        failures+=("$1: $3 failed")
    fi
}

# ctest prints "NN% tests passed, F tests failed out of T".
run_ctest() { # mode dir
    local log="$2/ctest.log" t f
    (cd "$2" && ctest --output-on-failure --timeout 300 -j 2) 2>&1 | tee "$log"
    t=$(sed -nE 's/.*tests failed out of ([0-9]+).*/\1/p' "$log" | tail -n 1)
    f=$(sed -nE 's/.* ([0-9]+) tests failed out of.*/\1/p' "$log" | tail -n 1)
    if [ -z "$t" ]; then
        # "No tests were found" or ctest itself failed.
        if grep -q 'No tests were found' "$log"; then
            return
        fi
        add_counts "ctest ($1)" 0 1 0
        return
    fi
    add_counts "ctest ($1)" $((t - f)) "$f" 0
}

run_pytest() { # mode dir
    local xml="$2/pytest.xml" rc counts sel=()
    if [ "$1" = asan ]; then
        # The pure-OpenSSH reference cases (ssh -> sshd) ran in the normal
        # pass already and contain nothing of ours to sanitize.
        sel=(-k "not ssh-sshd and not server_down[ssh]")
    fi
    ADIT_BUILD="$2" ADIT_REQUIRE_BINARIES=${ADIT_REQUIRE_BINARIES:-1} \
        /usr/bin/python3 -m pytest -q -rfEs -p no:cacheprovider \
        --junitxml="$xml" "${sel[@]+"${sel[@]}"}" "$top/tests/integration"
    rc=$?
    counts=$(/usr/bin/python3 "$top/scripts/junit_counts.py" "$xml")
    # shellcheck disable=SC2086
    add_counts "pytest ($1)" $counts
    if [ "$rc" -ne 0 ] && [ "$rc" -ne 5 ] && [ "${counts#* }" = "0 0" ]; then
        # pytest failed before running anything (collection error etc.).
        add_counts "pytest ($1) rc=$rc" 0 1 0
    fi
}

echo "== install dependencies"
if ! bash "$top/scripts/install-deps.sh"; then
    add_counts "install-deps" 0 1 0
fi

echo "== format"
if bash "$top/scripts/check-format.sh"; then
    add_counts "format" 1 0 0
else
    add_counts "format" 0 1 0
fi

export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-halt_on_error=1:print_stacktrace=1}

for mode in $modes; do
    case "$mode" in
    normal) dir="$top/build" ;;
    asan) dir="$top/build-asan" ;;
    *) echo "unknown mode $mode" >&2; exit 2 ;;
    esac
    echo "== build ($mode)"
    if ! bash "$top/scripts/build.sh" "$mode"; then
        add_counts "build ($mode)" 0 1 0
        continue
    fi
    echo "== ctest ($mode)"
    run_ctest "$mode" "$dir"
    echo "== pytest integration ($mode)"
    run_pytest "$mode" "$dir"
done

echo "== summary"
for f in "${failures[@]+"${failures[@]}"}"; do
    echo "FAILED: $f"
done
if [ "$total_skip" -ne 0 ]; then
    echo "$total_pass passed, $total_fail failed, $total_skip skipped"
else
    echo "$total_pass passed, $total_fail failed"
fi
[ "$total_fail" -eq 0 ]
