#!/usr/bin/env bash
# tests/integration/worker/run_jvm_crosscheck.sh: the JVM worker is the oracle.
#
#   run_jvm_crosscheck.sh PATH/TO/test_internal_topics
#
# Needs a broker started by tests/integration/services.sh (KC_RUN_DIR and KC_BOOTSTRAP in the
# environment, as start-kafka prints them). Starts a JVM Connect 4.1.0 worker with a 5-partition
# status topic, makes it write connectors in every state (running -> paused, stopped, deleted),
# then runs test_internal_topics against its topics: our reader must see the same connector
# configs, task configs, target states and statuses the JVM's REST API reports, and every status
# key must sit in the partition our murmur2 picks. In the other direction, our writer creates a
# connector in the JVM's config topic and the JVM worker must start it. Stops the JVM worker.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
BIN=${1:?usage: $0 PATH/TO/test_internal_topics}
SERVICES=${KC_SERVICES:-$here/../services.sh}
if [ -z "${KC_RUN_DIR:-}" ] || [ -z "${KC_BOOTSTRAP:-}" ] || [ ! -x "$SERVICES" ]; then
  echo "SKIP: needs KC_RUN_DIR and KC_BOOTSTRAP from services.sh start-kafka, and $SERVICES"
  exit 77
fi
RUN=$KC_RUN_DIR
NAME=kcx$$
OUT=$RUN/$NAME-crosscheck.out

"$SERVICES" start-jvm-connect "$RUN" "$NAME" status.storage.partitions=5 >/dev/null
trap '"$SERVICES" stop-one "$RUN" "$NAME" >/dev/null 2>&1 || true' EXIT
URL=$(sed -n 's/^KC_CONNECT_URL=//p' "$RUN/$NAME.env")

fail() {
  echo "FAIL: $*" >&2
  exit 1
}
json() { python3 -c "import json,sys; d=json.load(sys.stdin); print($1)"; }
create() { # name tasks
  curl -fsS -X POST -H 'Content-Type: application/json' "$URL/connectors" -d "{\"name\":\"$1\",\"config\":{
    \"connector.class\":\"org.apache.kafka.connect.file.FileStreamSinkConnector\",\"tasks.max\":\"$2\",
    \"topics\":\"$NAME-data\",\"file\":\"$RUN/$1.out\"}}" >/dev/null
}
wait_state() { # name state ntasks
  for _ in $(seq 1 120); do
    s=$(curl -fsS "$URL/connectors/$1/status" 2>/dev/null | json "d['connector']['state'] + ' ' + str(len(d['tasks'])) + ' ' + ','.join(t['state'] for t in d['tasks'])" 2>/dev/null || true)
    case "$s" in "$2 $3"*) return 0 ;; esac
    sleep 0.5
  done
  fail "connector $1: status '$s', want '$2 $3'"
}

create fsink 2
wait_state fsink RUNNING 2
curl -fsS -X PUT "$URL/connectors/fsink/pause" >/dev/null
wait_state fsink PAUSED 2
create fstop 1
wait_state fstop RUNNING 1
curl -fsS -X PUT "$URL/connectors/fstop/stop" >/dev/null
wait_state fstop STOPPED 0
create gone 1
wait_state gone RUNNING 1
curl -fsS -X DELETE "$URL/connectors/gone" >/dev/null
sleep 2 # let the JVM flush its status writes

KC_JVM_CONFIG_TOPIC=$NAME-configs KC_JVM_STATUS_TOPIC=$NAME-status KC_JVM_EXPECT_CONNECTOR=fsink \
  KC_JVM_WRITE_CONNECTOR=fromc "$BIN" >"$OUT" 2>&1 || { cat "$OUT"; fail "test_internal_topics"; }
cat "$OUT"

grep -q '^connector fsink target=PAUSED tasks=2 inconsistent=0$' "$OUT" || fail "fsink not read as PAUSED with 2 tasks"
grep -q '^connector fstop target=STOPPED tasks=0 inconsistent=0$' "$OUT" || fail "fstop not read as STOPPED with 0 tasks"
! grep -q '^connector gone ' "$OUT" || fail "deleted connector still listed"
grep -q '^  task 1 task.class=org.apache.kafka.connect.file.FileStreamSinkTask$' "$OUT" || fail "task config of fsink-1"
grep -q '^status connector fsink PAUSED worker=127.0.0.1:' "$OUT" || fail "status of fsink"
grep -q '^status task fsink-1 PAUSED' "$OUT" || fail "status of fsink-1"
grep -q '^status connector fstop STOPPED' "$OUT" || fail "status of fstop"
grep -q 'not where murmur2 puts them' "$OUT" || fail "no partition check ran"
# Our config view of fsink equals the JVM's REST view.
want=$(curl -fsS "$URL/connectors/fsink/config" | json "','.join(k+'='+v for k,v in sorted(d.items()))")
got=$(sed -n '/^connector fsink /,/^connector /p' "$OUT" | sed -n 's/^  config //p' | sort | paste -sd, -)
[ "$want" = "$got" ] || fail "fsink config: REST '$want', ours '$got'"

# The JVM adopts the connector our writer created: starts it and its task.
wait_state fromc RUNNING 1
want=$(curl -fsS "$URL/connectors/fromc/config" | json "d['topics'] + ' ' + d['tasks.max'] + ' ' + d['name']")
[ "$want" = "fromc 1 fromc" ] || fail "fromc config as the JVM sees it: '$want'"
echo "PASS: JVM cross-check"
