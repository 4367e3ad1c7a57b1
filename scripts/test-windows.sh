#!/usr/bin/env bash
# The Windows stage: cross-builds supd for Windows with MinGW-w64 and runs its tests under
# Wine, all on this Debian machine (docs/windows.md). Everything lands in build/windows:
# yaml-cpp's Debian source (_src, never committed), the build, and a private Wine prefix.
# Exits non-zero on the first failure.
set -euo pipefail
cd "$(dirname "$0")/.."
top=$(pwd)
bld="$top/build/windows"
src="$bld/_src"
start=$SECONDS

step() { printf '\n==== windows: %s (%ds so far) ====\n' "$*" $((SECONDS - start)); }

step "dependencies"
timeout 1800 scripts/deps.sh --windows

# Debian ships no MinGW build of yaml-cpp: build it from its Debian source package. The
# source index is fetched into build/windows/_apt, from deb-src twins of the machine's own
# deb entries (same mirrors, same suites), so the system's apt configuration is untouched.
fetch_yaml_cpp_source() {
  local apt="$bld/_apt"
  rm -rf "$apt"
  mkdir -p "$apt/sources.list.d" "$apt/lists/partial" "$apt/cache/archives/partial" "$src"
  local f
  for f in /etc/apt/sources.list.d/*.sources; do
    [ -e "$f" ] || continue
    sed -E 's/^Types:.*/Types: deb-src/' "$f" >"$apt/sources.list.d/$(basename "$f")"
  done
  for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list; do
    [ -e "$f" ] || continue
    sed -nE 's/^[[:space:]]*deb([[:space:]])/deb-src\1/p' "$f" >>"$apt/sources.list"
  done
  touch "$apt/sources.list"
  local opts=(-q -o Dir::Etc::SourceList="$apt/sources.list"
              -o Dir::Etc::SourceParts="$apt/sources.list.d"
              -o Dir::State::Lists="$apt/lists" -o Dir::Cache="$apt/cache")
  if [ "$(id -u)" -eq 0 ]; then opts+=(-o APT::Sandbox::User=root); fi
  timeout 600 apt-get "${opts[@]}" update >/dev/null
  (cd "$src" && timeout 600 apt-get "${opts[@]}" source yaml-cpp >/dev/null)
}

step "yaml-cpp source"
if ! ls -d "$src"/yaml-cpp-*/ >/dev/null 2>&1; then
  fetch_yaml_cpp_source
fi
yaml_src=$(ls -d "$src"/yaml-cpp-*/ | head -n1)
yaml_src=${yaml_src%/}
echo "using $yaml_src"

step "configure"
timeout 600 cmake -S "$top" -B "$bld" -G Ninja \
  -DCMAKE_TOOLCHAIN_FILE="$top/cmake/mingw-w64-x86_64.cmake" \
  -DCMAKE_BUILD_TYPE=Release -DYAML_CPP_SOURCE_DIR="$yaml_src" >/dev/null

step "build"
timeout 2400 cmake --build "$bld" -j "$(nproc)"

# A Wine prefix of our own. Its wineserver and Wine's system processes are started here
# with stdio on /dev/null: started by the first test instead, they would inherit that
# test's output pipe and ctest would wait for them. Only this prefix's server is stopped
# at the end (wineserver -k acts on $WINEPREFIX alone).
export WINEPREFIX="$bld/wineprefix"
export WINEDEBUG=-all,err+module           # keep "DLL not found" errors visible
export WINEDLLOVERRIDES="winedbg.exe=d"    # an intentional crash: no debugger dump
trap '/usr/lib/wine/wineserver -k >/dev/null 2>&1 || true' EXIT
mkdir -p "$WINEPREFIX"

step "wine prefix"
# Whatever an earlier run left in this prefix goes first; then a fresh server.
/usr/lib/wine/wineserver -k >/dev/null 2>&1 || true
/usr/lib/wine/wineserver -w >/dev/null 2>&1 || true
/usr/lib/wine/wineserver -p60 </dev/null >/dev/null 2>&1
# -u, not -i: -i starts a second services.exe and breaks the service control manager.
timeout 300 /usr/lib/wine/wine64 wineboot -u </dev/null >/dev/null 2>&1

# A console needs Wine's desktop process (explorer.exe /desktop), started on demand by the
# first process that allocates one and inheriting that process's stdio, so a test doing it
# would keep ctest waiting while other tests kept the desktop busy. A process of ours
# holding a console for the whole run starts it here instead, with stdio on /dev/null.
/usr/lib/wine/wine64 "$bld/tests/win/child/supd_win_child.exe" console sleep 3600000 \
  </dev/null >/dev/null 2>&1 &

# Every test, the end-to-end ones included (tests/win/e2e: supd.exe and supctl.exe, and
# supd as a service through Wine's service control manager).
step "tests (under Wine)"
tests_start=$SECONDS
timeout 1800 ctest --test-dir "$bld" --output-on-failure -j "$(nproc)" --timeout 300 \
  --output-junit "$bld/ctest-junit.xml"
echo "tests took $((SECONDS - tests_start))s"

step "done"
