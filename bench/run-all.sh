#!/usr/bin/env bash
# Runs every newsd benchmark and writes bench/results/RESULTS.md + bench/results/bench.png;
# the last line printed is
#   newsd-bench: cpu_ratio_vs_peer=X chain_vs_passthrough=Y eos_vs_alos=Z p99_ms=W peak_rss_mb=V
# (all ratios from this one run: the machines are noisy, compare within a run).
#
#   bash bench/run-all.sh [--quick] [--skip-peer] [--skip-build] [--soak-minutes N]
#
# Steps: build (Release, own build dir, -j2) → in-process per-stage benchmarks
# (bench/chain_bench) → entity F1 of newsd (bench/eval_entities) and of spaCy sm
# (bench/peers/eval_spacy_gum.py) on the GUM gold → real Kafka broker
# (deploy/kafka/kafka.sh on its own port) → bench/e2e/e2e.py for newsd full chain and
# passthrough, exactly-once and at-least-once, the chain without its story stage (the
# cost of the changelog), and for the Python/spaCy peer → the same three newsd chains
# at-least-once under valgrind's callgrind (instructions per article, per stage) → a soak (the full chain,
# exactly-once, at the latency rate for --soak-minutes, default 30, 0 with --quick;
# VmRSS sampled every second) → report.
#
# Environment: NEWSD_BENCH_BUILD (build dir, default build-bench), NEWSD_KAFKA_PORT
# (default 19692), NEWSD_CORPUS_DIR (default ../shared/corpus), NEWSD_PEER_VENV.
# Needs: deploy/install-deps.sh packages (python3-confluent-kafka, python3-matplotlib,
# python3-venv), valgrind and PyPI for the peer's venv (bench/peers/setup.sh, once).
set -euo pipefail

SRC="$(cd "$(dirname "$0")/.." && pwd)"
BUILD="${NEWSD_BENCH_BUILD:-$SRC/build-bench}"
PORT="${NEWSD_KAFKA_PORT:-19692}"
export NEWSD_CORPUS_DIR="${NEWSD_CORPUS_DIR:-$(cd "$SRC/.." && pwd)/shared/corpus}"
RESULTS="$SRC/bench/results"
WORK="${TMPDIR:-/tmp}/newsd-bench-$PORT"
VENV="${NEWSD_PEER_VENV:-${HOME:-/tmp}/.cache/newsd-bench/peer-venv}"
PY=/usr/bin/python3   # Debian's python3 with python3-confluent-kafka and python3-matplotlib
[[ -x "$PY" ]] || PY=python3

QUICK=0 SKIP_PEER=0 SKIP_BUILD=0 SOAK_MIN=
while (( $# )); do
  a="$1"; shift
  case "$a" in
    --quick) QUICK=1 ;;
    --soak-minutes) SOAK_MIN="${1:?--soak-minutes needs a number}"; shift ;;
    --skip-peer) SKIP_PEER=1 ;;
    --skip-build) SKIP_BUILD=1 ;;
    -h|--help) sed -n 2,20p "$0"; exit 0 ;;
    *) echo "run-all.sh: unknown option $a" >&2; exit 2 ;;
  esac
done
if (( QUICK )); then
  N_CHAIN=20000 N_PASS=60000 N_PEER=600 LAT_S=10 LAT_PEER_S=15 MIN_TIME=0.2 ROUNDS=2 N_CG=1500
  SOAK_MIN="${SOAK_MIN:-0}"
else
  N_CHAIN=40000 N_PASS=150000 N_PEER=2000 LAT_S=30 LAT_PEER_S=30 MIN_TIME=1 ROUNDS=3 N_CG=4000
  SOAK_MIN="${SOAK_MIN:-30}"
fi
[[ "$SOAK_MIN" =~ ^[0-9]+$ ]] || { echo "run-all.sh: --soak-minutes: not a whole number: $SOAK_MIN" >&2; exit 2; }

say() { echo "run-all: $*" >&2; }
mkdir -p "$RESULTS" "$WORK"
rm -f "$RESULTS"/e2e-*.json "$RESULTS"/chain_bench.json "$RESULTS"/eval_*.txt "$RESULTS"/meta.json

