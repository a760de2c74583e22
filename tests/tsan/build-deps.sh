#!/usr/bin/env bash
# Builds ThreadSanitizer-instrumented copies of the two libraries whose
# synchronisation TSan must see for the engine tests to be checked meaningfully:
#   librdkafka  Debian's build starts its threads with C11 thrd_create, which TSan
#               does not intercept (TSan then crashes in librdkafka's first
#               allocation); built here with --disable-c11threads (tinycthread over
#               pthreads) and -fsanitize=thread;
#   Abseil      absl::Mutex annotates itself for TSan only when compiled with it.
# Sources: the Debian 12 source packages of exactly the installed versions, from
# deb.debian.org's pool, checked against these SHA-256 sums. No newsd code here.
#
#   bash tests/tsan/build-deps.sh PREFIX     (idempotent; PREFIX/.done-<version> marks it)
set -euo pipefail
PREFIX="${1:?usage: build-deps.sh PREFIX}"
JOBS="${NEWSD_SANITIZE_JOBS:-2}"
POOL="http://deb.debian.org/debian/pool/main"
RDKAFKA_VERSION=2.0.2
RDKAFKA_SHA256=f321bcb1e015a34114c83cf1aa7b99ee260236aab096b85c003170c90a47ca9d
ABSL_VERSION=20220623.1
ABSL_SHA256=abfe2897f3a30edaa74bc34365afe3c2a3cd012091a97dc7e008f7016adcd5fe
SAN="-fsanitize=thread -g -O1 -fno-omit-frame-pointer"

mkdir -p "$PREFIX/src"
fetch() { # URL SHA256 FILE
  if [[ ! -f "$3" ]] || ! echo "$2  $3" | sha256sum -c --status; then
    curl -fsSL --retry 3 -o "$3.part" "$1"
    echo "$2  $3.part" | sha256sum -c --status || { echo "build-deps: checksum mismatch for $1" >&2; exit 1; }
    mv "$3.part" "$3"
  fi
}

if [[ ! -f "$PREFIX/.done-rdkafka-$RDKAFKA_VERSION" ]]; then
  tarball="$PREFIX/src/librdkafka_$RDKAFKA_VERSION.orig.tar.gz"
  fetch "$POOL/libr/librdkafka/librdkafka_$RDKAFKA_VERSION.orig.tar.gz" "$RDKAFKA_SHA256" "$tarball"
  rm -rf "$PREFIX/src/librdkafka-$RDKAFKA_VERSION"
  tar xzf "$tarball" -C "$PREFIX/src"
  (
    cd "$PREFIX/src/librdkafka-$RDKAFKA_VERSION"
    CC=clang CXX=clang++ CFLAGS="$SAN" CXXFLAGS="$SAN" LDFLAGS="-fsanitize=thread" \
      ./configure --prefix="$PREFIX" --disable-c11threads --disable-ssl --disable-gssapi \
      --disable-zstd --disable-curl --disable-lz4-ext >/dev/null
    make -j"$JOBS" libs >/dev/null
    make install-subdirs >/dev/null
  )
  touch "$PREFIX/.done-rdkafka-$RDKAFKA_VERSION"
fi

if [[ ! -f "$PREFIX/.done-absl-$ABSL_VERSION" ]]; then
  tarball="$PREFIX/src/abseil_$ABSL_VERSION.orig.tar.gz"
  fetch "$POOL/a/abseil/abseil_$ABSL_VERSION.orig.tar.gz" "$ABSL_SHA256" "$tarball"
  rm -rf "$PREFIX/src/abseil"
  mkdir -p "$PREFIX/src/abseil"
  tar xzf "$tarball" -C "$PREFIX/src/abseil" --strip-components=1
  cmake -S "$PREFIX/src/abseil" -B "$PREFIX/src/abseil-build" -G Ninja \
    -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCMAKE_C_COMPILER=clang -DCMAKE_CXX_COMPILER=clang++ \
    -DCMAKE_CXX_STANDARD=17 -DABSL_PROPAGATE_CXX_STD=ON -DBUILD_TESTING=OFF \
    -DBUILD_SHARED_LIBS=ON -DCMAKE_CXX_FLAGS="$SAN" -DCMAKE_SHARED_LINKER_FLAGS="-fsanitize=thread" \
    -DCMAKE_INSTALL_PREFIX="$PREFIX" -DCMAKE_INSTALL_LIBDIR=lib >/dev/null
  cmake --build "$PREFIX/src/abseil-build" -j"$JOBS" >/dev/null
  cmake --install "$PREFIX/src/abseil-build" >/dev/null
  touch "$PREFIX/.done-absl-$ABSL_VERSION"
fi
echo "build-deps: TSan librdkafka $RDKAFKA_VERSION and Abseil $ABSL_VERSION in $PREFIX"
