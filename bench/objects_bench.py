#!/usr/bin/env python3
"""hcpsdk.objects against hand-written stdlib loops: ``python3 bench/objects_bench.py [--quick]``.

Every measured client runs in a fresh process of this script (``--worker``), so its CPU
time (user + system) and its memory are its own; the servers run in other processes.
Rounds alternate the two clients of a row, and a ratio is the median of the per-round
ratios.

Rows:

* **listing** of one directory of 100,000 objects (``--quick``: 10,000): ``objects.listdir``
  against a raw ``http.client`` GET + ``xml.etree.ElementTree.iterparse`` loop. The listing
  is fetched from the emulator once and then served by a lean server (``--serve``: a
  socket that answers every GET with those bytes), so the time is the client's alone.
  Wall time and client CPU are both reported; the target is judged on client CPU, as
  on a shared machine with two CPUs the wall time measures the scheduler as much as
  the client. RSS growth = peak RSS during the listing minus RSS before it (peak
  reset through ``/proc/self/clear_refs``).
* **walk** of 20,000 objects in 200 directories (``--quick``: 2,000 in 40) with 8
  Connections over 4 nodes against 1 Connection, against the emulator with 20 ms of
  latency per answer (what a listing of an HCP over a LAN costs; on loopback without it
  the walk measures only Python's parsing, which threads do not speed up).
* **upload_file / download_file** of 1 GiB (``--quick``: 64 MiB) against the raw floor: an
  ``http.client`` PUT of 1 MiB blocks hashed with SHA-256 on the way / a GET read in 1 MiB
  blocks into a file, hashed, both compared with ``X-HCP-Hash``. Server: the emulator,
  objects on tmpfs.

Prints a Markdown report (``--markdown FILE`` also appends it to FILE); ``--rows listing``
(or ``walk``, ``transfer``, comma-separated) runs only those rows.
"""
from __future__ import annotations

import argparse
import base64
import hashlib
import http.client
import json
import os
import resource
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(HERE)
sys.path.insert(0, REPO)

MiB = 1 << 20
BLOCK = MiB


# -- measuring inside a worker ------------------------------------------------------------

def _status(key: str) -> int:
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith(key):
                return int(line.split()[1])
    return 0


def _reset_peak() -> None:
    with open("/proc/self/clear_refs", "w") as f:
        f.write("5")


def _cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def measured(work) -> dict:
    """Run ``work()``; its wall time, CPU seconds and RSS growth (KiB)."""
    _reset_peak()
    before_rss = _status("VmRSS:")
    cpu, start = _cpu(), time.perf_counter()
    result = work()
    wall, cpu = time.perf_counter() - start, _cpu() - cpu
    return {"wall": wall, "cpu": cpu, "rss_kib": _status("VmHWM:") - before_rss,
            "result": result}


def _token(user: str, password: str) -> str:
    return (base64.b64encode(user.encode()).decode() + ":"
            + hashlib.md5(password.encode()).hexdigest())


def _target(cfg: dict, fqdn: str | None = None):
    import dns.resolver

    import hcpsdk

    resolver = dns.resolver.Resolver(configure=False)
    resolver.nameservers = [cfg["dns"][0]]
    resolver.port = cfg["dns"][1]
    return hcpsdk.Target(fqdn or cfg["fqdn"], hcpsdk.NativeAuthorization(cfg["user"],
                                                                        cfg["password"]),
                         port=cfg["port"], tls=False, resolver=resolver)


# -- the workers -----------------------------------------------------------------------------

def list_raw(cfg: dict) -> dict:
    from xml.etree.ElementTree import iterparse

    con = http.client.HTTPConnection(cfg["address"], cfg["port"])

    def listing(path: str) -> int:
        con.request("GET", path, headers={"Host": cfg["fqdn"]})
        response = con.getresponse()
        count = 0
        events = iterparse(response, events=("start", "end"))
        _, root = next(events)
        for event, element in events:
            if event == "end" and element.tag == "entry":
                count += 1
                root.clear()
        return count

    listing("/rest/small")
    return measured(lambda: listing("/rest/big"))


def list_sdk(cfg: dict) -> dict:
    import hcpsdk
    from hcpsdk import objects

    target = hcpsdk.Target(cfg["address"], hcpsdk.NativeAuthorization("n", "n01"),
                           port=cfg["port"], tls=False)
    con = hcpsdk.Connection(target)

    def listing(path: str) -> int:
        return sum(1 for _ in objects.listdir(con, path))

    listing("/rest/small")
    return measured(lambda: listing("/rest/big"))


def walk_sdk(cfg: dict) -> dict:
    import hcpsdk
    from hcpsdk import objects

    target = _target(cfg)
    pool = [hcpsdk.Connection(target) for _ in range(cfg["connections"])]
    arg = pool if len(pool) > 1 else pool[0]
    return measured(lambda: sum(len(files) for _, _, files in objects.walk(arg, "/rest/tree")))


