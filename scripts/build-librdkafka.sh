#!/usr/bin/env bash
# scripts/build-librdkafka.sh: build a newer librdkafka than Debian 12's 2.0.2 into the cache.
#
# Why: 2.0.2 stalls fetching for ~1 s whenever a partition's prefetch queue fills
# (librdkafka #2879); 2.2+ fixes it and adds the consumer property fetch.queue.backoff.ms.
#
# Source: the librdkafka C tree vendored in crates.io's rdkafka-sys crate (pinned + sha256-checked
# below; the part of the crate version after '+' is the librdkafka version). Built with CMake as a
# shared library only, against Debian's OpenSSL, zlib, zstd and lz4. Left out on purpose:
#   - Cyrus SASL (GSSAPI/Kerberos): smaller idle footprint, no libsasl2. SASL PLAIN, SCRAM-SHA-256/512
#     and OAUTHBEARER (unsecured JWT / app-provided token) stay built in (they only need OpenSSL).
#   - libcurl (OAUTHBEARER OIDC token fetching, sasl.oauthbearer.method=oidc): Debian's libcurl
#     drags in libldap -> libsasl2 and a dozen more libraries.
#   - the examples, the tests and the static library.
#
# Installs into $KC_CACHE/librdkafka-<version> (KC_CACHE defaults to ~/.cache/connect-c, as in
# setup.sh). Idempotent: if $prefix/lib/pkgconfig/rdkafka.pc exists it does nothing. The install is
# staged and moved into place at the end, so an interrupted build never looks finished.
#
# Logs go to stderr; the last line of stdout is the prefix. To build against it:
#   prefix=$(scripts/build-librdkafka.sh)
#   PKG_CONFIG_PATH=$prefix/lib/pkgconfig cmake -B build ...   # pkg_check_modules(rdkafka) finds it
# and the binaries need $prefix/lib at run time (RPATH, or LD_LIBRARY_PATH).
#
# Env: KC_CACHE (cache dir), KC_BUILD_JOBS (parallel compile jobs, default 2: the machine is shared).
set -euo pipefail

CRATE_VERSION=4.10.0+2.12.1
CRATE_SHA256=e234cf318915c1059d4921ef7f75616b5219b10b46e9f3a511a15eb4b56a3f77
RDKAFKA_VERSION=${CRATE_VERSION#*+}

KC_CACHE=${KC_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/connect-c}
prefix=$KC_CACHE/librdkafka-$RDKAFKA_VERSION
jobs=${KC_BUILD_JOBS:-2}
. "$(dirname "${BASH_SOURCE[0]}")/build-common.sh"

kc_build_begin build-librdkafka "$prefix" rdkafka.pc

# Build tools and the -dev packages of the libraries it links, only if missing.
APT_PACKAGES=(build-essential cmake pkg-config curl ca-certificates
  libssl-dev zlib1g-dev libzstd-dev liblz4-dev)
missing=()
for p in "${APT_PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
  log "installing ${missing[*]}"
  SUDO=; [ "$(id -u)" -eq 0 ] || SUDO=sudo
  $SUDO apt-get update -qq >&2
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${missing[@]}" >&2
fi

# The crate, kept in the cache so a failed build does not download it again.
crate=$KC_CACHE/downloads/rdkafka-sys-$CRATE_VERSION.crate
enc=${CRATE_VERSION//+/%2B}
kc_fetch_pinned "$crate" "$CRATE_SHA256" \
  "https://static.crates.io/crates/rdkafka-sys/rdkafka-sys-$enc.crate" \
  "https://crates.io/api/v1/crates/rdkafka-sys/$enc/download"

work=$(mktemp -d "$KC_CACHE/.build-librdkafka.XXXXXX")
trap 'rm -rf "$work"' EXIT
log "extracting librdkafka $RDKAFKA_VERSION"
tar -xzf "$crate" -C "$work" --strip-components=1 "rdkafka-sys-$CRATE_VERSION/librdkafka"
src=$work/librdkafka
[ -f "$src/CMakeLists.txt" ] || { log "no librdkafka/CMakeLists.txt in the crate"; exit 1; }

log "configuring"
# WITH_SASL=OFF drops Cyrus; in CMake it would also drop SCRAM and OAUTHBEARER, which only need
# OpenSSL, so those two are switched back on explicitly (they are plain cache variables there).
cmake -S "$src" -B "$work/build" \
  -DCMAKE_BUILD_TYPE=Release \
  -DCMAKE_INSTALL_PREFIX="$prefix" \
  -DCMAKE_INSTALL_LIBDIR=lib \
  -DRDKAFKA_BUILD_STATIC=OFF \
  -DRDKAFKA_BUILD_EXAMPLES=OFF \
  -DRDKAFKA_BUILD_TESTS=OFF \
  -DWITH_SSL=ON -DWITH_ZLIB=ON -DWITH_ZSTD=ON -DENABLE_LZ4_EXT=ON \
  -DWITH_SASL=OFF -DWITH_SASL_SCRAM=ON -DWITH_SASL_OAUTHBEARER=ON \
  -DWITH_CURL=OFF \
  >&2
log "building (-j$jobs)"
cmake --build "$work/build" --parallel "$jobs" >&2

# Stage the install, then move it into place in one step.
log "installing into $prefix"
DESTDIR=$work/stage cmake --install "$work/build" >&2
staged=$work/stage$prefix
[ -f "$staged/lib/pkgconfig/rdkafka.pc" ] && [ -e "$staged/lib/librdkafka.so.1" ] || {
  log "install did not produce lib/pkgconfig/rdkafka.pc and lib/librdkafka.so.1"
  exit 1
}
kc_build_finish "$staged" "$prefix"
