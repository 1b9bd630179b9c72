"""SMT differential: each transform configuration runs as one FileStreamSink connector on the JVM
worker (Kafka 4.1.0's transforms; Debezium 3.6.1's debezium-connect-plugins on its plugin.path,
fetched by services.sh) and on connect-c, over the same records; the output files must be equal
line for line, and so must the dead letter queues (errors.tolerance=all): which records failed,
with which exception class and message.

What FileStreamSink does not print is made visible by more transforms, the same on both sides:
headers go into the value with Debezium's HeaderToValue (Struct values, so with schemas), keys
through HeaderFrom$Key and HeaderToValue, topics with InsertField$Value topic.field.

All connectors run at once; a case is done when its group's committed offsets reach the end of
its topic on both workers.
"""

from __future__ import annotations

import json
import os
import signal
from pathlib import Path
from typing import Any

import pytest

import kc

JSON = "org.apache.kafka.connect.json.JsonConverter"
STRING = "org.apache.kafka.connect.storage.StringConverter"
T = "org.apache.kafka.connect.transforms."
DBZ = "io.debezium.transforms."
TS0 = 1704067200000  # 2024-01-01T00:00:00Z

# ---------------------------------------------------------------------------------- records

FLAT_S = [
    {"id": 1, "name": "ann", "score": 1.5, "active": True, "tags": ["a", "b"],
     "nested": {"x": 1}, "note": None},
    {"id": 2, "name": "bob", "score": -0.25, "active": False, "tags": [], "nested": {},
     "note": "n"},
    {"id": 3},
    "not a map",
    None,
]

ROW = {"type": "struct", "optional": False, "name": "shop.Row", "fields": [
    {"type": "int64", "optional": False, "field": "id"},
    {"type": "string", "optional": True, "field": "name"},
    {"type": "double", "optional": True, "field": "score"},
    {"type": "boolean", "optional": True, "field": "active"},
    {"type": "int32", "optional": True, "default": 7, "field": "qty"},
    {"type": "array", "items": {"type": "string"}, "optional": True, "field": "tags"},
    {"type": "int32", "optional": True, "name": "org.apache.kafka.connect.data.Date",
     "version": 1, "field": "day"},
    {"type": "int8", "optional": True, "field": "small"},
]}


def row(**payload):
    return {"schema": ROW, "payload": payload}


FLAT_W = [
    row(id=1, name="ann", score=1.5, active=True, qty=3, tags=["a"], day=19723, small=5),
    row(id=2, name=None, score=None, active=None, qty=None, tags=None, day=None, small=None),
    row(id=3, name="cy", score=0.0, active=False, qty=0, tags=[], day=0, small=-1),
    {"schema": {"type": "int64", "optional": False}, "payload": 42},
    None,
]

# Debezium change events (Postgres connector shape) -------------------------------------------

DBZ_ROW = {"type": "struct", "optional": True, "name": "pg.public.customers.Value", "fields": [
    {"type": "int32", "optional": False, "field": "id"},
    {"type": "string", "optional": False, "field": "first_name"},
    {"type": "string", "optional": True, "field": "email"},
    {"type": "int32", "optional": True, "default": 0, "field": "visits"},
]}
DBZ_SOURCE = {"type": "struct", "optional": False, "name": "io.debezium.connector.postgresql.Source",
              "field": "source", "fields": [
                  {"type": "string", "optional": False, "field": "version"},
                  {"type": "string", "optional": False, "field": "connector"},
                  {"type": "string", "optional": False, "field": "name"},
                  {"type": "int64", "optional": False, "field": "ts_ms"},
                  {"type": "string", "optional": False, "field": "db"},
                  {"type": "string", "optional": False, "field": "table"},
                  {"type": "int64", "optional": True, "field": "lsn"}]}
DBZ_ENVELOPE = {"type": "struct", "optional": False, "name": "pg.public.customers.Envelope",
                "version": 2, "fields": [
                    dict(DBZ_ROW, field="before"), dict(DBZ_ROW, field="after"), DBZ_SOURCE,
                    {"type": "string", "optional": False, "field": "op"},
                    {"type": "int64", "optional": True, "field": "ts_ms"},
                    {"type": "struct", "optional": True, "name": "event.block", "version": 1,
                     "field": "transaction", "fields": [
                         {"type": "string", "optional": False, "field": "id"},
                         {"type": "int64", "optional": False, "field": "total_order"},
                         {"type": "int64", "optional": False,
                          "field": "data_collection_order"}]}]}


