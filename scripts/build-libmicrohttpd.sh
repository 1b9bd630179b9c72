#!/usr/bin/env bash
# scripts/build-libmicrohttpd.sh: libmicrohttpd without TLS, as a static library, into the cache.
#
# Why: Debian's libmicrohttpd12 links GnuTLS (and with it p11-kit, nettle, hogweed, tasn1,
# idn2, unistring): about 2.3 MiB of resident code in a worker whose REST API is plain HTTP
# (https listeners terminate TLS with OpenSSL in rest/rest_tls.c instead, and hand libmicrohttpd
# the decrypted stream). Built static and without HTTPS,
# the REST server costs only the few pages it uses, which keeps an idle worker under 10 MiB.
#
# Source: Debian's orig tarball of libmicrohttpd 1.0.1 (the current upstream release, packaged in
# Debian 13; Debian 12 still ships 0.9.75), pinned by sha256. Compiled with -D_FORTIFY_SOURCE=2
# and -fstack-protector-strong: it parses every byte a client sends. Installs into $KC_CACHE/libmicrohttpd-<version>; CMakeLists.txt prefers it
# when present and falls back to the system library otherwise. Idempotent; the install is
# staged and moved into place at the end. Logs go to stderr; the last line of stdout is the
# prefix.
#
# Env: KC_CACHE (cache dir), KC_BUILD_JOBS (parallel compile jobs, default 2).
set -euo pipefail

VERSION=1.0.1
SHA256=a89e09fc9b4de34dde19f4fcb4faaa1ce10299b9908db1132bbfa1de47882b94
URL=http://deb.debian.org/debian/pool/main/libm/libmicrohttpd/libmicrohttpd_${VERSION}.orig.tar.gz

KC_CACHE=${KC_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/connect-c}
prefix=$KC_CACHE/libmicrohttpd-$VERSION
jobs=${KC_BUILD_JOBS:-2}
. "$(dirname "${BASH_SOURCE[0]}")/build-common.sh"

kc_build_begin build-libmicrohttpd "$prefix" libmicrohttpd.pc
tarball=$KC_CACHE/downloads/libmicrohttpd_${VERSION}.orig.tar.gz
kc_fetch_pinned "$tarball" "$SHA256" "$URL"

work=$(mktemp -d "${TMPDIR:-/tmp}/kc-mhd.XXXXXX")
trap 'rm -rf "$work"' EXIT
tar -xzf "$tarball" -C "$work"
src=$work/libmicrohttpd-$VERSION
stage=$work/stage
log "building libmicrohttpd $VERSION (static, no HTTPS, fortified) with -j$jobs"
(
  cd "$src"
  CFLAGS="-O2 -g -D_FORTIFY_SOURCE=2 -fstack-protector-strong" \
  ./configure --quiet --prefix="$prefix" --enable-static --disable-shared --with-pic \
    --disable-https --without-gnutls --disable-doc --disable-examples --disable-curl \
    --disable-dauth --disable-postprocessor \
    --enable-epoll=auto >&2
  make -j"$jobs" -C src/microhttpd >&2
  make -C src/microhttpd install DESTDIR="$stage" >&2
  make -C src/include install DESTDIR="$stage" >&2
) || { log "build failed"; exit 1; }
# pkg-config file (configure writes it at the top of the tree)
mkdir -p "$stage$prefix/lib/pkgconfig"
cp "$src/libmicrohttpd.pc" "$stage$prefix/lib/pkgconfig/"
kc_build_finish "$stage$prefix" "$prefix"
