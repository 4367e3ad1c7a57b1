#!/usr/bin/env bash
# Installs dependencies, builds and runs every test: the plain build, the same tests under
# ASan+UBSan, the fuzz target for a bounded time, and the Windows build under Wine.
# Stops at the first failing stage; the last line sums up every stage's tests.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/deps.sh

stage() { printf '\n==== %s (%d s so far) ====\n' "$*" "$SECONDS"; }

passed=0
failed=0
# Adds the last ctest summary found in log $1 to the totals; exits if $2 (a status) failed.
tally() {
  local log=$1 rc=$2 line total bad
  line=$(grep -E 'tests passed, [0-9]+ tests failed out of [0-9]+' "$log" | tail -n 1 || true)
  total=$(sed -E 's/.* out of ([0-9]+).*/\1/' <<<"$line")
  bad=$(sed -E 's/.*, ([0-9]+) tests failed.*/\1/' <<<"$line")
  passed=$((passed + ${total:-0} - ${bad:-0}))
  failed=$((failed + ${bad:-0}))
  if [ "$rc" -ne 0 ]; then
    echo "total: $passed passed, $failed failed"
    exit "$rc"
  fi
}

# Runs one build's tests.
run_ctest() {
  local dir=$1; shift
  local rc=0
  ctest --test-dir "$dir" --output-on-failure -j 2 --timeout 300 "$@" 2>&1 |
    tee "$dir/ctest-output.log" || rc=$?
  tally "$dir/ctest-output.log" "$rc"
}

stage "format (clang-format, .clang-format at the root)"
git ls-files -z '*.cpp' '*.h' | xargs -0 clang-format --dry-run --Werror

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

# The Windows stage (docs/windows.md); SUPD_WINDOWS_STAGE=0 leaves it out.
if [ "${SUPD_WINDOWS_STAGE:-1}" = 1 ]; then
  stage "Windows (MinGW-w64 cross build, tests under Wine)"
  rc=0
  scripts/test-windows.sh 2>&1 | tee build/windows-stage.log || rc=$?
  tally build/windows-stage.log "$rc"
fi

echo
echo "total: $passed passed, $failed failed (in $SECONDS s)"
