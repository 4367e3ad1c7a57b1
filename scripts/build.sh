#!/usr/bin/env bash
# Configures and builds one flavour of supd into build/<flavour>.
#   scripts/build.sh [release|asan|fuzz]     (default: release)
set -euo pipefail
cd "$(dirname "$0")/.."
flavour=${1:-release}
case "$flavour" in
  # Optimised as shipped, asserts kept, no debug info (a third of the compile time; the
  # asan flavour is the one for debugging).
  release) args=(-DCMAKE_BUILD_TYPE=Release "-DCMAKE_CXX_FLAGS_RELEASE=-O2") ;;
  # Line tables are all a sanitizer report needs.
  asan)    args=(-DCMAKE_BUILD_TYPE=Debug "-DCMAKE_CXX_FLAGS_DEBUG=-g1 -O1" -DSUPD_SANITIZE=ON -DSUPD_BENCH=OFF) ;;
  fuzz)    args=(-DCMAKE_BUILD_TYPE=Debug -DCMAKE_CXX_COMPILER=clang++ -DSUPD_FUZZ=ON -DSUPD_BENCH=OFF) ;;
  *) echo "build.sh: unknown flavour $flavour (release, asan, fuzz)" >&2; exit 2 ;;
esac
cmake -S . -B "build/$flavour" -G Ninja "${args[@]}" >/dev/null
if [ "$flavour" = fuzz ]; then
  # Only the fuzz targets: the rest of the tree is covered by the other flavours.
  cmake --build "build/$flavour" -j "$(nproc)" --target supd_request_parser_fuzz
else
  cmake --build "build/$flavour" -j "$(nproc)"
fi
