#!/usr/bin/env bash
# scripts/demo.sh: set up and run a local demo pipeline, all on 127.0.0.1.
#
#   scripts/demo.sh [start]   setup.sh, build, start a Kafka broker, start the worker on
#                             127.0.0.1:8083 (or a free port if 8083 is taken), produce sample
#                             IoT sensor events (schemaless JSON), create an S3 sink connector
#                             (io.confluent.connect.s3.S3SinkConnector) on the local store
#                             (store.url=file://<demo dir>/lake) that writes Snappy Parquet under
#                             raw/iot-events/year=/month=/day=/hour=/ by each event's own
#                             timestamp, wait for the objects, then print a DuckDB query over
#                             them (per-device 95th percentile, events per hour). Leaves
#                             everything running.
#   scripts/demo.sh file      the same start, but sample orders into a FileStreamSink connector
#                             (output file printed); works with KC_DEMO_WORKER=jvm too
#   scripts/demo.sh clickhouse  the same broker and worker plus a local ClickHouse server (Debian's
#                             clickhouse-server, services.sh start-clickhouse): the user-events
#                             pipeline (docs: pipelines.md §2) -- 100 JSON events to topic
#                             `events`, a ClickHouseSinkConnector created with curl into the
#                             ReplacingMergeTree table bitpin.events -- then prints the query that
#                             shows the rows and its answer. Leaves everything running.
#   scripts/demo.sh questdb   the same broker and worker plus QuestDB (services.sh start-questdb,
#                             free ports): produces GitHub-style events to topic github_events,
#                             creates the pipeline's questdb-github connector with curl (its own
#                             config: legacy ILP/TCP host, symbols type,repo, created_at as the
#                             designated timestamp), waits for the rows and prints
#                             SELECT timestamp, repo, count() FROM github_events SAMPLE BY 5m.
#   scripts/demo.sh status    print the worker URL, connectors and their status
#   scripts/demo.sh stop      stop the worker and the broker, remove the demo directory
#
# Environment:
#   KC_DEMO_WORKER=c|jvm  which worker serves the demo: c (default) = build/worker/connect-distributed,
#                         jvm = the reference JVM Connect 4.1.0 worker (same properties), for
#                         comparison
#   KC_DEMO_DIR           demo state directory (default ${TMPDIR:-/tmp}/connect-c-demo-$USER)
#   KC_SKIP_SETUP=1       skip scripts/setup.sh (packages and jars already there)
#   KC_CACHE              cache dir for downloads (default ~/.cache/connect-c)
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
export KC_CACHE=${KC_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/connect-c}
SERVICES=$here/tests/integration/services.sh
DEMO_DIR=${KC_DEMO_DIR:-${TMPDIR:-/tmp}/connect-c-demo-${USER:-$(id -un)}}
WORKER=${KC_DEMO_WORKER:-c}
TOPIC=demo-orders
CONNECTOR=demo-file-sink
N=10
IOT_TOPIC=iot-events
IOT_CONNECTOR=demo-s3-sink
IOT_N=600

say() { if [ -t 2 ]; then printf '\033[1m==> %s\033[0m\n' "$*" >&2; else printf '==> %s\n' "$*" >&2; fi; }
die() {
  echo "demo.sh: error: $*" >&2
  exit 1
}

port_free() {
  python3 -c 'import socket,sys
s=socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
try: s.bind(("127.0.0.1", int(sys.argv[1])))
except OSError: sys.exit(1)' "$1"
}

free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}

worker_url() { sed -n 's/^KC_CONNECT_URL=//p' "$DEMO_DIR/worker.env" 2>/dev/null; }

pretty() { python3 -m json.tool 2>/dev/null || cat; }

