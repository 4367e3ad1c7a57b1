#!/usr/bin/env bash
# Installs what supd needs to build and test, from Debian packages. Idempotent: when every
# package is already present it does nothing and says nothing.
#   scripts/deps.sh            build + test dependencies for Linux
#   scripts/deps.sh --windows  also the MinGW-w64 cross compiler, Wine and yaml-cpp's source
set -euo pipefail

packages=(
  build-essential cmake ninja-build pkg-config
  libasio-dev libyaml-cpp-dev libspdlog-dev libfmt-dev nlohmann-json3-dev libcli11-dev
  googletest libgtest-dev libgmock-dev
  clang clang-tidy clang-format libclang-rt-14-dev
  python3 procps iproute2
)
windows=0
for arg in "$@"; do
  case "$arg" in
    --windows) windows=1 ;;
    *) echo "deps.sh: unknown option $arg" >&2; exit 2 ;;
  esac
done
if [ "$windows" = 1 ]; then
  packages+=(g++-mingw-w64-x86-64-posix wine wine64 dpkg-dev)
fi

missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed'; then
    missing+=("$p")
  fi
done
[ ${#missing[@]} -eq 0 ] && exit 0

sudo=""
if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null; then sudo="sudo"; else
    echo "deps.sh: need root to install: ${missing[*]}" >&2; exit 1
  fi
fi
echo "Installing: ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -q >/dev/null
$sudo apt-get install -y -q --no-install-recommends "${missing[@]}" >/dev/null
