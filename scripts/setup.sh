#!/usr/bin/env bash
# scripts/setup.sh: install everything connect-c needs to build and test, on Debian 12.
#   - Debian packages (compiler libs, librdkafka, libmicrohttpd, jansson, curl, libpq, cmocka, codecs,
#     clickhouse-server 18.16 for tests/integration/clickhouse; its packaged service is not used:
#     services.sh start-clickhouse runs a private one on free loopback ports; podman, runc and
#     debootstrap for tests/integration/container, which builds docker/Dockerfile offline)
#   - a Python venv with pyarrow + duckdb (Parquet checks) in $KC_CACHE/venv
#   - librdkafka 2.12 built from source (scripts/build-librdkafka.sh) into $KC_CACHE
#   - Kafka broker and the JVM Connect worker jars from Maven Central in $KC_CACHE (see
#     tests/integration/services.sh)
#   - Prometheus built with Go from the module proxy (scripts/build-prometheus.sh, ~5 min once)
#     into $KC_CACHE, for tests/integration/test_metrics.py
# Everything downloaded lives in $KC_CACHE (default ~/.cache/connect-c), outside the repo, and is
# reused on the next run. Idempotent.
set -euo pipefail
KC_CACHE=${KC_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/connect-c}
export KC_CACHE
mkdir -p "$KC_CACHE"
here=$(cd "$(dirname "$0")/.." && pwd)

APT_PACKAGES=(build-essential cmake ninja-build pkg-config clang libclang-rt-14-dev
  librdkafka-dev libmicrohttpd-dev libjansson-dev libcurl4-openssl-dev libpq-dev libcmocka-dev
  libsnappy-dev libzstd-dev liblz4-dev zlib1g-dev libbz2-dev liblzma-dev libssl-dev tzdata xz-utils
  kcat curl python3-venv maven
  openjdk-17-jre-headless openssl clickhouse-server clickhouse-client
  podman runc uidmap slirp4netns fuse-overlayfs podman-compose debootstrap)
APT_PACKAGES+=(openjdk-17-jdk-headless) # javac: tests/bench/questdb/build-jvm-connector.sh

missing=()
for p in "${APT_PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
  SUDO=; [ "$(id -u)" -eq 0 ] || SUDO=sudo
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${missing[@]}"
  # clickhouse-server's postinst starts the packaged service (8123/9000) where systemd runs;
  # tests start their own on free ports, so the packaged one is switched off.
  if [[ " ${missing[*]} " == *" clickhouse-server "* ]] && command -v systemctl >/dev/null &&
    systemctl is-enabled clickhouse-server >/dev/null 2>&1; then
    $SUDO systemctl disable --now clickhouse-server || true
  fi
fi

if [ ! -x "$KC_CACHE/venv/bin/python" ]; then
  python3 -m venv "$KC_CACHE/venv"
fi
# Reinstall when tests/requirements.txt changes (its checksum is stamped into the venv).
req_sum=$(sha256sum "$here/tests/requirements.txt" | cut -d' ' -f1)
if [ "$(cat "$KC_CACHE/venv/.requirements.sha256" 2>/dev/null)" != "$req_sum" ] ||
  ! "$KC_CACHE/venv/bin/python" -c 'import pyarrow, duckdb, pytest, chdb' 2>/dev/null; then
  "$KC_CACHE/venv/bin/pip" install -q -r "$here/tests/requirements.txt"
  echo "$req_sum" >"$KC_CACHE/venv/.requirements.sha256"
fi

# librdkafka >= 2.2 (Debian 12 ships 2.0.2, whose fetcher stalls): built once into the cache;
# CMakeLists.txt finds it there.
"$here/scripts/build-librdkafka.sh" >/dev/null
# libmicrohttpd without TLS, static (no GnuTLS in the worker's memory); same cache.
"$here/scripts/build-libmicrohttpd.sh" >/dev/null

# libcurl 8.14 (Debian 12's 7.88 signs S3 requests with SSE-KMS key ids or SSE-C keys in an
# order S3 refuses); shared, HTTP(S) only; same cache.
"$here/scripts/build-libcurl.sh" >/dev/null

# Prometheus (metrics tests), built once from the Go module proxy into the cache.
"$here/scripts/build-prometheus.sh" >/dev/null

# Service jars (Kafka broker, JVM Connect worker) into the cache.
if [ -x "$here/tests/integration/services.sh" ]; then
  "$here/tests/integration/services.sh" fetch
  # Apicurio Registry (Confluent Schema Registry API) for tests/integration/test_avro.py
  "$here/tests/integration/services.sh" fetch-registry
fi
echo "setup: ok (cache: $KC_CACHE)"
