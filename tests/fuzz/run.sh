#!/usr/bin/env bash
# Builds the libFuzzer targets with clang (ASan + UBSan) in their own build dir
# and runs each for a bounded time with a seed corpus from ../shared/corpus.
#   bash tests/fuzz/run.sh [SECONDS_PER_TARGET]     (default 30)
# Env: NEWSD_FUZZ_BUILD (default build-fuzz), NEWSD_FUZZ_JOBS (default 2).
# Exit status: non-zero if a target crashes, leaks, times out or hits a sanitizer.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
SECONDS_PER_TARGET="${1:-30}"
BUILD="${NEWSD_FUZZ_BUILD:-$ROOT/build-fuzz}"
JOBS="${NEWSD_FUZZ_JOBS:-2}"
CORPUS="$ROOT/../shared/corpus"
SAN="-fsanitize=address,undefined -fno-sanitize-recover=undefined -fno-omit-frame-pointer"

cmake -S "$ROOT" -B "$BUILD" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DCMAKE_C_COMPILER=clang -DCMAKE_CXX_COMPILER=clang++ \
  -DCMAKE_CXX_FLAGS="$SAN -fsanitize=fuzzer-no-link" \
  -DCMAKE_EXE_LINKER_FLAGS="$SAN" \
  -DNEWSD_BUILD_FUZZERS=ON -DNEWSD_BUILD_TESTS=ON -DNEWSD_BUILD_BENCH=OFF >/dev/null
cmake --build "$BUILD" -j"$JOBS" --target fuzzers

# Seed corpora: every sample of the format (copied, so the fuzzer may add files).
seed() {  # seed NAME GLOB...
  local dir="$BUILD/fuzz-corpus/$1"; shift
  mkdir -p "$dir"
  for f in "$@"; do [ -f "$f" ] && cp -n "$f" "$dir/" 2>/dev/null || true; done
  echo "$dir"
}
I="$CORPUS/iptc"
declare -A SEEDS
SEEDS[nitf_fuzzer]=$(seed nitf "$I"/nitf/*.xml)
SEEDS[newsml_g2_fuzzer]=$(seed newsml_g2 "$I"/newsml-g2/examples/*.xml "$I"/newsml-g2/unit_test_files/2.3*/*/*.xml)
SEEDS[newsml1_fuzzer]=$(seed newsml1 "$I"/newsml-1.2/*.xml)
S="$ROOT/tests/fuzz/seeds"  # small hand-written feeds, pages, ninjs collections (no such corpus samples)
SEEDS[ninjs_fuzzer]=$(seed ninjs "$I"/ninjs/examples/*/*.json "$I"/ninjs/test_suite/3.0/*/*.json "$S"/*.json)
SEEDS[html_fuzzer]=$(seed html "$S"/*.html "$CORPUS"/gum_wikinews/original/xml/GUM_news_*.xml)
SEEDS[rss_fuzzer]=$(seed rss "$S"/*.rss)
SEEDS[atom_fuzzer]=$(seed atom "$S"/*.atom)
SEEDS[decode_stage_fuzzer]=$(seed decode "$S"/* "$CORPUS"/seed/*.txt "$I"/nitf/*.xml "$I"/newsml-1.2/*.xml "$I"/ninjs/examples/3.0/*.json)
SEEDS[text_cleanup_fuzzer]=$(seed text "$CORPUS"/seed/*.txt "$CORPUS"/reuters21578/reuters21578.sample200.jsonl)

status=0
for fuzzer in nitf_fuzzer newsml_g2_fuzzer newsml1_fuzzer ninjs_fuzzer html_fuzzer rss_fuzzer \
              atom_fuzzer decode_stage_fuzzer text_cleanup_fuzzer; do
  echo "== $fuzzer (${SECONDS_PER_TARGET}s)"
  if ! "$BUILD/tests/fuzz/$fuzzer" -max_total_time="$SECONDS_PER_TARGET" -timeout=10 \
       -rss_limit_mb=2048 -max_len=262144 -print_final_stats=1 \
       -artifact_prefix="$BUILD/fuzz-artifacts-$fuzzer-" "${SEEDS[$fuzzer]}" \
       > "$BUILD/$fuzzer.log" 2>&1; then
    echo "FAILED: $fuzzer (see $BUILD/$fuzzer.log)"; tail -40 "$BUILD/$fuzzer.log"; status=1
  else
    grep -E "stat::number_of_executed_units|cov:" "$BUILD/$fuzzer.log" | tail -2
  fi
done
exit $status
