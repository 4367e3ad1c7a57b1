#!/usr/bin/env bash
# Installs dependencies, builds and runs every test: the plain build, the same tests under
# ASan+UBSan, and the fuzz target for a bounded time. Exits non-zero on the first failure.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/deps.sh

stage() { printf '\n==== %s ====\n' "$*"; }

passed=0
failed=0
# Runs one build's tests; adds its counts to the totals printed at the end.
run_ctest() {
  local dir=$1; shift
  local log="$dir/ctest-output.log"
  local rc=0
  ctest --test-dir "$dir" --output-on-failure -j 2 --timeout 300 "$@" 2>&1 | tee "$log" || rc=$?
  local line total bad
  line=$(grep -E 'tests passed, [0-9]+ tests failed out of [0-9]+' "$log" | tail -n 1 || true)
  total=$(sed -E 's/.* out of ([0-9]+).*/\1/' <<<"$line")
  bad=$(sed -E 's/.*, ([0-9]+) tests failed.*/\1/' <<<"$line")
  passed=$((passed + ${total:-0} - ${bad:-0}))
  failed=$((failed + ${bad:-0}))
  if [ "$rc" -ne 0 ]; then
    echo "all stages: $passed passed, $failed failed"
    exit "$rc"
  fi
}

stage "release build"
scripts/build.sh release
stage "release tests"
run_ctest build/release

stage "ASan+UBSan build"
scripts/build.sh asan
stage "ASan+UBSan tests"
ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
  run_ctest build/asan

stage "fuzz (libFuzzer, bounded)"
scripts/build.sh fuzz
run_ctest build/fuzz -R '^fuzz\.'

echo
echo "all stages: $passed passed, $failed failed"
scripts/test-windows.sh
