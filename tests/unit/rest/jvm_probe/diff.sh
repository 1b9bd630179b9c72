#!/bin/bash
# tests/unit/rest/jvm_probe/diff.sh: differential check of the REST layer against the JVM's.
#
# RestProbe.java starts the real Kafka Connect 4.1.0 REST server (ConnectRestServer: Jetty,
# Jersey, Jackson, ConnectExceptionMapper) over a canned Herder made with java.lang.reflect.Proxy,
# so no broker is needed; test_rest_http --serve starts ours over tests/unit/rest/fake_herder.c
# with the same canned data. Every request in cases.txt is sent to both and the answers are
# diffed (Date/Server/Content-Length/Cache-Control headers and reason phrases ignored).
#
# usage: diff.sh <build dir>      (needs the connect-4.1.0 jars from scripts/setup.sh, a JDK)
# Known, expected differences: commit id; FileStreamSource listed by the JVM; canned "config" maps
# are LinkedHashMaps in the probe (the real herder's are HashMaps, which we reproduce); offsets
# shape checks that the JVM makes on the herder side (the probe's herder accepts anything);
# Jetty's HTML 400 pages for ambiguous URIs (ours are JSON); header order.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
build=${1:?build dir}
KC_CACHE=${KC_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/connect-c}
CP=$(ls "$KC_CACHE"/connect-4.1.0/lib/*.jar | tr '\n' ':')
work=$(mktemp -d)
jport=${JPORT:-18099}
cport=${CPORT:-18100}
javac -cp "$CP" -d "$work" "$here/RestProbe.java" 2>/dev/null
java -cp "$CP:$work" RestProbe "$jport" > "$work/jvm.log" 2>&1 &
jpid=$!
"$build/tests/unit/rest/test_rest_http" --serve "$cport" > "$work/c.log" 2>&1 &
cpid=$!
trap 'kill $jpid $cpid 2>/dev/null; rm -rf "$work"' EXIT
for _ in $(seq 60); do grep -q READY "$work/jvm.log" && break; sleep 1; done
run() {
  local P=http://127.0.0.1:$1 J="-H Content-Type:application/json"
  while IFS= read -r line; do
    args=$(echo "$line" | sed -E "s#(^| |\")/#\1$P/#")
    echo "== $line"
    eval curl -s -i $args | tr -d '\r' |
      grep -v -E '^(Date|Content-Length|Server|Cache-Control|Connection):' |
      sed -E 's#^HTTP/1.1 ([0-9]+).*#HTTP \1#' | sed "s#$1#PORT#g"
    echo
  done < "$here/cases.txt"
}
run "$jport" > "$work/jvm.txt"
run "$cport" > "$work/c.txt"
diff "$work/jvm.txt" "$work/c.txt" || true
