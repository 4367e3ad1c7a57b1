#!/usr/bin/env bash
# Builds the release flavour and runs supd's benchmarks: one table on stdout, each figure
# against a floor measured in the same run. Benchmarks, not tests: ctest never runs them.
# See bench/README.md.
#
#   scripts/bench.sh [--quick] [--json FILE] [--with-others] [other supd_bench options]
#
# --with-others installs runit, daemontools and supervisor (Debian packages, apt-get) when
# missing, so their restart latency is measured in the same run. Without it they are
# measured only where already installed.
set -euo pipefail
cd "$(dirname "$0")/.."

args=()
with_others=0
for arg in "$@"; do
  case "$arg" in
    --with-others) with_others=1 ;;
    -h|--help)
      sed -n '2,10s/^# \{0,1\}//p' "$0"
      echo
      args+=("$arg")
      ;;
    *) args+=("$arg") ;;
  esac
done

if [[ $with_others == 1 ]]; then
  missing=()
  command -v runsv >/dev/null || missing+=(runit)
  command -v svscan >/dev/null || missing+=(daemontools)
  command -v supervisord >/dev/null || missing+=(supervisor)
  if ((${#missing[@]} > 0)); then
    sudo=()
    [[ $(id -u) == 0 ]] || sudo=(sudo)
    export DEBIAN_FRONTEND=noninteractive
    echo "bench.sh: installing ${missing[*]}" >&2
    "${sudo[@]}" apt-get install -y --no-install-recommends "${missing[@]}" >&2 ||
      { "${sudo[@]}" apt-get update >&2 && "${sudo[@]}" apt-get install -y --no-install-recommends "${missing[@]}" >&2; }
  fi
fi

cmake -S . -B build/release -G Ninja -DCMAKE_BUILD_TYPE=Release "-DCMAKE_CXX_FLAGS_RELEASE=-O2" >/dev/null
cmake --build build/release -j "$(nproc)" --target supd_bench >&2
exec build/release/bench/supd_bench "${args[@]}"
