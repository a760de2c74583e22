#!/usr/bin/env bash
# Installs newsd's build, test and runtime dependencies on Debian 12 (bookworm).
# Idempotent: packages already present are skipped by apt-get. Needs root (or sudo).
set -euo pipefail

PACKAGES=(
  build-essential cmake ninja-build pkg-config git
  librdkafka-dev                      # Kafka client (C and C++ API, mock cluster)
  libprotobuf-dev protobuf-compiler   # document model, events, config
  libabsl-dev                         # Status, strings, flags, time, synchronization
  prometheus-cpp-dev libcivetweb-dev  # metrics + the /metrics,/healthz,/readyz server
  libgtest-dev libgmock-dev           # tests
  libbenchmark-dev                    # bench/
  libicu-dev                          # normalization, sentence breaking, charsets
  libcld2-dev                         # language identification
  libre2-dev                          # linear-time regular expressions
  libjemalloc-dev                     # allocator of the daemon and benchmarks (NEWSD_JEMALLOC)
  zlib1g-dev                          # gzip corpus files
  maven default-jre-headless          # real Kafka broker for integration tests (deploy/kafka)
  curl ca-certificates
  libxml2-dev                         # decode: NITF, NewsML-G2/1.2, RSS/Atom XML and HTML (no DTD/XXE)
  nlohmann-json3-dev                  # decode: ninjs JSON (depth-limited SAX pre-pass)
  clang libclang-rt-14-dev            # tests/fuzz: libFuzzer targets (tests/fuzz/run.sh)
  iso-codes wamerican                 # entities: ISO 3166 countries/subdivisions, English word list, npm gazetteer packages (build time)
  prometheus                          # tests/deploy: promtool check/test rules, a real Prometheus scraping newsd
  python3 python3-yaml python3-protobuf python3-confluent-kafka  # tests/deploy + deploy/examples consumer
  dpkg-dev file                       # CPack .deb: dpkg-shlibdeps computes Depends
  python3-matplotlib python3-venv     # bench/run-all.sh: plots; bench/peers/setup.sh venv (spaCy peer)
)

# npm for the entities gazetteer build (npm packages, build time only): Debian's
# nodejs + npm unless a Node.js with npm is already installed (e.g. NodeSource's
# nodejs, which bundles npm and conflicts with Debian's npm package).
if ! command -v npm >/dev/null 2>&1; then PACKAGES+=(nodejs npm); fi

SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi

missing=()
for p in "${PACKAGES[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done

if [ ${#missing[@]} -eq 0 ]; then
  echo "install-deps: all ${#PACKAGES[@]} packages already installed"
else
  echo "install-deps: installing ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  $SUDO apt-get update -qq
  $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" </dev/null
fi

# tests/deploy/examples/schema_registry_test.py decodes newsd's framed events with
# Confluent's own Protobuf deserializer, which Debian lacks in a usable version
# (python3-confluent-kafka 1.7 ignores the message indexes): confluent-kafka 2.x from
# PyPI in a venv (its wheel bundles librdkafka). Same path in tests/deploy/CMakeLists.txt.
TEST_VENV="${NEWSD_TEST_VENV:-/opt/newsd-test-venv}"
CONFLUENT_KAFKA_VERSION=2.16.1
if "$TEST_VENV/bin/python3" -c "import sys, importlib.metadata, confluent_kafka.schema_registry.protobuf; sys.exit(importlib.metadata.version('confluent-kafka') != '$CONFLUENT_KAFKA_VERSION')" 2>/dev/null; then
  echo "install-deps: test venv ready: $TEST_VENV (confluent-kafka $CONFLUENT_KAFKA_VERSION)"
else
  echo "install-deps: creating the test venv $TEST_VENV (confluent-kafka $CONFLUENT_KAFKA_VERSION from PyPI)"
  $SUDO /usr/bin/python3 -m venv --clear "$TEST_VENV"
  $SUDO "$TEST_VENV/bin/pip" install -q --disable-pip-version-check \
    "confluent-kafka[protobuf,schemaregistry]==$CONFLUENT_KAFKA_VERSION" </dev/null
fi
