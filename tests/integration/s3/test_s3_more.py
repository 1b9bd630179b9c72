"""More of the S3 sink end to end (issue 9's integration list), beside test_s3_sink.py whose
helpers and `s3` fixture (S3Proxy, filesystem backend, SigV4) this file reuses:

- rotation by schedule: rotate.schedule.interval.ms commits the open file at the wall-clock
  boundary (aligned in `timezone`) with the topic idle and flush.size far away; a later batch
  goes into a new file at the next boundary; read back by pyarrow and DuckDB;
- kill -9 in the middle of a multipart upload to S3Proxy (the worker's traffic goes through a
  throttling TCP proxy so that the upload lasts long enough to be seen in ListMultipartUploads):
  after the restart the object names are exactly those of a clean run, DuckDB counts every
  record once, the upload the crash interrupted is what is left (the restarted worker leaves
  no upload of its own);
- Parquet statistics and codecs: per column chunk the codec, min/max, null_count and
  num_values equal what was produced into that row group (pyarrow), and DuckDB's
  parquet_metadata() agrees; Snappy for the seed scenario with some null fields, ZSTD and
  GZIP through parquet.codec;
- kill -9 on the local store, checked with DuckDB's read_parquet(hive_partitioning=1):
  the object names a clean run gives, count(*) = count(DISTINCT seq) = produced.
"""

from __future__ import annotations

import json
import random
import re
import socket
import threading
import time
from collections import Counter
from datetime import datetime, timezone
from pathlib import Path

import duckdb
import pyarrow.parquet as pq

import kc
from test_s3_sink import (iot_events, list_keys, make_bucket, produce_split, s3,  # noqa: F401
                          s3_curl, sink_config)

HOURLY = "io.confluent.connect.storage.partitioner.HourlyPartitioner"
DEFAULT_PARTITIONER = "io.confluent.connect.storage.partitioner.DefaultPartitioner"
# After a kill -9 the dead worker's members stay in the worker group and in the task's consumer
# group until their sessions expire: the broker's minimum (6 s) instead of 10 s and 45 s.
FAST_WORKER = {"session.timeout.ms": 6000, "heartbeat.interval.ms": 1000}
FAST_CONSUMER = {"consumer.override.session.timeout.ms": "6000",
                 "consumer.override.heartbeat.interval.ms": "1000"}


# ----------------------------------------------------------------------------------------------
# helpers


def start_offset(path: Path | str) -> int:
    """<topic>+<partition>+<start>.<ext> -> start."""
    return int(Path(path).name.split("+")[2].split(".")[0])


def parquet_files(root: Path) -> list[Path]:
    return sorted(root.rglob("*.parquet"))


def duckdb_count_distinct(glob: str, col: str = "seq") -> tuple[int, int, int, int]:
    """(count(*), count(DISTINCT col), min(col), max(col)) over a glob, hive partitioning on."""
    return duckdb.sql(f"SELECT count(*), count(DISTINCT {col}), min({col}), max({col}) "
                      f"FROM read_parquet('{glob}', hive_partitioning=1)").fetchall()[0]


def hour_dir(ts: str) -> str:
    d = datetime.strptime(ts, "%Y-%m-%dT%H:%M:%SZ")
    return f"year={d:%Y}/month={d:%m}/day={d:%d}/hour={d:%H}"


def expected_names(topic: str, events: list[dict], flush: int, ext: str,
                   partition: int = 0) -> list[str]:
    """Object keys a clean run gives for one Kafka partition holding `events` at offsets 0..,
    hour-partitioned by the record's `timestamp`, rotated by flush.size only: a set is `flush`
    records; within it each hour directory gets one file named by the offset of the set's first
    record of that hour (as Confluent's TopicPartitionWriter). Only complete sets."""
    names = []
    for s in range(0, len(events) - len(events) % flush, flush):
        seen = {}
        for off in range(s, s + flush):
            seen.setdefault(hour_dir(events[off]["timestamp"]), off)
        names += [f"raw/{topic}/{h}/{topic}+{partition}+{off:010d}{ext}" for h, off in seen.items()]
    return sorted(names)


def wait_assigned(kafka, group: str, topic: str, timeout: float = 60) -> None:
    """Until a member of the consumer group holds a partition of `topic`."""
    def assigned():
        g = kafka.admin().describe_consumer_groups([group])[group].result(timeout=kc.scaled(10))
        return any(tp.topic == topic for m in g.members
                   for tp in (m.assignment.topic_partitions if m.assignment else []))
    kc.wait_until(assigned, timeout=timeout, interval=0.2, what=f"{group} assigned {topic}")


