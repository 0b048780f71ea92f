#!/usr/bin/env python3
"""Memory of paging through a large metadata query: hcpsdk.query's client RSS growth.

An emulator in a process of its own holds N objects (100,000 by default, stored through
its Python API); a fresh client process per workload pages through all of them with
:meth:`hcpsdk.query.Search.objects` (JSON and XML) and through the change feed with
:meth:`hcpsdk.query.Search.changes`, and reports the growth of its peak RSS while doing so
(``ru_maxrss``) next to what holding every result in a list costs. The target: paging
through 100,000 results grows the client's RSS by at most 8 MiB.

    python3 bench/query_bench.py [--objects N] [--page-size N] [--markdown FILE] [--quick]

Speed is reported (results per second) but judged nowhere.
"""
from __future__ import annotations

import argparse
import gc
import json
import os
import resource
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(HERE)
sys.path.insert(0, REPO)

TARGET_MIB = 8.0

# The server: an emulator filled with N objects; prints its connection info, then serves
# until its stdin closes.
_SERVER = r"""
import json, sys
from hcpsdk.emulator import Emulator
n = int(sys.argv[1])
with Emulator(nodes=2, domain="bench.example.com") as hcp:
    store = hcp.system.namespace("m", "n1").store
    for i in range(n):
        store.put_bytes(f"d{i % 100:02d}/object-{i:06d}.dat", b"")
    info = hcp.connection_info()
    print(json.dumps(info), flush=True)
    sys.stdin.read()
"""


def _peak_kib() -> int:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


WORKLOADS = {
    "objects-json": "objects, paged (json)",
    "objects-xml": "objects, paged (xml)",
    "changes": "change feed, paged (json)",
    "list": "objects, all kept in a list (json)",
}


def client(workload: str, info: dict, objects: int, page_size: int) -> dict:
    """One workload in this (fresh) process: its peak RSS growth after a warm-up."""
    import dns.resolver

    import hcpsdk
    from hcpsdk.query import ChangeCursor, Search, prop

    resolver = dns.resolver.Resolver(configure=False)
    resolver.nameservers, resolver.port = [info["dns"][0]], info["dns"][1]
    auth = hcpsdk.NativeAuthorization(info["user"], info["password"])
    target = hcpsdk.Target(info["tenant_fqdn"], auth, port=info["https_port"], tls=True,
                           resolver=resolver)
    query = prop("namespace").eq("n1.m")
    fmt = "xml" if workload == "objects-xml" else "json"
    with Search(target, fmt=fmt) as search:
        # imports, TLS, one small page of each kind: what any client has before it pages
        assert search.count(query) == objects
        list(search.objects(query, page_size=10, limit=10))
        list(search.changes(ChangeCursor(namespaces=["n1.m"], end=1)))
        gc.collect()
        before = _peak_kib()
        start = time.perf_counter()
        if workload == "changes":
            count = sum(1 for _ in search.changes(ChangeCursor(namespaces=["n1.m"]),
                                                  page_size=page_size))
        elif workload == "list":
            count = len(list(search.objects(query, page_size=page_size)))
        else:
            count = sum(1 for _ in search.objects(query, page_size=page_size))
        seconds = time.perf_counter() - start
    return {"label": WORKLOADS[workload], "results": count, "seconds": seconds,
            "growth_mib": (_peak_kib() - before) / 1024}


def run(objects: int, page_size: int) -> list[dict]:
    """Start the emulator, then each workload in a client process of its own."""
    server = subprocess.Popen([sys.executable, "-c", _SERVER, str(objects)], cwd=REPO,
                              stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
                              env={**os.environ, "PYTHONPATH": REPO})
    try:
        line = server.stdout.readline() if server.stdout else ""
        if not line:
            raise SystemExit("the emulator did not start")
        rows = []
        for workload in WORKLOADS:
            out = subprocess.run(
                [sys.executable, __file__, "--client", workload, "--info", line.strip(),
                 "--objects", str(objects), "--page-size", str(page_size)],
                capture_output=True, text=True, check=True, timeout=600).stdout
            rows.append(json.loads(out))
        return rows
    finally:
        if server.stdin:
            server.stdin.close()
        server.wait(60)


def report(rows: list[dict], objects: int, page_size: int) -> str:
    lines = [f"### query paging, {objects:,} results, page size {page_size}", "",
             "| workload | results | results/s | peak RSS growth | target <= 8 MiB |",
             "| --- | --- | --- | --- | --- |"]
    for row in rows:
        kept = "all kept" in row["label"]
        verdict = "(reference)" if kept else ("met" if row["growth_mib"] <= TARGET_MIB
                                              else "**missed**")
        lines.append(f"| {row['label']} | {row['results']:,} | "
                     f"{row['results'] / row['seconds']:,.0f} | {row['growth_mib']:.1f} MiB | "
                     f"{verdict} |")
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--objects", type=int, default=100_000,
                        help="objects in the emulator (default 100,000; HCP's offset paging"
                             " reaches 100,000 + page size)")
    parser.add_argument("--page-size", type=int, default=1000)
    parser.add_argument("--quick", action="store_true", help="10,000 objects")
    parser.add_argument("--markdown", help="also write the report to this file")
    parser.add_argument("--client", choices=WORKLOADS, help=argparse.SUPPRESS)
    parser.add_argument("--info", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.client:
        print(json.dumps(client(args.client, json.loads(args.info), args.objects,
                                args.page_size)))
        return
    objects = 10_000 if args.quick else args.objects
    text = report(run(objects, args.page_size), objects, args.page_size)
    print(text, end="")
    if args.markdown:
        with open(args.markdown, "w", encoding="utf-8") as f:
            f.write(text)


if __name__ == "__main__":
    main()
