#!/usr/bin/env python3
"""A test-only HTTP front for chdb (the ClickHouse engine from PyPI, 26.x) that answers the subset
of ClickHouse's HTTP interface the sink uses, so exactly-once (insert_deduplication_token, which
Debian's 18.16 server does not have) is tested against a real engine's deduplication.

Subset:
  GET  /ping                         "Ok."
  POST /?query=INSERT INTO `db`.`t` (`a`, `b`) FORMAT RowBinary[WithDefaults]|Native&<settings>
       body = rows (Content-Encoding gzip allowed). Run as
       INSERT INTO `db`.`t` (`a`, `b`) SETTINGS insert_deduplication_token='...'
       SELECT * FROM file('<body file>', '<that format>', '<the columns' types from DESCRIBE>'),
       so chdb's MergeTree deduplicates by the token exactly as a server does.
  POST /?<settings>  body = SQL      (SELECT version(), DESCRIBE TABLE ... FORMAT TabSeparated,
                                      and whatever the test sends); TabSeparated by default.
Errors: HTTP 500 (404 for unknown tables, 400 for syntax) with the server's text
"Code: N. DB::Exception: ... (NAME) (version x)" and X-ClickHouse-Exception-Code, as 24.x sends.
Other URL settings (wait_end_of_query, input_format_skip_unknown_fields...) are accepted and
ignored. One chdb session, one request at a time (chdb is not thread-safe).

  chdb_http_front.py --data DIR --port-file FILE [--insert-delay SECONDS]

--insert-delay holds each successful insert's answer that long: a worker killed in that window
has inserted rows it never heard about, the case exactly-once must survive.
"""

from __future__ import annotations

import argparse
import gzip
import os
import re
import tempfile
import threading
import time
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import chdb.session as chs

INSERT_RE = re.compile(r"^\s*INSERT INTO\s+(`(?:[^`\\]|\\.)*`(?:\.`(?:[^`\\]|\\.)*`)?)\s*"
                       r"\((.*)\)\s*FORMAT\s+(RowBinary|RowBinaryWithDefaults|Native)\s*$", re.S)
CODE_RE = re.compile(r"Code: (\d+)")


class Front:
    def __init__(self, data: str, delay: float):
        self.session = chs.Session(data)
        self.lock = threading.Lock()
        self.delay = delay
        self.tmp = tempfile.mkdtemp(prefix="chdb-front-")
        self.inserts = 0

    def query(self, sql: str, fmt: str = "TabSeparated") -> bytes:
        with self.lock:
            r = self.session.query(sql, fmt)
        return r.bytes() if hasattr(r, "bytes") else bytes(r)

    def insert(self, query: str, body: bytes, settings: dict[str, str]) -> None:
        m = INSERT_RE.match(query)
        if m is None:
            raise RuntimeError("Code: 62. DB::Exception: the test front only takes INSERT INTO "
                               "`db`.`t` (cols) FORMAT RowBinary[WithDefaults] or Native. "
                               "(SYNTAX_ERROR)")
        target, cols, fmt = m.group(1), m.group(2), m.group(3)
        names = [c.strip().strip("`") for c in cols.split(",")]
        types = {}
        for line in self.query(f"DESCRIBE TABLE {target}", "TabSeparatedRaw").decode().splitlines():
            f = line.split("\t")
            types[f[0]] = f[1]
        structure = ", ".join(f"`{n}` {types[n]}" for n in names)
        with self.lock:
            self.inserts += 1
            path = os.path.join(self.tmp, f"body-{self.inserts}.bin")
        with open(path, "wb") as f:
            f.write(body)
        sets = ""
        tok = settings.get("insert_deduplication_token")
        if tok is not None:
            sets = " SETTINGS insert_deduplication_token='" + tok.replace("\\", "\\\\").replace(
                "'", "\\'") + "'"
        sql = (f"INSERT INTO {target} ({cols}){sets} SELECT * FROM file('{path}', '{fmt}', "
               f"'{structure.replace(chr(39), chr(92) + chr(39))}')")
        try:
            self.query(sql)
        finally:
            os.unlink(path)


def make_handler(front: Front):
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, fmt, *args):  # quiet
            pass

        def answer(self, status: int, body: bytes, code: int | None = None):
            self.send_response(status)
            self.send_header("Content-Length", str(len(body)))
            self.send_header("Content-Type", "text/plain; charset=UTF-8")
            if code is not None:
                self.send_header("X-ClickHouse-Exception-Code", str(code))
            self.end_headers()
            self.wfile.write(body)

        def do_GET(self):
            if self.path.startswith("/ping"):
                self.answer(200, b"Ok.\n")
            else:
                self.answer(404, b"Code: 0. DB::Exception: not in the test front. (version 0)\n",
                            0)

        def do_POST(self):
            n = int(self.headers.get("Content-Length", "0"))
            body = self.rfile.read(n)
            if self.headers.get("Content-Encoding", "") == "gzip":
                body = gzip.decompress(body)
            qs = urllib.parse.parse_qs(urllib.parse.urlsplit(self.path).query,
                                       keep_blank_values=True)
            params = {k: v[-1] for k, v in qs.items()}
            try:
                if "query" in params:
                    front.insert(params["query"], body, params)
                    if front.delay > 0:
                        time.sleep(front.delay)
                    out = b""
                else:
                    out = front.query(body.decode())
                self.answer(200, out)
            except Exception as e:  # chdb raises with the server's message
                text = str(e).strip()
                m = CODE_RE.search(text)
                code = int(m.group(1)) if m else 1000
                if not text.startswith("Code:"):
                    text = f"Code: {code}. DB::Exception: {text}"
                version = "26.x (chdb test front)"
                status = 404 if code == 60 else 400 if code == 62 else 500
                self.answer(status, f"{text} (version {version})\n".encode(), code)

    return Handler


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--data", required=True)
    ap.add_argument("--port-file", required=True)
    ap.add_argument("--insert-delay", type=float, default=0.0)
    a = ap.parse_args()
    front = Front(a.data, a.insert_delay)
    srv = ThreadingHTTPServer(("127.0.0.1", 0), make_handler(front))
    tmp = a.port_file + ".tmp"
    with open(tmp, "w") as f:
        f.write(str(srv.server_address[1]))
    os.replace(tmp, a.port_file)
    srv.serve_forever()


if __name__ == "__main__":
    main()