def list_uploads(env: dict, bucket: str) -> dict[str, str]:
    """In-progress multipart uploads of the bucket (ListMultipartUploads): {UploadId: Key}."""
    r = s3_curl(env, "GET", f"/{bucket}?uploads=")
    body, status = r.stdout.rsplit("\n", 1)
    assert status == "200", r.stdout + r.stderr
    out = {}
    for up in re.findall(r"<Upload>(.*?)</Upload>", body, re.S):
        key = re.search(r"<Key>([^<]*)</Key>", up).group(1)
        out[re.search(r"<UploadId>([^<]*)</UploadId>", up).group(1)] = key
    return out


def list_parts(env: dict, bucket: str, key: str, upload_id: str) -> list[int]:
    """Part numbers stored so far for an upload (ListParts)."""
    from urllib.parse import quote
    r = s3_curl(env, "GET", f"/{bucket}/{quote(key, safe='/=')}?uploadId={quote(upload_id)}")
    body, status = r.stdout.rsplit("\n", 1)
    assert status == "200", r.stdout + r.stderr
    return [int(n) for n in re.findall(r"<PartNumber>(\d+)</PartNumber>", body)]


class SlowProxy:
    """A TCP proxy on 127.0.0.1 in front of `target_port` that passes what clients send at
    `rate` bytes/s (None: as fast as it comes) and answers unthrottled. Set `rate` at any time.
    SigV4 signs the Host header the client sends, so the server checks it whatever the port."""

    def __init__(self, target_port: int, rate: float | None):
        self.target_port, self.rate = target_port, rate
        self.srv = socket.socket()
        self.srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.srv.bind(("127.0.0.1", 0))
        self.srv.listen(16)
        self.port = self.srv.getsockname()[1]
        self.socks: list[socket.socket] = []
        self.requests: list[str] = []  # request lines the clients sent, in order
        self.closed = False
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self):
        while not self.closed:
            try:
                c, _ = self.srv.accept()
            except OSError:
                return
            try:
                u = socket.create_connection(("127.0.0.1", self.target_port))
            except OSError:
                c.close()
                continue
            self.socks += [c, u]
            threading.Thread(target=self._pump, args=(c, u, True), daemon=True).start()
            threading.Thread(target=self._pump, args=(u, c, False), daemon=True).start()

    REQUEST_LINE = re.compile(rb"(?:GET|PUT|POST|DELETE|HEAD) /[^ \r\n]* HTTP/1\.[01]\r\n")

    def _pump(self, src: socket.socket, dst: socket.socket, slow: bool):
        tail = b""
        try:
            while True:
                data = src.recv(32768)
                if not data:
                    break
                if slow:  # note the request lines (one may straddle two reads)
                    buf = tail + data
                    self.requests += [m.group(0).decode(errors="replace").rstrip()
                                      for m in self.REQUEST_LINE.finditer(buf)
                                      if m.end() > len(tail)]
                    tail = buf[-1024:]
                if slow and self.rate:
                    time.sleep(len(data) / self.rate)
                dst.sendall(data)
        except OSError:
            pass
        for s in (src, dst):
            try:
                s.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass

    def cut(self):
        """Drop every connection at once (what the proxy holds of a dead client goes nowhere)."""
        socks, self.socks = self.socks, []
        for s in socks:
            try:
                s.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
            s.close()

    def close(self):
        self.closed = True
        self.srv.close()
        self.cut()


# ----------------------------------------------------------------------------------------------
# 1. rotation by schedule