def source(i):
    return {"version": "3.6.1.Final", "connector": "postgresql", "name": "pg",
            "ts_ms": TS0 + i, "db": "shop", "table": "customers", "lsn": 1000 + i}


def change(op, before, after, i, tx=None):
    return {"before": before, "after": after, "source": source(i), "op": op,
            "ts_ms": TS0 + 100 + i, "transaction": tx}


ANN = {"id": 1, "first_name": "ann", "email": "ann@x", "visits": 1}
ANN2 = {"id": 1, "first_name": "ann", "email": None, "visits": None}
BOB = {"id": 2, "first_name": "bob", "email": "bob@x", "visits": 5}
DBZ_EVENTS = [
    change("r", None, BOB, 0),
    change("c", None, ANN, 1, tx={"id": "tx1", "total_order": 1, "data_collection_order": 1}),
    change("u", ANN, ANN2, 2),
    change("d", ANN2, None, 3),
    None,  # the tombstone after the delete
    change("t", None, None, 4),
]
DBZ_W = [None if e is None else {"schema": DBZ_ENVELOPE, "payload": e} for e in DBZ_EVENTS]
DBZ_S = list(DBZ_EVENTS)

HEADERS = [("a", "x"), ("b", "42"), ("c", "2024-01-02")]

RECORD_SETS = {"flat_s": FLAT_S, "flat_w": FLAT_W, "dbz_w": DBZ_W, "dbz_s": DBZ_S}

# ------------------------------------------------------------------------------------ cases


def chain(*steps: tuple[str, str, dict[str, str]]) -> dict[str, str]:
    """transforms config from (alias, class, settings) steps."""
    cfg = {"transforms": ",".join(a for a, _, _ in steps)}
    for alias, cls, props in steps:
        cfg[f"transforms.{alias}.type"] = cls
        for k, v in props.items():
            cfg[f"transforms.{alias}.{k}"] = v
    return cfg


def h2v(headers: str, fields: str | None = None) -> tuple[str, str, dict[str, str]]:
    return ("show", DBZ + "HeaderToValue",
            {"headers": headers, "fields": fields or headers, "operation": "copy"})


SHOW_TOPIC = ("topic", T + "InsertField$Value", {"topic.field": "t"})
P = "org.apache.kafka.connect.transforms.predicates."


def keep_if_header(name: str) -> dict[str, str]:
    """A Filter that drops records without header `name` (schemaless header presence)."""
    return {"transforms.keep.type": T + "Filter", "transforms.keep.predicate": "has",
            "transforms.keep.negate": "true", "predicates": "has",
            "predicates.has.type": P + "HasHeaderKey", "predicates.has.name": name}


def with_keep(cfg: dict[str, str], name: str) -> dict[str, str]:
    out = dict(cfg)
    out["transforms"] += ",keep"
    out.update(keep_if_header(name))
    return out

