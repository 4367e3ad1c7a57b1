#!/usr/bin/env bash
# Installs dependencies, builds and runs every test: the plain build, the same tests under
# ASan+UBSan, and the fuzz targets for a bounded time. Exits non-zero on the first failure.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/deps.sh

stage() { printf '\n==== %s ====\n' "$*"; }

run_ctest() {
  local dir=$1; shift
  ctest --test-dir "$dir" --output-on-failure -j 2 --timeout 300 "$@"
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
scripts/test-windows.sh