def upload_raw(cfg: dict) -> dict:
    path = cfg["path"] if cfg.get("fixed") else f"{cfg['path']}-{os.getpid()}"

    def work() -> str:
        con = http.client.HTTPConnection(cfg["address"], cfg["port"])
        size = os.path.getsize(cfg["file"])
        hasher = hashlib.sha256()
        con.putrequest("PUT", path, skip_host=True)
        con.putheader("Host", cfg["fqdn"])
        con.putheader("Authorization", f"HCP {_token(cfg['user'], cfg['password'])}")
        con.putheader("Content-Length", str(size))
        con.endheaders()
        with open(cfg["file"], "rb") as f:
            while block := f.read(BLOCK):
                hasher.update(block)
                con.send(block)
        response = con.getresponse()
        response.read()
        assert response.status == 201, response.status
        assert response.getheader("X-HCP-Hash").split()[1] == hasher.hexdigest().upper()
        return "ok"
    return measured(work)


def upload_sdk(cfg: dict) -> dict:
    import hcpsdk
    from hcpsdk import objects

    con = hcpsdk.Connection(_target(cfg))
    path = f"{cfg['path']}-{os.getpid()}"  # the namespace has no versioning: a new object
    return measured(lambda: objects.upload_file(con, cfg["file"], path).hash_value)


def download_raw(cfg: dict) -> dict:
    def work() -> str:
        con = http.client.HTTPConnection(cfg["address"], cfg["port"])
        con.request("GET", cfg["path"], headers={
            "Host": cfg["fqdn"], "Authorization": f"HCP {_token(cfg['user'], cfg['password'])}"})
        response = con.getresponse()
        hasher = hashlib.sha256()
        with open(cfg["file"], "wb") as out:
            while block := response.read(BLOCK):
                hasher.update(block)
                out.write(block)
        assert response.getheader("X-HCP-Hash").split()[1] == hasher.hexdigest().upper()
        return "ok"
    return measured(work)


def download_sdk(cfg: dict) -> dict:
    import hcpsdk
    from hcpsdk import objects

    con = hcpsdk.Connection(_target(cfg))
    return measured(lambda: objects.download_file(con, cfg["path"], cfg["file"]).size)


WORKERS = {f.__name__: f for f in (list_raw, list_sdk, walk_sdk, upload_raw, upload_sdk,
                                   download_raw, download_sdk)}


def run_worker(name: str, cfg: dict) -> dict:
    proc = subprocess.run([sys.executable, __file__, "--worker", name, json.dumps(cfg)],
                          capture_output=True, text=True, env=dict(os.environ, PYTHONPATH=REPO))
    if proc.returncode:
        raise RuntimeError(f"worker {name} failed:\n{proc.stderr}")
    return json.loads(proc.stdout.strip().rpartition("\n")[2])


# -- the servers -----------------------------------------------------------------------------

def serve(big: str, small: str) -> None:
    """A lean server: every GET is answered with the stored listing (``/rest/big``, else small)."""
    bodies = {}
    for key, name in (("big", big), ("small", small)):
        with open(name, "rb") as f:
            body = f.read()
        bodies[key] = (b"HTTP/1.1 200 OK\r\nContent-Type: text/xml\r\nX-HCP-Type: directory\r\n"
                       b"Content-Length: %d\r\n\r\n" % len(body)) + body
    listener = socket.create_server(("127.0.0.1", 0))
    print(listener.getsockname()[1], flush=True)

    def handle(sock: socket.socket) -> None:
        buffer = b""
        with sock:
            while True:
                while b"\r\n\r\n" not in buffer:
                    data = sock.recv(65536)
                    if not data:
                        return
                    buffer += data
                head, _, buffer = buffer.partition(b"\r\n\r\n")
                path = head.split(b" ", 2)[1]
                sock.sendall(bodies["big" if path.startswith(b"/rest/big") else "small"])

    while True:
        sock, _ = listener.accept()
        threading.Thread(target=handle, args=(sock,), daemon=True).start()


class Emulator:
    """The emulator in its own process (plain HTTP, 4 nodes, objects on tmpfs)."""

    def __init__(self, data_dir: str) -> None:
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "hcpsdk.emulator", "--no-tls", "--json", "--nodes", "4",
             "--http-port", "0", "--mapi-port", "0", "--data-dir", data_dir],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, cwd=REPO,
            env=dict(os.environ, PYTHONPATH=REPO))
        info = json.loads(self.proc.stdout.readline())
        self.cfg = {"fqdn": info["fqdn"], "address": info["addresses"][0],
                    "port": info["http_port"], "dns": info["dns"], "user": info["user"],
                    "password": info["password"]}

    def command(self, line: str) -> None:
        self.proc.stdin.write(line + "\n")
        self.proc.stdin.flush()
        self.proc.stdout.readline()

    def close(self) -> None:
        try:
            self.proc.stdin.write("quit\n")
            self.proc.stdin.flush()
            self.proc.wait(30)
        except (OSError, subprocess.TimeoutExpired):
            self.proc.kill()