# id -> (record set, schemas.enable, transforms config)
CASES: dict[str, tuple[str, bool, dict[str, str]]] = {
    # MaskField
    "mask_value_s": ("flat_s", False, chain(
        ("m", T + "MaskField$Value", {"fields": "name,score,active,tags,nested,note,absent"}))),
    "mask_value_s_replacement": ("flat_s", False, chain(
        ("m", T + "MaskField$Value", {"fields": "id,score,name", "replacement": "12"}))),
    "mask_value_s_replacement_bool": ("flat_s", False, chain(
        ("m", T + "MaskField$Value", {"fields": "active", "replacement": "x"}))),
    "mask_value_s_replacement_nan": ("flat_s", False, chain(
        ("m", T + "MaskField$Value", {"fields": "id", "replacement": "abc"}))),
    "mask_value_w": ("flat_w", True, chain(
        ("m", T + "MaskField$Value", {"fields": "name,score,active,qty,tags,day,small"}))),
    "mask_value_w_replacement": ("flat_w", True, chain(
        ("m", T + "MaskField$Value", {"fields": "id,score,small,name", "replacement": "300"}))),
    "mask_value_w_no_default": ("flat_w", True, chain(
        ("m", T + "MaskField$Value", {"fields": "name", "replace.null.with.default": "false"}))),
    "mask_key_w": ("flat_w", True, chain(
        ("hk", T + "HoistField$Key", {"field": "k"}),
        ("m", T + "MaskField$Key", {"fields": "k"}),
        ("hf", T + "HeaderFrom$Key", {"fields": "k", "headers": "kh", "operation": "copy"}),
        h2v("kh"))),
    # HoistField
    "hoist_value_s": ("flat_s", False, chain(("h", T + "HoistField$Value", {"field": "w"}))),
    "hoist_value_w": ("flat_w", True, chain(("h", T + "HoistField$Value", {"field": "w"}))),
    "hoist_key_w": ("flat_w", True, chain(
        ("hk", T + "HoistField$Key", {"field": "k"}),
        ("hf", T + "HeaderFrom$Key", {"fields": "k", "headers": "kh", "operation": "copy"}),
        h2v("kh"))),
    # ValueToKey, key made visible
    "value_to_key_w": ("flat_w", True, chain(
        ("v2k", T + "ValueToKey", {"fields": "id,name,qty"}),
        ("hf", T + "HeaderFrom$Key", {"fields": "id,name,qty", "headers": "kid,kname,kqty",
                                      "operation": "copy"}),
        h2v("kid,kname,kqty"))),
    "value_to_key_w_missing": ("flat_w", True, chain(
        ("v2k", T + "ValueToKey", {"fields": "id,nope"}))),
    "value_to_key_s": ("flat_s", False, chain(("v2k", T + "ValueToKey", {"fields": "id,name"}))),
    # TimestampRouter, topic made visible
    "timestamp_router_default": ("flat_s", False, chain(
        ("r", T + "TimestampRouter", {}), SHOW_TOPIC)),
    "timestamp_router_format": ("flat_w", True, chain(
        ("r", T + "TimestampRouter", {"topic.format": "${timestamp}_of_${topic}",
                                      "timestamp.format": "yyyy.MM.dd-HH'h'"}), SHOW_TOPIC)),
    # Header transforms, headers made visible
    "header_from_copy_w": ("flat_w", True, chain(
        ("hf", T + "HeaderFrom$Value", {"fields": "name,qty", "headers": "hn,hq",
                                        "operation": "copy"}), h2v("hn,hq"))),
    "header_from_move_w": ("flat_w", True, chain(
        ("hf", T + "HeaderFrom$Value", {"fields": "name,day", "headers": "hn,hd",
                                        "operation": "move"}), h2v("hn,hd"))),
    "header_from_missing_w": ("flat_w", True, chain(
        ("hf", T + "HeaderFrom$Value", {"fields": "nope", "headers": "h", "operation": "copy"}))),
    "header_from_move_s": ("flat_s", False, chain(
        ("hf", T + "HeaderFrom$Value", {"fields": "name,absent", "headers": "hn,ha",
                                        "operation": "move"}))),
    "header_from_s_shown": ("flat_s", False, chain(
        ("hf", T + "HeaderFrom$Value", {"fields": "name", "headers": "hn", "operation": "copy"}),
        ("hoist", T + "HoistField$Value", {"field": "w"}), h2v("hn"))),
    "insert_header_w": ("flat_w", True, chain(
        ("i1", T + "InsertHeader", {"header": "n", "value.literal": "42"}),
        ("i2", T + "InsertHeader", {"header": "s", "value.literal": "hello"}),
        ("i3", T + "InsertHeader", {"header": "b", "value.literal": "true"}),
        ("i4", T + "InsertHeader", {"header": "d", "value.literal": "2024-01-02"}),
        ("i5", T + "InsertHeader", {"header": "f", "value.literal": "1.5"}),
        h2v("n,s,b,d,f"))),
    "drop_headers_w": ("flat_w", True, chain(
        ("d", T + "DropHeaders", {"headers": "a,c"}), h2v("a,b,c"))),
    "headers_shown_w": ("flat_w", True, chain(h2v("a,b,c"))),
    # ReplaceField renames
    "replace_renames_s": ("flat_s", False, chain(
        ("r", T + "ReplaceField$Value", {"renames": "name:who,score:points,id:id2,x:y"}))),
    "replace_renames_w": ("flat_w", True, chain(
        ("r", T + "ReplaceField$Value", {"renames": "name:who,qty:q,name:alias"}))),
    "replace_renames_swap_w": ("flat_w", True, chain(
        ("r", T + "ReplaceField$Value", {"renames": "name:score,score:name",
                                         "exclude": "tags"}))),
    "replace_renames_clash_w": ("flat_w", True, chain(
        ("r", T + "ReplaceField$Value", {"renames": "name:score"}))),
    "replace_no_default_w": ("flat_w", True, chain(
        ("r", T + "ReplaceField$Value", {"renames": "qty:q",
                                         "replace.null.with.default": "false"}))),
    "drop_headers_s": ("flat_s", False, with_keep(chain(
        ("d", T + "DropHeaders", {"headers": "b"})), "b")),
    "drop_headers_s_other": ("flat_s", False, with_keep(chain(
        ("d", T + "DropHeaders", {"headers": "b"})), "a")),
    "header_from_move_s_present": ("flat_s", False, with_keep(chain(
        ("hf", T + "HeaderFrom$Value", {"fields": "name", "headers": "hn",
                                        "operation": "move"})), "hn")),
    "insert_header_s_present": ("flat_s", False, with_keep(chain(
        ("i", T + "InsertHeader", {"header": "new", "value.literal": "v"})), "new")),
    "mask_key_s": ("flat_s", False, chain(("m", T + "MaskField$Key", {"fields": "k"}))),
    "value_to_key_w_no_default": ("flat_w", True, chain(
        ("v2k", T + "ValueToKey", {"fields": "id,qty", "replace.null.with.default": "false"}),
        ("hf", T + "HeaderFrom$Key", {"fields": "id,qty", "headers": "kid,kqty",
                                      "operation": "copy"}),
        h2v("kid,kqty"))),
    # Cast of whole values
    "cast_whole_string_s": ("flat_s", False, chain(("c", T + "Cast$Value", {"spec": "string"}))),
    "cast_whole_w": ("flat_w", True, chain(
        ("x", T + "ExtractField$Value", {"field": "score"}),
        ("c", T + "Cast$Value", {"spec": "int32"}))),
    "cast_whole_boolean_w": ("flat_w", True, chain(
        ("x", T + "ExtractField$Value", {"field": "id"}),
        ("c", T + "Cast$Value", {"spec": "boolean"}))),
    # Debezium ExtractNewRecordState
    "dbz_default_w": ("dbz_w", True, chain(("u", DBZ + "ExtractNewRecordState", {}))),
    "dbz_rewrite_w": ("dbz_w", True, chain(
        ("u", DBZ + "ExtractNewRecordState", {
            "delete.tombstone.handling.mode": "rewrite",
            "add.fields": "op,table,source.ts_ms,lsn:LSN,ts_ms,id",
            "add.headers": "op,db"}),
        h2v("__op,__db", "hop,hdb"))),
    "dbz_rewrite_tombstone_w": ("dbz_w", True, chain(
        ("u", DBZ + "ExtractNewRecordState", {
            "delete.tombstone.handling.mode": "rewrite-with-tombstone",
            "route.by.field": "first_name", "add.headers": "op",
            "add.headers.prefix": "dbz_"}),
        h2v("dbz_op"), SHOW_TOPIC)),
    "dbz_drop_w": ("dbz_w", True, chain(
        ("u", DBZ + "ExtractNewRecordState", {"delete.tombstone.handling.mode": "drop",
                                              "add.fields": "op", "add.fields.prefix": "_"}))),
    "dbz_delete_to_tombstone_w": ("dbz_w", True, chain(
        ("u", DBZ + "ExtractNewRecordState", {
            "delete.tombstone.handling.mode": "delete-to-tombstone"}))),
    "dbz_legacy_keys_w": ("dbz_w", True, chain(
        ("u", DBZ + "ExtractNewRecordState", {"drop.tombstones": "false",
                                              "delete.handling.mode": "rewrite"}))),
    "dbz_default_s": ("dbz_s", False, chain(("u", DBZ + "ExtractNewRecordState", {}))),
    "dbz_rewrite_tombstone_s": ("dbz_s", False, chain(
        ("u", DBZ + "ExtractNewRecordState", {
            "delete.tombstone.handling.mode": "rewrite-with-tombstone", "add.headers": "op"}))),
}