# api METHOD URL [BODY]: print the response body; fail (showing it) on HTTP >= 400.
api() {
  local body code
  body=$(mktemp)
  code=$(curl -sS -o "$body" -w '%{http_code}' -X "$1" -H 'Content-Type: application/json' \
    ${3:+--data-binary "$3"} "$2") || {
    rm -f "$body"
    return 1
  }
  if [ "$code" -ge 400 ]; then
    echo "demo.sh: $1 $2 -> HTTP $code: $(cat "$body")" >&2
    rm -f "$body"
    return 1
  fi
  pretty <"$body"
  rm -f "$body"
}

cmd_stop() {
  if [ ! -d "$DEMO_DIR" ]; then
    echo "demo.sh: nothing running (no $DEMO_DIR)"
    return 0
  fi
  say "stopping the demo in $DEMO_DIR"
  "$SERVICES" stop "$DEMO_DIR"
  rm -rf "$DEMO_DIR"
  echo "demo.sh: stopped"
}

cmd_status() {
  local url
  url=$(worker_url)
  [ -n "$url" ] || die "demo not running (no $DEMO_DIR/worker.env)"
  echo "worker: $url ($(cat "$DEMO_DIR/worker.kind" 2>/dev/null || echo '?'))"
  echo "kafka:  $(sed -n 's/^KC_BOOTSTRAP=//p' "$DEMO_DIR/env")"
  curl -fsS "$url/connectors?expand=status" | pretty
}

# start_c_worker PORT BOOTSTRAP: our worker, pid/log in DEMO_DIR (services.sh stop stops it).
start_c_worker() {
  local port=$1 bootstrap=$2 bin=$here/build/worker/connect-distributed
  [ -x "$bin" ] || die "worker binary not built: $bin (the build produced no worker yet; try KC_DEMO_WORKER=jvm)"
  mkdir -p "$DEMO_DIR/plugins"
  cat >"$DEMO_DIR/worker.properties" <<EOF
bootstrap.servers=$bootstrap
group.id=connect-c-demo
listeners=http://127.0.0.1:$port
rest.advertised.host.name=127.0.0.1
rest.advertised.port=$port
key.converter=org.apache.kafka.connect.json.JsonConverter
value.converter=org.apache.kafka.connect.json.JsonConverter
key.converter.schemas.enable=false
value.converter.schemas.enable=false
config.storage.topic=connect-c-demo-configs
config.storage.replication.factor=1
offset.storage.topic=connect-c-demo-offsets
offset.storage.replication.factor=1
offset.storage.partitions=1
status.storage.topic=connect-c-demo-status
status.storage.replication.factor=1
status.storage.partitions=1
offset.flush.interval.ms=1000
plugin.path=$DEMO_DIR/plugins
EOF
  nohup "$bin" "$DEMO_DIR/worker.properties" >"$DEMO_DIR/connect-c.log" 2>&1 </dev/null &
  echo $! >"$DEMO_DIR/connect-c.pid"
  local url=http://127.0.0.1:$port i
  for ((i = 0; i < 240; i++)); do
    if curl -fsS "$url/" >/dev/null 2>&1; then
      printf 'KC_CONNECT_URL=%s\nKC_CONNECT_PORT=%s\nKC_CONNECT_LOG=%s\n' "$url" "$port" \
        "$DEMO_DIR/connect-c.log" >"$DEMO_DIR/worker.env"
      return 0
    fi
    if ! kill -0 "$(cat "$DEMO_DIR/connect-c.pid")" 2>/dev/null; then
      tail -n 100 "$DEMO_DIR/connect-c.log" >&2
      die "connect-distributed exited (log: $DEMO_DIR/connect-c.log)"
    fi
    sleep 0.25
  done
  tail -n 100 "$DEMO_DIR/connect-c.log" >&2
  die "connect-distributed did not answer on $url within 60 s"
}

