# tests/integration/parquet/test_parquet_golden.py: files written by connect-parquet for every
# type x nullability x nesting, under every codec, page version and encoding, read back by
# pyarrow and DuckDB and compared value by value with the input (edge cases included), with
# statistics, codecs and encodings checked from the readers' metadata.
import base64
import decimal
import json
import math
import struct
import uuid

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from parquet_helpers import run_cli

decimal.getcontext().prec = 60
D = decimal.Decimal
N_ROWS = 12


def dec_b64(text, scale):
    """Connect Decimal's JSON form: base64 of the unscaled big-endian two's complement."""
    unscaled = int(D(text).scaleb(scale))
    n = max(1, (unscaled.bit_length() + 8) // 8)
    return base64.b64encode(unscaled.to_bytes(n, "big", signed=True)).decode()


def f32(x):
    return struct.unpack("<f", struct.pack("<f", x))[0]


def cycle(vals):
    return [vals[i % len(vals)] for i in range(N_ROWS)]


NS = {"ms": 10**6, "us": 10**3, "ns": 1, "s": 10**9}
DAY_NS = 86400 * 10**9

# Each column: (Connect field schema, JSON inputs per row, expected normalised values, kind).
# kind: "plain" (compare to_pylist), "temporal" (compare integer nanoseconds), "float".
UUIDS = [uuid.UUID(int=0), uuid.UUID("123e4567-e89b-12d3-a456-426614174000"),
         uuid.UUID(int=2**128 - 1)]
LONG = "x" * 5000
TEXTS = ["", "a", "\u00e9\u65e5\u672c\u8a9e\U0001F600", LONG, "line\nbreak \"q\" \\", "nul\u0000in", None]
DECS38 = ["99999999999999999999999999.9999999999", "-99999999999999999999999999.9999999999",
          "0", "0.0000000001", "-1.5", None]


def ts_ns(unit, v):
    return None if v is None else v * NS[unit]


COLUMNS = {
    "b": ({"type": "boolean", "optional": True}, cycle([True, False, None]),
          cycle([True, False, None]), "plain"),
    "rb": ({"type": "boolean"}, cycle([False, True]), cycle([False, True]), "plain"),
    "i8": ({"type": "int8", "optional": True}, cycle([-128, 127, 0, None]),
           cycle([-128, 127, 0, None]), "plain"),
    "i16": ({"type": "int16", "optional": True}, cycle([-32768, 32767, None, 1]),
            cycle([-32768, 32767, None, 1]), "plain"),
    "i32": ({"type": "int32", "optional": True}, cycle([-2**31, 2**31 - 1, None, 0, -1]),
            cycle([-2**31, 2**31 - 1, None, 0, -1]), "plain"),
    "i64": ({"type": "int64", "optional": True}, cycle([-2**63, 2**63 - 1, 0, None, -1]),
            cycle([-2**63, 2**63 - 1, 0, None, -1]), "plain"),
    "ri64": ({"type": "int64"}, list(range(N_ROWS)), list(range(N_ROWS)), "plain"),
    "u8": ({"type": "int32", "optional": True, "parameters": {"parquet.logical": "UINT8"}},
           cycle([0, 255, None]), cycle([0, 255, None]), "plain"),
    "u16": ({"type": "int32", "optional": True, "parameters": {"parquet.logical": "UINT16"}},
            cycle([0, 65535, None]), cycle([0, 65535, None]), "plain"),
    "u32": ({"type": "int64", "optional": True, "parameters": {"parquet.logical": "UINT32"}},
            cycle([0, 2**32 - 1, 7, None]), cycle([0, 2**32 - 1, 7, None]), "plain"),
    "u64": ({"type": "int64", "optional": True, "parameters": {"parquet.logical": "UINT64"}},
            cycle([0, 2**63 - 1, None]), cycle([0, 2**63 - 1, None]), "plain"),
    "f32": ({"type": "float", "optional": True},
            cycle([0.0, -0.0, 1.5, "NaN", "Infinity", "-Infinity", 3.4e38, 1e-45, None]),
            cycle([0.0, -0.0, 1.5, math.nan, math.inf, -math.inf, f32(3.4e38), f32(1e-45), None]),
            "float"),
    "f64": ({"type": "double", "optional": True},
            cycle([0.0, -0.0, 1e308, -1e-308, 5e-324, "NaN", "Infinity", "-Infinity", None, 7]),
            cycle([0.0, -0.0, 1e308, -1e-308, 5e-324, math.nan, math.inf, -math.inf, None, 7.0]),
            "float"),
    "s": ({"type": "string", "optional": True}, cycle(TEXTS), cycle(TEXTS), "plain"),
    "rs": ({"type": "string"}, cycle(["same"] * 3 + ["other"]), cycle(["same"] * 3 + ["other"]),
           "plain"),
    "bin": ({"type": "bytes", "optional": True},
            cycle([base64.b64encode(b"").decode(), base64.b64encode(b"\x00\xff\x10").decode(),
                   None]),
            cycle([b"", b"\x00\xff\x10", None]), "plain"),
    "date": ({"type": "int32", "optional": True, "name": "org.apache.kafka.connect.data.Date"},
             cycle([0, -1, -719162, 2932896, "1969-07-20", None]),
             cycle([0, -DAY_NS, -719162 * DAY_NS, 2932896 * DAY_NS, -165 * DAY_NS, None]),
             "temporal"),
    "time": ({"type": "int32", "optional": True, "name": "org.apache.kafka.connect.data.Time"},
             cycle([0, 86399999, "12:34:56.789", None]),
             cycle([0, 86399999 * 10**6, 45296789 * 10**6, None]), "temporal"),
    "ts_ms": ({"type": "int64", "optional": True,
               "name": "org.apache.kafka.connect.data.Timestamp"},
              cycle([0, -1, -62135596800000, 253402300799999, "1969-12-31T23:59:59.999Z", None]),
              cycle([0, -10**6, -62135596800000 * 10**6, 253402300799999 * 10**6, -10**6,
                     None]), "temporal"),
    "ts_us": ({"type": "int64", "optional": True,
               "parameters": {"parquet.logical": "TIMESTAMP(MICROS,true)"}},
              cycle([1732000000123456, -1, "2025-01-15T10:30:00.123456+02:00", None]),
              cycle([1732000000123456 * 1000, -1000, 1736929800123456 * 1000, None]),
              "temporal"),
    "ts_ns": ({"type": "int64", "optional": True,
               "parameters": {"parquet.logical": "TIMESTAMP(NANOS,false)"}},
              cycle([2**62, -2**62, "1900-01-01T00:00:00.000000001", None]),
              cycle([2**62, -2**62, -2208988800 * 10**9 + 1, None]), "temporal"),
    "ts_ms_local": ({"type": "int64", "optional": True,
                     "parameters": {"parquet.logical": "TIMESTAMP(MILLIS,false)"}},
                    cycle([-1, 1732000000123, "2024-02-29 23:59:59.5", None]),
                    cycle([-10**6, 1732000000123 * 10**6, 1709251199500 * 10**6, None]),
                    "temporal"),
    "ts_us_local": ({"type": "int64", "optional": True,
                     "parameters": {"parquet.logical": "TIMESTAMP(MICROS,false)"}},
                    cycle([-62135596800000000, 0, None]),
                    cycle([-62135596800000000 * 1000, 0, None]), "temporal"),
    "ts_ns_utc": ({"type": "int64", "optional": True,
                   "parameters": {"parquet.logical": "TIMESTAMP(NANOS,true)"}},
                  cycle([1, -1, "2262-04-11T23:47:16.854775807Z", None]),
                  cycle([1, -1, 2**63 - 1, None]), "temporal"),
    "time_ms_local": ({"type": "int32", "optional": True,
                       "parameters": {"parquet.logical": "TIME(MILLIS,false)"}},
                      cycle([1, "23:59:59.999", None]), cycle([10**6, 86399999 * 10**6, None]),
                      "temporal"),
    "time_us": ({"type": "int64", "optional": True,
                 "parameters": {"parquet.logical": "TIME(MICROS,true)"}},
                cycle([0, 86399999999, None]), cycle([0, 86399999999000, None]), "temporal"),
    "time_ns": ({"type": "int64", "optional": True,
                 "parameters": {"parquet.logical": "TIME(NANOS,false)"}},
                cycle([0, 86399999999000, 1000, None]),
                cycle([0, 86399999999000, 1000, None]), "temporal"),
    "dec9": ({"type": "bytes", "optional": True, "name": "org.apache.kafka.connect.data.Decimal",
              "parameters": {"scale": "2", "connect.decimal.precision": "9"}},
             cycle([dec_b64("9999999.99", 2), dec_b64("-9999999.99", 2), 12.5, 0, None]),
             cycle([D("9999999.99"), D("-9999999.99"), D("12.50"), D("0.00"), None]), "plain"),
    "dec18": ({"type": "bytes", "optional": True,
               "name": "org.apache.kafka.connect.data.Decimal",
               "parameters": {"scale": "4", "connect.decimal.precision": "18"}},
              cycle([dec_b64("99999999999999.9999", 4), dec_b64("-0.0001", 4), None]),
              cycle([D("99999999999999.9999"), D("-0.0001"), None]), "plain"),
    "dec38": ({"type": "bytes", "optional": True,
               "name": "org.apache.kafka.connect.data.Decimal",
               "parameters": {"scale": "10", "connect.decimal.precision": "38"}},
              cycle([dec_b64(x, 10) if x else None for x in DECS38]),
              cycle([D(x).quantize(D("1e-10")) if x else None for x in DECS38]), "plain"),
    "dec38s": ({"type": "string", "optional": True,
                "parameters": {"parquet.logical": "DECIMAL(38,10)"}},
               cycle(DECS38), cycle([D(x).quantize(D("1e-10")) if x else None for x in DECS38]),
               "plain"),
    "uuid": ({"type": "string", "optional": True, "name": "io.debezium.data.Uuid"},
             cycle([str(u) for u in UUIDS] + [None]), cycle([u.bytes for u in UUIDS] + [None]),
             "plain"),
    "enum": ({"type": "string", "optional": True, "parameters": {"parquet.logical": "ENUM"}},
             cycle(["RED", "GREEN", None]), cycle(["RED", "GREEN", None]), "plain"),
    "js": ({"type": "string", "optional": True, "name": "io.debezium.data.Json"},
           cycle(['{"a":1}', "[1,2]", None]), cycle(['{"a":1}', "[1,2]", None]), "plain"),
    "lst": ({"type": "array", "optional": True, "items": {"type": "int64", "optional": True}},
            cycle([[1, 2], [], None, [None, 3], [2**63 - 1]]),
            cycle([[1, 2], [], None, [None, 3], [2**63 - 1]]), "plain"),
    "rlst": ({"type": "array", "items": {"type": "string"}},
             cycle([["a"], [], ["b", "c", ""]]), cycle([["a"], [], ["b", "c", ""]]), "plain"),
    "lstruct": ({"type": "array", "optional": True,
                 "items": {"type": "struct", "optional": True, "fields": [
                     {"field": "a", "type": "int32", "optional": True},
                     {"field": "b", "type": "string"}]}},
                cycle([[{"a": 1, "b": "x"}, None, {"a": None, "b": ""}], [], None]),
                cycle([[{"a": 1, "b": "x"}, None, {"a": None, "b": ""}], [], None]), "plain"),
    "lol": ({"type": "array", "optional": True,
             "items": {"type": "array", "optional": True,
                       "items": {"type": "string", "optional": True}}},
            cycle([[["a", None], [], None], [[]], None, []]),
            cycle([[["a", None], [], None], [[]], None, []]), "plain"),
    "mp": ({"type": "map", "optional": True, "keys": {"type": "string"},
            "values": {"type": "int64", "optional": True}},
           cycle([{"k1": 1, "k2": None}, {}, None, {"\u00e9": -5}]),
           cycle([[("k1", 1), ("k2", None)], [], None, [("\u00e9", -5)]]), "map"),
    "st": ({"type": "struct", "optional": True, "fields": [
        {"field": "x", "type": "int64", "optional": True},
        {"field": "inner", "type": "struct", "optional": True, "fields": [
            {"field": "y", "type": "string", "optional": True},
            {"field": "z", "type": "double"}]}]},
        cycle([{"x": 1, "inner": {"y": "s", "z": 1.5}}, None, {"x": None, "inner": None},
               {"x": 2, "inner": {"y": None, "z": -0.5}}]),
        cycle([{"x": 1, "inner": {"y": "s", "z": 1.5}}, None, {"x": None, "inner": None},
               {"x": 2, "inner": {"y": None, "z": -0.5}}]), "plain"),
    "rst": ({"type": "struct", "fields": [{"field": "q", "type": "boolean"}]},
            cycle([{"q": True}, {"q": False}]), cycle([{"q": True}, {"q": False}]), "plain"),
}


NESTABLE = [n for n, c in COLUMNS.items()
            if c[3] in ("plain", "float", "temporal") and c[0]["type"] not in
            ("array", "map", "struct") and c[0].get("optional")]


def _list_of(xs, r):
    """Row r of the list variant: [x_r, null, x_r+1], [], null or [x_r]."""
    k = r % 4
    if k == 0:
        return [xs[r], None, xs[(r + 1) % N_ROWS]]
    if k == 1:
        return []
    if k == 2:
        return None
    return [xs[r]]


def _struct_of(xs, r):
    return None if r % 3 == 1 else {"v": xs[r]}


for _n in NESTABLE:
    _fs, _inp, _exp, _kind = COLUMNS[_n]
    COLUMNS["L_" + _n] = ({"type": "array", "optional": True, "items": dict(_fs)},
                          [_list_of(_inp, r) for r in range(N_ROWS)],
                          [_list_of(_exp, r) for r in range(N_ROWS)], "nested")
    COLUMNS["S_" + _n] = ({"type": "struct", "optional": True,
                           "fields": [dict(_fs, field="v")]},
                          [_struct_of(_inp, r) for r in range(N_ROWS)],
                          [_struct_of(_exp, r) for r in range(N_ROWS)], "nested")


def connect_schema():
    fields = []
    for name, (fs, _, _, _) in COLUMNS.items():
        f = dict(fs)
        f["field"] = name
        fields.append(f)
    return {"type": "struct", "name": "golden", "optional": False, "fields": fields}


def input_lines():
    lines = []
    for r in range(N_ROWS):
        rec = {name: col[1][r] for name, col in COLUMNS.items()}
        # Leave some nulls out entirely (a missing optional field is a null).
        for name in ("i8", "s", "st", "S_dec38", "L_uuid"):
            if rec[name] is None and r % 2:
                del rec[name]
        lines.append(json.dumps(rec, ensure_ascii=(r % 2 == 0)))
    return "\n".join(lines) + "\n"


def norm(v):
    """Reader values in one comparable shape."""
    if isinstance(v, float):
        if math.isnan(v):
            return "NaN"
        return ("f", struct.pack("<d", v))
    if isinstance(v, uuid.UUID):
        return v.bytes
    if isinstance(v, list):
        return [norm(x) for x in v]
    if isinstance(v, tuple):
        return tuple(norm(x) for x in v)
    if isinstance(v, dict):
        return {k: norm(x) for k, x in v.items()}
    if isinstance(v, str) and len(v) == 36 and v.count("-") == 4:
        try:
            return uuid.UUID(v).bytes
        except ValueError:
            return v
    return v


def arrow_values(arr):
    """Python values of a pyarrow Array, with every temporal value (at any depth) as integer
    nanoseconds, so units and time zones compare exactly whatever the reader's mapping."""
    t = arr.type
    if isinstance(t, pa.ExtensionType):
        arr = arr.storage
        t = arr.type
    valid = arr.is_valid().to_pylist()
    if pa.types.is_date32(t):
        ints = arr.cast(pa.int32()).to_pylist()
        return [None if x is None else x * DAY_NS for x in ints]
    if pa.types.is_timestamp(t) or pa.types.is_time(t):
        ints = arr.cast(pa.int32() if pa.types.is_time32(t) else pa.int64()).to_pylist()
        return [None if x is None else x * NS[t.unit] for x in ints]
    if pa.types.is_map(t):
        keys = arrow_values(arr.keys)
        items = arrow_values(arr.items)
        offs = arr.offsets.to_pylist()
        return [list(zip(keys[offs[i]:offs[i + 1]], items[offs[i]:offs[i + 1]]))
                if valid[i] else None for i in range(len(arr))]
    if pa.types.is_list(t) or pa.types.is_large_list(t):
        child = arrow_values(arr.values)
        offs = arr.offsets.to_pylist()
        return [child[offs[i]:offs[i + 1]] if valid[i] else None for i in range(len(arr))]
    if pa.types.is_struct(t):
        cols = {t.field(k).name: arrow_values(arr.field(k)) for k in range(t.num_fields)}
        return [{k: v[i] for k, v in cols.items()} if valid[i] else None
                for i in range(len(arr))]
    return arr.to_pylist()


def decode_text(v):
    if isinstance(v, bytes):
        return v.decode()
    if isinstance(v, list):
        return [decode_text(x) for x in v]
    if isinstance(v, dict):
        return {k: decode_text(x) for k, x in v.items()}
    return v


def values(table, name, kind):
    col = table.column(name).combine_chunks()
    vals = arrow_values(col)
    if name.endswith("enum") or name.endswith("js"):
        vals = decode_text(vals)   # ENUM and JSON may come back as binary
    return [norm(v) for v in vals]


def expected(name):
    fs, _, exp, kind = COLUMNS[name]
    if kind == "float":
        return [norm(x) for x in exp]
    return [norm(x) for x in exp]


def check_table(table, reader):
    assert table.num_rows == N_ROWS, reader
    for name, (_, _, _, kind) in COLUMNS.items():
        got = values(table, name, kind)
        want = expected(name)
        assert got == want, f"{reader}: column {name}: got {got!r}, want {want!r}"


MATRIX = [(codec, pv, dic, small)
          for codec in ("none", "snappy", "gzip", "zstd", "lz4_raw")
          for pv in (1, 2)
          for dic in (True, False)
          for small in ((False, True) if codec in ("snappy", "zstd") else (False,))]


@pytest.mark.parametrize("codec,page_version,dictionary,small", MATRIX)
def test_parquet_golden_types(cli, workdir, codec, page_version, dictionary, small):
    schema_path = workdir / "schema.json"
    schema_path.write_text(json.dumps({"schema": connect_schema(), "payload": None}))
    inp = workdir / "in.jsonl"
    inp.write_text(input_lines(), encoding="utf-8")
    out = workdir / "out.parquet"
    args = ["--schema", schema_path, "--codec", codec, "--page-version", page_version,
            "--kv", "origin=golden", "--created-by", "connect-c golden test"]
    if not dictionary:
        args.append("--no-dictionary")
    if small:
        args += ["--page-rows", "2", "--row-group-rows", "5"]
    rc, so, se = run_cli(cli, args + [inp, out])
    assert rc == 0, se
    assert "rows written: %d" % N_ROWS in so

    # pyarrow
    pf = pq.ParquetFile(out)
    md = pf.metadata
    assert md.created_by == "connect-c golden test"
    assert pf.schema_arrow.metadata[b"origin"] == b"golden"
    assert md.num_row_groups == (3 if small else 1)
    want_codec = "UNCOMPRESSED" if codec == "none" else codec.upper()
    # Arrow calls the LZ4_RAW codec (Thrift 7) "LZ4"; Thrift LZ4 (5) would be "LZ4_HADOOP".
    pa_codec = "LZ4" if codec == "lz4_raw" else want_codec
    for rg in range(md.num_row_groups):
        for c in range(md.num_columns):
            cc = md.row_group(rg).column(c)
            assert cc.compression == pa_codec
            # "rs" repeats, so its dictionary pays off; a column whose first page does not
            # shrink under a dictionary ("s" in small pages) goes PLAIN, as parquet-mr's.
            if cc.path_in_schema == "rs" and rg == 0:
                assert ("RLE_DICTIONARY" in cc.encodings) == dictionary
    table = pq.read_table(out)
    check_table(table, "pyarrow")
    # Units and UTC adjustment as pyarrow maps the logical types.
    want_types = {"ts_ms": pa.timestamp("ms", tz="UTC"), "ts_us": pa.timestamp("us", tz="UTC"),
                  "ts_ns": pa.timestamp("ns"), "ts_ms_local": pa.timestamp("ms"),
                  "ts_us_local": pa.timestamp("us"), "ts_ns_utc": pa.timestamp("ns", tz="UTC"),
                  "date": pa.date32(), "time": pa.time32("ms"), "time_ms_local": pa.time32("ms"),
                  "time_us": pa.time64("us"), "time_ns": pa.time64("ns"), "i8": pa.int8(),
                  "i16": pa.int16(), "u8": pa.uint8(), "u16": pa.uint16(), "u32": pa.uint32(),
                  "u64": pa.uint64(), "f32": pa.float32(), "dec9": pa.decimal128(9, 2),
                  "dec18": pa.decimal128(18, 4), "dec38": pa.decimal128(38, 10),
                  "rs": pa.string(), "bin": pa.binary()}
    for name, t in want_types.items():
        assert table.schema.field(name).type == t, (name, table.schema.field(name).type)
    assert table.schema.field("ri64").nullable is False
    assert table.schema.field("i64").nullable is True
    check_stats(md, small)

    # DuckDB, through its own Parquet reader
    dt = duckdb.sql(f"SELECT * FROM read_parquet('{out}')").arrow()
    if not isinstance(dt, pa.Table):
        dt = dt.read_all()
    check_table(dt, "duckdb")
    meta = duckdb.sql(f"SELECT DISTINCT compression FROM parquet_metadata('{out}')").fetchall()
    assert [m[0].upper() for m in meta] == [want_codec]


def check_stats(md, small):
    """min/max/null_count per row group, against the input, with each type's ordering."""
    rows_per_rg = 5 if small else N_ROWS
    col_index = {md.row_group(0).column(c).path_in_schema: c for c in range(md.num_columns)}
    for rg in range(md.num_row_groups):
        lo, hi = rg * rows_per_rg, min(N_ROWS, (rg + 1) * rows_per_rg)
        for name in ("i8", "i32", "i64", "u32", "u64", "f64", "s", "rs", "b", "dec38", "ri64"):
            exp = COLUMNS[name][2][lo:hi]
            st = md.row_group(rg).column(col_index[name]).statistics
            assert st is not None and st.has_null_count, name
            assert st.null_count == sum(v is None for v in exp), name
            present = [v for v in exp if v is not None and not (isinstance(v, float) and
                                                                 math.isnan(v))]
            if name in ("s",):
                present = [v for v in present if len(v.encode()) <= 1024]
                if any(v is not None and len(v.encode()) > 1024 for v in exp):
                    assert not st.has_min_max, "huge values drop min/max"
                    continue
            if not present:
                assert not st.has_min_max, name
                continue
            assert st.has_min_max, name
            if name in ("s", "rs"):
                assert st.min == min(present, key=lambda v: v.encode()), name
                assert st.max == max(present, key=lambda v: v.encode()), name
            elif name == "f64":
                assert st.min == min(present) and st.max == max(present), name
                if min(present) == 0:
                    assert math.copysign(1, st.min) == -1  # -0.0 for a zero minimum
            else:
                assert st.min == min(present), (name, st.min, min(present))
                assert st.max == max(present), (name, st.max, max(present))
