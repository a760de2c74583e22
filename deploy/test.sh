#!/usr/bin/env bash
# The README test command: install, build, run every test (unit, golden, and the
# integration tests, which start a real Apache Kafka broker via deploy/kafka/kafka.sh).
set -euo pipefail
cd "$(dirname "$0")/.."
bash deploy/build.sh
ctest --test-dir build --output-on-failure --timeout 900 "$@"
