#!/usr/bin/env bash
# tests/integration/services.sh: real test services for connect-c, on 127.0.0.1 only, no Docker.
#
#   services.sh fetch
#       Download the Kafka broker jars, the reference JVM Connect worker jars and S3Proxy from Maven
#       Central into $KC_CACHE/kafka-<v>/lib, $KC_CACHE/connect-<v>/lib, $KC_CACHE/s3proxy-<v>/lib and
#       $KC_CACHE/debezium-<v>/lib (a plugin folder: Debezium's SMTs for the JVM worker)
#       (one throwaway pom per service,
#       Maven repo at $KC_CACHE/m2). A second run with a complete cache does not start Maven.
#   services.sh start-kafka [RUN_DIR]
#       Format and start a single-node KRaft broker+controller on free ports; wait until `kcat -L`
#       answers; write RUN_DIR/env (KC_BOOTSTRAP=127.0.0.1:<port>, ...) and print it on stdout.
#       Without RUN_DIR a new temp dir is made (its path is in the printed KC_RUN_DIR).
#   services.sh start-kafka-sasl-ssl RUN_DIR
#       As start-kafka, plus a SASL_SSL listener (SASL PLAIN over TLS) on another free loopback
#       port. RUN_DIR must hold what the caller made: tls/broker.p12 (the broker's key and
#       certificate, PKCS12), tls/broker.p12.password, and users (one `name=password` a line, the
#       PLAIN users the broker accepts). The PLAINTEXT listener stays for test helpers and the
#       inter-broker traffic. RUN_DIR/env also gets KC_SASL_SSL_BOOTSTRAP=127.0.0.1:<port>.
#   services.sh start-jvm-connect RUN_DIR NAME [key=value ...]
#       Start a reference JVM distributed worker (Connect 4.1.0) against the broker of RUN_DIR (or
#       $KC_BOOTSTRAP) on a free REST port. group.id defaults to NAME, the internal topics to
#       NAME-configs / NAME-offsets / NAME-status; every key=value is appended to the worker
#       properties (later keys win). Writes RUN_DIR/NAME.env (KC_CONNECT_URL=...) and prints it.
#   services.sh start-clickhouse RUN_DIR
#       Start Debian's clickhouse-server (18.16, apt package clickhouse-server) with a private
#       config under RUN_DIR/clickhouse: HTTP, native and interserver ports are free loopback ports
#       (never 8123/9000/9009), users `default` (no password), `tester` (password `secret`) and
#       `sinkuser` (password `kcSinkPw7731`, a string that appears nowhere else, for leak checks).
#       A restart in the same RUN_DIR keeps its ports when they are still free.
#       Writes RUN_DIR/clickhouse.env (KC_CLICKHOUSE_HTTP_PORT=..., KC_CLICKHOUSE_TCP_PORT=...) and
#       prints it. Stop it with `stop-one RUN_DIR clickhouse` (or `stop RUN_DIR`).
#   services.sh start-s3 RUN_DIR
#       Start S3Proxy (Maven Central org.gaul:s3proxy, fetched into $KC_CACHE/s3proxy-<v>) with
#       its filesystem backend under RUN_DIR/s3/data on a free loopback port, SigV4 (and v2)
#       checked against the identity `kcaccess` / credential `kcsecret`. Writes RUN_DIR/s3.env
#       (KC_S3_ENDPOINT=http://127.0.0.1:<port>, KC_S3_ACCESS_KEY, KC_S3_SECRET_KEY, KC_S3_DATA)
#       and prints it. Buckets are directories of KC_S3_DATA (create them with a PUT).
#   services.sh start-minio RUN_DIR
#       Start MinIO (what the user pipelines run; the S3 bench's --s3-server minio) with its data
#       under RUN_DIR/minio/data on a free loopback port, same credentials as start-s3 but the
#       secret `kcsecret123` (MinIO wants 8 characters). The first use builds it from the Go module
#       proxy (`go install`, pinned, CGO off) into $KC_CACHE/minio/bin: ~3 min, ~2 GB of module
#       cache. Server-side encryption works: a static KMS key named `kc-test-key` (its 32 bytes
#       drawn at each start) serves SSE-S3 and SSE-KMS. Writes RUN_DIR/minio.env (KC_S3_ENDPOINT,
#       KC_S3_ACCESS_KEY, KC_S3_SECRET_KEY, KC_S3_KMS_KEY_ID; no KC_S3_DATA: MinIO's files are its
#       own format, read objects through the S3 API) and prints it.
#   services.sh start-questdb RUN_DIR
#       Start QuestDB (Maven Central org.questdb:questdb, the last Java 17 line) with its root under
#       RUN_DIR/questdb: HTTP (REST /exec and ILP /write), ILP/TCP, PG wire and the minimal HTTP
#       server on free loopback ports (never 9000/9009/8812). Writes RUN_DIR/questdb.env
#       (KC_QUESTDB_HTTP_PORT=..., KC_QUESTDB_ILP_PORT=..., KC_QUESTDB_PG_PORT=...) and prints it.
#       `fetch` downloads its jar too. Stop it with `stop-one RUN_DIR questdb`.
#   services.sh fetch-registry
#       Build Apicurio Registry (Maven Central io.apicurio:apicurio-registry-app, a Quarkus app) into
#       a runnable jar under $KC_CACHE/apicurio-registry-<v>/app with Maven (the Quarkus build step
#       over one throwaway pom; Maven Central only). Cached: with a complete build it does nothing.
#   services.sh start-registry RUN_DIR
#       Start that registry (in-memory storage) on a free loopback port; it speaks the Confluent
#       Schema Registry API under /apis/ccompat/v7. Writes RUN_DIR/registry.env
#       (KC_REGISTRY_URL=http://127.0.0.1:<port>/apis/ccompat/v7) and prints it. Stop it with
#       `stop-one RUN_DIR registry`. fetch-registry also puts Apicurio's own AvroConverter (its
#       fork of Confluent's AvroData; Confluent's jars are not on Maven Central) into the plugin
#       path $KC_CACHE/apicurio-registry-<v>/converter, for the JVM reference worker.
#   services.sh stop-one RUN_DIR NAME      stop one service started in RUN_DIR (kafka, clickhouse
#                                          or a worker)
#   services.sh stop RUN_DIR               stop everything started in RUN_DIR (workers, then kafka)
#
# Logs: RUN_DIR/<name>.log (dumped to stderr when a service does not get ready). PIDs:
# RUN_DIR/<name>.pid; stop only signals a PID whose command line still names RUN_DIR (TERM, then
# KILL after KC_STOP_GRACE seconds, default 30). Environment:
#   KC_CACHE               cache dir (default ${XDG_CACHE_HOME:-$HOME/.cache}/connect-c)
#   KC_SERVICE_TIMEOUT     readiness timeout in seconds (default 120, times KC_TEST_TIMEOUT_SCALE)
#   KC_REST_PORT           start-jvm-connect: use this REST port instead of a free one
#   JAVA                   java binary (default: java on PATH; needs 17+)
set -euo pipefail

