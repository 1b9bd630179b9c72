#!/usr/bin/env bash
# tests/bench/worker/profile.sh: where connect-c's CPU goes in the worker benchmark's run
# (FileStreamSink + JsonConverter schemas.enable=false, N ~200-byte JSON records), by perf.
#
# It starts the worker with bench_worker.py's worker properties, attaches `perf record` with
# DWARF call graphs to the whole process (every thread, the task's librdkafka threads included),
# creates the FileStreamSink connector on the benchmark topic, stops recording when the output
# file holds N lines, then sorts every sample into one bucket by its call stack:
#   sink        under file_task_* or cdata_to_java_string (the Java-string printer, kc_buf,
#               write(2) and the kernel's side of it);
#   conversion  under conv_to_connect / conv_header_to_connect or in connectors/common/jfast.c,
#               base/kc_jscan.c, conv*.c, cdata.c (JSON -> cdata);
#   consume     the nearest frame of ours-or-librdkafka is librdkafka (its broker and main
#               threads, and the task thread inside rd_kafka_consume_batch_queue,
#               rd_kafka_message_destroy, header and timestamp lookups);
#   runtime     the nearest frame of ours is worker/task.c, worker/offsets.c or base/ (the loop,
#               offset bookkeeping, topic tracking, the arena);
#   other       the rest (herder, REST, internal topics, idle kernel time, unknown stacks).
# It prints the shares and the top symbols (self time) of each bucket.
#
# Needs: perf (Debian: apt-get install linux-perf; perf_event_paranoid <= 1 or root), curl,
# python3, a RelWithDebInfo or Release build with -g (symbol -> source file via nm -l), a broker
# (KC_BOOTSTRAP, e.g. `set -a; . /tmp/kc-dev/env; set +a` or tests/integration/services.sh
# start-kafka) and the benchmark topic, which bench_worker.py creates:
#   $KC_CACHE/venv/bin/python tests/bench/worker/bench_worker.py --workers raw
# Usage: KC_BUILD_DIR=build tests/bench/worker/profile.sh [RECORDS] [OUT_DIR]
#   RECORDS   default 1000000 (topic bench-worker-RECORDS-1p, or KC_PROFILE_TOPIC)
#   OUT_DIR   keeps perf.data, the worker log and the report (default: a temp dir, removed)
# KC_PROFILE_FREQ: sampling frequency (default 4999 Hz).
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../../.." && pwd)
records=${1:-1000000}
build=${KC_BUILD_DIR:-$repo/build}
[[ $build = /* ]] || build=$repo/$build
bin=$build/worker/connect-distributed
topic=${KC_PROFILE_TOPIC:-bench-worker-$records-1p}
freq=${KC_PROFILE_FREQ:-4999}
: "${KC_BOOTSTRAP:?set KC_BOOTSTRAP (a running broker with topic $topic)}"
command -v perf >/dev/null || { echo "perf not found (Debian: apt-get install linux-perf)" >&2; exit 2; }
[[ -x $bin ]] || { echo "no worker binary at $bin (set KC_BUILD_DIR)" >&2; exit 2; }

keep=${2:-}
if [[ -n $keep ]]; then
    out=$keep
    mkdir -p "$out"
else
    out=$(mktemp -d /tmp/kc-profile-XXXXXX)
fi
out=$(cd "$out" && pwd)

port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
name=kc-profile-$$-$RANDOM # also the connector's name: a fresh consumer group every run
mkdir -p "$out/plugins"
# bench_worker.py's worker_props(): those of services.sh / kc.ConnectC, flush every 60 s
cat >"$out/worker.properties" <<EOF
bootstrap.servers=$KC_BOOTSTRAP
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
offset.flush.interval.ms=60000
plugin.path=$out/plugins
EOF

sink_out=$out/sink.out
rm -f "$sink_out"
"$bin" "$out/worker.properties" >"$out/worker.log" 2>&1 &
wpid=$!
perf_pid=
cleanup() {
    [[ -n $perf_pid ]] && kill -INT "$perf_pid" 2>/dev/null || true
    kill "$wpid" 2>/dev/null || true
    wait "$wpid" 2>/dev/null || true
}
trap 'cleanup; [[ -n $keep ]] || rm -rf "$out"' EXIT
for _ in $(seq 1 300); do
    curl -sf "http://127.0.0.1:$port/health" >/dev/null 2>&1 && break
    sleep 0.1
done
curl -sf "http://127.0.0.1:$port/health" >/dev/null || { echo "worker not healthy; log:" >&2; tail -20 "$out/worker.log" >&2; exit 1; }

perf record -q -F "$freq" --call-graph dwarf,16384 -p "$wpid" -o "$out/perf.data" 2>"$out/perf-record.log" &
perf_pid=$!
sleep 1 # perf attaches
t0=$(date +%s.%N)
curl -sf -X POST -H 'Content-Type: application/json' "http://127.0.0.1:$port/connectors" \
    -d "{\"name\":\"$name\",\"config\":{\"connector.class\":\"FileStreamSink\",\"tasks.max\":\"1\",\"topics\":\"$topic\",\"file\":\"$sink_out\"}}" >/dev/null
deadline=$(( $(date +%s) + 600 ))
while :; do
    n=$( [[ -f $sink_out ]] && wc -l <"$sink_out" || echo 0)
    (( n >= records )) && break
    if (( $(date +%s) > deadline )); then echo "only $n of $records lines after 600 s" >&2; exit 1; fi
    if ! kill -0 "$wpid" 2>/dev/null; then echo "worker died; log:" >&2; tail -20 "$out/worker.log" >&2; exit 1; fi
    sleep 0.05
done
t1=$(date +%s.%N)
kill -INT "$perf_pid"
wait "$perf_pid" || true
perf_pid=
kill "$wpid"
wait "$wpid" || true
echo "profile: $records lines in $(python3 -c "print(f'{$t1 - $t0:.2f}')") s (under perf); topic $topic; worker $bin" >&2

nm -l --defined-only "$bin" 2>/dev/null | awk 'NF >= 4 && $4 ~ /:/ { sub(/:[0-9]+$/, "", $4); print $3 "\t" $4 }' >"$out/symfiles.tsv"
perf script -i "$out/perf.data" -F comm,tid,ip,sym,dso 2>/dev/null \
    | python3 "$here/profile_classify.py" "$out/symfiles.tsv" "$repo" | tee "$out/report.txt"