NEW_TRANSFORMS = [T + "MaskField$Value", T + "MaskField$Key", T + "HoistField$Value",
                  T + "HoistField$Key", T + "ValueToKey", T + "TimestampRouter",
                  T + "HeaderFrom$Value", T + "HeaderFrom$Key", T + "InsertHeader",
                  T + "DropHeaders", DBZ + "ExtractNewRecordState", DBZ + "HeaderToValue"]
# a valid configuration of each, for PUT .../config/validate
VALIDATE = {T + "MaskField$Value": {"fields": "a"}, T + "HoistField$Key": {"field": "k"},
            T + "ValueToKey": {"fields": "id"}, T + "TimestampRouter": {},
            T + "HeaderFrom$Value": {"fields": "a", "headers": "h", "operation": "copy"},
            T + "InsertHeader": {"header": "h", "value.literal": "1"},
            T + "DropHeaders": {"headers": "h"}, DBZ + "ExtractNewRecordState": {},
            DBZ + "HeaderToValue": {"headers": "h", "fields": "f", "operation": "copy"},
            "com.example.NoSuchTransform": {}}

DEBEZIUM_DIR = Path(os.environ.get("KC_CACHE", Path.home() / ".cache" / "connect-c")) / \
    "debezium-3.6.1.Final"