KAFKA_VERSION=4.1.0
LOG4J2_VERSION=2.24.3
QUESTDB_VERSION=9.3.2 # 9.4+ needs Java 25 (class file 69); Debian 12 has 17
DEP_PLUGIN=org.apache.maven.plugins:maven-dependency-plugin:3.8.1
CLUSTER_ID=MkU3OEVBNTcwNTJENDM2Qg # any base64url UUID; fixed for reproducible runs

KC_CACHE=${KC_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/connect-c}
JAVA=${JAVA:-java}
KAFKA_DIR=$KC_CACHE/kafka-$KAFKA_VERSION
CONNECT_DIR=$KC_CACHE/connect-$KAFKA_VERSION
S3PROXY_VERSION=2.6.0
S3PROXY_DIR=$KC_CACHE/s3proxy-$S3PROXY_VERSION
# MinIO: the module version test-services.md §0 names (what the user pipelines run)
MINIO_MODULE=github.com/minio/minio@v0.0.0-20260212201848-7aac2a2c5b7c
MINIO_DIR=$KC_CACHE/minio
QUESTDB_DIR=$KC_CACHE/questdb-$QUESTDB_VERSION
# Debezium's SMTs (ExtractNewRecordState) for the JVM worker's plugin.path in the SMT differential
# test: from 3.6 on they live in debezium-connect-plugins (debezium-core has no jar any more).
DEBEZIUM_VERSION=3.6.1.Final
DEBEZIUM_DIR=$KC_CACHE/debezium-$DEBEZIUM_VERSION
# Apicurio 2.4.2.Final: the newest line whose artifacts are (nearly) all on Maven Central and that
# runs on Java 17 (2.6.x lacks modules there, 3.x needs Java 21); Quarkus version of its parent.
APICURIO_VERSION=2.4.2.Final
APICURIO_QUARKUS_VERSION=2.16.4.Final
APICURIO_DIR=$KC_CACHE/apicurio-registry-$APICURIO_VERSION

log() { echo "services.sh: $*" >&2; }
die() {
  log "error: $*"
  exit 1
}

timeout_s() {
  local base=${KC_SERVICE_TIMEOUT:-120} scale=${KC_TEST_TIMEOUT_SCALE:-1}
  awk -v b="$base" -v s="$scale" 'BEGIN { printf "%d\n", b * s }'
}

# ---------------------------------------------------------------------------------------------
# fetch

# write_pom FILE ARTIFACTID "group:artifact:version" ...
write_pom() {
  local file=$1 aid=$2 dep g a v
  shift 2
  {
    echo '<?xml version="1.0" encoding="UTF-8"?>'
    echo '<project xmlns="http://maven.apache.org/POM/4.0.0">'
    echo '  <modelVersion>4.0.0</modelVersion>'
    echo '  <groupId>local.connect-c.testservices</groupId>'
    echo "  <artifactId>$aid</artifactId>"
    echo '  <version>1</version>'
    echo '  <packaging>pom</packaging>'
    echo '  <dependencies>'
    for dep in "$@"; do
      IFS=: read -r g a v <<<"$dep"
      echo "    <dependency><groupId>$g</groupId><artifactId>$a</artifactId><version>$v</version></dependency>"
    done
    echo '  </dependencies>'
    echo '</project>'
  } >"$file"
}

# fetch_service DIR ARTIFACTID DEPS...: DIR/lib holds the runtime jars when DIR/lib/.complete
# matches the pom's checksum.
fetch_service() {
  local dir=$1 aid=$2
  shift 2
  mkdir -p "$dir"
  write_pom "$dir/pom.xml.new" "$aid" "$@"
  local sum
  sum=$(sha256sum "$dir/pom.xml.new" | cut -d' ' -f1)
  if [ -f "$dir/lib/.complete" ] && [ "$(cat "$dir/lib/.complete")" = "$sum" ]; then
    rm -f "$dir/pom.xml.new"
    log "fetch: $aid cached in $dir/lib"
    return 0
  fi
  mv "$dir/pom.xml.new" "$dir/pom.xml"
  command -v mvn >/dev/null || die "mvn not found (run scripts/setup.sh)"
  log "fetch: $aid -> $dir/lib (Maven Central)"
  rm -rf "$dir/lib.tmp"
  if ! mvn -B -Dstyle.color=never -f "$dir/pom.xml" -Dmaven.repo.local="$KC_CACHE/m2" \
    "$DEP_PLUGIN:copy-dependencies" -DoutputDirectory="$dir/lib.tmp" -DincludeScope=runtime \
    ${FETCH_EXCLUDE_GROUPS:+-DexcludeGroupIds=$FETCH_EXCLUDE_GROUPS} \
    >"$dir/mvn.log" 2>&1; then
    tail -n 60 "$dir/mvn.log" >&2
    die "fetch: maven failed for $aid (log: $dir/mvn.log)"
  fi
  echo "$sum" >"$dir/lib.tmp/.complete"
  rm -rf "$dir/lib"
  mv "$dir/lib.tmp" "$dir/lib"
}

