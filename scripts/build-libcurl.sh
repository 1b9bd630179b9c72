#!/usr/bin/env bash
# scripts/build-libcurl.sh: libcurl 8.14 (HTTP and HTTPS only, OpenSSL, zlib), shared, into the
# cache.
#
# Why: the S3 sink signs its requests with libcurl's AWS SigV4 (CURLOPT_AWS_SIGV4). Debian 12's
# libcurl 7.88 sorts the canonical headers by whole "name:value" line instead of by name
# (curl #14370, fixed in 8.10), so a request carrying two headers where one name is a prefix of
# the other is signed in the wrong order and S3 answers 403 SignatureDoesNotMatch: SSE-KMS with
# a key id (x-amz-server-side-encryption and ...-aws-kms-key-id) and SSE-C (...-customer-key and
# ...-customer-key-MD5). Seen against MinIO (tests/integration/s3/test_s3_minio.py).
#
# Source: Debian's orig tarball of curl 8.14.1 (the version Debian 13 ships), pinned by sha256.
# Built with CMake: shared (one libcurl in the process, whatever links it), no curl tool, no
# HTTP/2, IDN, PSL, SSH, LDAP or other protocols; the CA bundle is the one CMake finds at build
# time (Debian's /etc/ssl/certs/ca-certificates.crt). Installs into $KC_CACHE/curl-<version>;
# CMakeLists.txt prefers it when present and falls back to the system library otherwise (then
# the S3 sink refuses the two settings above with a 400 naming the libcurl version).
# Idempotent; the install is staged and moved into place at the end. Logs go to stderr; the
# last line of stdout is the prefix.
#
# Env: KC_CACHE (cache dir), KC_BUILD_JOBS (parallel compile jobs, default 2).
set -euo pipefail

VERSION=8.14.1
SHA256=6766ada7101d292b42b8b15681120acd68effa4a9660935853cf6d61f0d984d4
URL=http://deb.debian.org/debian/pool/main/c/curl/curl_${VERSION}.orig.tar.gz

KC_CACHE=${KC_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/connect-c}
prefix=$KC_CACHE/curl-$VERSION
jobs=${KC_BUILD_JOBS:-2}
. "$(dirname "${BASH_SOURCE[0]}")/build-common.sh"

kc_build_begin build-libcurl "$prefix" libcurl.pc
tarball=$KC_CACHE/downloads/curl_${VERSION}.orig.tar.gz
kc_fetch_pinned "$tarball" "$SHA256" "$URL"

work=$(mktemp -d "${TMPDIR:-/tmp}/kc-curl.XXXXXX")
trap 'rm -rf "$work"' EXIT
tar -xzf "$tarball" -C "$work"
src=$work/curl-$VERSION
stage=$work/stage
log "building libcurl $VERSION (shared, HTTP(S) only, OpenSSL) with -j$jobs"
gen=()
command -v ninja >/dev/null && gen=(-G Ninja)
(
  cmake -S "$src" -B "$work/build" "${gen[@]}" -DCMAKE_BUILD_TYPE=RelWithDebInfo \
    -DCMAKE_INSTALL_PREFIX="$prefix" -DCMAKE_INSTALL_LIBDIR=lib \
    -DBUILD_SHARED_LIBS=ON -DBUILD_STATIC_LIBS=OFF -DBUILD_CURL_EXE=OFF -DBUILD_TESTING=OFF \
    -DBUILD_LIBCURL_DOCS=OFF -DBUILD_MISC_DOCS=OFF -DENABLE_CURL_MANUAL=OFF -DBUILD_EXAMPLES=OFF \
    -DHTTP_ONLY=ON -DCURL_USE_OPENSSL=ON -DCURL_ZLIB=ON -DCURL_BROTLI=OFF -DCURL_ZSTD=OFF \
    -DUSE_NGHTTP2=OFF -DUSE_LIBIDN2=OFF -DCURL_USE_LIBPSL=OFF -DCURL_USE_LIBSSH2=OFF \
    -DCURL_USE_GSSAPI=OFF -DCURL_DISABLE_LDAP=ON -DENABLE_ARES=OFF >&2
  cmake --build "$work/build" -j "$jobs" >&2
  DESTDIR="$stage" cmake --install "$work/build" >&2
) || { log "build failed"; exit 1; }
kc_build_finish "$stage$prefix" "$prefix"
