#!/usr/bin/env bash
# Sanitizer runs of the test suite (no broker needed):
#   bash tests/sanitize.sh asan   ASan + UBSan (clang) over the unit and golden tests;
#                                 shares its build dir with tests/fuzz/run.sh
#   bash tests/sanitize.sh tsan   TSan over the engine tests, daemon_test on the mock cluster
#                                 included (builds TSan librdkafka + Abseil first)
# Exit status non-zero on any test failure or sanitizer report.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
MODE="${1:-asan}"
JOBS="${NEWSD_SANITIZE_JOBS:-2}"

case "$MODE" in
  asan)
    BUILD="${NEWSD_FUZZ_BUILD:-$ROOT/build-fuzz}"
    SAN="-fsanitize=address,undefined -fno-sanitize-recover=undefined -fno-omit-frame-pointer"
    cmake -S "$ROOT" -B "$BUILD" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
      -DCMAKE_C_COMPILER=clang -DCMAKE_CXX_COMPILER=clang++ \
      -DCMAKE_CXX_FLAGS="$SAN -fsanitize=fuzzer-no-link" -DCMAKE_EXE_LINKER_FLAGS="$SAN" \
      -DNEWSD_BUILD_FUZZERS=ON -DNEWSD_BUILD_TESTS=ON -DNEWSD_BUILD_BENCH=OFF >/dev/null
    cmake --build "$BUILD" -j"$JOBS"
    export ASAN_OPTIONS="detect_leaks=1:abort_on_error=1"
    export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1"
    ctest --test-dir "$BUILD" --output-on-failure -LE "integration|deploy"
    ;;
  tsan)
    BUILD="${NEWSD_TSAN_BUILD:-$ROOT/build-tsan}"
    DEPS="$BUILD/deps"
    # TSan-instrumented librdkafka and Abseil (Debian's source of the installed
    # versions): without them TSan cannot follow librdkafka's threads nor see
    # absl::Mutex, and would either crash or report every guarded access.
    bash "$ROOT/tests/tsan/build-deps.sh" "$DEPS"
    PKG_CONFIG_PATH="$DEPS/lib/pkgconfig" cmake -S "$ROOT" -B "$BUILD" -G Ninja \
      -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCMAKE_PREFIX_PATH="$DEPS" \
      -DCMAKE_C_COMPILER=clang -DCMAKE_CXX_COMPILER=clang++ \
      -DCMAKE_CXX_FLAGS="-fsanitize=thread -fno-omit-frame-pointer" \
      -DCMAKE_EXE_LINKER_FLAGS="-fsanitize=thread -Wl,-rpath,$DEPS/lib" \
      -DNEWSD_BUILD_BENCH=OFF >/dev/null
    targets=(in_flight_test worker_pool_test config_test chain_test metrics_test log_test daemon_test)
    cmake --build "$BUILD" -j"$JOBS" --target "${targets[@]}"
    # Debian's protobuf, prometheus-cpp and civetweb are not instrumented: races
    # reported inside them are suppressed (tests/tsan.supp), newsd's own code and
    # librdkafka's and Abseil's are not.
    export TSAN_OPTIONS="halt_on_error=1:second_deadlock_stack=1:suppressions=$ROOT/tests/tsan.supp"
    ctest --test-dir "$BUILD" --output-on-failure -R "^($(IFS='|'; echo "${targets[*]}"))\$"
    ;;
  *) echo "usage: $0 asan|tsan" >&2; exit 2 ;;
esac
