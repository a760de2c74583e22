#!/usr/bin/env bash
# Builds the Debian package from a configured and built tree (deploy/build.sh):
#   bash deploy/package.sh [BUILD_DIR [OUT_DIR]]   -> OUT_DIR/newsd_<version>_<arch>.deb
# Install it with: apt-get install ./build/package/newsd_*.deb
set -euo pipefail
cd "$(dirname "$0")/.."
B="${1:-build}"
OUT="${2:-$B/package}"
cmake --build "$B" --target newsd newsd_descriptor_set
cpack --config "$B/CPackConfig.cmake" -B "$OUT"
ls "$OUT"/newsd_*.deb