cmd_fetch() {
  local l4j=org.apache.logging.log4j
  local trio=("$l4j:log4j-slf4j-impl:$LOG4J2_VERSION" "$l4j:log4j-core:$LOG4J2_VERSION"
    "$l4j:log4j-api:$LOG4J2_VERSION")
  fetch_service "$KAFKA_DIR" kafka-broker-libs \
    "org.apache.kafka:kafka_2.13:$KAFKA_VERSION" "${trio[@]}"
  fetch_service "$CONNECT_DIR" kafka-connect-libs \
    "org.apache.kafka:connect-runtime:$KAFKA_VERSION" \
    "org.apache.kafka:connect-file:$KAFKA_VERSION" "${trio[@]}"
  fetch_service "$S3PROXY_DIR" s3proxy-libs "org.gaul:s3proxy:$S3PROXY_VERSION"
  fetch_service "$QUESTDB_DIR" questdb-server "org.questdb:questdb:$QUESTDB_VERSION"
  # a Connect plugin: the worker provides Kafka's own classes, so they stay out of its folder
  FETCH_EXCLUDE_GROUPS=org.apache.kafka fetch_service "$DEBEZIUM_DIR" debezium-connect-plugins \
    "io.debezium:debezium-connect-plugins:$DEBEZIUM_VERSION"
}

need_libs() {
  [ -f "$1/lib/.complete" ] || die "no jars in $1/lib: run '$0 fetch' (or scripts/setup.sh)"
}

# ---------------------------------------------------------------------------------------------
# process helpers

# port_free PORT: 0 when nothing listens on 127.0.0.1:PORT.
port_free() {
  python3 -c 'import socket, sys
s = socket.socket()
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
try:
    s.bind(("127.0.0.1", int(sys.argv[1])))
except OSError:
    sys.exit(1)' "$1"
}

free_port() {
  python3 - <<'EOF'
import socket
s = socket.socket()
s.bind(("127.0.0.1", 0))
print(s.getsockname()[1])
s.close()
EOF
}

# start_bg RUN_DIR NAME CMD...: RUN_DIR/NAME.pid, RUN_DIR/NAME.log
start_bg() {
  local run=$1 name=$2
  shift 2
  nohup "$@" >"$run/$name.log" 2>&1 </dev/null &
  echo $! >"$run/$name.pid"
}

# pid_ours RUN_DIR PID: the process is alive and its command line names a file in RUN_DIR
# (guards against PID reuse after the service died; zombies have an empty command line).
pid_ours() {
  local run=$1 pid=$2
  [ -r "/proc/$pid/cmdline" ] || return 1
  tr '\0' ' ' <"/proc/$pid/cmdline" | grep -qF -- "$run/"
}

alive() {
  local pid
  pid=$(cat "$1/$2.pid" 2>/dev/null) || return 1
  pid_ours "$1" "$pid"
}

# wait_ready RUN_DIR NAME CMD...: poll CMD until it succeeds; fail early if the service died.
wait_ready() {
  local run=$1 name=$2
  shift 2
  local deadline=$((SECONDS + $(timeout_s)))
  until "$@" >/dev/null 2>&1; do
    if ! alive "$run" "$name"; then
      log "$name exited before it was ready; last log lines ($run/$name.log):"
      tail -n 200 "$run/$name.log" >&2 || true
      return 1
    fi
    if ((SECONDS >= deadline)); then
      log "$name not ready after $(timeout_s) s; last log lines ($run/$name.log):"
      tail -n 200 "$run/$name.log" >&2 || true
      stop_one "$run" "$name"
      return 1
    fi
    sleep 0.25
  done
}

stop_one() {
  local run=$1 name=$2 pid grace=${KC_STOP_GRACE:-30}
  pid=$(cat "$run/$name.pid" 2>/dev/null) || return 0
  if pid_ours "$run" "$pid"; then
    kill -TERM "$pid" 2>/dev/null || true
    local i
    for ((i = 0; i < grace * 4; i++)); do
      pid_ours "$run" "$pid" || break
      sleep 0.25
    done
    if pid_ours "$run" "$pid"; then
      log "$name (pid $pid) still running after ${grace}s: SIGKILL"
      kill -KILL "$pid" 2>/dev/null || true
      sleep 0.2
    fi
  fi
  rm -f "$run/$name.pid"
}

write_log4j2() {
  cat >"$1" <<'EOF'
status = warn
appender.out.type = Console
appender.out.name = OUT
appender.out.layout.type = PatternLayout
appender.out.layout.pattern = [%d] %p %m (%c)%n
rootLogger.level = INFO
rootLogger.appenderRef.out.ref = OUT
logger.kafka.name = kafka
logger.kafka.level = INFO
logger.ak.name = org.apache.kafka
logger.ak.level = WARN
logger.connect.name = org.apache.kafka.connect
logger.connect.level = INFO
EOF
}

JVM_OPTS=(-XX:+UseG1GC -XX:MaxGCPauseMillis=20 -XX:InitiatingHeapOccupancyPercent=35
  -XX:+ExplicitGCInvokesConcurrent -XX:+ExitOnOutOfMemoryError -Djava.awt.headless=true)

# ---------------------------------------------------------------------------------------------
# kafka