def fill(cfg: dict, paths: list[str], threads: int = 8) -> None:
    """Store a small object at each path, ``threads`` Connections over the nodes."""
    import hcpsdk

    target = _target(cfg)

    def store(part: list[str]) -> None:
        with hcpsdk.Connection(target) as con:
            for path in part:
                con.PUT(path, body=b"x" * 10)
                assert con.response_status == 201, (path, con.response_status)

    workers = [threading.Thread(target=store, args=(paths[i::threads],)) for i in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()


# -- the rows --------------------------------------------------------------------------------

def rounds(count: int, base: tuple[str, dict], other: tuple[str, dict]) -> list[tuple[dict, dict]]:
    out = []
    for i in range(count):
        first, second = (base, other) if i % 2 == 0 else (other, base)
        a, b = run_worker(*first), run_worker(*second)
        out.append((a, b) if i % 2 == 0 else (b, a))
    return out


def median_ratio(pairs: list[tuple[dict, dict]], key: str) -> float:
    return statistics.median(b[key] / a[key] for a, b in pairs)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--markdown")
    parser.add_argument("--rounds", type=int)
    parser.add_argument("--rows", default="listing,walk,transfer",
                        help="which rows to run (comma-separated; default: all)")
    parser.add_argument("--worker", nargs=2, help=argparse.SUPPRESS)
    parser.add_argument("--serve", nargs=2, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.worker:
        print(json.dumps(WORKERS[args.worker[0]](json.loads(args.worker[1]))))
        return 0
    if args.serve:
        serve(*args.serve)
        return 0
    quick = args.quick
    rows = set(args.rows.split(","))
    n_list = 10_000 if quick else 100_000
    n_dirs, per_dir = (40, 50) if quick else (200, 100)
    size = 64 * MiB if quick else 1024 * MiB
    count = args.rounds or (3 if quick else 5)
    lines = [f"## hcpsdk.objects ({'quick' if quick else 'full'} run, "
             f"{time.strftime('%Y-%m-%d %H:%M', time.gmtime())} UTC, "
             f"{os.cpu_count()} CPUs, Python {sys.version.split()[0]})", ""]
    verdicts = []
    lines += ["| row | raw stdlib | hcpsdk.objects | ratio | rounds |",
              "| --- | ---: | ---: | ---: | ---: |"]
    work = tempfile.mkdtemp(prefix="objects-bench-", dir="/dev/shm")
    emulator = Emulator(os.path.join(work, "data"))
    try:
        cfg = emulator.cfg
        print("filling the emulator ...", file=sys.stderr)
        fill(cfg, ([f"/rest/big/o{i:06d}" for i in range(n_list)]
                   + [f"/rest/small/o{i}" for i in range(10)] if "listing" in rows else [])
             + ([f"/rest/tree/d{d:03d}/o{i:03d}" for d in range(n_dirs) for i in range(per_dir)]
                if "walk" in rows else []))

        if "listing" in rows:
            listings = {}
            for key in ("big", "small"):
                con = http.client.HTTPConnection(cfg["address"], cfg["port"])
                con.request("GET", f"/rest/{key}", headers={
                    "Host": cfg["fqdn"], "Authorization": f"HCP {_token(cfg['user'], cfg['password'])}"})
                listings[key] = os.path.join(work, f"{key}.xml")
                with open(listings[key], "wb") as f:
                    f.write(con.getresponse().read())
            server = subprocess.Popen([sys.executable, __file__, "--serve", listings["big"],
                                       listings["small"]], stdout=subprocess.PIPE, text=True)
            try:
                lean = {"address": "127.0.0.1", "port": int(server.stdout.readline()),
                        "fqdn": "n1.m.hcp1.example.com"}
                pairs = rounds(count, ("list_raw", lean), ("list_sdk", lean))
            finally:
                server.kill()
                server.wait()
            assert all(a["result"] == b["result"] == n_list for a, b in pairs)
            time_ratio = median_ratio(pairs, "wall")
            cpu_ratio = median_ratio(pairs, "cpu")
            rss = max(b["rss_kib"] for _, b in pairs) / 1024
            raw_rss = max(a["rss_kib"] for a, _ in pairs) / 1024
            raw_ms, sdk_ms = (statistics.median(x["wall"] for x in side) * 1000
                              for side in zip(*pairs, strict=True))
            raw_cpu, sdk_cpu = (statistics.median(x["cpu"] for x in side) * 1000
                                for side in zip(*pairs, strict=True))
            lines += [f"| listing of {n_list:,} objects (wall time) | {raw_ms:.0f} ms | {sdk_ms:.0f} ms | "
                      f"{time_ratio:.3f}x | {count} |",
                      f"| listing of {n_list:,} objects (client CPU) | {raw_cpu:.0f} ms | {sdk_cpu:.0f} ms "
                      f"| {cpu_ratio:.3f}x | {count} |",
                      f"| listing of {n_list:,} objects (RSS growth) | {raw_rss:.1f} MiB | {rss:.1f} MiB "
                      f"| - | {count} |"]
            verdicts.append((f"listing {n_list:,}: time <= 1.25x raw (judged on client CPU), "
                             "RSS growth <= 8 MiB", cpu_ratio <= 1.25 and rss <= 8,
                             f"CPU {cpu_ratio:.3f}x raw (wall {time_ratio:.3f}x), RSS +{rss:.1f} MiB"))

        if "walk" in rows:
            emulator.command("latency all 0.02")
            walk = {**cfg, "connections": 1}
            pairs = rounds(count, ("walk_sdk", walk), ("walk_sdk", {**walk, "connections": 8}))
            emulator.command("clear")
            assert all(a["result"] == b["result"] == n_dirs * per_dir for a, b in pairs)
            speedup = statistics.median(a["wall"] / b["wall"] for a, b in pairs)
            one = statistics.median(a["wall"] for a, _ in pairs)
            eight = statistics.median(b["wall"] for _, b in pairs)
            lines.append(f"| walk {n_dirs * per_dir:,} objects / {n_dirs} dirs, 1 vs 8 Connections "
                         f"(emulator, 20 ms latency) | {one:.2f} s | {eight:.2f} s | "
                         f"{speedup:.2f}x faster | {count} |")
            verdicts.append(("walk, 8 Connections over 4 nodes: >= 3x faster than 1", speedup >= 3,
                             f"{speedup:.2f}x"))

        if "transfer" in rows:
            local = os.path.join(work, "source.bin")
            with open(local, "wb") as f:
                for _ in range(size // MiB):
                    f.write(os.urandom(MiB))
            up = {**cfg, "file": local, "path": "/rest/xfer/up.bin"}
            pairs = rounds(count, ("upload_raw", up), ("upload_sdk", up))
            cpu_up = median_ratio(pairs, "cpu")
            rss_up = max(b["rss_kib"] for _, b in pairs) / 1024
            run_worker("upload_raw", {**up, "path": "/rest/xfer/down.bin", "fixed": True})
            down = {**cfg, "file": os.path.join(work, "down.bin"), "path": "/rest/xfer/down.bin"}
            pairs_down = rounds(count, ("download_raw", down), ("download_sdk", down))
            cpu_down = median_ratio(pairs_down, "cpu")
            rss_down = max(b["rss_kib"] for _, b in pairs_down) / 1024
            label = f"{size // MiB} MiB" if size < 1024 * MiB else "1 GiB"
            for name, p, ratio, rss_growth in (("upload_file", pairs, cpu_up, rss_up),
                                               ("download_file", pairs_down, cpu_down, rss_down)):
                raw_cpu = statistics.median(a["cpu"] for a, _ in p)
                sdk_cpu = statistics.median(b["cpu"] for _, b in p)
                lines.append(f"| {name} {label} (client CPU, RSS +{rss_growth:.1f} MiB) | "
                             f"{raw_cpu:.2f} s | {sdk_cpu:.2f} s | {ratio:.3f}x | {count} |")
            limit = 2 * BLOCK / MiB + 4
            verdicts.append((f"upload_file/download_file {label}: CPU <= 1.15x raw, RSS growth <= "
                             f"2 x block + 4 MiB", cpu_up <= 1.15 and cpu_down <= 1.15
                             and max(rss_up, rss_down) <= limit,
                             f"upload {cpu_up:.3f}x, +{rss_up:.1f} MiB; download {cpu_down:.3f}x, "
                             f"+{rss_down:.1f} MiB (limit {limit:.0f})"))
    finally:
        emulator.close()
        subprocess.run(["rm", "-rf", work], check=False)
    lines += ["", "| target | met | measured |", "| --- | --- | --- |"]
    lines += [f"| {what} | {'yes' if ok else 'NO'} | {measured_} |" for what, ok, measured_
              in verdicts]
    report = "\n".join(lines) + "\n"
    print(report)
    if args.markdown:
        with open(args.markdown, "a") as f:
            f.write("\n" + report)
    return 0


if __name__ == "__main__":
    sys.exit(main())