cmd_start() {
  local mode=${1:-s3}
  case $WORKER in c | jvm) ;; *) die "KC_DEMO_WORKER must be c or jvm, not '$WORKER'" ;; esac
  if [ "$mode" != file ] && [ "$WORKER" = jvm ]; then
    die "the $mode demo needs the connect-c worker (the JVM worker has no such sink plugin); try 'scripts/demo.sh file'"
  fi
  if [ -f "$DEMO_DIR/env" ]; then
    die "a demo is already set up in $DEMO_DIR: 'scripts/demo.sh status' or 'scripts/demo.sh stop'"
  fi
  if [ "${KC_SKIP_SETUP:-0}" != 1 ]; then
    say "installing dependencies (scripts/setup.sh)"
    "$here/scripts/setup.sh"
  fi
  if [ "$WORKER" = c ]; then
    say "building (build/)"
    local gen=()
    if [ ! -f "$here/build/CMakeCache.txt" ] && command -v ninja >/dev/null; then gen=(-G Ninja); fi
    cmake -S "$here" -B "$here/build" "${gen[@]}" >/dev/null
    cmake --build "$here/build" -j 2
    [ -x "$here/build/worker/connect-distributed" ] ||
      die "the build produced no worker binary (build/worker/connect-distributed) yet; try KC_DEMO_WORKER=jvm"
  fi

  mkdir -p "$DEMO_DIR"
  DEMO_STARTED=0
  trap '[ "$DEMO_STARTED" = 1 ] || { echo "demo.sh: failed; stopping what was started" >&2; "$SERVICES" stop "$DEMO_DIR"; rm -rf "$DEMO_DIR"; }' EXIT
  say "starting Kafka (KRaft, single node)"
  "$SERVICES" start-kafka "$DEMO_DIR" >/dev/null
  local bootstrap
  bootstrap=$(sed -n 's/^KC_BOOTSTRAP=//p' "$DEMO_DIR/env")
  echo "kafka: $bootstrap"

  local port=8083
  port_free "$port" || {
    port=$(free_port)
    echo "port 8083 is busy; using $port"
  }
  if [ "$WORKER" = jvm ]; then
    say "starting the reference JVM Connect worker on 127.0.0.1:$port"
    KC_REST_PORT=$port "$SERVICES" start-jvm-connect "$DEMO_DIR" connect-c-demo \
      "plugin.path=$DEMO_DIR/plugins" >/dev/null
    cp "$DEMO_DIR/connect-c-demo.env" "$DEMO_DIR/worker.env"
  else
    say "starting connect-distributed on 127.0.0.1:$port"
    start_c_worker "$port" "$bootstrap"
  fi
  echo "$WORKER" >"$DEMO_DIR/worker.kind"
  local url
  url=$(worker_url)
  api GET "$url/"

  case $mode in
  s3) demo_s3 "$url" "$bootstrap" ;;
  questdb) demo_questdb "$url" "$bootstrap" ;;
  clickhouse) demo_clickhouse "$url" "$bootstrap" ;;
  *) demo_file "$url" "$bootstrap" ;;
  esac
}

