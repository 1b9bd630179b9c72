#!/usr/bin/env python3
"""tests/bench/worker/profile_classify.py: buckets for profile.sh.

Reads `perf script -F comm,tid,ip,sym,dso` (with call chains) on stdin; argv[1] is a
"symbol<TAB>source file" table of the worker binary (nm -l), argv[2] the repository root. Each
sample goes to one bucket, by its stack (see profile.sh); prints the shares and each bucket's
top symbols by self time.
"""

from __future__ import annotations

import collections
import re
import sys

SINK_SYMS = {"file_task_put", "file_task_flush", "write_all", "cdata_to_java_string"}
CONV_SYMS = {"conv_to_connect", "conv_header_to_connect"}
CONV_FILES = ("connectors/common/jfast.c", "base/kc_jscan.c", "connectors/common/conv",
              "connectors/common/cdata.c")
RUNTIME_FILES = ("worker/task.c", "worker/offsets.c", "base/")
FRAME = re.compile(r"^\s*([0-9a-f]+)\s+(.*?)\s+\((.*)\)\s*$")


def load_files(path: str, repo: str) -> dict[str, str]:
    m: dict[str, str] = {}
    with open(path) as f:
        for ln in f:
            sym, _, src = ln.rstrip("\n").partition("\t")
            if src.startswith(repo + "/"):
                src = src[len(repo) + 1:]
            m.setdefault(sym, src)
    return m


def clean(sym: str) -> str:
    sym = sym.split("+0x")[0]
    return sym.split(".")[0] if sym.endswith(("isra.0", "part.0", "constprop.0", "cold")) or \
        re.search(r"\.(isra|part|constprop|cold)", sym) else sym


def classify(frames: list[tuple[str, str]], files: dict[str, str]) -> str:
    syms = [clean(s) for s, _ in frames]
    if any(s in SINK_SYMS for s in syms):
        return "sink"
    if any(s in CONV_SYMS or files.get(s, "").startswith(CONV_FILES) for s in syms):
        return "conversion"
    for s, dso in frames:  # leaf first: the nearest frame that is librdkafka's or ours
        if "librdkafka" in dso:
            return "consume"
        src = files.get(clean(s))
        if src is None:
            continue
        if src.startswith(RUNTIME_FILES):
            return "runtime"
        return "other"
    return "other"


def main() -> int:
    files = load_files(sys.argv[1], sys.argv[2].rstrip("/"))
    buckets: collections.Counter = collections.Counter()
    top: dict[str, collections.Counter] = collections.defaultdict(collections.Counter)
    frames: list[tuple[str, str]] = []
    total = 0

    def flush() -> None:
        nonlocal total
        if not frames:
            return
        b = classify(frames, files)
        buckets[b] += 1
        leaf, dso = frames[0]
        leaf = clean(leaf)
        where = files.get(leaf) or dso.rsplit("/", 1)[-1]
        top[b][f"{leaf} ({where})"] += 1
        total += 1
        frames.clear()

    for ln in sys.stdin:
        if not ln.strip():
            flush()
            continue
        m = FRAME.match(ln)
        if m:
            frames.append((m.group(2), m.group(3)))
        else:
            flush()  # a sample header
    flush()
    if total == 0:
        print("no samples")
        return 1
    print(f"{total} samples")
    order = ["consume", "conversion", "sink", "runtime", "other"]
    for b in order:
        print(f"  {b:<11} {buckets[b] / total * 100:5.1f}%")
    mine = sum(buckets[b] for b in order[:4])
    print(f"  (without other: " + ", ".join(f"{b} {buckets[b] / mine * 100:.1f}%"
                                             for b in order[:4]) + ")")
    for b in order:
        print(f"\n{b}: top symbols (self, % of all samples)")
        for sym, c in top[b].most_common(12):
            print(f"  {c / total * 100:5.1f}%  {sym}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
