#!/usr/bin/env bash
# Throughput, CPU and peak RSS of one newsd instance (deploy/SCALING.md):
#   bash deploy/measure-throughput.sh ./build/newsd FILES [WORKERS]
# runs `newsd run` on the embedded cluster (default chain), produces the first FILES
# Reuters-21578 files (1,000 stories each), and times until every input is published
# or dead-lettered (from /metrics). CPU includes the in-process mock broker.
set -euo pipefail
BIN=$(realpath "$1"); FILES=$2; WORKERS=${3:-0}
C="$(realpath "${NEWSD_CORPUS:-$(dirname "$0")/../../shared/corpus}")/reuters21578/original"
cfg=$(mktemp); cd "$(mktemp -d)"; cat >$cfg <<CFG
kafka { brokers: "embedded" }
metrics_address: "127.0.0.1:0"
worker_threads: $WORKERS
CFG
$BIN run --config $cfg > out.txt 2> err.txt &
pid=$!
until grep -q "port [0-9]" err.txt; do sleep 0.2; done; boot=$(sed -n 's/embedded bootstrap=//p' out.txt); port=$(grep -o 'port [0-9]*' err.txt | head -1 | cut -d' ' -f2)
# Ready (connected), then joined: wait for the partitions, so the join is not timed.
until curl -sf 127.0.0.1:$port/readyz >/dev/null; do sleep 0.2; done
until curl -s 127.0.0.1:$port/metrics | grep -q '^newsd_assigned_partitions [1-9]'; do sleep 0.2; done
files=$(ls $C/reut2-0*.sgm.gz | head -$FILES)
$BIN produce --brokers $boot --topic news.raw $files > prod.txt
n=$(awk '{s+=$2} END{print s}' <(grep -o "produced [0-9]*" prod.txt))
cpu0=$(awk '{print $14+$15}' /proc/$pid/stat); t0=$(date +%s.%N)
# count consumed messages from metrics
while :; do c=$(curl -s 127.0.0.1:$port/metrics | awk '/^newsd_(events_published|dead_letters)_total/{s+=$2} END{print s+0}'); [ "${c%.*}" -ge "$n" ] && break; sleep 0.05; done
t1=$(date +%s.%N); cpu1=$(awk '{print $14+$15}' /proc/$pid/stat)
hwm=$(grep VmHWM /proc/$pid/status | awk '{print $2}')
kill -TERM $pid; wait $pid || true
echo "inputs=$n outputs=$c seconds=$(echo "$t1-$t0" | bc) rate=$(echo "$n/($t1-$t0)" | bc) cpu_s=$(echo "($cpu1-$cpu0)/100" | bc -l | cut -c1-5) peak_rss_kb=$hwm"
