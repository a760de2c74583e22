#!/usr/bin/env bash
# The full fault suite: 21,000 articles (override with NEWSD_FAULTS_INPUTS), both
# delivery modes, on a real broker. Prints the audit lines:
#   faults (EXACTLY_ONCE): inputs=N events=E dead_letters=D lost=L duplicated=U skipped_tombstones=T
set -euo pipefail
cd "$(dirname "$0")/../../.."
bash deploy/build.sh
NEWSD_FAULTS_INPUTS="${NEWSD_FAULTS_INPUTS:-21000}" \
  ctest --test-dir build --output-on-failure -V -R 'kafka_broker|faults_test' 2>&1 |
  grep -E '^[0-9]+: faults \(|tests passed|tests failed|FAILED|Failure' || true