# ---- build
if (( ! SKIP_BUILD )); then
  say "building in $BUILD"
  cmake -S "$SRC" -B "$BUILD" -G Ninja -DCMAKE_BUILD_TYPE=Release -DNEWSD_KAFKA_PORT="$PORT" >"$WORK/cmake.log"
  cmake --build "$BUILD" -j2 --target newsd chain_bench eval_entities >"$WORK/build.log" \
    || { tail -30 "$WORK/build.log" >&2; exit 1; }
fi

# ---- in-process, per stage
say "chain_bench (per stage and whole chain, Reuters + seed)"
"$BUILD/bench/chain_bench" --benchmark_min_time="$MIN_TIME" --benchmark_format=console \
  --benchmark_out="$RESULTS/chain_bench.json" --benchmark_out_format=json 2>/dev/null \
  | grep -E '^(Stage|Chain)' >&2

# ---- entity quality: newsd vs spaCy sm on GUM
"$BUILD/bench/eval_entities" >"$RESULTS/eval_newsd.txt"
PEER_OK=0
if (( ! SKIP_PEER )); then
  if bash "$SRC/bench/peers/setup.sh" >"$WORK/peer-setup.log" 2>&1; then
    PEER_OK=1
    "$VENV/bin/python" "$SRC/bench/peers/eval_spacy_gum.py" >"$RESULTS/eval_spacy.txt" 2>"$WORK/eval_spacy.err"
  else
    say "peer setup failed (see $WORK/peer-setup.log): the peer is not measured"
  fi
fi

# ---- broker
export NEWSD_KAFKA_PORT="$PORT" NEWSD_KAFKA_DIR="$WORK/kafka"
STARTED_KAFKA=0
if ! bash "$SRC/deploy/kafka/kafka.sh" status >/dev/null 2>&1; then
  bash "$SRC/deploy/kafka/kafka.sh" start >&2
  STARTED_KAFKA=1
fi
cleanup() { if (( STARTED_KAFKA )); then bash "$SRC/deploy/kafka/kafka.sh" stop --clean >&2 || true; fi; }
trap cleanup EXIT
BROKERS="127.0.0.1:$PORT"

e2e() { # NAME ARGS...
  local name="$1"; shift
  say "e2e $name"
  "$PY" "$SRC/bench/e2e/e2e.py" --brokers "$BROKERS" --name "$name" --workdir "$WORK/e2e" \
    --json "$RESULTS/e2e-$name.json" "$@" >"$WORK/e2e-$name.out" 2>"$WORK/e2e-$name.err" \
    || { grep -v BGQUEUE "$WORK/e2e-$name.err" | tail -5 >&2; return 1; }
  grep -E "^e2e: .*(latency at|articles_per_s)" "$WORK/e2e-$name.err" | cut -c1-240 >&2 || true
}
mode_args() { # MODE → e2e arguments of its throughput phase
  case "$1" in
    chain-eos)        echo --stages chain --delivery eos --n "$N_CHAIN" ;;
    chain-alos)       echo --stages chain --delivery alos --n "$N_CHAIN" ;;
    chain6-alos)      echo --stages chain6 --delivery alos --n "$N_CHAIN" ;;
    passthrough-eos)  echo --stages passthrough --delivery eos --n "$N_PASS" ;;
    passthrough-alos) echo --stages passthrough --delivery alos --n "$N_PASS" ;;
  esac
}
MODES="chain-eos chain-alos chain6-alos passthrough-eos passthrough-alos"
# A new broker's first transactions and fetches run in a cold JVM (interpreted
# code, coordinator start-up): one short discarded run of every newsd mode first,
# so that the mode measured first (chain-eos) does not pay for it.
say "warm-up (discarded): a short run of each mode"
for m in $MODES; do
  # shellcheck disable=SC2046
  "$PY" "$SRC/bench/e2e/e2e.py" --brokers "$BROKERS" --name "warmup-$m" --workdir "$WORK/e2e" \
    --newsd "$BUILD/newsd" $(mode_args "$m" | sed 's/--n [0-9]*/--n 3000/') --latency-seconds 5 \
    >"$WORK/warmup-$m.out" 2>"$WORK/warmup-$m.err" || say "warm-up run $m failed (see $WORK/warmup-$m.err)"
done
# Round 1: throughput + latency at 50% of it. Rounds 2..ROUNDS: throughput only, the
# modes interleaved, so that the report's medians see the same machine noise.
for m in $MODES; do
  # shellcheck disable=SC2046
  e2e "$m" --newsd "$BUILD/newsd" $(mode_args "$m") --latency-seconds "$LAT_S"
