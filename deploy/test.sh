#!/usr/bin/env bash
# The README test command: install, build, run every test —
#   1. the unit and golden tests under ASan + UBSan (clang; NEWSD_SANITIZE=0 skips);
#   2. every libFuzzer target for NEWSD_FUZZ_SECONDS (default 20) seconds (0 skips);
#   3. ctest on the normal build: unit, golden, integration (a real Apache Kafka
#      broker started by deploy/kafka/kafka.sh, including the fault suite) and deploy
#      (promtool, a real Prometheus, the .deb). Extra arguments go to this ctest.
set -euo pipefail
cd "$(dirname "$0")/.."
bash deploy/build.sh
if [ "${NEWSD_SANITIZE:-1}" != 0 ]; then bash tests/sanitize.sh asan; fi
if [ "${NEWSD_FUZZ_SECONDS:-20}" != 0 ]; then bash tests/fuzz/run.sh "${NEWSD_FUZZ_SECONDS:-20}"; fi
ctest --test-dir build --output-on-failure --timeout 900 "$@"
