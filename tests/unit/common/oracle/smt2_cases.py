import json
S1 = json.dumps({"id": 7, "name": "ann", "score": 1.5, "ok": True, "tags": ["p"], "m": {"a": 1}, "n": None})
S2 = "5"
SN = ""
ROW = {"type": "struct", "optional": False, "name": "shop.Row", "fields": [
    {"type": "int64", "optional": False, "field": "id"},
    {"type": "string", "optional": True, "field": "name"},
    {"type": "double", "optional": True, "field": "score"},
    {"type": "int32", "optional": True, "default": 7, "field": "qty"},
    {"type": "int32", "optional": True, "name": "org.apache.kafka.connect.data.Date", "version": 1, "field": "day"},
    {"type": "int8", "optional": True, "field": "small"},
    {"type": "float", "optional": True, "field": "f"},
    {"type": "bytes", "optional": True, "field": "raw"}]}
W1 = json.dumps({"schema": ROW, "payload": {"id": 1, "name": "ann", "score": 2.5, "qty": 3, "day": 19723, "small": 5, "f": 1.25, "raw": None}})
W2 = json.dumps({"schema": ROW, "payload": {"id": 2, "name": None, "score": None, "qty": None, "day": None, "small": None, "f": None, "raw": "AQI="}})
WP = json.dumps({"schema": {"type": "string", "optional": True}, "payload": "hi"})
R = {"type": "struct", "optional": True, "name": "pg.public.c.Value", "fields": [
    {"type": "int32", "optional": False, "field": "id"},
    {"type": "string", "optional": True, "field": "email"},
    {"type": "int32", "optional": True, "default": 0, "field": "visits"}]}
SRC = {"type": "struct", "optional": False, "name": "io.debezium.connector.postgresql.Source", "field": "source", "fields": [
    {"type": "string", "optional": False, "field": "db"},
    {"type": "string", "optional": False, "field": "table"},
    {"type": "int64", "optional": False, "field": "ts_ms"},
    {"type": "int64", "optional": True, "field": "lsn"}]}
ENV = {"type": "struct", "optional": False, "name": "pg.public.c.Envelope", "fields": [
    dict(R, field="before"), dict(R, field="after"), SRC,
    {"type": "string", "optional": False, "field": "op"},
    {"type": "int64", "optional": True, "field": "ts_ms"}]}
def ev(op, b, a):
    return json.dumps({"schema": ENV, "payload": {"before": b, "after": a, "source": {"db": "shop", "table": "c", "ts_ms": 1700000000001, "lsn": 99}, "op": op, "ts_ms": 1700000000002}})
A = {"id": 1, "email": "a@x", "visits": None}
B = {"id": 1, "email": None, "visits": 4}
DC, DU, DD, DT = ev("c", None, A), ev("u", A, B), ev("d", B, None), ev("t", None, None)
DS = json.dumps({"before": None, "after": A, "op": "c"})
K = "org.apache.kafka.connect.transforms."
D = "io.debezium.transforms."
cases = []
def add(cls, cfg, mode, *ins):
    for i in ins:
        cases.append((cls, cfg, mode, i))
