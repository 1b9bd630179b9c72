#!/usr/bin/env python3
# tests/bench/parquet/bench_parquet.py: the Parquet bench, side by side with pyarrow.
#
# Workload: N records (default 1M) of ~200-byte JSON lines (user_id, event_type, timestamp ms,
# session_id, device, value, seq, pad), written once to a cache file. Then, one run each:
#   ours e2e      connect-parquet --schema (8 typed columns) --codec snappy IN OUT
#   ours encode   bench_parquet_encode: typed appends + close only, from in-memory columns
#   pyarrow e2e   pyarrow.json.read_json + pyarrow.parquet.write_table (snappy)
#   pyarrow write write_table alone, from the table already in memory
# and reports CPU seconds (user + sys, all threads), peak RSS, file size and the ratios the
# issue sets as targets. --rss-rows adds connect-parquet runs at other row counts with a fixed
# row-group size, to show that peak RSS does not grow with the rows written.
#
# Usage: bench_parquet.py --cli PATH --encode PATH [--python PY] [--rows N] [--dir DIR]
#                         [--rss-rows N,N]
import argparse
import json
import os
import random
import subprocess
import sys
import time

SCHEMA = {"type": "struct", "name": "bench", "fields": [
    {"field": "user_id", "type": "string", "optional": True},
    {"field": "event_type", "type": "string", "optional": True},
    {"field": "timestamp", "type": "int64", "optional": True,
     "name": "org.apache.kafka.connect.data.Timestamp"},
    {"field": "session_id", "type": "string", "optional": True},
    {"field": "device", "type": "string", "optional": True},
    {"field": "value", "type": "double", "optional": True},
    {"field": "seq", "type": "int64", "optional": True},
    {"field": "pad", "type": "string", "optional": True},
]}

EVENTS = ["click", "view", "purchase", "login", "logout", "scroll", "search", "add_to_cart"]
DEVICES = ["ios", "android", "web", "desktop", "tv"]


def generate(path, rows):
    if os.path.exists(path):
        return
    rnd = random.Random(42)
    t0 = 1732000000000
    tmp = path + ".tmp"
    with open(tmp, "w") as f:
        for i in range(rows):
            rec = {"user_id": "user-%06d" % rnd.randrange(100000),
                   "event_type": rnd.choice(EVENTS),
                   "timestamp": t0 + i * 7 + rnd.randrange(5),
                   "session_id": "%016x" % rnd.getrandbits(64),
                   "device": rnd.choice(DEVICES),
                   "value": round(rnd.random() * 1000, 3),
                   "seq": i}
            base = len(json.dumps(rec, separators=(",", ":")))
            rec["pad"] = "x" * max(1, 200 - base - 10)
            f.write(json.dumps(rec, separators=(",", ":")) + "\n")
    os.rename(tmp, path)


def run_measured(cmd, tmpdir):
    """Run cmd under /usr/bin/time; return (CPU seconds, peak RSS MiB, stdout, wall s)."""
    tf = os.path.join(tmpdir, "time.out")
    t = time.time()
    p = subprocess.run(["/usr/bin/time", "-o", tf, "-f", "%M %U %S"] + cmd,
                       capture_output=True, text=True)
    wall = time.time() - t
    if p.returncode != 0:
        sys.exit("failed: %s\n%s" % (" ".join(cmd), p.stderr))
    with open(tf) as f:
        rss_kb, u, sy = f.read().split()[-3:]
    return float(u) + float(sy), int(rss_kb) / 1024.0, p.stdout, wall


PYARROW_E2E = r"""
import sys, pyarrow.json as pj, pyarrow.parquet as pq
t = pj.read_json(sys.argv[1])
pq.write_table(t, sys.argv[2], compression="snappy")
"""

PYARROW_WRITE = r"""
import resource, sys, pyarrow.json as pj, pyarrow.parquet as pq
t = pj.read_json(sys.argv[1])
r0 = resource.getrusage(resource.RUSAGE_SELF)
pq.write_table(t, sys.argv[2], compression="snappy")
r1 = resource.getrusage(resource.RUSAGE_SELF)
print("write_cpu_s %.3f" % ((r1.ru_utime - r0.ru_utime) + (r1.ru_stime - r0.ru_stime)))
"""