demo_file() {
  local url=$1 bootstrap=$2 i
  say "producing $N sample JSON records to topic $TOPIC"
  for ((i = 1; i <= N; i++)); do
    printf '{"order_id":%d,"customer":"customer-%d","amount":%d.%02d,"currency":"EUR"}\n' \
      "$i" $((i % 3)) $((i * 7)) $((i * 13 % 100))
  done | kcat -P -b "$bootstrap" -t "$TOPIC"
  kcat -C -b "$bootstrap" -t "$TOPIC" -e -q -c 3 -f '  %s\n'
  echo "  ..."

  local out=$DEMO_DIR/demo-sink.txt
  say "creating connector $CONNECTOR (FileStreamSink -> $out)"
  api POST "$url/connectors" "{\"name\":\"$CONNECTOR\",\"config\":{\"connector.class\":\"org.apache.kafka.connect.file.FileStreamSinkConnector\",\"tasks.max\":\"1\",\"topics\":\"$TOPIC\",\"file\":\"$out\"}}"

  say "waiting for $N lines in $out"
  for ((i = 0; i < 240; i++)); do
    if [ -f "$out" ] && [ "$(wc -l <"$out")" -ge "$N" ]; then break; fi
    sleep 0.25
  done
  [ -f "$out" ] && [ "$(wc -l <"$out")" -ge "$N" ] || {
    api GET "$url/connectors/$CONNECTOR/status" >&2 || true
    die "the sink did not write $N lines to $out within 60 s"
  }
  DEMO_STARTED=1
  say "output file $out"
  cat "$out"
  say "connector status"
  api GET "$url/connectors/$CONNECTOR/status"

  cat <<EOF

The demo is running ($WORKER worker):
  REST API:    $url
               curl -s $url/connectors?expand=status
  Kafka:       $bootstrap
               echo '{"order_id":99}' | kcat -P -b $bootstrap -t $TOPIC
  sink output: $out   (tail -f it while producing more records)
  worker log:  $(sed -n 's/^KC_CONNECT_LOG=//p' "$DEMO_DIR/worker.env")
Stop everything with:  scripts/demo.sh stop
EOF
}


# demo_s3 URL BOOTSTRAP: IoT events -> S3 sink on the local store -> Parquet -> DuckDB.
demo_s3() {
  local url=$1 bootstrap=$2 lake=$DEMO_DIR/lake py=$KC_CACHE/venv/bin/python
  [ -x "$py" ] || die "no $py (scripts/setup.sh installs the venv with duckdb)"
  say "producing $IOT_N sample IoT sensor events to topic $IOT_TOPIC"
  "$py" - "$IOT_N" >"$DEMO_DIR/iot.jsonl" <<'EOF'
import json, random, sys
from datetime import datetime, timedelta, timezone
rnd = random.Random(42)
t0 = datetime(2025, 7, 28, 13, 0, tzinfo=timezone.utc)
kinds = {"temperature": "°C", "humidity": "%", "pressure": "hPa"}
for i in range(int(sys.argv[1])):
    kind = list(kinds)[i % 3]
    print(json.dumps({
        "device_id": f"{kind[:4]}_{i % 4:03d}", "device_type": kind.upper() + "_SENSOR",
        "timestamp": (t0 + timedelta(seconds=18 * i)).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "location": rnd.choice(["Living Room", "Kitchen", "Garage"]),
        "value": round(rnd.gauss({"temperature": 22, "humidity": 45, "pressure": 1013}[kind], 3), 2),
        "unit": kinds[kind], "battery_level": rnd.randint(20, 100),
        "signal_strength": -rnd.randint(40, 90),
        "metadata": {"firmware_version": "1.2.%d" % (i % 3), "calibration_date": "2024-12-01"},
    }, ensure_ascii=False))
EOF
  kcat -P -b "$bootstrap" -t "$IOT_TOPIC" <"$DEMO_DIR/iot.jsonl"
  head -n 2 "$DEMO_DIR/iot.jsonl" | sed 's/^/  /'
  echo "  ..."

  say "creating connector $IOT_CONNECTOR (S3 sink, local store $lake)"
  api POST "$url/connectors" "$(cat <<EOF
{"name":"$IOT_CONNECTOR","config":{
  "connector.class":"io.confluent.connect.s3.S3SinkConnector","tasks.max":"1",
  "topics":"$IOT_TOPIC","store.url":"file://$lake","s3.bucket.name":"iot-data",
  "topics.dir":"raw","flush.size":"100",
  "format.class":"io.confluent.connect.s3.format.parquet.ParquetFormat","parquet.codec":"snappy",
  "partitioner.class":"io.confluent.connect.storage.partitioner.TimeBasedPartitioner",
  "path.format":"'year'=YYYY/'month'=MM/'day'=dd/'hour'=HH","partition.duration.ms":"3600000",
  "locale":"en-US","timezone":"UTC",
  "timestamp.extractor":"RecordField","timestamp.field":"timestamp"}}
EOF
)"

  say "waiting for $IOT_N rows in $lake/raw"
  local q="SELECT count(*) FROM read_parquet('$lake/raw/**/*.parquet', hive_partitioning=1)" i rows=0
  for ((i = 0; i < 240; i++)); do
    if compgen -G "$lake/raw/$IOT_TOPIC/*/*/*/*/*.parquet" >/dev/null; then
      rows=$("$py" -c "import duckdb,sys; print(duckdb.sql(sys.argv[1]).fetchall()[0][0])" "$q" 2>/dev/null || echo 0)
      [ "$rows" -ge "$IOT_N" ] && break
    fi
    sleep 0.25
  done
  [ "$rows" -ge "$IOT_N" ] || {
    api GET "$url/connectors/$IOT_CONNECTOR/status" >&2 || true
    die "the S3 sink did not write $IOT_N rows under $lake within 60 s (rows: $rows)"
  }
  DEMO_STARTED=1
  say "objects written"
  (cd "$lake" && find raw -name '*.parquet' | sort | sed 's/^/  /')
  say "DuckDB over the Parquet files"
  "$py" - "$lake" <<'EOF'
