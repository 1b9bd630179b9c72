"""s3.proxy.url / s3.proxy.user / s3.proxy.password: every S3 request goes through the HTTP
proxy, authenticated with Basic credentials, as the JVM sink's AWS SDK sends them, whatever the
environment's http_proxy / no_proxy say (the SDK does not read them). The proxy is a
small forwarding proxy on loopback (below) in front of S3Proxy; it refuses a request without
the right Proxy-Authorization with 407 and counts what it forwarded."""

from __future__ import annotations

import base64
import hashlib
import http.client
import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pyarrow.parquet as pq

import kc
from test_s3_sink import make_bucket, s3, s3_options  # noqa: F401 (s3: fixture)

S3_CLASS = "io.confluent.connect.s3.S3SinkConnector"
HOP = {"proxy-authorization", "proxy-connection", "connection", "keep-alive"}


class Proxy(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, user: str, password: str):
        super().__init__(("127.0.0.1", 0), Handler)
        self.auth = "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()
        self.seen: list[tuple[str, str]] = []  # (method, path) forwarded
        self.md5: dict[str, tuple[str | None, str]] = {}  # PUT path: (Content-MD5, the body's)
        self.refused = 0


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # answers Expect: 100-continue

    def log_message(self, *_args) -> None:
        pass

    def _any(self) -> None:
        srv: Proxy = self.server  # type: ignore[assignment]
        n = int(self.headers.get("Content-Length") or 0)
        if self.headers.get("Proxy-Authorization") != srv.auth:
            self.rfile.read(n)
            srv.refused += 1
            self.send_response(407)
            self.send_header("Proxy-Authenticate", 'Basic realm="kc"')
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        body = self.rfile.read(n) if n else None
        u = urlsplit(self.path)  # a forward proxy gets the absolute URI
        path = u.path + ("?" + u.query if u.query else "")
        srv.seen.append((self.command, unquote(u.path)))
        if self.command == "PUT":
            srv.md5[unquote(u.path)] = (self.headers.get("Content-MD5"), base64.b64encode(
                hashlib.md5(body or b"").digest()).decode())
        c = http.client.HTTPConnection(u.hostname, u.port, timeout=60)
        hdrs = {k: v for k, v in self.headers.items() if k.lower() not in HOP | {"expect"}}
        c.request(self.command, path, body=body, headers=hdrs)
        r = c.getresponse()
        data = r.read()
        self.send_response(r.status, r.reason)
        for k, v in r.getheaders():
            if k.lower() not in HOP | {"transfer-encoding", "content-length"}:
                self.send_header(k, v)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(data)
        c.close()

    do_GET = do_PUT = do_POST = do_DELETE = do_HEAD = _any