cmd_start_kafka() {
  local run=${1:-}
  if [ -z "$run" ]; then
    run=$(mktemp -d "${TMPDIR:-/tmp}/kc-services.XXXXXX")
  fi
  mkdir -p "$run"
  run=$(cd "$run" && pwd)
  need_libs "$KAFKA_DIR"
  if alive "$run" kafka; then
    log "kafka already running in $run"
    cat "$run/env"
    return 0
  fi
  local port cport
  port=$(free_port)
  cport=$(free_port)
  while [ "$cport" = "$port" ]; do cport=$(free_port); done
  mkdir -p "$run/kafka/data"
  rm -rf "$run/kafka/data"/*
  write_log4j2 "$run/log4j2.properties"
  cat >"$run/kafka/server.properties" <<EOF
process.roles=broker,controller
node.id=1
controller.quorum.voters=1@127.0.0.1:$cport
listeners=PLAINTEXT://127.0.0.1:$port,CONTROLLER://127.0.0.1:$cport${KAFKA_EXTRA_LISTENER:+,$KAFKA_EXTRA_LISTENER}
advertised.listeners=PLAINTEXT://127.0.0.1:$port${KAFKA_EXTRA_LISTENER:+,$KAFKA_EXTRA_LISTENER}
inter.broker.listener.name=PLAINTEXT
controller.listener.names=CONTROLLER
listener.security.protocol.map=CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT${KAFKA_EXTRA_PROTOCOLS:-}
log.dirs=$run/kafka/data
num.partitions=1
auto.create.topics.enable=true
offsets.topic.replication.factor=1
offsets.topic.num.partitions=1
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
transaction.state.log.num.partitions=1
share.coordinator.state.topic.replication.factor=1
share.coordinator.state.topic.min.isr=1
group.initial.rebalance.delay.ms=0
num.network.threads=2
num.io.threads=2
num.recovery.threads.per.data.dir=1
log.retention.check.interval.ms=300000
# Tests produce records with fixed timestamps years in the past (TimeBased partitioners, SMT
# cases, designated timestamps): time retention would delete them at the next check, mid-test.
log.retention.ms=-1
${KAFKA_EXTRA_PROPS:-}
EOF
  local lib="$KAFKA_DIR/lib/*" logopt="-Dlog4j2.configurationFile=$run/log4j2.properties"
  local t0=$SECONDS
  "$JAVA" -Xmx256m "$logopt" -cp "$lib" kafka.tools.StorageTool format -t "$CLUSTER_ID" \
    -c "$run/kafka/server.properties" --ignore-formatted >"$run/kafka-format.log" 2>&1 || {
    cat "$run/kafka-format.log" >&2
    die "kafka storage format failed"
  }
  start_bg "$run" kafka "$JAVA" -Xms256m -Xmx768m "${JVM_OPTS[@]}" "$logopt" -cp "$lib" \
    kafka.Kafka "$run/kafka/server.properties"
  wait_ready "$run" kafka kcat -L -b "127.0.0.1:$port" -m 2 || die "kafka did not start"
  log "kafka ready on 127.0.0.1:$port in $((SECONDS - t0)) s (run dir $run)"
  cat >"$run/env" <<EOF
KC_RUN_DIR=$run
KC_BOOTSTRAP=127.0.0.1:$port
KC_KAFKA_PORT=$port
KC_KAFKA_CONTROLLER_PORT=$cport
KC_KAFKA_PID=$(cat "$run/kafka.pid")
${KAFKA_EXTRA_ENV:-}
EOF
  cat "$run/env"
}

# start-kafka-sasl-ssl RUN_DIR: start-kafka with a SASL_SSL (PLAIN, SCRAM) listener; the caller made the
# broker's keystore and the users (the test owns its CA, so nothing secret lives in the repo).
cmd_start_kafka_sasl_ssl() {
  local run=${1:?RUN_DIR}
  run=$(cd "$run" && pwd)
  [ -f "$run/tls/broker.p12" ] && [ -f "$run/tls/broker.p12.password" ] && [ -f "$run/users" ] ||
    die "start-kafka-sasl-ssl: $run needs tls/broker.p12, tls/broker.p12.password and users"
  local sport jaas="" line pw
  sport=$(free_port)
  pw=$(cat "$run/tls/broker.p12.password")
  while IFS= read -r line; do
    [ -n "$line" ] || continue
    jaas+=" user_${line%%=*}=\"${line#*=}\""
  done <"$run/users"
  KAFKA_EXTRA_LISTENER="SASL_SSL://127.0.0.1:$sport"
  KAFKA_EXTRA_PROTOCOLS=",SASL_SSL:SASL_SSL"
  # SCRAM is enabled too; its credentials are the caller's to create (Admin API), none by default
  KAFKA_EXTRA_PROPS="sasl.enabled.mechanisms=PLAIN,SCRAM-SHA-256,SCRAM-SHA-512
listener.name.sasl_ssl.plain.sasl.jaas.config=org.apache.kafka.common.security.plain.PlainLoginModule required$jaas;
listener.name.sasl_ssl.scram-sha-256.sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required;
listener.name.sasl_ssl.scram-sha-512.sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required;
listener.name.sasl_ssl.ssl.keystore.type=PKCS12
listener.name.sasl_ssl.ssl.keystore.location=$run/tls/broker.p12
listener.name.sasl_ssl.ssl.keystore.password=$pw
listener.name.sasl_ssl.ssl.key.password=$pw"
  KAFKA_EXTRA_ENV="KC_SASL_SSL_BOOTSTRAP=127.0.0.1:$sport"
  cmd_start_kafka "$run"
}

# ---------------------------------------------------------------------------------------------
# JVM Connect worker

# connect_ready URL: REST answers /connectors and the herder finished startup. /connectors
# answers [] while the worker still reads its internal topics (and even when it will never get
# past that, e.g. an impossible replication factor); /health (KIP-1017) is 503 until startup is
# done.
connect_ready() {
  curl -fsS "$1/connectors" && curl -fsS "$1/health"
}

cmd_start_jvm_connect() {
  [ $# -ge 2 ] || die "usage: $0 start-jvm-connect RUN_DIR NAME [key=value ...]"
  local run name
  run=$(cd "$1" && pwd)
  name=$2
  shift 2
  [[ $name =~ ^[A-Za-z0-9._-]+$ ]] || die "bad worker name '$name'"
  [ "$name" != kafka ] || die "'kafka' is reserved"
  need_libs "$CONNECT_DIR"
  local bootstrap=${KC_BOOTSTRAP:-}
  if [ -f "$run/env" ]; then
    bootstrap=$(sed -n 's/^KC_BOOTSTRAP=//p' "$run/env")
  fi
  [ -n "$bootstrap" ] || die "no broker: start-kafka into $run first or set KC_BOOTSTRAP"
  if alive "$run" "$name"; then
    log "$name already running in $run"
    cat "$run/$name.env"
    return 0
  fi
  local port=${KC_REST_PORT:-}
  [ -n "$port" ] || port=$(free_port)
  mkdir -p "$run/$name-plugins"
  [ -f "$run/log4j2.properties" ] || write_log4j2 "$run/log4j2.properties"
  {
    cat <<EOF
bootstrap.servers=$bootstrap
group.id=$name
listeners=http://127.0.0.1:$port
rest.advertised.host.name=127.0.0.1
rest.advertised.port=$port
key.converter=org.apache.kafka.connect.json.JsonConverter
value.converter=org.apache.kafka.connect.json.JsonConverter
key.converter.schemas.enable=false
value.converter.schemas.enable=false
config.storage.topic=$name-configs
config.storage.replication.factor=1
offset.storage.topic=$name-offsets
offset.storage.replication.factor=1
offset.storage.partitions=1
status.storage.topic=$name-status
status.storage.replication.factor=1
status.storage.partitions=1
offset.flush.interval.ms=1000
plugin.path=$run/$name-plugins
EOF
    local kv
    for kv in "$@"; do
      [[ $kv == *=* ]] || die "not key=value: '$kv'"
      echo "$kv"
    done
  } >"$run/$name.properties"
  local t0=$SECONDS
  start_bg "$run" "$name" "$JAVA" -Xms128m -Xmx1g "${JVM_OPTS[@]}" \
    "-Dlog4j2.configurationFile=$run/log4j2.properties" -cp "$CONNECT_DIR/lib/*" \
    org.apache.kafka.connect.cli.ConnectDistributed "$run/$name.properties"
  wait_ready "$run" "$name" connect_ready "http://127.0.0.1:$port" ||
    die "JVM worker $name did not start"
  log "JVM worker $name ready on http://127.0.0.1:$port in $((SECONDS - t0)) s"
  cat >"$run/$name.env" <<EOF
KC_CONNECT_URL=http://127.0.0.1:$port
KC_CONNECT_PORT=$port
KC_CONNECT_PID=$(cat "$run/$name.pid")
KC_CONNECT_PROPERTIES=$run/$name.properties
KC_CONNECT_LOG=$run/$name.log
EOF
  cat "$run/$name.env"
}

# ---------------------------------------------------------------------------------------------
# clickhouse

cmd_start_clickhouse() {
  [ $# -eq 1 ] || die "usage: $0 start-clickhouse RUN_DIR"
  mkdir -p "$1"
  local run
  run=$(cd "$1" && pwd)
  local server=${KC_CLICKHOUSE_SERVER:-/usr/sbin/clickhouse-server}
  [ -x "$server" ] || die "no $server: run scripts/setup.sh (apt package clickhouse-server)"
  if alive "$run" clickhouse; then
    log "clickhouse already running in $run"
    cat "$run/clickhouse.env"
    return 0
  fi
  local ch=$run/clickhouse http tcp inter
  http=$(free_port)
  tcp=$(free_port)
  inter=$(free_port)
  # A restart in the same RUN_DIR keeps its ports (clients keep their URL), when still free.
  if [ -f "$run/clickhouse.env" ]; then
    local oh ot oi
    oh=$(sed -n 's/^KC_CLICKHOUSE_HTTP_PORT=//p' "$run/clickhouse.env")
    ot=$(sed -n 's/^KC_CLICKHOUSE_TCP_PORT=//p' "$run/clickhouse.env")
    oi=$(sed -n 's/^KC_CLICKHOUSE_INTERSERVER_PORT=//p' "$run/clickhouse.env")
    if [ -n "$oh" ] && [ -n "$ot" ] && [ -n "$oi" ] && port_free "$oh" && port_free "$ot" &&
      port_free "$oi"; then
      http=$oh tcp=$ot inter=$oi
    fi
  fi
  while [ "$tcp" = "$http" ]; do tcp=$(free_port); done
  while [ "$inter" = "$http" ] || [ "$inter" = "$tcp" ]; do inter=$(free_port); done
  mkdir -p "$ch"/{data,tmp,user_files,log,format_schemas}
  cat >"$ch/config.xml" <<EOF
<?xml version="1.0"?>
<yandex>
  <logger><level>information</level><log>$ch/log/server.log</log>
          <errorlog>$ch/log/error.log</errorlog><size>100M</size><count>2</count></logger>
  <listen_host>127.0.0.1</listen_host>
  <http_port>$http</http_port>
  <tcp_port>$tcp</tcp_port>
  <interserver_http_port>$inter</interserver_http_port>
  <path>$ch/data/</path>
  <tmp_path>$ch/tmp/</tmp_path>
  <user_files_path>$ch/user_files/</user_files_path>
  <format_schema_path>$ch/format_schemas/</format_schema_path>
  <users_config>$ch/users.xml</users_config>
  <default_profile>default</default_profile>
  <default_database>default</default_database>
  <timezone>UTC</timezone>
  <mark_cache_size>268435456</mark_cache_size>
  <uncompressed_cache_size>268435456</uncompressed_cache_size>
  <max_concurrent_queries>50</max_concurrent_queries>
  <mlock_executable>false</mlock_executable>
  <!-- Kafka table engines (the bench's peer) read a topic from its start, as our sinks do. -->
  <kafka><auto_offset_reset>earliest</auto_offset_reset></kafka>
</yandex>
EOF
  cat >"$ch/users.xml" <<'EOF'
<?xml version="1.0"?>
<yandex>
  <profiles><default><max_memory_usage>2000000000</max_memory_usage>
    <allow_experimental_low_cardinality_type>1</allow_experimental_low_cardinality_type>
  </default></profiles>
  <users>
    <default><password></password><networks><ip>127.0.0.1</ip></networks>
             <profile>default</profile><quota>default</quota></default>
    <tester><password>secret</password><networks><ip>127.0.0.1</ip></networks>
            <profile>default</profile><quota>default</quota></tester>
    <sinkuser><password>kcSinkPw7731</password><networks><ip>127.0.0.1</ip></networks>
            <profile>default</profile><quota>default</quota></sinkuser>
  </users>
  <quotas><default><interval><duration>3600</duration><queries>0</queries><errors>0</errors>
    <result_rows>0</result_rows><read_rows>0</read_rows><execution_time>0</execution_time>
  </interval></default></quotas>
</yandex>
EOF
  local t0=$SECONDS
  start_bg "$run" clickhouse "$server" --config-file="$ch/config.xml"
  wait_ready "$run" clickhouse curl -fsS "http://127.0.0.1:$http/ping" || die "clickhouse did not start"
  log "clickhouse ready on 127.0.0.1:$http in $((SECONDS - t0)) s (run dir $run)"
  cat >"$run/clickhouse.env" <<EOF
KC_CLICKHOUSE_HTTP_PORT=$http
KC_CLICKHOUSE_TCP_PORT=$tcp
KC_CLICKHOUSE_INTERSERVER_PORT=$inter
EOF
  cat "$run/clickhouse.env"
}

# ---------------------------------------------------------------------------------------------
# s3proxy

cmd_start_s3() {
  [ $# -eq 1 ] || die "usage: $0 start-s3 RUN_DIR"
  mkdir -p "$1"
  local run
  run=$(cd "$1" && pwd)
  if [ ! -f "$S3PROXY_DIR/lib/.complete" ]; then
    fetch_service "$S3PROXY_DIR" s3proxy-libs "org.gaul:s3proxy:$S3PROXY_VERSION"
  fi
  if alive "$run" s3; then
    log "s3proxy already running in $run"
    cat "$run/s3.env"
    return 0
  fi
  local port
  # a restart in the same run dir keeps its port and data (outage tests)
  port=$(sed -n 's|^s3proxy.endpoint=http://127.0.0.1:||p' "$run/s3/s3proxy.conf" 2>/dev/null || true)
  [ -n "$port" ] || port=$(free_port)
  mkdir -p "$run/s3/data"
  cat >"$run/s3/s3proxy.conf" <<EOF
s3proxy.endpoint=http://127.0.0.1:$port
s3proxy.authorization=aws-v2-or-v4
s3proxy.identity=kcaccess
s3proxy.credential=kcsecret
jclouds.provider=filesystem
jclouds.filesystem.basedir=$run/s3/data
EOF
  # The s3proxy jar ships no logback.xml: without one logback logs every Jetty event at DEBUG
  # (hundreds of MiB per benchmark run, and most of the server's CPU). INFO, as its image runs.
  cat >"$run/s3/logback.xml" <<'EOF'
<configuration>
  <appender name="STDOUT" class="ch.qos.logback.core.ConsoleAppender">
    <encoder><pattern>%d{HH:mm:ss.SSS} %-5level %logger{36} - %msg%n</pattern></encoder>
  </appender>
  <root level="INFO"><appender-ref ref="STDOUT"/></root>
</configuration>
EOF
  local t0=$SECONDS
  start_bg "$run" s3 "$JAVA" -Xmx512m -DLOG_LEVEL=info \
    -Dlogback.configurationFile="$run/s3/logback.xml" -cp "$S3PROXY_DIR/lib/*" \
    org.gaul.s3proxy.Main --properties "$run/s3/s3proxy.conf"
  wait_ready "$run" s3 curl -s -o /dev/null "http://127.0.0.1:$port/" || die "s3proxy did not start"
  log "s3proxy ready on 127.0.0.1:$port in $((SECONDS - t0)) s (run dir $run)"
  cat >"$run/s3.env" <<EOF
KC_S3_ENDPOINT=http://127.0.0.1:$port
KC_S3_ACCESS_KEY=kcaccess
KC_S3_SECRET_KEY=kcsecret
KC_S3_DATA=$run/s3/data
EOF
  cat "$run/s3.env"
}

# ---------------------------------------------------------------------------------------------
# minio (the S3 bench's other server)

cmd_start_minio() {
  [ $# -eq 1 ] || die "usage: $0 start-minio RUN_DIR"
  mkdir -p "$1"
  local run
  run=$(cd "$1" && pwd)
  if [ ! -x "$MINIO_DIR/bin/minio" ]; then
    local go
    go=$(command -v go || echo /usr/local/go/bin/go)
    [ -x "$go" ] || die "start-minio: no Go toolchain to build MinIO with"
    log "building MinIO ($MINIO_MODULE) into $MINIO_DIR/bin (once; a few minutes)"
    GOPATH=$MINIO_DIR/go GOMODCACHE=$MINIO_DIR/go/pkg/mod GOCACHE=$MINIO_DIR/go/cache \
      GOBIN=$MINIO_DIR/bin CGO_ENABLED=0 GOFLAGS="-p=2 -modcacherw" "$go" install "$MINIO_MODULE" >&2 ||
      die "start-minio: go install $MINIO_MODULE failed"
  fi
  if alive "$run" minio; then
    log "minio already running in $run"
    cat "$run/minio.env"
    return 0
  fi
  local port console
  port=$(free_port)
  console=$(free_port)
  while [ "$console" = "$port" ]; do console=$(free_port); done
  mkdir -p "$run/minio/data"
  local t0=$SECONDS
  local kms
  kms=kc-test-key:$(head -c 32 /dev/urandom | base64)
  start_bg "$run" minio env MINIO_ROOT_USER=kcaccess MINIO_ROOT_PASSWORD=kcsecret123 \
    MINIO_BROWSER=off MINIO_KMS_SECRET_KEY="$kms" "$MINIO_DIR/bin/minio" server --address "127.0.0.1:$port" \
    --console-address "127.0.0.1:$console" --quiet "$run/minio/data"
  wait_ready "$run" minio curl -fsS -o /dev/null "http://127.0.0.1:$port/minio/health/ready" ||
    die "minio did not start"
  log "minio ready on 127.0.0.1:$port in $((SECONDS - t0)) s (run dir $run)"
  cat >"$run/minio.env" <<EOF
KC_S3_ENDPOINT=http://127.0.0.1:$port
KC_S3_ACCESS_KEY=kcaccess
KC_S3_SECRET_KEY=kcsecret123
KC_S3_KMS_KEY_ID=kc-test-key
EOF
  cat "$run/minio.env"
}

# ---------------------------------------------------------------------------------------------
# questdb

cmd_start_questdb() {
  [ $# -eq 1 ] || die "usage: $0 start-questdb RUN_DIR"
  mkdir -p "$1"
  local run
  run=$(cd "$1" && pwd)
  [ -f "$QUESTDB_DIR/lib/.complete" ] ||
    fetch_service "$QUESTDB_DIR" questdb-server "org.questdb:questdb:$QUESTDB_VERSION"
  if alive "$run" questdb; then
    log "questdb already running in $run"
    cat "$run/questdb.env"
    return 0
  fi
  local q=$run/questdb http ilp pg min used=" " p v
  for p in http ilp pg min; do
    v=$(free_port)
    while [[ $used == *" $v "* ]]; do v=$(free_port); done
    used="$used$v "
    printf -v "$p" '%s' "$v"
  done
  mkdir -p "$q/conf"
  cat >"$q/conf/server.conf" <<EOF
http.bind.to=127.0.0.1:$http
http.min.net.bind.to=127.0.0.1:$min
pg.net.bind.to=127.0.0.1:$pg
line.tcp.net.bind.to=127.0.0.1:$ilp
line.udp.enabled=false
telemetry.enabled=false
shared.worker.count=2
EOF
  # extra server.conf lines (';'-separated), e.g. line.tcp.auth.db.path=FILE for ILP/TCP auth
  if [ -n "${KC_QUESTDB_EXTRA_CONF:-}" ]; then
    tr ';' '\n' <<<"$KC_QUESTDB_EXTRA_CONF" >>"$q/conf/server.conf"
  fi
  local t0=$SECONDS
  start_bg "$run" questdb "$JAVA" -Xms128m -Xmx512m -XX:+UseParallelGC -Dnoebug \
    --add-exports java.base/jdk.internal.math=io.questdb \
    -p "$QUESTDB_DIR/lib/questdb-$QUESTDB_VERSION.jar" -m io.questdb/io.questdb.ServerMain -d "$q"
  wait_ready "$run" questdb curl -fsS "http://127.0.0.1:$http/exec?query=SELECT%201" ||
    die "questdb did not start"
  log "questdb ready on 127.0.0.1:$http in $((SECONDS - t0)) s (run dir $run)"
  cat >"$run/questdb.env" <<EOF
KC_QUESTDB_HTTP_PORT=$http
KC_QUESTDB_ILP_PORT=$ilp
KC_QUESTDB_PG_PORT=$pg
KC_QUESTDB_MIN_PORT=$min
EOF
  cat "$run/questdb.env"
}

# ---------------------------------------------------------------------------------------------
# registry (Apicurio Registry, Confluent-compatible API)

# The app jar is unpacked as the application's own classes and built with the Quarkus plugin.
# Two fix-ups for artifacts missing from Maven Central: everit-json-schema under the coordinates
# it has there, and the config-index extension at the last version whose deployment jar is there.
write_registry_pom() {
  cat >"$1" <<EOF
<?xml version="1.0" encoding="UTF-8"?>
<project xmlns="http://maven.apache.org/POM/4.0.0">
  <modelVersion>4.0.0</modelVersion>
  <parent>
    <groupId>io.apicurio</groupId>
    <artifactId>apicurio-registry</artifactId>
    <version>$APICURIO_VERSION</version>
    <relativePath/>
  </parent>
  <groupId>local.connect-c.testservices</groupId>
  <artifactId>apicurio-registry-runner</artifactId>
  <version>$APICURIO_VERSION</version>
  <packaging>jar</packaging>
  <dependencyManagement>
    <dependencies>
      <dependency>
        <groupId>io.apicurio</groupId>
        <artifactId>apicurio-common-app-components-config-index</artifactId>
        <version>0.1.10.Final</version>
      </dependency>
      <dependency>
        <groupId>io.apicurio</groupId>
        <artifactId>apicurio-common-app-components-config-index-deployment</artifactId>
        <version>0.1.10.Final</version>
      </dependency>
    </dependencies>
  </dependencyManagement>
  <dependencies>
    <dependency>
      <groupId>io.apicurio</groupId>
      <artifactId>apicurio-registry-app</artifactId>
      <version>$APICURIO_VERSION</version>
      <exclusions>
        <exclusion>
          <groupId>com.github.everit-org.json-schema</groupId>
          <artifactId>org.everit.json.schema</artifactId>
        </exclusion>
      </exclusions>
    </dependency>
    <dependency>
      <groupId>com.github.erosb</groupId>
      <artifactId>everit-json-schema</artifactId>
      <version>1.14.2</version>
    </dependency>
  </dependencies>
  <build>
    <plugins>
      <plugin>
        <groupId>org.apache.maven.plugins</groupId>
        <artifactId>maven-dependency-plugin</artifactId>
        <executions>
          <execution>
            <id>unpack-app</id>
            <phase>process-classes</phase>
            <goals><goal>unpack</goal></goals>
            <configuration>
              <artifactItems>
                <artifactItem>
                  <groupId>io.apicurio</groupId>
                  <artifactId>apicurio-registry-app</artifactId>
                  <version>$APICURIO_VERSION</version>
                  <outputDirectory>\${project.build.outputDirectory}</outputDirectory>
                </artifactItem>
              </artifactItems>
            </configuration>
          </execution>
        </executions>
      </plugin>
      <plugin>
        <groupId>io.quarkus</groupId>
        <artifactId>quarkus-maven-plugin</artifactId>
        <version>$APICURIO_QUARKUS_VERSION</version>
        <executions>
          <execution>
            <goals><goal>build</goal></goals>
          </execution>
        </executions>
      </plugin>
    </plugins>
  </build>
</project>
EOF
}

cmd_fetch_registry() {
  local dir=$APICURIO_DIR sum
  mkdir -p "$dir"
  write_registry_pom "$dir/pom.xml.new"
  sum=$(sha256sum "$dir/pom.xml.new" | cut -d' ' -f1)
  if [ -f "$dir/app/.complete" ] && [ "$(cat "$dir/app/.complete")" = "$sum" ]; then
    rm -f "$dir/pom.xml.new"
    fetch_registry_converter
    log "fetch-registry: cached in $dir/app"
    return 0
  fi
  command -v mvn >/dev/null || die "mvn not found (run scripts/setup.sh)"
  rm -rf "$dir/build"
  mkdir -p "$dir/build"
  mv "$dir/pom.xml.new" "$dir/build/pom.xml"
  # The parent pom names other repositories; only Maven Central is reachable.
  cat >"$dir/build/settings.xml" <<'EOF'
<settings><mirrors><mirror><id>central-only</id><mirrorOf>*</mirrorOf>
<url>https://repo1.maven.org/maven2</url></mirror></mirrors></settings>
EOF
  log "fetch-registry: building Apicurio Registry $APICURIO_VERSION -> $dir/app (Maven Central)"
  if ! mvn -B -Dstyle.color=never -s "$dir/build/settings.xml" -f "$dir/build/pom.xml" \
    -Dmaven.repo.local="$KC_CACHE/m2" -DskipTests -Dcheckstyle.skip -Denforcer.skip \
    -Dlicense.skip -Dmaven.javadoc.skip -Dmaven.source.skip -Dgpg.skip package \
    >"$dir/mvn.log" 2>&1; then
    tail -n 60 "$dir/mvn.log" >&2
    die "fetch-registry: maven failed (log: $dir/mvn.log)"
  fi
  rm -rf "$dir/app"
  mkdir -p "$dir/app"
  mv "$dir/build/target/apicurio-registry-runner-$APICURIO_VERSION-runner.jar" \
    "$dir/app/registry.jar"
  mv "$dir/build/target/lib" "$dir/app/lib"
  echo "$sum" >"$dir/app/.complete"
  rm -rf "$dir/build"
  fetch_registry_converter
}

# Apicurio's own AvroConverter (a fork of Confluent's AvroData) for the JVM reference worker:
# $APICURIO_DIR/converter is a plugin.path whose apicurio/ folder holds the jars. Confluent's
# AvroConverter itself is not on Maven Central.
fetch_registry_converter() {
  local dir=$APICURIO_DIR/converter sum g=io.apicurio v=$APICURIO_VERSION
  local excl='<exclusions><exclusion><groupId>com.github.everit-org.json-schema</groupId>'
  excl+='<artifactId>org.everit.json.schema</artifactId></exclusion></exclusions>'
  mkdir -p "$dir"
  cat >"$dir/pom.xml.new" <<EOF
<?xml version="1.0" encoding="UTF-8"?>
<project xmlns="http://maven.apache.org/POM/4.0.0">
  <modelVersion>4.0.0</modelVersion>
  <groupId>local.connect-c.testservices</groupId>
  <artifactId>apicurio-converter</artifactId>
  <version>1</version>
  <packaging>pom</packaging>
  <dependencies>
    <dependency><groupId>$g</groupId><artifactId>apicurio-registry-utils-converter</artifactId>
      <version>$v</version>$excl</dependency>
    <dependency><groupId>$g</groupId><artifactId>apicurio-registry-serdes-avro-serde</artifactId>
      <version>$v</version>$excl</dependency>
  </dependencies>
</project>
EOF
  sum=$(sha256sum "$dir/pom.xml.new" | cut -d' ' -f1)
  if [ -f "$dir/apicurio/.complete" ] && [ "$(cat "$dir/apicurio/.complete")" = "$sum" ]; then
    rm -f "$dir/pom.xml.new"
    return 0
  fi
  mv "$dir/pom.xml.new" "$dir/pom.xml"
  printf '%s\n' '<settings><mirrors><mirror><id>central-only</id><mirrorOf>*</mirrorOf>' \
    '<url>https://repo1.maven.org/maven2</url></mirror></mirrors></settings>' >"$dir/settings.xml"
  rm -rf "$dir/apicurio.tmp"
  if ! mvn -B -Dstyle.color=never -s "$dir/settings.xml" -f "$dir/pom.xml" \
    -Dmaven.repo.local="$KC_CACHE/m2" "$DEP_PLUGIN:copy-dependencies" \
    -DoutputDirectory="$dir/apicurio.tmp" -DincludeScope=runtime >"$dir/mvn.log" 2>&1; then
    tail -n 60 "$dir/mvn.log" >&2
    die "fetch-registry: maven failed for the Apicurio converter (log: $dir/mvn.log)"
  fi
  echo "$sum" >"$dir/apicurio.tmp/.complete"
  rm -rf "$dir/apicurio"
  mv "$dir/apicurio.tmp" "$dir/apicurio"
}

cmd_start_registry() {
  [ $# -eq 1 ] || die "usage: $0 start-registry RUN_DIR"
  mkdir -p "$1"
  local run
  run=$(cd "$1" && pwd)
  [ -f "$APICURIO_DIR/app/.complete" ] || cmd_fetch_registry
  if alive "$run" registry; then
    log "registry already running in $run"
    cat "$run/registry.env"
    return 0
  fi
  local port
  port=$(free_port)
  mkdir -p "$run/registry/tmp"
  local t0=$SECONDS
  # java.io.tmpdir names RUN_DIR on the command line, which stop-one checks before signalling.
  start_bg "$run" registry "$JAVA" -Xms64m -Xmx512m -XX:+UseSerialGC \
    -Djava.io.tmpdir="$run/registry/tmp" -Dquarkus.http.host=127.0.0.1 \
    -Dquarkus.http.port="$port" -Dquarkus.log.level=INFO \
    '-Dquarkus.log.category."io.apicurio".level=INFO' \
    -jar "$APICURIO_DIR/app/registry.jar"
  wait_ready "$run" registry curl -fsS "http://127.0.0.1:$port/apis/ccompat/v7/subjects" ||
    die "registry did not start"
  log "registry ready on 127.0.0.1:$port in $((SECONDS - t0)) s (run dir $run)"
  cat >"$run/registry.env" <<EOF
KC_REGISTRY_URL=http://127.0.0.1:$port/apis/ccompat/v7
EOF
  cat "$run/registry.env"
}

# ---------------------------------------------------------------------------------------------
# stop

cmd_stop_one() {
  [ $# -eq 2 ] || die "usage: $0 stop-one RUN_DIR NAME"
  [ -d "$1" ] || return 0
  stop_one "$(cd "$1" && pwd)" "$2"
}

cmd_stop() {
  [ $# -eq 1 ] || die "usage: $0 stop RUN_DIR"
  [ -d "$1" ] || return 0
  local run f name
  run=$(cd "$1" && pwd)
  for f in "$run"/*.pid; do
    [ -e "$f" ] || continue
    name=$(basename "$f" .pid)
    [ "$name" = kafka ] || stop_one "$run" "$name"
  done
  stop_one "$run" kafka
}

usage() {
  sed -n '2,/^set -euo/p' "$0" | sed '$d' | sed 's/^# \{0,1\}//' >&2
  exit 2
}

[ $# -ge 1 ] || usage
sub=$1
shift
case $sub in
fetch) cmd_fetch "$@" ;;
start-kafka) cmd_start_kafka "$@" ;;
start-kafka-sasl-ssl) cmd_start_kafka_sasl_ssl "$@" ;;
start-jvm-connect) cmd_start_jvm_connect "$@" ;;
start-clickhouse) cmd_start_clickhouse "$@" ;;
start-s3) cmd_start_s3 "$@" ;;
start-minio) cmd_start_minio "$@" ;;
start-questdb) cmd_start_questdb "$@" ;;
fetch-registry) cmd_fetch_registry "$@" ;;
start-registry) cmd_start_registry "$@" ;;
stop-one) cmd_stop_one "$@" ;;
stop) cmd_stop "$@" ;;
-h | --help | help) usage ;;
*) usage ;;
esac