def test_rotation_by_schedule_commits_idle_file_at_the_boundary(kafka, connect_c, tmp_path,
                                                                 unique_name):
    """rotate.schedule.interval.ms=5000 (HourlyPartitioner, timezone=UTC, flush.size far away):
    records produced into an idle topic are committed at the first 5 s wall-clock boundary after
    the worker got them: the object is absent before that boundary and present within two
    boundaries of the produce; no file appears while the topic stays idle; records produced
    later go into a new file (starting at their first offset) at the next boundary, and the
    first object is not touched. Rows and values read back by pyarrow and DuckDB equal what
    was produced."""
    interval = 5000
    root = tmp_path / "store"
    topic, cname = unique_name("iot-sched"), unique_name("s3sched")
    kafka.create_topic(topic, partitions=1)
    events = iot_events(50, seed=21)  # 13:30:00 .. 13:35:43 on 2025-07-28: one hour directory
    first, second = events[:30], events[30:]
    w = connect_c()
    w.create_connector(cname, sink_config(topic, **{
        "store.url": f"file://{root}", "flush.size": "100000",
        "partitioner.class": HOURLY, "rotate.schedule.interval.ms": str(interval)}))
    w.wait_running(cname)
    group = f"connect-{cname}"
    wait_assigned(kafka, group, topic)
    slack = kc.scaled(1.5)  # tick, consumer fetch and commit latency past a boundary

    def boundary_after(t: float) -> float:
        """The first schedule boundary (s since the epoch, UTC-aligned) after time t."""
        return (int(t * 1000) // interval + 1) * interval / 1000

    def watch_until_present(n_files: int, deadline: float) -> list[tuple[float, int]]:
        """Poll the store every 50 ms until it holds n_files objects; (time, count) seen."""
        seen = []
        while True:
            now = time.time()
            cnt = len(parquet_files(root))
            seen.append((now, cnt))
            if cnt >= n_files:
                return seen
            assert now < deadline, f"no object {n_files} by {deadline - now:.1f}s ago; {seen[-3:]}"
            time.sleep(0.05)

    # -- first batch
    t_prod = time.time()
    kafka.produce(topic, [json.dumps(e) for e in first], partition=0)
    t_prod_end = time.time()
    earliest = boundary_after(t_prod)  # the worker saw the first record no earlier than t_prod
    latest = boundary_after(t_prod_end) + interval / 1000 + slack  # ~2 boundaries
    seen = watch_until_present(1, latest)
    t_obj = seen[-1][0]
    print(f"\nfirst object seen {t_obj - earliest:.2f} s after the first possible boundary "
          f"(produce ended {earliest - t_prod_end:.2f} s before it)")
    assert all(cnt == 0 for t, cnt in seen if t < earliest), (earliest, seen[:5])
    assert t_obj >= earliest, (t_obj, earliest)
    files = parquet_files(root)
    assert [str(f.relative_to(root)) for f in files] == [
        f"raw/{topic}/year=2025/month=07/day=28/hour=13/{topic}+0+0000000000.snappy.parquet"]
    f0_bytes = files[0].read_bytes()
    rows = pq.read_table(files[0]).to_pylist()
    assert [r["seq"] for r in rows] == [e["seq"] for e in first]
    for r, e in zip(rows, first):
        for k in ("device_id", "timestamp", "location", "value", "battery_level"):
            assert r[k] == e[k], (k, r[k], e[k])
    got = duckdb.sql(f"SELECT seq, device_id, value, metadata.firmware_version "
                     f"FROM read_parquet('{files[0]}') ORDER BY seq").fetchall()
    assert got == [(e["seq"], e["device_id"], e["value"], e["metadata"]["firmware_version"])
                   for e in first]
    kc.wait_until(lambda: kafka.committed_offsets(group).get((topic, 0)) == len(first),
                  timeout=30, what="offsets committed up to the scheduled file's end")

    # -- idle: the next boundary passes without a new (empty) file
    idle_until = boundary_after(time.time()) + slack
    while time.time() < idle_until:
        assert len(parquet_files(root)) == 1, parquet_files(root)
        time.sleep(0.1)

    # -- second batch: a new file at the next boundary after it arrives
    t_prod = time.time()
    kafka.produce(topic, [json.dumps(e) for e in second], partition=0)
    t_prod_end = time.time()
    earliest = boundary_after(t_prod)
    latest = boundary_after(t_prod_end) + interval / 1000 + slack
    seen = watch_until_present(2, latest)
    print(f"second object seen {seen[-1][0] - earliest:.2f} s after the first possible boundary")
    assert all(cnt == 1 for t, cnt in seen if t < earliest), (earliest, seen[:5])
    files = parquet_files(root)
    assert [start_offset(f) for f in sorted(files, key=start_offset)] == [0, len(first)]
    assert files[0].read_bytes() == f0_bytes  # the committed file is not rewritten
    f1 = max(files, key=start_offset)
    assert f1.parent == files[0].parent
    assert [r["seq"] for r in pq.read_table(f1).to_pylist()] == [e["seq"] for e in second]
    n, distinct, lo, hi = duckdb_count_distinct(f"{root}/raw/{topic}/**/*.parquet")
    assert (n, distinct, lo, hi) == (len(events), len(events), 0, len(events) - 1)
    got = duckdb.sql(f"SELECT sum(value), sum(battery_level), max(hour) "
                     f"FROM read_parquet('{root}/raw/{topic}/**/*.parquet', hive_partitioning=1)"
                     ).fetchall()[0]
    assert abs(got[0] - sum(e["value"] for e in events)) < 1e-9
    assert got[1] == sum(e["battery_level"] for e in events) and int(got[2]) == 13
    kc.wait_until(lambda: kafka.committed_offsets(group).get((topic, 0)) == len(events),
                  timeout=30, what="offsets committed after the second scheduled file")


# ----------------------------------------------------------------------------------------------
# 2. kill -9 in the middle of a multipart upload


def test_kill9_mid_multipart_upload_on_s3proxy(kafka, connect_c, s3, unique_name):
    """Three sets of ~7.5 MiB (codec none, s3.part.size 5 MiB: two parts each) through a proxy
    that passes the worker's bytes at 4 MiB/s. Once S3Proxy's ListMultipartUploads shows the
    second object's upload in progress and the worker has begun sending its part 2 (part 1
    stored), the worker is killed (-9), its connections cut, and it is started again on the same
    config and internal topics (proxy unthrottled). Afterwards: exactly the object names of a
    clean run; the first object unchanged; DuckDB count(*) = count(DISTINCT seq) = produced;
    no upload is left in progress: the restarted task aborts the one the kill interrupted when
    it opens the partition, and leaves none of its own."""
    bucket = "mpk-" + unique_name("b").lower().replace("_", "-")[-40:]
    make_bucket(s3, bucket)
    bucket_dir = Path(s3["KC_S3_DATA"]) / bucket
    topic, cname = unique_name("iot-mpk"), unique_name("s3mpk")
    kafka.create_topic(topic, partitions=1)
    flush, sets = 40_000, 3
    n = flush * sets
    rnd = random.Random(17)
    events = [{"seq": i, "device_id": f"dev-{i % 97}", "pad": rnd.randbytes(90).hex()}
              for i in range(n)]
    kafka.produce(topic, [json.dumps(e) for e in events], partition=0)
    port = int(s3["KC_S3_ENDPOINT"].rsplit(":", 1)[1])
    proxy = SlowProxy(port, rate=4 << 20)
    try:
        w = connect_c(overrides=FAST_WORKER)
        w.create_connector(cname, sink_config(topic, **{
            **FAST_CONSUMER, "store.url": f"http://127.0.0.1:{proxy.port}",
            "aws.access.key.id": s3["KC_S3_ACCESS_KEY"],
            "aws.secret.access.key": s3["KC_S3_SECRET_KEY"], "s3.bucket.name": bucket,
            "flush.size": str(flush), "parquet.codec": "none", "s3.part.size": "5242880",
            "partitioner.class": DEFAULT_PARTITIONER, "timestamp.extractor": "Record",
            "s3.retry.backoff.ms": "100"}))
        names = [f"raw/{topic}/partition=0/{topic}+0+{s:010d}.parquet"
                 for s in range(0, n, flush)]

        def second_upload_sending_part_2():
            """The second object's upload id, once ListMultipartUploads shows it in progress and
            the worker has started sending its part 2 (so part 1 is stored: parts go one by one
            on one connection)."""
            ups = list_uploads(s3, bucket)
            uid = next((u for u, k in ups.items() if k == names[1]), None)
            return uid is not None and any(f"partNumber=2&uploadId={uid}" in r
                                           for r in proxy.requests) and uid
        upload_id = kc.wait_until(second_upload_sending_part_2, timeout=120, interval=0.02,
                                  what="the second object's multipart upload sending part 2")
        w.kill()
        proxy.cut()  # the connections die with the worker: no buffered byte goes on to S3
        proxy.rate = None
        at_kill = list_uploads(s3, bucket)
        objs_at_kill = list_keys(s3, bucket, f"raw/{topic}/")
        # S3Proxy answers ListParts with a 400 while the cut part's temporary file is there
        parts_at_kill = kc.wait_until(lambda: list_parts(s3, bucket, names[1], upload_id),
                                      timeout=30, what="ListParts of the interrupted upload")
        print(f"\nat kill -9: objects {objs_at_kill}, uploads in progress {at_kill}, "
              f"parts of {upload_id}: {parts_at_kill}")
        assert at_kill.get(upload_id) == names[1] and names[1] not in objs_at_kill
        assert parts_at_kill == [1]  # killed while part 2 was on its way
        assert not any(f"uploadId={upload_id} " in r and r.startswith("POST")
                       for r in proxy.requests)  # no CompleteMultipartUpload was sent
        assert objs_at_kill == names[:1], objs_at_kill  # in order: the first one is stored
        first_bytes = (bucket_dir / names[0]).read_bytes()

        w.start()
        w.wait_running(cname)
        kc.wait_until(lambda: kafka.committed_offsets(f"connect-{cname}").get((topic, 0)) == n,
                      timeout=180, what=f"all {n} records committed after the restart")
        keys = list_keys(s3, bucket, f"raw/{topic}/")
        assert keys == names, keys
        assert sorted(str(f.relative_to(bucket_dir)) for f in bucket_dir.rglob("*.parquet")) \
            == names
        assert (bucket_dir / names[0]).read_bytes() == first_bytes
        for k in names:
            assert (bucket_dir / k).stat().st_size > 5 << 20, k  # each went up in parts
        glob = str(bucket_dir / "raw" / topic / "**" / "*.parquet")
        assert duckdb_count_distinct(glob) == (n, n, 0, n - 1)
        got = duckdb.sql(f"SELECT sum(seq), count(DISTINCT pad) FROM read_parquet('{glob}')"
                         ).fetchall()
        assert got == [(n * (n - 1) // 2, n)]
        t = pq.read_table(bucket_dir / names[2])
        assert t.column("seq").to_pylist() == list(range(2 * flush, 3 * flush))
        assert t.column("pad").to_pylist()[77] == events[2 * flush + 77]["pad"]

        # Uploads left: the one the kill interrupted is aborted when the restarted task opens
        # the partition (s3.c abort_orphans lists the topic's uploads), and the restarted
        # worker's own uploads completed or were aborted: none remains to be billed.
        assert at_kill, "the kill was meant to interrupt an upload"
        left = list_uploads(s3, bucket)
        assert left == {}, (left, at_kill)
    finally:
        proxy.close()


# ----------------------------------------------------------------------------------------------
# 3. Parquet statistics and codecs


def _value_at(e: dict, path: str):
    v = e
    for p in path.split("."):
        if v is None:
            return None
        v = v.get(p)
    return v


def check_stats(files: list[Path], events: list[dict], codec: str) -> int:
    """Per row group and column chunk: codec, num_values, null_count, min/max equal to those of
    the produced events whose seq the row group holds (pyarrow's metadata); DuckDB's
    parquet_metadata() gives the same min/max and null counts. Returns the chunks checked."""
    by_seq = {e["seq"]: e for e in events}
    checked = 0
    duck = {}
    for f in files:
        for rg, path, nv, smin, smax, nulls, comp in duckdb.sql(
                f"SELECT row_group_id, path_in_schema, num_values, stats_min_value, "
                f"stats_max_value, stats_null_count, compression "
                f"FROM parquet_metadata('{f}')").fetchall():
            duck[(str(f), rg, path.replace(", ", "."))] = (nv, smin, smax, nulls, comp)
    for f in files:
        pf = pq.ParquetFile(f)
        md = pf.metadata
        for rg in range(md.num_row_groups):
            seqs = pf.read_row_group(rg, columns=["seq"]).column("seq").to_pylist()
            produced = [by_seq[s] for s in seqs]
            rgmd = md.row_group(rg)
            assert rgmd.num_rows == len(seqs)
            for c in range(md.num_columns):
                col = rgmd.column(c)
                path = col.path_in_schema
                want = [_value_at(e, path) for e in produced]
                present = [v for v in want if v is not None]
                st = col.statistics
                where = f"{f.name} rg {rg} {path}"
                assert col.compression == codec, (where, col.compression)
                assert col.num_values == len(want), where
                assert st is not None and st.has_null_count, where
                assert st.null_count == len(want) - len(present), (where, st.null_count)
                assert st.num_values == len(present), (where, st.num_values)
                if not present:
                    assert not st.has_min_max, where
                    continue
                assert st.has_min_max, where
                assert (st.min, st.max) == (min(present), max(present)), \
                    (where, st.min, st.max, min(present), max(present))
                nv, smin, smax, nulls, comp = duck[(str(f), rg, path)]
                assert (nv, nulls, comp) == (len(want), len(want) - len(present), codec), \
                    (where, nv, nulls, comp)
                if isinstance(present[0], str):
                    assert (smin, smax) == (min(present), max(present)), (where, smin, smax)
                else:
                    assert (float(smin), float(smax)) == (min(present), max(present)), \
                        (where, smin, smax)
                checked += 1
    return checked


def events_with_nulls(n: int, seed: int) -> list[dict]:
    """The seed scenario's IoT events with a few fields null: value, location, battery_level
    and the nested metadata.firmware_version, each in a handful of records."""
    events = iot_events(n, seed=seed)
    for i, e in enumerate(events):
        if i % 37 == 5:
            e["value"] = None
        if i % 53 == 7:
            e["location"] = None
        if i % 41 == 3:
            e["battery_level"] = None
        if i % 59 == 11:
            e["metadata"]["firmware_version"] = None
    return events


def test_parquet_statistics_and_codecs(kafka, connect_c, tmp_path, unique_name):
    """The seed IoT scenario (3 partitions, hourly directories, flush.size 100, Snappy) with some
    null fields: every column chunk of every file is SNAPPY and carries statistics whose min,
    max, null_count and value count are those of the records produced into it (pyarrow), and
    DuckDB's parquet_metadata() agrees for every column, numeric and string alike. A second
    small run writes the same through parquet.codec zstd and gzip (.zstd.parquet, .gz.parquet)."""
    root = tmp_path / "store"
    topic, cname = unique_name("iot-stats"), unique_name("s3stats")
    kafka.create_topic(topic, partitions=3)
    events = events_with_nulls(3000, seed=13)
    produce_split(kafka, topic, events, 3)
    w = connect_c()
    w.create_connector(cname, sink_config(topic, **{"store.url": f"file://{root}"}))
    w.wait_running(cname)

    # the codec runs share the worker: one topic, one connector per codec
    small = events_with_nulls(200, seed=29)
    topic2 = unique_name("iot-codec")
    kafka.create_topic(topic2, partitions=1)
    kafka.produce(topic2, [json.dumps(e) for e in small], partition=0)
    codecs = {"zstd": ("ZSTD", ".zstd.parquet"), "gzip": ("GZIP", ".gz.parquet")}
    for codec in codecs:
        w.create_connector(f"{cname}-{codec}", sink_config(topic2, **{
            "store.url": f"file://{tmp_path / codec}", "parquet.codec": codec}))

    kc.wait_until(lambda: sum(kafka.committed_offsets(f"connect-{cname}").values()) == 3000,
                  timeout=120, what="all 3000 records committed")
    files = parquet_files(root / "raw" / topic)
    assert files and all(f.name.endswith(".snappy.parquet") for f in files)
    for p in range(3):  # names: a clean run's, per partition
        want = expected_names(topic, events[p::3], 100, ".snappy.parquet", partition=p)
        assert sorted(str(f.relative_to(root)) for f in files
                      if f.name.split("+")[1] == str(p)) == want
    chunks = check_stats(files, events, "SNAPPY")
    print(f"\nsnappy: {len(files)} files, {chunks} column chunks with min/max checked")
    assert chunks >= len(files) * 10, chunks  # 11-12 leaf columns per file
    # the null counts add up to the fields nulled on purpose
    nulls = Counter()
    for f in files:
        md = pq.ParquetFile(f).metadata
        for rg in range(md.num_row_groups):
            for c in range(md.num_columns):
                col = md.row_group(rg).column(c)
                nulls[col.path_in_schema] += col.statistics.null_count
    assert nulls["value"] == sum(e["value"] is None for e in events) > 0
    assert nulls["location"] == sum(e["location"] is None for e in events) > 0
    assert nulls["battery_level"] == sum(e["battery_level"] is None for e in events) > 0
    assert nulls["metadata.firmware_version"] == \
        sum(e["metadata"]["firmware_version"] is None for e in events) > 0
    assert nulls["seq"] == nulls["device_id"] == 0
    # DuckDB reads the same nulls back as values
    glob = f"{root}/raw/{topic}/**/*.parquet"
    got = duckdb.sql(f"SELECT count(*), count(value), count(location), count(battery_level), "
                     f"count(metadata.firmware_version), min(value), max(signal_strength) "
                     f"FROM read_parquet('{glob}', hive_partitioning=1)").fetchall()[0]
    vals = [e["value"] for e in events if e["value"] is not None]
    assert got == (3000, len(vals), sum(e["location"] is not None for e in events),
                   sum(e["battery_level"] is not None for e in events),
                   sum(e["metadata"]["firmware_version"] is not None for e in events),
                   min(vals), max(e["signal_strength"] for e in events))

    for codec, (name, ext) in codecs.items():
        kc.wait_until(lambda: kafka.committed_offsets(f"connect-{cname}-{codec}").get(
            (topic2, 0)) == 200, timeout=60, what=f"{codec}: 200 records committed")
        croot = tmp_path / codec
        cfiles = parquet_files(croot)
        assert sorted(str(f.relative_to(croot)) for f in cfiles) == \
            expected_names(topic2, small, 100, ext)
        chunks = check_stats(cfiles, small, name)
        print(f"{codec}: {len(cfiles)} files, {chunks} column chunks with min/max checked")
        assert chunks >= len(cfiles) * 10
        rows = [r for f in cfiles for r in pq.read_table(f).to_pylist()]
        assert sorted(r["seq"] for r in rows) == list(range(200))
        assert duckdb_count_distinct(f"{croot}/**/*.parquet") == (200, 200, 0, 199)


# ----------------------------------------------------------------------------------------------
# 4. kill -9 on the local store, read back by DuckDB


def test_kill9_local_store_duckdb(kafka, connect_c, tmp_path, unique_name):
    """A smaller kill -9 on the local store: 3,150 records (10 sets of 300 committed, 150 in the
    open set, its .inprogress file on disk) when the worker is killed; 2,850 more produced while
    it is down; after the restart the names are exactly a clean run's (computed from offsets,
    flush.size and the hours), the objects from before the kill are byte for byte the same, no
    .inprogress is left, and DuckDB's read_parquet(hive_partitioning=1) counts every record
    once: count(*) = count(DISTINCT seq) = 6,000, with the right count per hour directory."""
    root = tmp_path / "store"
    topic, cname = unique_name("iot-k9"), unique_name("s3k9")
    kafka.create_topic(topic, partitions=1)
    events = iot_events(6000, seed=31)  # 7 s apart: ~11.7 hours, hour directories cut sets
    flush = 300
    w = connect_c(overrides=FAST_WORKER)
    w.create_connector(cname, sink_config(topic, **{"store.url": f"file://{root}",
                                                    "flush.size": str(flush), **FAST_CONSUMER}))
    w.wait_running(cname)
    group = f"connect-{cname}"
    kafka.produce(topic, [json.dumps(e) for e in events[:3150]], partition=0)
    kc.wait_until(lambda: kafka.committed_offsets(group).get((topic, 0)) == 3000,
                  timeout=60, what="10 sets committed")
    kc.wait_until(lambda: list(root.rglob("*.inprogress")), timeout=30,
                  what="the open set's .inprogress file")
    w.kill()
    before = {f.relative_to(root): f.read_bytes() for f in root.rglob("*.parquet")}
    assert sorted(map(str, before)) == expected_names(topic, events[:3000], flush,
                                                      ".snappy.parquet")
    kafka.produce(topic, [json.dumps(e) for e in events[3150:]], partition=0)
    w.start()
    w.wait_running(cname)
    kc.wait_until(lambda: kafka.committed_offsets(group).get((topic, 0)) == 6000,
                  timeout=120, what="all 6000 committed after the restart")
    after = {f.relative_to(root): f.read_bytes() for f in root.rglob("*.parquet")}
    assert sorted(map(str, after)) == expected_names(topic, events, flush, ".snappy.parquet")
    for k, v in before.items():
        assert after[k] == v, k
    assert not list(root.rglob("*.inprogress"))
    glob = f"{root}/raw/{topic}/**/*.parquet"
    assert duckdb_count_distinct(glob) == (6000, 6000, 0, 5999)
    per_hour = {tuple(r[:4]): r[4] for r in duckdb.sql(
        f"SELECT CAST(year AS INT), CAST(month AS INT), CAST(day AS INT), CAST(hour AS INT), "
        f"count(*) FROM read_parquet('{glob}', hive_partitioning=1) GROUP BY ALL").fetchall()}
    want = Counter()
    for e in events:
        d = datetime.strptime(e["timestamp"], "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=timezone.utc)
        want[(d.year, d.month, d.day, d.hour)] += 1
    assert per_hour == dict(want), (per_hour, want)
    # each row lies in the file its offsets say: a file's seqs are contiguous from its start
    got = duckdb.sql(f"SELECT filename, min(seq), count(*), max(seq) "
                     f"FROM read_parquet('{glob}', filename=true) GROUP BY filename").fetchall()
    for fname, lo, cnt, hi in got:
        assert lo == start_offset(fname) and hi - lo + 1 == cnt, (fname, lo, cnt, hi)


def test_more_open_files_than_the_soft_limit(kafka, tmp_path, unique_name):
    """The worker raises its soft open-files limit to the hard one at start, as the JVM does
    (HotSpot's MaxFDLimit): started at a soft limit of 256 (as container runtimes often start
    processes at 1024), an S3 sink on the local store holding 600 open files at once (a
    FieldPartitioner over 600 distinct values, one set of flush.size=600) commits them all
    instead of failing on the limit. /proc shows the raised limit; DuckDB reads every row."""
    import resource
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if hard != resource.RLIM_INFINITY and hard < 2048:
        import pytest
        pytest.skip(f"hard open-files limit {hard} leaves no room to show the raise")
    wrapper = tmp_path / "low-nofile.sh"
    wrapper.write_text(f"#!/bin/sh\nulimit -Sn 256 || exit 97\nexec '{kc.connect_bin()}' \"$@\"\n")
    wrapper.chmod(0o755)
    w = kc.ConnectC(kafka.bootstrap, tmp_path / "w", binary=wrapper)
    try:
        w.start()
        limits = Path(f"/proc/{w.pid}/limits").read_text()
        line = next(ln for ln in limits.splitlines() if ln.startswith("Max open files"))
        got_soft, got_hard = line.split()[3:5]
        assert got_soft == got_hard, line
        assert got_soft == "unlimited" or int(got_soft) > 256, line
        root = tmp_path / "store"
        topic, cname = unique_name("nofile"), unique_name("s3nofile")
        kafka.create_topic(topic, partitions=1)
        n = 600
        w.create_connector(cname, sink_config(topic, **{
            "store.url": f"file://{root}", "flush.size": str(n),
            "partitioner.class": "io.confluent.connect.storage.partitioner.FieldPartitioner",
            "partition.field.name": "device"}))
        w.wait_running(cname)
        kafka.produce(topic, [json.dumps({"seq": i, "device": f"d{i:04d}", "v": i * 0.5})
                              for i in range(n)], partition=0)
        group = f"connect-{cname}"
        kc.wait_until(lambda: kafka.committed_offsets(group).get((topic, 0)) == n,
                      timeout=120, what=f"all {n} records committed")
        files = parquet_files(root)
        assert len(files) == n
        assert {f.parent.name for f in files} == {f"device=d{i:04d}" for i in range(n)}
        assert duckdb_count_distinct(f"{root}/raw/{topic}/**/*.parquet") == (n, n, 0, n - 1)
        status = w.get(f"/connectors/{cname}/status").json()
        assert status["tasks"][0]["state"] == "RUNNING", status
    finally:
        rc = w.stop()
        errs = w.sanitizer_errors()
        assert rc in (0, 143, -15), (rc, w.log_tail(60))
        assert not errs, errs


def test_json_format_gzip_on_s3proxy(kafka, connect_c, s3, unique_name):
    """Confluent's JsonFormat with s3.compression.type=gzip: .json.gz objects on S3Proxy, each
    one gzip stream (Python's gzip module) of the compact JSON lines, and DuckDB's read_json
    over them counts every record once with the produced values."""
    import gzip
    make_bucket(s3, "iot-gz")
    bucket_dir = Path(s3["KC_S3_DATA"]) / "iot-gz"
    topic, cname = unique_name("iot-gz"), unique_name("s3gz")
    kafka.create_topic(topic, partitions=1)
    events = iot_events(300, seed=5)
    kafka.produce(topic, [json.dumps(e) for e in events], partition=0)
    w = connect_c()
    w.create_connector(cname, sink_config(topic, **{
        "store.url": s3["KC_S3_ENDPOINT"], "aws.access.key.id": s3["KC_S3_ACCESS_KEY"],
        "aws.secret.access.key": s3["KC_S3_SECRET_KEY"], "s3.bucket.name": "iot-gz",
        "format.class": "io.confluent.connect.s3.format.json.JsonFormat",
        "s3.compression.type": "gzip", "s3.compression.level": "9", "flush.size": "100"}))
    w.wait_running(cname)
    kc.wait_until(lambda: kafka.committed_offsets(f"connect-{cname}").get((topic, 0)) == 300,
                  timeout=kc.scaled(120), what="all 300 committed")
    keys = list_keys(s3, "iot-gz", "raw/")
    assert keys and all(k.endswith(".json.gz") for k in keys), keys
    seen = []
    for k in keys:
        with gzip.open(bucket_dir / k, "rt") as f:
            seen += [json.loads(line) for line in f]
    assert sorted(seen, key=lambda e: e["seq"]) == events
    files = [str(bucket_dir / k) for k in keys]
    n, distinct = duckdb.sql(f"SELECT count(*), count(DISTINCT seq) FROM read_json({files}, "
                             f"format='newline_delimited', compression='gzip')").fetchall()[0]
    assert (n, distinct) == (300, 300)


def test_bytearray_format_gzip_on_s3proxy(kafka, connect_c, s3, unique_name):
    """Confluent's ByteArrayFormat: under ByteArrayConverter each value's bytes as they are
    (here binary, not UTF-8, with newlines and NULs inside) then the separator, in
    <topic>+<partition>+<offset>.bin.gz objects on S3Proxy (one gzip stream each); a tombstone
    goes to the DLQ as behavior.on.null.values=fail says, and is counted as handled."""
    import gzip
    import random
    make_bucket(s3, "raw-bin")
    bucket_dir = Path(s3["KC_S3_DATA"]) / "raw-bin"
    topic, cname = unique_name("raw-bin"), unique_name("s3bin")
    kafka.create_topic(topic, partitions=1)
    rnd = random.Random(11)
    values = [bytes(rnd.randrange(256) for _ in range(rnd.randrange(1, 64))) + b"\n\x00"
              for _ in range(200)]
    recs = [{"value": v, "partition": 0} for v in values]
    recs.insert(50, {"value": None, "partition": 0})
    kafka.produce_records(topic, recs)
    w = connect_c()
    w.create_connector(cname, sink_config(topic, **{
        "store.url": s3["KC_S3_ENDPOINT"], "aws.access.key.id": s3["KC_S3_ACCESS_KEY"],
        "aws.secret.access.key": s3["KC_S3_SECRET_KEY"], "s3.bucket.name": "raw-bin",
        "format.class": "io.confluent.connect.s3.format.bytearray.ByteArrayFormat",
        "value.converter": "org.apache.kafka.connect.converters.ByteArrayConverter",
        "partitioner.class": "io.confluent.connect.storage.partitioner.DefaultPartitioner",
        "format.bytearray.separator": "\\u0001\\r\\n",
        "s3.compression.type": "gzip", "flush.size": "100",
        "errors.tolerance": "all", "errors.deadletterqueue.topic.name": topic + "-dlq",
        "errors.deadletterqueue.topic.replication.factor": "1"}))
    w.wait_running(cname)
    kc.wait_until(lambda: kafka.committed_offsets(f"connect-{cname}").get((topic, 0)) == 201,
                  timeout=kc.scaled(120), what="all 201 committed")
    keys = sorted(list_keys(s3, "raw-bin", "raw/"))
    assert keys == [f"raw/{topic}/partition=0/{topic}+0+{o:010d}.bin.gz" for o in (0, 101)], keys
    data = b"".join(gzip.open(bucket_dir / k, "rb").read() for k in keys)
    assert data == b"".join(v + b"\x01\r\n" for v in values)
    assert len(kafka.consume(topic + "-dlq", 1, timeout=kc.scaled(30))) == 1