def test_uploads_go_through_the_proxy(kafka, connect_c, s3, unique_name):
    bucket = "px-" + unique_name("b").lower().replace("_", "-")[-40:]
    make_bucket(s3, bucket)
    proxy = Proxy("kc-user", "kc-proxy-secret")
    th = threading.Thread(target=proxy.serve_forever, daemon=True)
    th.start()
    try:
        topic, cname = unique_name("px"), unique_name("s3px")
        kafka.create_topic(topic, partitions=1)
        kafka.produce(topic, [json.dumps({"seq": i}) for i in range(30)], partition=0)
        # the environment names a proxy that is not there and exempts loopback from proxies:
        # as for the JVM sink's SDK, neither counts (s3.proxy.url alone decides)
        w = connect_c(start=False)
        w.start(env={"http_proxy": "http://127.0.0.1:9", "HTTP_PROXY": "http://127.0.0.1:9",
                     "no_proxy": "127.0.0.1,localhost", "NO_PROXY": "127.0.0.1,localhost"})
        w.create_connector(cname, {
            "connector.class": S3_CLASS, "tasks.max": "1", "topics": topic,
            "s3.bucket.name": bucket, "flush.size": "10",
            "format.class": "io.confluent.connect.s3.format.parquet.ParquetFormat",
            "value.converter": "org.apache.kafka.connect.json.JsonConverter",
            "value.converter.schemas.enable": "false", **s3_options(s3),
            "s3.proxy.url": f"http://127.0.0.1:{proxy.server_address[1]}",
            "s3.proxy.user": "kc-user", "s3.proxy.password": "kc-proxy-secret"})
        kc.wait_until(lambda: kafka.committed_offsets(f"connect-{cname}").get((topic, 0)) == 30,
                      timeout=kc.scaled(90), what="all committed")
        puts = sorted(p for m, p in proxy.seen if m == "PUT")
        assert puts == [f"/{bucket}/topics/{topic}/partition=0/{topic}+0+{o:010d}.snappy.parquet"
                        for o in (0, 10, 20)], proxy.seen
        assert proxy.refused == 0
        # the task's bucket check went through it too
        assert proxy.seen[0][1] == f"/{bucket}/", proxy.seen
        root = Path(s3["KC_S3_DATA"]) / bucket
        rows = [r["seq"] for f in sorted((root / "topics").rglob("*.parquet"))
                for r in pq.read_table(f).to_pylist()]
        assert rows == list(range(30))
        assert all(sent is None for sent, _ in proxy.md5.values())  # s3.send.digest=false
        # s3.send.digest=true: every PUT carries its body's MD5 (S3Proxy checks it too)
        dg = unique_name("s3pxmd5")
        w.create_connector(dg, {
            "connector.class": S3_CLASS, "tasks.max": "1", "topics": topic,
            "s3.bucket.name": bucket, "flush.size": "10", "topics.dir": "md5",
            "format.class": "io.confluent.connect.s3.format.parquet.ParquetFormat",
            "value.converter": "org.apache.kafka.connect.json.JsonConverter",
            "value.converter.schemas.enable": "false", **s3_options(s3), "s3.send.digest": "true",
            "s3.proxy.url": f"http://127.0.0.1:{proxy.server_address[1]}",
            "s3.proxy.user": "kc-user", "s3.proxy.password": "kc-proxy-secret"})
        kc.wait_until(lambda: kafka.committed_offsets(f"connect-{dg}").get((topic, 0)) == 30,
                      timeout=kc.scaled(90), what="all committed with digests")
        sent = {p: v for p, v in proxy.md5.items() if p.startswith(f"/{bucket}/md5/")}
        assert len(sent) == 3 and all(a == b for a, b in sent.values()), sent
        # no s3.proxy.url: straight to S3, not through the environment's (dead) proxy
        direct = unique_name("s3pxdirect")
        seen = len(proxy.seen)
        w.create_connector(direct, {
            "connector.class": S3_CLASS, "tasks.max": "1", "topics": topic,
            "s3.bucket.name": bucket, "flush.size": "10", "topics.dir": "direct",
            "format.class": "io.confluent.connect.s3.format.parquet.ParquetFormat",
            "value.converter": "org.apache.kafka.connect.json.JsonConverter",
            "value.converter.schemas.enable": "false", **s3_options(s3)})
        kc.wait_until(lambda: kafka.committed_offsets(f"connect-{direct}").get((topic, 0)) == 30,
                      timeout=kc.scaled(90), what="all committed without a proxy")
        assert not [x for x in proxy.seen[seen:] if x[1].startswith(f"/{bucket}/direct/")]
        # a wrong password: the proxy's 407 fails the task at its start, saying so
        bad = unique_name("s3pxbad")
        w.create_connector(bad, {
            "connector.class": S3_CLASS, "tasks.max": "1", "topics": topic,
            "s3.bucket.name": bucket, "flush.size": "10",
            "format.class": "io.confluent.connect.s3.format.parquet.ParquetFormat",
            **s3_options(s3), "s3.proxy.url": f"http://127.0.0.1:{proxy.server_address[1]}",
            "s3.proxy.user": "kc-user", "s3.proxy.password": "wrong-secret"})

        def failed():
            t = w.status(bad).get("tasks", [])
            return t and t[0]["state"] == "FAILED" and t[0]
        t = kc.wait_until(failed, timeout=kc.scaled(60), what="task FAILED")
        assert "407" in t["trace"], t["trace"]
        assert proxy.refused > 0
        assert "kc-proxy-secret" not in w.log_text() and "wrong-secret" not in w.log_text()
    finally:
        proxy.shutdown()