import duckdb, sys
src = f"read_parquet('{sys.argv[1]}/raw/**/*.parquet', hive_partitioning=1)"
for title, q in [
    ("95th percentile of value per device", f"SELECT device_id, any_value(unit) AS unit, count(*) AS events, round(quantile_cont(value, 0.95), 2) AS p95 FROM {src} GROUP BY device_id ORDER BY device_id"),
    ("events per hour", f"SELECT year, month, day, hour, count(*) AS events FROM {src} GROUP BY ALL ORDER BY ALL"),
]:
    print(f"-- {title}\n{q}")
    duckdb.sql(q).show()
EOF
  say "connector status"
  api GET "$url/connectors/$IOT_CONNECTOR/status"

  cat <<EOF

The demo is running ($WORKER worker):
  REST API:    $url
               curl -s $url/connectors?expand=status
  Kafka:       $bootstrap
               kcat -P -b $bootstrap -t $IOT_TOPIC < $DEMO_DIR/iot.jsonl   (100 more per object)
  lake:        $lake/raw  (Parquet, Snappy; objects appear per 100 events and partition)
  worker log:  $(sed -n 's/^KC_CONNECT_LOG=//p' "$DEMO_DIR/worker.env")
Stop everything with:  scripts/demo.sh stop
EOF
}