def _produce(kafka, topic: str, values: list[Any], schemas: bool) -> None:
    recs = []
    for i, v in enumerate(values):
        key: Any = {"schema": {"type": "int64", "optional": False}, "payload": i} if schemas else i
        recs.append({"key": json.dumps(key), "value": None if v is None else json.dumps(v),
                     "headers": HEADERS, "timestamp": TS0 + i * 3_600_000 + 1234})
    kafka.produce_records(topic, recs)


def _config(topic: str, out: Path, dlq: str, schemas: bool, transforms: dict[str, str]):
    flag = "true" if schemas else "false"
    cfg = {"connector.class": kc.FILE_SINK, "tasks.max": "1", "topics": topic, "file": str(out),
           "key.converter": JSON, "key.converter.schemas.enable": flag,
           "value.converter": JSON, "value.converter.schemas.enable": flag,
           "errors.tolerance": "all", "errors.deadletterqueue.topic.name": dlq,
           "errors.deadletterqueue.topic.replication.factor": "1",
           "errors.deadletterqueue.context.headers.enable": "true"}
    cfg.update(transforms)
    return cfg


def _dlq_view(records: list[kc.Record]) -> list[tuple[Any, ...]]:
    out = []
    for r in records:
        h = dict(r.headers)
        out.append((h.get("__connect.errors.offset"), h.get("__connect.errors.stage"),
                    h.get("__connect.errors.class.name"),
                    h.get("__connect.errors.exception.class.name"),
                    h.get("__connect.errors.exception.message")))
    return sorted(out, key=lambda t: int(t[0] or -1))