PYARROW_IMPORT = "import pyarrow.json, pyarrow.parquet"


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--cli", required=True)
    ap.add_argument("--encode", required=True)
    ap.add_argument("--python", default=sys.executable)
    ap.add_argument("--rows", type=int, default=1000000)
    ap.add_argument("--dir", default="/tmp/connect-c-bench-parquet")
    ap.add_argument("--rss-rows", default="")
    ap.add_argument("--rss-row-group-bytes", default="default,16M")
    a = ap.parse_args()
    os.makedirs(a.dir, exist_ok=True)
    data = os.path.join(a.dir, "bench-%d.jsonl" % a.rows)
    generate(data, a.rows)
    schema = os.path.join(a.dir, "schema.json")
    with open(schema, "w") as f:
        json.dump(SCHEMA, f)
    ours = os.path.join(a.dir, "ours.parquet")
    ours_enc = os.path.join(a.dir, "ours-encode.parquet")
    theirs = os.path.join(a.dir, "pyarrow.parquet")

    res = {}
    cpu, rss, out, wall = run_measured([a.cli, "--schema", schema, "--codec", "snappy",
                                        data, ours], a.dir)
    res["ours_e2e"] = (cpu, rss, os.path.getsize(ours), wall)
    cpu, rss, out, wall = run_measured([a.encode, data, ours_enc, "snappy"], a.dir)
    enc_cpu = float(out.split()[3])
    res["ours_encode"] = (enc_cpu, rss, os.path.getsize(ours_enc), wall)
    cpu_imp, _, _, _ = run_measured([a.python, "-c", PYARROW_IMPORT], a.dir)
    cpu, rss, out, wall = run_measured([a.python, "-c", PYARROW_WRITE, data, theirs], a.dir)
    res["pyarrow_write"] = (float(out.split()[1]), rss, os.path.getsize(theirs), wall)
    cpu, rss, out, wall = run_measured([a.python, "-c", PYARROW_E2E, data, theirs], a.dir)
    res["pyarrow_e2e"] = (cpu, rss, os.path.getsize(theirs), wall)

    print("Parquet bench: %d records, %.1f MB of JSON lines, snappy, 8 typed columns"
          % (a.rows, os.path.getsize(data) / 1e6))
    print("%-44s %9s %9s %12s %8s" % ("run", "CPU s", "RSS MiB", "file bytes", "wall s"))
    labels = {
        "ours_e2e": "connect-parquet JSON lines -> Parquet",
        "ours_encode": "ours: typed appends + close (encode only)",
        "pyarrow_e2e": "pyarrow read_json + write_table",
        "pyarrow_write": "pyarrow write_table alone (in-memory table)",
    }
    for k in ("ours_e2e", "pyarrow_e2e", "ours_encode", "pyarrow_write"):
        cpu, rss, size, wall = res[k]
        rss_s = "%9.1f" % rss
        print("%-44s %9.3f %s %12d %8.2f" % (labels[k], cpu, rss_s, size, wall))
    print("(pyarrow e2e CPU includes %.2f s of Python + pyarrow import; encode-only rows time "
          "just the write, their RSS is the whole process)" % cpu_imp)
    print("ratios:")
    print("  encode CPU, ours / pyarrow write_table      %.2f  (target <= 2.0)"
          % (res["ours_encode"][0] / res["pyarrow_write"][0]))
    print("  end-to-end CPU, ours / pyarrow              %.2f  (target < 1.0)"
          % (res["ours_e2e"][0] / res["pyarrow_e2e"][0]))
    print("  file size, ours / pyarrow                   %.3f (target within 0.90..1.10)"
          % (res["ours_e2e"][2] / res["pyarrow_e2e"][2]))
    print("  peak RSS, ours / pyarrow e2e                %.2f"
          % (res["ours_e2e"][1] / res["pyarrow_e2e"][1]))

    if a.rss_rows:
        for rgb in a.rss_row_group_bytes.split(","):
            print("peak RSS of connect-parquet by row count (row groups: %s):"
                  % ("default 64M" if rgb == "default" else "--row-group-bytes " + rgb))
            for n in [int(x) for x in a.rss_rows.split(",")]:
                path = os.path.join(a.dir, "bench-%d.jsonl" % n)
                generate(path, n)
                out_path = os.path.join(a.dir, "rss-%d.parquet" % n)
                flags = [] if rgb == "default" else ["--row-group-bytes", rgb]
                cpu, rss, _, _ = run_measured([a.cli, "--schema", schema, "--codec", "snappy"] +
                                              flags + [path, out_path], a.dir)
                print("  %9d rows: peak RSS %7.1f MiB, CPU %.2f s, file %d bytes"
                      % (n, rss, cpu, os.path.getsize(out_path)))

if __name__ == "__main__":
    main()
