#!/usr/bin/env bash
# scripts/build-prometheus.sh: a Prometheus server for the metrics tests (tests/integration/
# test_metrics.py scrapes a running worker with it and runs the Grafana dashboard's queries).
#
# Built from the Go module proxy (github.com/prometheus/prometheus/cmd/prometheus at a pinned
# module version; the module proxy checks every module against go.sum's checksum database), once,
# into $KC_CACHE/prometheus-<version>/bin/prometheus. No web UI assets (the tests use the HTTP
# API only). Takes about 5 minutes on 2 cores, so it runs niced with one package at a time.
# Without a `go` command it says so and exits 0: the tests then skip with that reason.
# Idempotent; the last line of stdout is the binary's path.
#
# Env: KC_CACHE (cache dir).
set -euo pipefail

VERSION=v0.316.0 # module version of Prometheus 3.x's cmd/prometheus
KC_CACHE=${KC_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/connect-c}
prefix=$KC_CACHE/prometheus-$VERSION
bin=$prefix/bin/prometheus
log() { echo "build-prometheus: $*" >&2; }

if [ -x "$bin" ]; then
  echo "$bin"
  exit 0
fi
GO=$(command -v go || true)
[ -n "$GO" ] || [ ! -x /usr/local/go/bin/go ] || GO=/usr/local/go/bin/go
if [ -z "$GO" ]; then
  log "no go command: Prometheus not built (the Prometheus tests will skip)"
  exit 0
fi
log "building github.com/prometheus/prometheus/cmd/prometheus@$VERSION (about 5 min)"
stage=$prefix.tmp.$$
rm -rf "$stage"
mkdir -p "$stage/bin"
trap 'rm -rf "$stage"' EXIT
GOBIN=$stage/bin GOFLAGS=-buildvcs=false nice -n 15 "$GO" install -p 1 \
  "github.com/prometheus/prometheus/cmd/prometheus@$VERSION" >&2
"$stage/bin/prometheus" --version >&2
rm -rf "$prefix"
mv "$stage" "$prefix"
trap - EXIT
echo "$bin"
