#!/usr/bin/env bash
# The README test command: install, build, run every test —
#   1. ctest: unit, golden, integration (a real Apache Kafka broker started by
#      deploy/kafka/kafka.sh, including the fault suite) and deploy (promtool, a real
#      Prometheus, the .deb);
#   2. the unit and golden tests again under ASan + UBSan (clang);
#   3. every libFuzzer target for NEWSD_FUZZ_SECONDS (default 20) seconds.
# Extra arguments go to the first ctest (e.g. -L unit).
set -euo pipefail
cd "$(dirname "$0")/.."
bash deploy/build.sh
ctest --test-dir build --output-on-failure --timeout 900 "$@"
bash tests/sanitize.sh asan
bash tests/fuzz/run.sh "${NEWSD_FUZZ_SECONDS:-20}"
