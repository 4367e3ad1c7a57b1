#!/usr/bin/env bash
# Installs dependencies, builds supd and runs it in the foreground on config/example.yaml.
# In another terminal:  build/release/ctl/supctl -c config/example.yaml status
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/deps.sh
scripts/build.sh release
echo
echo "supd is starting on config/example.yaml. Press Ctrl+C to stop it."
echo "Try, in another terminal:  build/release/ctl/supctl -c config/example.yaml status"
echo
exec build/release/daemon/supd -c config/example.yaml