MF = K + "MaskField$Value"
add(MF, "fields=name,score,ok,tags,m,n,absent", "s", S1, S2, SN)
add(MF, "fields=id,score,name;replacement=12", "s", S1)
add(MF, "fields=id;replacement=1.9e1", "s", S1)
add(MF, "fields=score;replacement=-0.5", "s", S1)
add(MF, "fields=ok;replacement=x", "s", S1)
add(MF, "fields=id;replacement=abc", "s", S1)
add(MF, "fields=name,score,qty,day,small,f", "w", W1, W2, WP)
add(MF, "fields=raw", "w", W1, W2)
add(MF, "fields=id,small,f;replacement=300", "w", W1)
add(MF, "fields=qty;replace.null.with.default=false", "w", W2)
add(MF, "fields=", "s", S1)
add(MF, "fields=a;replacement=", "s", S1)
add(K + "MaskField$Key", "fields=a", "s", S1)
add(K + "HoistField$Value", "field=w", "s", S1, S2, SN)
add(K + "HoistField$Value", "field=w", "w", W1, WP)
add(K + "HoistField$Key", "field=k", "s", S1)
add(K + "ValueToKey", "fields=id,name,absent", "s", S1, S2)
add(K + "ValueToKey", "fields=id,qty,name", "w", W1, W2)
add(K + "ValueToKey", "fields=id,nope", "w", W1)
add(K + "ValueToKey", "fields=id", "w", WP)
add(K + "TimestampRouter", "", "s", S1)
add(K + "TimestampRouter", "topic.format=${timestamp}/${topic}/${topic};timestamp.format=yyyy-MM-dd'T'HH:mm:ss.SSS", "s", S1)
add(K + "TimestampRouter", "topic.format=fixed", "s", S1)
HF = K + "HeaderFrom$Value"
add(HF, "fields=name,score,absent;headers=hn,hs,ha;operation=copy", "s", S1, S2)
add(HF, "fields=name,score;headers=hn,hs;operation=move", "s", S1)
add(HF, "fields=name,qty,day;headers=hn,hq,hd;operation=copy", "w", W1, W2)
add(HF, "fields=name,qty;headers=hn,hq;operation=move", "w", W1, W2)
add(HF, "fields=nope;headers=h;operation=copy", "w", W1)
add(HF, "fields=a,b;headers=h;operation=copy", "s", S1)
add(HF, "fields=a;headers=h;operation=swap", "s", S1)
add(K + "InsertHeader", "header=n;value.literal=42", "s", S1)
add(K + "InsertHeader", "header=a;value.literal=hello world", "s", S1)
add(K + "InsertHeader", "header=t;value.literal=true", "s", S1)
add(K + "InsertHeader", "header=f;value.literal=2.5", "s", S1)
add(K + "InsertHeader", "header=big;value.literal=3000000000", "s", S1)
add(K + "InsertHeader", "header=d;value.literal=2024-02-03", "s", S1)
add(K + "InsertHeader", "header=e;value.literal=", "s", S1)
add(K + "DropHeaders", "headers=a", "s", S1)
add(K + "DropHeaders", "headers=a,b,zz", "s", S1)
add(K + "DropHeaders", "headers=", "s", S1)
RF = K + "ReplaceField$Value"
add(RF, "renames=name:who,score:pts,x:y", "s", S1)
add(RF, "renames=name:who,name:alias", "s", S1)
add(RF, "renames=name:score,score:name", "w", W1)
add(RF, "renames=name:score", "w", W1)
add(RF, "renames=qty:q", "w", W2)
add(RF, "renames=qty:q;replace.null.with.default=false", "w", W2)
add(RF, "renames=nope:name;exclude=name", "w", W1)
add(RF, "renames=:x", "s", S1)
add(RF, "renames=a:b:", "s", S1)
add(RF, "renames=a:b:c", "s", S1)
add(K + "Cast$Value", "spec=string", "s", S1, S2)
add(K + "Cast$Value", "spec=int8", "s", S2)
add(K + "Cast$Value", "spec=float64", "w", WP)
add(K + "InsertField$Value", "static.field=s;static.value=v", "w", W2)
add(K + "ExtractField$Value", "field=qty", "w", W2, WP)
EN = D + "ExtractNewRecordState"
add(EN, "", "w", DC, DU, DD, DT, SN)
add(EN, "", "s", DS, SN)
add(EN, "delete.tombstone.handling.mode=rewrite", "w", DC, DU, DD, SN)
add(EN, "delete.tombstone.handling.mode=rewrite-with-tombstone;add.headers=op,ts_ms", "w", DD, SN)
add(EN, "delete.tombstone.handling.mode=rewrite-with-tombstone;add.headers=op", "s", DS, SN)
add(EN, "delete.tombstone.handling.mode=drop", "w", DC, DD)
add(EN, "delete.tombstone.handling.mode=delete-to-tombstone", "w", DD)
add(EN, "delete.tombstone.handling.mode=nope", "w", DC)
add(EN, "add.fields=op,table,source.ts_ms,lsn:LSN,ts_ms,nope;add.fields.prefix=_", "w", DC, DD)
add(EN, "add.headers=op,db,source.lsn;add.headers.prefix=h_", "w", DC, DU)
add(EN, "add.fields=id", "w", DC)
add(EN, "route.by.field=email", "w", DC, DU, DD)
add(EN, "drop.tombstones=false;delete.handling.mode=rewrite", "w", DD, SN)
H2V = D + "HeaderToValue"
add(H2V, "headers=a,b;fields=ha,hb;operation=copy", "w", W1, SN)
add(H2V, "headers=a;fields=name;operation=move", "w", W2)
add(H2V, "headers=a,zz;fields=ha,hz;operation=move", "w", W1)
add(H2V, "headers=a;fields=ha;operation=copy", "s", S1)
with open("smt2.txt", "w") as f:
    for c in cases:
        f.write("\t".join([c[0], c[1], c[2], c[3].encode().hex()]) + "\n")
print(len(cases))