done
for ((r = 2; r <= ROUNDS; r++)); do
  for m in $MODES; do
    # shellcheck disable=SC2046
    e2e "$m.r$r" --newsd "$BUILD/newsd" $(mode_args "$m") --latency-seconds 0
  done
done
# Instructions per article (valgrind callgrind; counters zeroed after a 500-record warm-up):
# the same figures on any run of the same binary and input, where CPU seconds on
# this shared machine vary by ±20%. Two at a time (the counts do not depend on it).
say "callgrind: instructions per article (passthrough, chain without story, chain)"
cg() { # MODE STAGES PORT
  e2e "cg-$1" --newsd "$BUILD/newsd" --stages "$2" --delivery alos --n "$N_CG" --latency-seconds 0 \
    --metrics-port "$3" --sample-interval 1 --timeout 1800 --callgrind-out "$WORK/cg-$1.out" \
    || say "callgrind run $1 failed"
}
if command -v valgrind >/dev/null && command -v callgrind_control >/dev/null; then
  cg passthrough-alos passthrough 19781 & cg chain6-alos chain6 19782; wait
  cg chain-alos chain 19781
else
  say "valgrind not installed (apt-get install valgrind): no instruction counts"
fi
if (( PEER_OK )); then
  e2e peer-spacy --target peer --peer-cmd "$VENV/bin/python $SRC/bench/peers/spacy_peer.py" \
    --n "$N_PEER" --latency-seconds "$LAT_PEER_S" || say "peer run failed"
fi

if (( SOAK_MIN > 0 )); then
  SOAK_RATE=$("$PY" -c 'import json,sys; print(int(json.load(open(sys.argv[1]))["latency"]["rate"]))' \
    "$RESULTS/e2e-chain-eos.json")
  say "soak: $SOAK_MIN min at $SOAK_RATE articles/s"
  e2e soak --newsd "$BUILD/newsd" --stages chain --delivery eos --n 0 --rate "$SOAK_RATE" \
    --latency-seconds $((SOAK_MIN * 60)) --timeout $((SOAK_MIN * 60 + 900)) || say "soak failed"
fi

# ---- report
f1() { # FILE TITLE-PREFIX → overall F1 of the first table whose title starts so
  awk -v t="$2" 'index($0,t)==1{on=1} on && $1=="overall"{print $NF; exit}' "$1" 2>/dev/null || true
}
N1=$(f1 "$RESULTS/eval_newsd.txt" "Named mentions (PROPN")
N2=$(f1 "$RESULTS/eval_newsd.txt" "Named mentions without pronouns (")
N3=$(f1 "$RESULTS/eval_newsd.txt" "Named mentions without pronouns, exact")
S1=$(f1 "$RESULTS/eval_spacy.txt" "Named mentions (PROPN")
S2=$(f1 "$RESULTS/eval_spacy.txt" "Named mentions without pronouns (")
S3=$(f1 "$RESULTS/eval_spacy.txt" "Named mentions without pronouns, exact")
num() { [[ -n "$1" ]] && echo "$1" || echo null; }
KVER="$(sed -n 's:.*<kafka.version>\(.*\)</kafka.version>.*:\1:p' "$SRC/deploy/kafka/pom.xml" | head -1)"
cat >"$RESULTS/meta.json" <<EOF
{"date": "$(date -u +%Y-%m-%dT%H:%MZ)", "mode": "$( ((QUICK)) && echo quick || echo full)",
 "machine": "$(nproc) CPUs ($(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)), $(free -g | awk '/Mem:/{print $2}') GiB, load $(cut -d' ' -f1-3 /proc/loadavg)",
 "kafka": "$KVER", "partitions": 3, "git": "$(git -C "$SRC" describe --always --dirty 2>/dev/null)",
 "f1": {"newsd": $(num "$N1"), "newsd_np": $(num "$N2"), "newsd_exact": $(num "$N3"),
        "spacy": $(num "$S1"), "spacy_np": $(num "$S2"), "spacy_exact": $(num "$S3")}}
EOF
say "entity F1 (GUM, named mentions, overlap): newsd=${N1:-?} spaCy-sm=${S1:-?}"
say "wrote $RESULTS/RESULTS.md and $RESULTS/bench.png"
"$PY" "$SRC/bench/report.py" "$RESULTS"
