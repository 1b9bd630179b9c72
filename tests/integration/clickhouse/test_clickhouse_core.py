"""ClickHouse sink core (connectors/clickhouse) against real ClickHouse engines.

Which test ran where:
  * test_1816_*  -- Debian's clickhouse-server 18.16 (apt), started by services.sh
                    start-clickhouse on free loopback ports, driven over HTTP by our transport
                    (clickhouse_http.c) through the test tool clickhouse_rb_tool.
  * test_chdb_*  -- the current ClickHouse engine in-process (PyPI chdb, 26.x) reading the exact
                    RowBinary bytes our encoder wrote, for the types 18.16 lacks (DateTime64,
                    Date32, Int128/256, Map, IPv4/IPv6, Bool, RowBinaryWithDefaults); no HTTP.

The tool (tests/unit/clickhouse/clickhouse_rb_tool.c) runs the real encoder and transport; Python
only creates tables, feeds JSON lines and reads back with the server's own output formats.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent
SERVICES = HERE.parent / "services.sh"
SERVER = os.environ.get("KC_CLICKHOUSE_SERVER", "/usr/sbin/clickhouse-server")


def _tool() -> Path:
    build = Path(os.environ.get("KC_BUILD_DIR", HERE.parents[2] / "build"))
    t = build / "tests" / "unit" / "clickhouse" / "clickhouse_rb_tool"
    if not t.exists():
        pytest.skip(f"{t} not built")
    return t


def run_tool(*args, check=True) -> subprocess.CompletedProcess:
    p = subprocess.run([str(_tool()), *map(str, args)], capture_output=True, text=True,
                       timeout=120)
    if check and p.returncode != 0:
        raise AssertionError(f"tool {args[0]} failed: {p.stdout} {p.stderr}")
    return p


def write_jsonl(path: Path, messages) -> Path:
    path.write_text("".join(json.dumps(m) + "\n" for m in messages))
    return path


# ---------------------------------------------------------------------------------------------
# 18.16 server


class CH:
    def __init__(self, run_dir: Path):
        self.run_dir = run_dir
        env = dict(line.split("=", 1) for line in (run_dir / "clickhouse.env").read_text().split())
        self.port = int(env["KC_CLICKHOUSE_HTTP_PORT"])

    def q(self, sql: str, body: bytes | None = None, fmt_params: dict | None = None) -> bytes:
        params = {"query": sql} if body is not None else {}
        params.update(fmt_params or {})
        url = f"http://127.0.0.1:{self.port}/?" + urllib.parse.urlencode(params)
        data = body if body is not None else sql.encode()
        with urllib.request.urlopen(urllib.request.Request(url, data=data), timeout=30) as r:
            return r.read()

    def rows(self, sql: str):
        out = self.q(sql + " FORMAT JSONEachRow").decode()
        return [json.loads(line) for line in out.splitlines() if line]


@pytest.fixture(scope="module")
def ch(tmp_path_factory):
    if not os.access(SERVER, os.X_OK):
        pytest.skip("clickhouse-server 18.16 not installed (scripts/setup.sh)")
    _tool()
    run = tmp_path_factory.mktemp("clickhouse")
    subprocess.run([str(SERVICES), "start-clickhouse", str(run)], check=True,
                   capture_output=True, timeout=120)
    server = CH(run)
    server.q("CREATE DATABASE IF NOT EXISTS t")
    try:
        yield server
    finally:
        subprocess.run([str(SERVICES), "stop-one", str(run), "clickhouse"], timeout=120)


def insert(ch: CH, table: str, path: Path, *opts, check=True):
    return run_tool("insert", "127.0.0.1", ch.port, "t", table, path, *opts, check=check)


def test_1816_user_events_pipeline(ch, tmp_path):
    """Pipeline 2 (user events), on 18.16: DateTime64 does not exist there, so the timestamp is
    DateTime('UTC'); LowCardinality is experimental (enabled in the profile); inserted_at takes
    its DEFAULT now() because plain RowBinary leaves it out of the column list."""
    ch.q("CREATE TABLE t.events (user_id String, event_type LowCardinality(String), "
         "timestamp DateTime('UTC'), session_id String, device LowCardinality(String), "
         "inserted_at DateTime DEFAULT now()) ENGINE = ReplacingMergeTree() "
         "PARTITION BY toYYYYMMDD(timestamp) ORDER BY (timestamp, user_id)")
    msgs = [{"user_id": f"user_{i}", "event_type": ["login", "view", "purchase"][i % 3],
             "timestamp": f"2025-09-18T10:30:{i:02d}Z", "session_id": f"sess_{i}",
             "device": "mobile", "unknown_field": [1, 2]} for i in range(50)]
    msgs.append({"user_id": "bad", "timestamp": "not a time"})
    out = insert(ch, "events", write_jsonl(tmp_path / "ev.jsonl", msgs))
    assert "rows=50 errors=1" in out.stdout
    assert "line 51: column 'timestamp' (DateTime('UTC')): cannot write \"not a time\"" in out.stderr
    rows = ch.rows("SELECT user_id, event_type, toUnixTimestamp(timestamp) AS ts, session_id, "
                   "device, inserted_at > now() - 600 AS fresh FROM t.events ORDER BY ts")
    assert len(rows) == 50
    assert rows[7] == {"user_id": "user_7", "event_type": "view", "ts": 1758191407,
                       "session_id": "sess_7", "device": "mobile", "fresh": 1}


def test_1816_telemetry_arrays_and_logs(ch, tmp_path):
    """Pipeline 1 (telemetry: a message is a JSON array of rows, naive ISO timestamps with µs,
    fields the table lacks dropped, missing String columns empty) and pipeline 3 (logs, topic
    logs_4 -> table logs; DateTime instead of 18.16's missing DateTime64(6))."""
    ch.q("CREATE TABLE t.interface_data (node_name String, interface_name String, "
         "interface_type String, subinterface_index String, timestamp DateTime, batch_id String) "
         "ENGINE = MergeTree ORDER BY (node_name, interface_name, timestamp)")
    msgs = [[{"node_name": "srl", "interface_name": f"ethernet-1/{i}", "batch_id": "b1",
              "timestamp": "2025-01-02T03:04:05.123456", "admin_status": "up",
              "in_octets": 150000} for i in range(1, 4)],
            [{"node_name": "srl", "interface_name": "mgmt0", "batch_id": "b2",
              "timestamp": "2025-01-02T03:04:06.000001", "oper_status": "down"}]]
    out = insert(ch, "interface_data", write_jsonl(tmp_path / "if.jsonl", msgs))
    assert "rows=4 errors=0" in out.stdout
    rows = ch.rows("SELECT interface_name, interface_type, toString(timestamp) AS ts "
                   "FROM t.interface_data ORDER BY interface_name")
    assert [r["interface_name"] for r in rows] == ["ethernet-1/1", "ethernet-1/2", "ethernet-1/3",
                                                   "mgmt0"]
    assert rows[0]["interface_type"] == "" and rows[0]["ts"] == "2025-01-02 03:04:05"

    ch.q("CREATE TABLE t.logs (eventId UInt32, level LowCardinality(String), "
         "source LowCardinality(String), timestamp DateTime, computer LowCardinality(String), "
         "user LowCardinality(String), message String) ENGINE = MergeTree "
         "PARTITION BY toYYYYMM(timestamp) ORDER BY (eventId)")
    logs = [{"eventId": i, "level": "Error" if i % 2 else "Info", "source": "app",
             "timestamp": "2025-03-04 05:06:07.654321", "computer": "h1", "user": "u",
             "message": "m\tü\n"} for i in range(10)]
    logs.append({"eventId": 4294967296, "level": "x"})  # UInt32 overflow: refused, not wrapped
    out = insert(ch, "logs", write_jsonl(tmp_path / "logs.jsonl", logs))
    assert "rows=10 errors=1" in out.stdout
    assert "out of range for a 32-bit unsigned integer" in out.stderr
    assert ch.rows("SELECT count() AS c FROM t.logs WHERE level = 'Error'") == [{"c": "5"}]
    assert ch.rows("SELECT message FROM t.logs LIMIT 1") == [{"message": "m\tü\n"}]


CLASSIC = ("id UInt64, i8 Int8, i16 Int16, i32 Int32, i64 Int64, u8 UInt8, u16 UInt16, "
           "u32 UInt32, f32 Float32, f64 Float64, s String, fs FixedString(4), u UUID, d Date, "
           "dt DateTime('UTC'), dec Decimal(18, 4), dec9 Decimal32(2), d128 Decimal128(10), "
           "e8 Enum8('a' = 1, 'b' = -2), e16 Enum16('x' = 1000), n Nullable(Int32), "
           "ns Nullable(String), arr Array(Nullable(UInt16)), aa Array(Array(String)), "
           "tup Tuple(UInt8, String), lc LowCardinality(String)")


def classic_rows():
    return [
        {"id": 1, "i8": -128, "i16": -2, "i32": -1, "i64": -9223372036854775808, "u8": 255,
         "u16": 65535, "u32": 4294967295, "f32": 1.5, "f64": -2.25, "s": "héllo", "fs": "ab",
         "u": "01234567-89ab-cdef-0123-456789abcdef", "d": "2024-01-02",
         "dt": "2024-01-02T03:04:05Z", "dec": "-12.3456", "dec9": 1.25,
         "d128": "123456789.0123456789", "e8": "b", "e16": "x", "n": None, "ns": "x",
         "arr": [1, None, 3], "aa": [["a"], [], ["b", "c"]], "tup": [7, "t"], "lc": "low"},
        {"id": 2, "i8": 127, "i16": 32767, "i32": 2147483647, "i64": 9223372036854775807,
         "u8": 0, "u16": 0, "u32": 0, "f32": -0.5, "f64": 1e300, "s": "", "fs": "abcd",
         "u": "00000000-0000-0000-0000-000000000001", "d": 0, "dt": 0, "dec": 0, "dec9": "-0.01",
         "d128": -1, "e8": 1, "e16": 1000, "n": 42, "ns": None, "arr": [], "aa": [],
         "tup": {"x": 1}, "lc": ""},
    ]


def test_1816_classic_types_byte_identical(ch, tmp_path):
    """Every type 18.16 has: our RowBinary is inserted, and the server's own RowBinary output of
    the table is byte-for-byte the body we sent (so the server read exactly our values)."""
    ch.q(f"CREATE TABLE t.classic ({CLASSIC}) ENGINE = MergeTree ORDER BY id")
    src = write_jsonl(tmp_path / "classic.jsonl", classic_rows())
    assert "rows=2 errors=0" in insert(ch, "classic", src).stdout
    desc = tmp_path / "classic.tsv"
    desc.write_bytes(ch.q("DESCRIBE TABLE t.classic FORMAT TabSeparated"))
    ours = tmp_path / "classic.bin"
    assert "rows=2 errors=0" in run_tool("encode", desc, "plain", src, ours).stdout
    theirs = ch.q("SELECT * FROM t.classic ORDER BY id FORMAT RowBinary")
    assert theirs == ours.read_bytes()
    r = ch.rows("SELECT * FROM t.classic ORDER BY id")
    assert r[0]["i64"] == "-9223372036854775808" and r[0]["s"] == "héllo"
    assert r[0]["u"] == "01234567-89ab-cdef-0123-456789abcdef"
    assert r[0]["dec"] == -12.3456 and r[0]["d128"] == 123456789.0123456789
    assert r[0]["arr"] == [1, None, 3] and r[0]["tup"] == [7, "t"] and r[0]["e8"] == "b"
    assert r[1]["tup"] == [1, ""] and r[1]["fs"] == "abcd" and r[1]["d"] == "0000-00-00"  # 18.16 prints day 0 so


def test_1816_native_block_reads_back_as_our_rows(ch, tmp_path):
    """The Native block the sink sends instead of RowBinary when every column has a Native form
    (here every such type 18.16 has, LowCardinality dictionary-encoded, Nullable with its null
    map): the server reads it, and its own RowBinary output of the table is byte-for-byte our
    RowBinary encoding of the same rows. With an array column the rows stay RowBinary."""
    nested = "arr Array(Nullable(UInt16)), aa Array(Array(String)), tup Tuple(UInt8, String), "
    assert nested in CLASSIC
    cols = CLASSIC.replace(nested, "")
    ch.q(f"CREATE TABLE t.nat ({cols}) ENGINE = MergeTree ORDER BY id")
    rows = [{k: v for k, v in r.items() if k not in ("arr", "aa", "tup")}
            for r in classic_rows()]
    rows += [dict(rows[0], id=3, lc="low", n=7, ns=None), dict(rows[1], id=4, lc="other")]
    src = write_jsonl(tmp_path / "nat.jsonl", rows)
    desc = tmp_path / "nat.tsv"
    desc.write_bytes(ch.q("DESCRIBE TABLE t.nat FORMAT TabSeparated"))
    native, rowbin = tmp_path / "nat.native", tmp_path / "nat.rowbinary"
    out = run_tool("encode", desc, "plain", src, native, "native").stdout
    assert "rows=4 errors=0" in out and "native=no" not in out
    assert "rows=4 errors=0" in run_tool("encode", desc, "plain", src, rowbin).stdout
    assert native.read_bytes() != rowbin.read_bytes()
    ch.q("INSERT INTO t.nat FORMAT Native", native.read_bytes())
    assert ch.q("SELECT * FROM t.nat ORDER BY id FORMAT RowBinary") == rowbin.read_bytes()
    assert ch.rows("SELECT lc, count() AS c FROM t.nat GROUP BY lc ORDER BY lc") == [
        {"lc": "", "c": "1"}, {"lc": "low", "c": "2"}, {"lc": "other", "c": "1"}]
    classic = tmp_path / "classic.tsv"
    ch.q(f"CREATE TABLE t.classic_nat ({CLASSIC}) ENGINE = MergeTree ORDER BY id")
    classic.write_bytes(ch.q("DESCRIBE TABLE t.classic_nat FORMAT TabSeparated"))
    src2 = write_jsonl(tmp_path / "classic.jsonl", classic_rows())
    assert "native=no" in run_tool("encode", classic, "plain", src2, tmp_path / "c.bin",
                                   "native").stdout
    # The block names each column's type as DESCRIBE spelled it: Enum names with a quote and a
    # backslash stay escaped.
    ch.q("CREATE TABLE t.en (id UInt8, e Enum8('it\\'s' = 1, 'back\\\\slash' = 2)) "
         "ENGINE = MergeTree ORDER BY id")
    en = tmp_path / "en.tsv"
    en.write_bytes(ch.q("DESCRIBE TABLE t.en FORMAT TabSeparated"))
    src3 = write_jsonl(tmp_path / "en.jsonl",
                       [{"id": 1, "e": "it's"}, {"id": 2, "e": "back\\slash"}])
    assert "rows=2 errors=0" in run_tool("encode", en, "plain", src3, tmp_path / "en.native",
                                         "native").stdout
    ch.q("INSERT INTO t.en FORMAT Native", (tmp_path / "en.native").read_bytes())
    assert ch.rows("SELECT id, e FROM t.en ORDER BY id") == [{"id": 1, "e": "it's"},
                                                             {"id": 2, "e": "back\\slash"}]


def test_1816_transport(ch, tmp_path):
    """Auth modes, gzip bodies, settings in the URL, and the server's error answers turned into
    code + message + retry class by clickhouse_http.c."""
    ch.q("CREATE TABLE t.kv (k String, v UInt32) ENGINE = MergeTree ORDER BY k")
    src = write_jsonl(tmp_path / "kv.jsonl", [{"k": f"k{i}", "v": i} for i in range(1000)])
    out = insert(ch, "kv", src, "--user", "tester", "--password", "secret", "--auth", "header",
                 "--compression", "gzip", "--setting", "max_insert_block_size=100")
    assert "rows=1000 errors=0" in out.stdout
    sent = int(out.stdout.split("sent=")[1])
    assert sent < 1000 * 7 / 2, sent  # gzip really shrank the body
    # One connection for version, DESCRIBE and INSERT: the insert reused it (keep-alive).
    assert "new_connections=0" in out.stdout
    assert "rows=1000" in insert(ch, "kv", src, "--user", "tester", "--password", "secret").stdout
    assert ch.rows("SELECT count() AS c, sum(v) AS s FROM t.kv") == [{"c": "2000",
                                                                     "s": str(2 * 499500)}]
    bad = insert(ch, "kv", src, "--user", "tester", "--password", "wrong", check=False)
    assert bad.returncode == 2
    assert "rc=KC_EIO" in bad.stdout and "ClickHouse error 193 (HTTP 401): Wrong password" in bad.stdout
    assert "wrong" not in bad.stdout.replace("Wrong", "")  # the password never shows
    missing = insert(ch, "nope", src, check=False)
    assert "ClickHouse error 60 (HTTP 404): Table t.nope doesn't exist." in missing.stdout
    # 18.16 knows neither zstd bodies nor dedup tokens: clear errors, not silent acceptance.
    z = insert(ch, "kv", src, "--compression", "zstd", check=False)
    assert "code=89" in z.stdout and "Unknown Content-Encoding" in z.stdout
    tok = insert(ch, "kv", src, "--token", "kv-0-0-999", check=False)
    assert "code=115" in tok.stdout and "insert_deduplication_token" in tok.stdout
    # Truncated RowBinary (schema drift) is Code 33, not retried.
    body = ch.q("SELECT 'x' AS k, toUInt32(1) AS v FORMAT RowBinary")[:-2]
    with pytest.raises(urllib.error.HTTPError) as e:
        ch.q("INSERT INTO t.kv FORMAT RowBinary", body)
    assert b"Code: 33," in e.value.read()
    assert ch.rows("SELECT count() AS c FROM t.kv") == [{"c": "2000"}]


def test_1816_server_down_is_retriable(tmp_path):
    """A stopped server is KC_RETRY (the worker keeps the batch), and after a restart the same
    insert goes through."""
    if not os.access(SERVER, os.X_OK):
        pytest.skip("clickhouse-server not installed")
    run = tmp_path / "run"
    subprocess.run([str(SERVICES), "start-clickhouse", str(run)], check=True,
                   capture_output=True, timeout=120)
    try:
        server = CH(run)
        server.q("CREATE TABLE default.r (x UInt8) ENGINE = MergeTree ORDER BY x")
        src = write_jsonl(tmp_path / "r.jsonl", [{"x": 1}])
        subprocess.run([str(SERVICES), "stop-one", str(run), "clickhouse"], check=True,
                       timeout=120)
        p = run_tool("insert", "127.0.0.1", server.port, "default", "r", src, check=False)
        assert p.returncode == 2 and "rc=KC_RETRY" in p.stdout and "status=0" in p.stdout
        subprocess.run([str(SERVICES), "start-clickhouse", str(run)], check=True,
                       capture_output=True, timeout=120)
        server = CH(run)  # new free ports, same data directory
        assert "rows=1" in run_tool("insert", "127.0.0.1", server.port, "default", "r",
                                    src).stdout
        assert server.rows("SELECT count() AS c FROM default.r") == [{"c": "1"}]
    finally:
        subprocess.run([str(SERVICES), "stop-one", str(run), "clickhouse"], timeout=120)


# ---------------------------------------------------------------------------------------------
# chDB (current engine): types 18.16 lacks, RowBinaryWithDefaults

MODERN = ("id UInt64, lc LowCardinality(String), ts DateTime64(3, 'UTC'), ts6 DateTime64(6), "
          "ts9 DateTime64(9, 'UTC'), m Map(String, UInt64), b Bool, ip4 IPv4, ip6 IPv6, "
          "d32 Date32, i128 Int128, u128 UInt128, i256 Int256, u256 UInt256, "
          "dec Decimal(38, 10), dec76 Decimal(76, 20), n Nullable(Int32), u UUID, "
          "e Enum16('x' = 1000, 'y' = -1000), tup Tuple(a UInt8, b Array(String)), "
          "mm Map(UInt16, Array(Nullable(IPv6))), lcn LowCardinality(Nullable(String))")


def modern_rows():
    return [
        {"id": 1, "lc": "mobile", "ts": "2025-09-18T10:30:00.123Z",
         "ts6": "2025-01-02T03:04:05.123456", "ts9": "2025-01-02T03:04:05.123456789Z",
         "m": {"a": 1, "b": 18446744073709551615}, "b": True, "ip4": "10.0.0.1",
         "ip6": "2001:db8::1", "d32": "1900-01-01", "i128": "-170141183460469231731687303715884105728",
         "u128": "340282366920938463463374607431768211455",
         "i256": "-57896044618658097711785492504343953926634992332820282019728792003956564819968",
         "u256": "115792089237316195423570985008687907853269984665640564039457584007913129639935",
         "dec": "-1234567890123456789012345678.0123456789",
         "dec76": "12345678901234567890123456789012345678901234567890.12345678901234567891",
         "n": None, "u": "01234567-89ab-cdef-0123-456789abcdef", "e": "y",
         "tup": {"a": 5, "b": ["p", "q"]}, "mm": {"7": ["::1", None]}, "lcn": None},
        {"id": 2, "lc": "", "ts": 1758191400, "ts6": "2025-01-02 03:04:05", "ts9": 0,
         "m": {}, "b": 0, "ip4": "0.0.0.0", "ip6": "1.2.3.4", "d32": "2299-12-31", "i128": 0, "u128": 1,
         "i256": 2, "u256": 3, "dec": 1e-10, "dec76": -1, "n": -7,
         "u": "ffffffff-ffff-ffff-ffff-ffffffffffff", "e": "x", "tup": {"a": 1, "b": []}, "mm": {},
         "lcn": "z"},
    ]


@pytest.fixture(scope="module")
def chdb():
    return pytest.importorskip("chdb")


def describe_of(structure: str) -> str:
    """A DESCRIBE TABLE answer for a structure string (top-level commas only)."""
    cols, depth, cur = [], 0, ""
    for c in structure:
        if c == "," and depth == 0:
            cols.append(cur.strip())
            cur = ""
            continue
        depth += c == "("
        depth -= c == ")"
        cur += c
    cols.append(cur.strip())
    lines = []
    for col in cols:
        name, _, typ = col.partition(" ")
        extra = ""
        if " DEFAULT " in typ:
            typ, _, expr = typ.partition(" DEFAULT ")
            extra = f"DEFAULT\t{expr}"
        else:
            extra = "\t"
        lines.append(f"{name}\t{typ.replace(chr(39), chr(92) + chr(39))}\t{extra}\n")
    return "".join(lines)


def chdb_rows(chdb, sql: str):
    out = chdb.query(sql, "JSONEachRow").data()
    return [json.loads(line) for line in out.splitlines() if line]


def test_chdb_modern_types(chdb, tmp_path):
    """The current engine reads our RowBinary of every type 18.16 lacks; the oracle is the same
    engine parsing the same JSON with its own JSONEachRow reader (best_effort date-times), plus
    a few values spelled out."""
    src = write_jsonl(tmp_path / "modern.jsonl", modern_rows())
    desc = tmp_path / "modern.tsv"
    desc.write_text(describe_of(MODERN))
    binf = tmp_path / "modern.bin"
    assert "rows=2 errors=0" in run_tool("encode", desc, "plain", src, binf).stdout
    ours = chdb_rows(chdb, f"SELECT * FROM file('{binf}', 'RowBinary', \"{MODERN}\") ORDER BY id")
    oracle_in = tmp_path / "modern_oracle.jsonl"
    oracle_in.write_text(src.read_text())
    oracle = chdb_rows(chdb, f"SELECT * FROM file('{oracle_in}', 'JSONEachRow', \"{MODERN}\") "
                             "ORDER BY id SETTINGS date_time_input_format='best_effort'")
    assert ours == oracle
    r = ours[0]
    assert r["ts"] == "2025-09-18 10:30:00.123" and r["ts9"] == "2025-01-02 03:04:05.123456789"
    assert {k: str(v) for k, v in r["m"].items()} == {"a": "1", "b": "18446744073709551615"}
    assert r["ip6"] == "2001:db8::1" and r["d32"] == "1900-01-01"
    assert str(r["u256"]) == ("115792089237316195423570985008687907853269984665640564039457584007913"
                         "129639935")
    assert r["mm"] == {"7": ["::1", None]} and r["e"] == "y" and r["tup"] == {"a": 5, "b": ["p", "q"]}
    assert ours[1]["ip6"] == "::ffff:1.2.3.4" and ours[1]["b"] is False


def test_chdb_native_block_of_modern_types(chdb, tmp_path):
    """The Native block the sink sends, read by the current engine: every type 18.16 lacks that
    has a Native form here (DateTime64, Bool, IPv4/6, Date32, 128/256-bit integers, wide
    Decimals, Nullable, UUID, Enum16, LowCardinality dictionary-encoded) gives the rows the
    engine reads from our RowBinary of the same records."""
    drop = ("m Map(String, UInt64), ", "tup Tuple(a UInt8, b Array(String)), ",
            "mm Map(UInt16, Array(Nullable(IPv6))), ", ", lcn LowCardinality(Nullable(String))")
    structure = MODERN
    for d in drop:
        assert d in structure
        structure = structure.replace(d, "")
    rows = [{k: v for k, v in r.items() if k not in ("m", "tup", "mm", "lcn")}
            for r in modern_rows()]
    rows.append(dict(rows[0], id=3, lc="tablet", n=None))
    src = write_jsonl(tmp_path / "modern.jsonl", rows)
    desc = tmp_path / "modern.tsv"
    desc.write_text(describe_of(structure))
    native, rowbin = tmp_path / "modern.native", tmp_path / "modern.bin"
    out = run_tool("encode", desc, "plain", src, native, "native").stdout
    assert "rows=3 errors=0" in out and "native=no" not in out
    assert "rows=3 errors=0" in run_tool("encode", desc, "plain", src, rowbin).stdout
    ours = chdb_rows(chdb, f"SELECT * FROM file('{native}', 'Native', \"{structure}\") "
                           "ORDER BY id")
    want = chdb_rows(chdb, f"SELECT * FROM file('{rowbin}', 'RowBinary', \"{structure}\") "
                           "ORDER BY id")
    assert len(ours) == 3 and ours == want
    assert [r["lc"] for r in ours] == ["mobile", "", "tablet"]
    assert ours[0]["i128"] == want[0]["i128"] and ours[1]["n"] == -7 and ours[2]["n"] is None


def test_chdb_row_binary_with_defaults(chdb, tmp_path):
    """RowBinaryWithDefaults (servers >= 23): a missing DEFAULT column gets the server's DEFAULT
    expression per row, a given one keeps its value."""
    structure = ("id UInt8, tag String DEFAULT 'dflt', at DateTime DEFAULT toDateTime(42), "
                 "n Nullable(UInt8)")
    desc = tmp_path / "wd.tsv"
    desc.write_text(describe_of(structure))
    src = write_jsonl(tmp_path / "wd.jsonl", [[{"id": 1}, {"id": 2, "tag": "t", "at": 7,
                                                            "n": 3}], {"id": 3, "tag": None}])
    binf = tmp_path / "wd.bin"
    assert "rows=3 errors=0" in run_tool("encode", desc, "defaults", src, binf).stdout
    rows = chdb_rows(chdb, f"SELECT * FROM file('{binf}', 'RowBinaryWithDefaults', "
                           f"\"{structure}\") ORDER BY id")
    assert rows == [
        {"id": 1, "tag": "dflt", "at": "1970-01-01 00:00:42", "n": None},
        {"id": 2, "tag": "t", "at": "1970-01-01 00:00:07", "n": 3},
        {"id": 3, "tag": "dflt", "at": "1970-01-01 00:00:42", "n": None},
    ]


def test_chdb_user_events_datetime64(chdb, tmp_path):
    """The user-events table as its users define it (DateTime64(3, 'UTC'), LowCardinality,
    inserted_at DEFAULT now()) -- only the current engine has DateTime64."""
    structure = ("user_id String, event_type LowCardinality(String), "
                 "timestamp DateTime64(3, 'UTC'), session_id String, "
                 "device LowCardinality(String), inserted_at DateTime DEFAULT now()")
    desc = tmp_path / "ue.tsv"
    desc.write_text(describe_of(structure))
    src = write_jsonl(tmp_path / "ue.jsonl", [
        {"user_id": "user_42", "event_type": "purchase", "timestamp": "2025-09-18T10:30:00Z",
         "session_id": "sess_789", "device": "mobile"}])
    binf = tmp_path / "ue.bin"
    assert "rows=1 errors=0" in run_tool("encode", desc, "defaults", src, binf).stdout
    rows = chdb_rows(chdb, f"SELECT user_id, timestamp, inserted_at > now() - 600 AS fresh FROM "
                           f"file('{binf}', 'RowBinaryWithDefaults', \"{structure}\")")
    assert rows == [{"user_id": "user_42", "timestamp": "2025-09-18 10:30:00.000", "fresh": True}]