@pytest.fixture(scope="module")
def results(kafka, services, tmp_path_factory):
    services.fetch()  # the Debezium plugin folder too
    assert (DEBEZIUM_DIR / "lib").is_dir(), f"no {DEBEZIUM_DIR}/lib: run services.sh fetch"
    work = tmp_path_factory.mktemp("smtdiff")
    jname = kc.unique("jvmsmt")
    jenv = services.start_jvm_connect(jname, {"plugin.path": str(DEBEZIUM_DIR)},
                                      bootstrap=kafka.bootstrap)
    jvm = kc.JvmWorker(services, jname, jenv, {})
    c = kc.ConnectC(kafka.bootstrap, work / "connect-c")
    try:
        c.start()
        topics = {}
        for set_name, values in RECORD_SETS.items():
            for schemas in (False, True):
                topic = kc.unique(f"smt-{set_name}-{int(schemas)}")
                # the records carry timestamps from TS0 on, long past the broker's 7-day
                # retention: without this its next retention check deletes them mid-test
                kafka.create_topic(topic, config={"retention.ms": "-1"})
                _produce(kafka, topic, values, schemas)
                topics[(set_name, schemas)] = topic
        running = []
        for case, (set_name, schemas, transforms) in CASES.items():
            topic = topics[(set_name, schemas)]
            for who, w in (("c", c), ("jvm", jvm)):
                name = kc.unique(f"{case}-{who}")
                dlq = f"{name}-dlq"
                kafka.create_topic(dlq)
                out = work / f"{name}.txt"
                out.touch()
                r = w.create_connector(name, _config(topic, out, dlq, schemas, transforms))
                assert r.status_code in (200, 201), f"{case} on {who}: {r.status_code} {r.text}"
                running.append((case, who, name, topic, out, dlq))
        res: dict[str, dict[str, Any]] = {}
        for case, who, name, topic, out, dlq in running:
            end = kafka.end_offsets(topic)

            def done(name=name, topic=topic, end=end):
                got = kafka.committed_offsets(f"connect-{name}")
                return all(got.get((topic, p), -1) >= e for p, e in end.items())

            try:
                kc.wait_until(done, timeout=120, interval=0.5, what=f"{name} commits")
                status = None
            except AssertionError:
                status = (c if who == "c" else jvm).status(name)
            res.setdefault(case, {})[who] = {
                "lines": kc.complete_lines(out), "status": status,
                "dlq": _dlq_view(kafka.consume(dlq, timeout=10))}
        # the plugin lists and validation, on the same two workers
        for who, w in (("c", c), ("jvm", jvm)):
            plugins = w.get("/connector-plugins?connectorsOnly=false").json()
            res.setdefault("_plugins", {})[who] = {p["class"]: (p["type"], p.get("version"))
                                                    for p in plugins}
            checks = {}
            for cls, props in VALIDATE.items():
                cfg = {"connector.class": kc.FILE_SINK, "topics": "t", "file": "/dev/null",
                       "transforms": "x", "transforms.x.type": cls}
                cfg.update({f"transforms.x.{k}": v for k, v in props.items()})
                body = w.put("/connector-plugins/FileStreamSinkConnector/config/validate",
                             json=cfg).json()
                errs = {v["value"]["name"]: v["value"]["errors"] for v in body["configs"]
                        if v["value"]["errors"]}
                checks[cls] = (body["error_count"], errs.get("transforms.x.type", []))
            res.setdefault("_validate", {})[who] = checks
        yield res
    finally:
        rc = c.stop()
        jvm.stop()
        errs = c.sanitizer_errors()
        assert rc in (None, 0, 143, -signal.SIGTERM), f"connect-c exit {rc}\n{c.log_tail(80)}"
        assert not errs, f"sanitizer: {errs[:5]}"


@pytest.mark.parametrize("case", list(CASES))
def test_smt_matches_jvm(results, case):
    r = results[case]
    assert r["jvm"]["status"] is None, f"JVM did not finish {case}: {r['jvm']['status']}"
    assert r["c"]["status"] is None, f"connect-c did not finish {case}: {r['c']['status']}"
    assert r["c"]["lines"] == r["jvm"]["lines"]
    assert r["c"]["dlq"] == r["jvm"]["dlq"]


def test_cases_show_something(results):
    """The comparison is not vacuous: records come out (except where every record is meant to
    be filtered), and some cases fail records."""
    empty = {"drop_headers_s"}  # DropHeaders removed b, so the Filter drops every record
    for c in CASES:
        shown = bool(results[c]["jvm"]["lines"] or results[c]["jvm"]["dlq"])
        assert shown == (c not in empty), c
    assert any(results[c]["jvm"]["dlq"] for c in CASES)
    assert sum(len(results[c]["jvm"]["lines"]) for c in CASES) > 3 * len(CASES)


def test_new_transforms_listed_like_jvm(results):
    """GET /connector-plugins?connectorsOnly=false lists every new transform as the JVM does,
    with the same type and version (Debezium's classes report Debezium's version)."""
    ours, jvm = results["_plugins"]["c"], results["_plugins"]["jvm"]
    for cls in NEW_TRANSFORMS:
        assert jvm.get(cls, ("",))[0] == "transformation", f"JVM does not list {cls}"
        assert ours.get(cls) == jvm[cls], (cls, ours.get(cls), jvm[cls])


def test_new_transforms_validate_like_jvm(results):
    """Connector validation accepts each new transform class (and rejects an unknown one) on
    both workers alike."""
    ours, jvm = results["_validate"]["c"], results["_validate"]["jvm"]
    for cls in VALIDATE:
        assert (ours[cls][0] == 0) == (jvm[cls][0] == 0), (cls, ours[cls], jvm[cls])
        assert bool(ours[cls][1]) == bool(jvm[cls][1]), (cls, ours[cls], jvm[cls])
    assert jvm["com.example.NoSuchTransform"][0] > 0
