#!/usr/bin/env bash
# The README demo: install, build, then run the daemon against an in-process Kafka-
# protocol cluster, feed it the seed article and 200 Reuters-21578 stories, and print
# a few events as JSON plus the throughput. Needs no broker.
set -euo pipefail
cd "$(dirname "$0")/.."
bash deploy/build.sh
exec ./build/newsd demo --corpus "${NEWSD_CORPUS:-../shared/corpus}" --stories "${NEWSD_DEMO_STORIES:-200}" "$@"