# demo_clickhouse URL BOOTSTRAP: the user-events pipeline into a local ClickHouse server.
demo_clickhouse() {
  local url=$1 bootstrap=$2 i topic=events db=bitpin connector=demo-clickhouse-events n=100
  say "starting ClickHouse (services.sh start-clickhouse)"
  "$SERVICES" start-clickhouse "$DEMO_DIR" >/dev/null
  local chport chtcp
  chport=$(sed -n 's/^KC_CLICKHOUSE_HTTP_PORT=//p' "$DEMO_DIR/clickhouse.env")
  chtcp=$(sed -n 's/^KC_CLICKHOUSE_TCP_PORT=//p' "$DEMO_DIR/clickhouse.env")
  local ch=http://127.0.0.1:$chport/
  echo "clickhouse: $ch ($(curl -fsS --data-binary 'SELECT version()' "$ch"))"
  # pipelines.md §2's DDL. Servers without DateTime64 (Debian's 18.16) get DateTime('UTC'):
  # the events carry whole seconds, so nothing is lost.
  local tstype="DateTime64(3, 'UTC')"
  if ! curl -fsS --data-binary "SELECT toDateTime64('2025-01-01 00:00:00', 3)" "$ch" >/dev/null 2>&1; then
    tstype="DateTime('UTC')"
    echo "this server has no DateTime64: timestamp is $tstype"
  fi
  curl -fsS --data-binary "CREATE DATABASE IF NOT EXISTS $db" "$ch"
  curl -fsS --data-binary "CREATE TABLE IF NOT EXISTS $db.events (user_id String,
    event_type LowCardinality(String), timestamp $tstype, session_id String,
    device LowCardinality(String), inserted_at DateTime DEFAULT now())
    ENGINE = ReplacingMergeTree() PARTITION BY toYYYYMMDD(timestamp) ORDER BY (timestamp, user_id)
    SETTINGS index_granularity = 8192" "$ch"

  say "producing $n user events to topic $topic"
  local types=(login logout purchase view click) devices=(mobile desktop tablet)
  for ((i = 0; i < n; i++)); do
    printf '{"user_id":"user_%d","event_type":"%s","timestamp":"2025-09-18T10:%02d:%02dZ","session_id":"sess_%d","device":"%s"}\n' \
      $((i % 100 + 1)) "${types[i % 5]}" $((i / 60)) $((i % 60)) "$i" "${devices[i % 3]}"
  done | kcat -P -b "$bootstrap" -t "$topic"
  kcat -C -b "$bootstrap" -t "$topic" -e -q -c 2 -f '  %s\n'
  echo "  ..."

  say "creating connector $connector (ClickHouseSinkConnector -> $db.events)"
  api POST "$url/connectors" "{\"name\":\"$connector\",\"config\":{
    \"connector.class\":\"com.clickhouse.kafka.connect.ClickHouseSinkConnector\",
    \"tasks.max\":\"1\",\"topics\":\"$topic\",\"hostname\":\"127.0.0.1\",\"port\":\"$chport\",
    \"ssl\":\"false\",\"database\":\"$db\",\"username\":\"default\",
    \"value.converter\":\"org.apache.kafka.connect.json.JsonConverter\",
    \"value.converter.schemas.enable\":\"false\"}}"

  say "waiting for $n rows in $db.events"
  local count=0
  for ((i = 0; i < 240; i++)); do
    count=$(curl -fsS --data-binary "SELECT count() FROM $db.events" "$ch" 2>/dev/null || echo 0)
    [ "$count" -ge "$n" ] && break
    sleep 0.25
  done
  [ "$count" -ge "$n" ] || {
    api GET "$url/connectors/$connector/status" >&2 || true
    die "only $count of $n rows reached $db.events within 60 s"
  }
  DEMO_STARTED=1
  local q="SELECT event_type, count() AS events, uniqExact(user_id) AS users, min(timestamp) AS first, max(timestamp) AS last FROM $db.events GROUP BY event_type ORDER BY event_type"
  say "the rows, by event type"
  echo "  $q"
  curl -fsS --data-binary "$q FORMAT PrettyCompactNoEscapes" "$ch"
  say "connector status"
  api GET "$url/connectors/$connector/status"
  cat <<EOF

The ClickHouse demo is running:
  REST API:    $url
  Kafka:       $bootstrap   (topic $topic)
  ClickHouse:  $ch
               curl -s --data-binary 'SELECT count() FROM $db.events' $ch
               clickhouse-client --port $chtcp --query 'SELECT * FROM $db.events LIMIT 5'
  more events: echo '{"user_id":"user_42","event_type":"purchase","timestamp":"2025-09-18T11:00:00Z","session_id":"s","device":"mobile"}' | kcat -P -b $bootstrap -t $topic
  worker log:  $(sed -n 's/^KC_CONNECT_LOG=//p' "$DEMO_DIR/worker.env")
Stop everything with:  scripts/demo.sh stop
EOF
}

