#!/usr/bin/env bash
# Installs dependencies (Debian 12) and builds newsd into ./build (Release-with-debug-info).
set -euo pipefail
cd "$(dirname "$0")/.."
bash deploy/install-deps.sh
cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build build -j"$(nproc)"