# demo_questdb URL BOOTSTRAP: GitHub events -> QuestDB sink (ILP/TCP) -> SAMPLE BY.
demo_questdb() {
  local url=$1 bootstrap=$2
  say "starting QuestDB (Maven Central jar, free loopback ports)"
  "$SERVICES" start-questdb "$DEMO_DIR" >/dev/null
  local qhttp qilp
  qhttp=$(sed -n 's/^KC_QUESTDB_HTTP_PORT=//p' "$DEMO_DIR/questdb.env")
  qilp=$(sed -n 's/^KC_QUESTDB_ILP_PORT=//p' "$DEMO_DIR/questdb.env")
  echo "questdb: http://127.0.0.1:$qhttp (REST, ILP/HTTP), ILP/TCP 127.0.0.1:$qilp"

  local n=300
  say "producing $n GitHub-style events to topic github_events (created_at = epoch micros)"
  python3 - "$n" <<'PY' | kcat -P -b "$bootstrap" -t github_events
import json, sys, time
n = int(sys.argv[1])
start = int(time.time()) // 300 * 300 * 1_000_000 - 1_800_000_000  # six 5-minute windows back
repos = ["cs-jsi/chisel4ml", "questdb/questdb", "apache/kafka", "torvalds/linux"]
types = ["PushEvent", "WatchEvent", "IssuesEvent", "PullRequestEvent"]
for i in range(n):
    print(json.dumps({"type": types[i % 4], "repo": repos[(i * 7) % 4], "actor": f"user-{i % 17}",
                      "created_at": start + i * 6_000_000}))
PY

  say "creating connector questdb-github (the pipeline's config) with curl"
  api PUT "$url/connectors/questdb-github/config" "{\"connector.class\":\"io.questdb.kafka.QuestDBSinkConnector\",\"topics\":\"github_events\",\"table\":\"github_events\",\"host\":\"127.0.0.1:$qilp\",\"symbols\":\"type,repo\",\"timestamp.field.name\":\"created_at\",\"include.key\":false,\"key.converter\":\"org.apache.kafka.connect.storage.StringConverter\",\"value.converter\":\"org.apache.kafka.connect.json.JsonConverter\",\"value.converter.schemas.enable\":false}"

  say "waiting for $n rows in github_events"
  local i got=0
  for ((i = 0; i < 240; i++)); do
    got=$(curl -fsS "http://127.0.0.1:$qhttp/exec?query=SELECT%20count()%20FROM%20github_events" 2>/dev/null |
      python3 -c 'import json,sys; print(json.load(sys.stdin)["dataset"][0][0])' 2>/dev/null || echo 0)
    [ "$got" -ge "$n" ] && break
    sleep 0.25
  done
  [ "$got" -ge "$n" ] || {
    api GET "$url/connectors/questdb-github/status" >&2 || true
    die "only $got of $n rows reached QuestDB within 60 s"
  }
  DEMO_STARTED=1
  say "SELECT timestamp, repo, count() FROM github_events SAMPLE BY 5m"
  curl -fsS -G "http://127.0.0.1:$qhttp/exec" \
    --data-urlencode "query=SELECT timestamp, repo, count() FROM github_events SAMPLE BY 5m ORDER BY timestamp, repo" |
    python3 -c 'import json,sys
r = json.load(sys.stdin)
print("%-28s %-20s %s" % tuple(c["name"] for c in r["columns"]))
for row in r["dataset"]:
    print("%-28s %-20s %s" % tuple(row))'
  cat <<EOF

The QuestDB demo is running ($WORKER worker):
  REST API:  $url   (curl -s $url/connectors/questdb-github/status)
  QuestDB:   http://127.0.0.1:$qhttp/exec?query=...   (ports in $DEMO_DIR/questdb.env)
  Kafka:     $bootstrap   (topic github_events)
Stop everything with:  scripts/demo.sh stop
EOF
}

case ${1:-start} in
start | s3) cmd_start s3 ;;
file) cmd_start file ;;
questdb) cmd_start questdb ;;
clickhouse) cmd_start clickhouse ;;
stop) cmd_stop ;;
status) cmd_status ;;
*)
  sed -n '2,/^set -euo/p' "$0" | sed '$d' | sed 's/^# \{0,1\}//' >&2
  exit 2
  ;;
esac
