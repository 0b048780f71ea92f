#!/usr/bin/env python3
"""The hcpsdk benchmark: ``python3 bench/run.py [--quick] [--markdown FILE]``.

Every client runs in its own process (``_worker.py``), so CPU time and peak RSS are
its own; the server (nginx, else the emulator) runs in another. Rounds are
interleaved: round 1 of every client, then round 2, ... (the order rotates), and
every ratio is taken between numbers of the same round, never against a stored
absolute. See ``bench/README.md`` for what is measured and ``bench/RESULTS.md``
for a recorded run.
"""
from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(HERE)
WORK = os.path.join(HERE, "_work")
VENV095 = os.path.join(WORK, "venv095")
sys.path.insert(0, HERE)
sys.path.insert(0, REPO)

import _servers  # noqa: E402

import hcpsdk  # noqa: E402

FQDN_DOMAIN, FQDN_TENANT = "hcp1.bench.local", "m"
FQDN = f"n1.{FQDN_TENANT}.{FQDN_DOMAIN}"
USER, PASSWORD = "n", "n01"
MiB = 1 << 20


def _hcpsdk_blocksize() -> int:
    """hcpsdk's streaming block size (the matched floor uses it too)."""
    import importlib

    for name in ("hcpsdk._transport", "hcpsdk.connection"):
        try:
            return int(importlib.import_module(name).BLOCKSIZE)
        except (ImportError, AttributeError):
            continue
    return MiB


BLOCKSIZE = _hcpsdk_blocksize()


class Profile:
    def __init__(self, **kw: object) -> None:
        self.__dict__.update(kw)


QUICK = Profile(name="quick", rounds=3, small_n=200, small_warm=20, mt_n=50, large=16 * MiB,
                large_rounds=1, ingest_files=200, ingest_size=4096, ingest_rounds=2,
                import_runs=3, server_n=200)
FULL = Profile(name="full", rounds=11, small_n=1000, small_warm=100, mt_n=500, large=1 << 30,
               large_rounds=3, ingest_files=4000, ingest_size=4096, ingest_rounds=7,
               import_runs=21, server_n=1000)

TLS_GROUP = "small 1 KiB over TLS, 1 connection (nginx, the same verifying SSLContext)"

CLIENT_LABELS = {
    "raw": "raw floor (http.client)",
    "matched": "matched floor (http.client)",
    "hcpsdk": "hcpsdk (this)",
    "hcpsdk095": "hcpsdk 0.9.5.post1",
    "urllib3": "urllib3",
}


# -- workers ---------------------------------------------------------------------------

def python_095() -> str | None:
    """The throw-away venv's python with hcpsdk 0.9.5.post1 (``--setup-095`` makes it)."""
    py = os.path.join(VENV095, "bin", "python")
    if not os.access(py, os.X_OK):
        return None
    probe = subprocess.run([py, "-c", "import hcpsdk; print(hcpsdk.version())"],
                           capture_output=True, text=True, cwd=WORK, env=_env_without_repo())
    return py if probe.returncode == 0 and "0.9.5" in probe.stdout else None


def setup_095() -> None:
    os.makedirs(WORK, exist_ok=True)
    subprocess.run([sys.executable, "-m", "venv", VENV095], check=True)
    subprocess.run([os.path.join(VENV095, "bin", "pip"), "install", "-q",
                    "hcpsdk==0.9.5.post1"], check=True)


def _env_without_repo() -> dict:
    env = dict(os.environ)
    env.pop("PYTHONPATH", None)
    return env


def has_urllib3() -> bool:
    try:
        import urllib3  # noqa: F401
    except ImportError:
        return False
    return True


class Worker:
    """One client process; :meth:`ask` sends a command and returns its JSON answer."""

    def __init__(self, client: str, cfg: dict) -> None:
        cfg = dict(cfg, client=client)
        if client == "hcpsdk095":
            python, env = python_095(), _env_without_repo()
        else:
            python, env = sys.executable, dict(os.environ)
            cfg["repo"] = REPO if client == "hcpsdk" else None
        self.client = client
        self._proc = subprocess.Popen([python, os.path.join(HERE, "_worker.py"), json.dumps(cfg)],
                                      cwd=WORK, env=env, stdin=subprocess.PIPE,
                                      stdout=subprocess.PIPE, text=True)
        hello = self._proc.stdout.readline()
        if not hello:
            self.close()
            raise RuntimeError(f"worker {client} did not start")

    def ask(self, cmd: dict) -> dict:
        self._proc.stdin.write(json.dumps(cmd) + "\n")
        self._proc.stdin.flush()
        line = self._proc.stdout.readline()
        if not line:
            raise RuntimeError(f"worker {self.client} died")
        answer = json.loads(line)
        if "error" in answer:
            raise RuntimeError("worker {}: {}".format(self.client, answer["error"]))
        return answer

    def close(self) -> None:
        if self._proc.poll() is None:
            try:
                self._proc.stdin.write('{"op": "quit"}\n')
                self._proc.stdin.flush()
            except OSError:
                pass
        try:
            self._proc.wait(10)
        except subprocess.TimeoutExpired:
            self._proc.kill()
            self._proc.wait()
        self._proc.stdin.close()
        self._proc.stdout.close()


# -- results ---------------------------------------------------------------------------

class Row:
    """One workload × client: the per-round samples and what the table shows."""

    def __init__(self, group: str, workload: str, client: str, unit: str,
                 baselines: tuple[str, ...]) -> None:
        self.group, self.workload, self.client, self.unit = group, workload, client, unit
        self.baselines = baselines
        self.values: list[float] = []   # throughput per round (higher is better)
        self.cpu: list[float] = []      # CPU per op (µs) or per run (s)
        self.rss: list[float] = []      # peak RSS (MiB) or RSS growth (MiB)
        self.extra: dict = {}

    @property
    def median(self) -> float:
        return statistics.median(self.values)


class Results:
    def __init__(self) -> None:
        self.rows: list[Row] = []
        self._index: dict = {}

    def row(self, group: str, workload: str, client: str, unit: str = "ops/s",
            baselines: tuple[str, ...] = ("matched", "raw")) -> Row:
        key = (group, workload, client)
        if key not in self._index:
            self._index[key] = row = Row(group, workload, client, unit, baselines)
            self.rows.append(row)
        return self._index[key]

    def get(self, group: str, workload: str, client: str) -> Row | None:
        return self._index.get((group, workload, client))

    def ratio(self, row: Row, baseline: str, attr: str = "values") -> float | None:
        """Median of the per-round ratios ``row / baseline`` (paired by round)."""
        base = self.get(row.group, row.workload, baseline)
        if base is None or not getattr(base, attr):
            return None
        pairs = [a / b for a, b in zip(getattr(row, attr), getattr(base, attr), strict=False) if b]
        return statistics.median(pairs) if pairs else None


def _rotate(items: list, by: int) -> list:
    by %= len(items)
    return items[by:] + items[:by]


# -- workloads -------------------------------------------------------------------------

def run_small(results: Results, workers: dict, profile: Profile, threads: int,
              log: callable, group: str | None = None) -> None:
    group = group or ("small 1 KiB, 1 connection" if threads == 1 else
                      f"small 1 KiB, {threads} threads x 1 connection over the nodes")
    n = profile.small_n if threads == 1 else profile.mt_n
    clients = list(workers)
    for rnd in range(profile.rounds):
        for client in _rotate(clients, rnd):
            answer = workers[client].ask({
                "op": "small", "threads": threads, "n": n, "warmup": profile.small_warm,
                "size": 1024, "prefix": f"/rest/bench/small{threads}/{client}/{rnd}"})
            for method in ("PUT", "GET", "DELETE"):
                res = answer[method]
                if res["bad"]:
                    raise RuntimeError("{} {}: {} requests failed".format(client, method,
                                                                          res["bad"]))
                row = results.row(group, method, client)
                row.values.append(res["ops"] / res["wall"])
                row.cpu.append(res["cpu"] / res["ops"] * 1e6)
                row.rss.append(answer["maxrss"] / 1024)
                row.extra["nodes"] = len(answer["nodes"])
        log(f"  {group} round {rnd + 1}/{profile.rounds} done")


def run_large(results: Results, cfg: dict, clients: list[str], profile: Profile, shm: str,
              log: callable) -> None:
    size = profile.large
    group = f"large {_size(size)} object from/to a file"
    src = os.path.join(shm, "large-src")
    with open(src, "wb") as f:
        block = os.urandom(MiB)
        for _ in range(size // MiB):
            f.write(block)
    for rnd in range(profile.large_rounds):
        for client in _rotate(clients, rnd):
            path = f"/rest/bench/large/{client}/{rnd}"
            dst = os.path.join(shm, "large-dst")
            for direction, file in (("put", src), ("get", dst)):
                worker = Worker(client, cfg)  # fresh process: RSS growth is this transfer's
                try:
                    answer = worker.ask({"op": "large", "direction": direction, "file": file,
                                         "size": size, "path": path})
                finally:
                    worker.close()
                if answer["bytes"] != size or answer["status"] >= 300:
                    raise RuntimeError("{} large {}: status {}, {} of {} bytes".format(
                        client, direction, answer["status"], answer["bytes"], size))
                row = results.row(group, direction.upper(), client, unit="MB/s",
                                  baselines=("raw",))
                row.values.append(size / answer["wall"] / 1e6)
                row.cpu.append(answer["cpu"])
                row.rss.append(max(0, answer["peak_after"] - answer["rss_before"]) / 1024)
            os.unlink(dst)
            _delete(cfg, path)
        log(f"  {group} round {rnd + 1}/{profile.large_rounds} done")
    os.unlink(src)


def _delete(cfg: dict, path: str) -> None:
    import http.client

    con = http.client.HTTPConnection(cfg["addresses"][0], cfg["port"], timeout=30)
    try:
        con.request("DELETE", path, headers=cfg["headers"])
        con.getresponse().read()
    finally:
        con.close()


def run_ingest(results: Results, workers: dict, profile: Profile, shm: str, log: callable
               ) -> None:
    group = f"ingest {profile.ingest_files} files of {_size(profile.ingest_size)} with 8 workers"
    src = os.path.join(shm, "ingest-src")
    os.makedirs(src, exist_ok=True)
    files = []
    for i in range(profile.ingest_files):
        name = os.path.join(src, f"f{i:06d}.bin")
        with open(name, "wb") as f:
            f.write(os.urandom(profile.ingest_size))
        files.append(name)
    plan = [("raw", "ingest_raw"), ("hcpsdk", "ingest_hcpsdk")]
    for rnd in range(profile.ingest_rounds):
        for client, op in _rotate(plan, rnd):
            answer = workers[client].ask({"op": op, "files": files, "workers": 8,
                                          "prefix": f"/rest/bench/ingest/{client}/{rnd}"})
            if answer["bad"]:
                raise RuntimeError("ingest {}: {} files failed".format(client, answer["bad"]))
            row = results.row(group, "PUT", client, unit="files/s", baselines=("raw",))
            row.values.append(answer["ops"] / answer["wall"])
            row.cpu.append(answer["cpu"] / answer["ops"] * 1e6)
            row.rss.append(answer["maxrss"] / 1024)
            row.extra["nodes"] = len(set(answer["nodes"]))
        log(f"  {group} round {rnd + 1}/{profile.ingest_rounds} done")
    shutil.rmtree(src)


def run_import(results: Results, profile: Profile, clients_095: bool, log: callable) -> None:
    group = "import (fresh interpreter)"
    code = ("import time; t = time.perf_counter(); import {}; "
            "print(time.perf_counter() - t)")
    # Installed packages come with byte code; so do we here (compiling is not importing).
    cache = {"PYTHONPYCACHEPREFIX": os.path.join(WORK, "pycache")}
    ours = dict(os.environ, **cache)
    ours.pop("PYTHONDONTWRITEBYTECODE", None)
    plan = [("http.client, ssl", sys.executable, REPO, "http.client, ssl", ours),
            ("hcpsdk (this)", sys.executable, REPO, "hcpsdk", ours)]
    if clients_095:
        env = dict(_env_without_repo(), **cache)
        env.pop("PYTHONDONTWRITEBYTECODE", None)
        plan.append(("hcpsdk 0.9.5.post1", python_095(), WORK, "hcpsdk", env))
    for rnd in range(-1, profile.import_runs):  # round -1 writes the byte code
        for label, python, cwd, module, env in _rotate(plan, rnd):
            out = subprocess.run([python, "-c", code.format(module)], cwd=cwd, env=env,
                                 capture_output=True, text=True, check=True).stdout
            if rnd >= 0:
                row = results.row(group, "import", label, unit="ms",
                                  baselines=("http.client, ssl",))
                row.values.append(float(out) * 1000)
    log(f"  {group} done")


SERVER_CLIENTS = (
    # (worker kind, row group): the first one is target 6's measure
    ("lean", "server speed: 1 KiB, 1 connection, lean load client (CPU = the server process's)"),
    ("raw", "server speed as http.client sees it: 1 KiB, 1 connection (for information; "
            "CPU = the server process's)"),
    ("hcpsdk", "server speed as hcpsdk sees it: 1 KiB, 1 connection (for information; "
               "CPU = the server process's)"),
)


def run_server_speed(results: Results, profile: Profile, cfg: dict, log: callable) -> None:
    """Target 6: the emulator against the stdlib dict store, one connection.

    Judged with the lean load client (``_worker.LeanClient``): the server is the bottleneck.
    With ``http.client`` as the client, parsing the 30-40 headers of an HCP answer costs
    the client more than the emulator spends on the request (the dict store sends 3), so
    that row says how fast a Python client gets through the emulator, not how fast it serves.
    The hcpsdk row is what the SDK's own tests see.
    """
    emulator = _servers.EmulatorProcess(nodes=1)
    try:
        store = _servers.DictStore(emulator.addresses[0])
    except BaseException:
        emulator.close()
        raise
    servers = {"emulator": emulator, "dictstore": store}
    workers: dict = {}
    try:
        for kind, _ in SERVER_CLIENTS:
            for name, server in servers.items():
                # The emulator serves a namespace only to requests naming it in Host (as HCP
                # does): its own name, resolved by its DNS server. The dict store takes any
                # Host, so its node address serves as the name and needs no DNS.
                if name == "emulator":
                    wcfg = dict(cfg, addresses=server.addresses, port=server.port,
                                fqdn=server.fqdn, dns=list(server.dns),
                                headers=dict(cfg["headers"], Host=server.fqdn))
                else:
                    wcfg = dict(cfg, addresses=server.addresses, port=server.port,
                                fqdn=server.addresses[0])
                workers[kind, name] = Worker(kind, wcfg)
        groups = dict(SERVER_CLIENTS)
        for rnd in range(profile.rounds):
            for kind, name in _rotate(list(workers), rnd):
                server = servers[name]
                before = server.cpu_seconds()
                answer = workers[kind, name].ask({
                    "op": "small", "threads": 1, "n": profile.server_n,
                    "warmup": profile.small_warm, "size": 1024,
                    "prefix": f"/rest/bench/server/{kind}/{rnd}"})
                spent = server.cpu_seconds() - before  # warm-up included: all three methods
                ops = 3 * (profile.server_n + profile.small_warm)
                label = "hcpsdk emulator" if name == "emulator" else "stdlib dict store"
                for method in ("PUT", "GET", "DELETE"):
                    res = answer[method]
                    if res["bad"]:
                        raise RuntimeError("{} {}: {} requests failed".format(name, method,
                                                                              res["bad"]))
                    row = results.row(groups[kind], method, label,
                                      baselines=("stdlib dict store",))
                    row.values.append(res["ops"] / res["wall"])
                    row.cpu.append(spent / ops * 1e6)
                    row.rss.append(server.maxrss_kib() / 1024)
        log("  server speed done")
    finally:
        for w in workers.values():
            w.close()
        store.close()
        emulator.close()


# -- report ----------------------------------------------------------------------------

def _size(n: int) -> str:
    return f"{n >> 30} GiB" if n >= 1 << 30 else \
        f"{n >> 20} MiB" if n >= MiB else f"{n >> 10} KiB"


def _cells(results: Results, row: Row) -> list[str]:
    ratios = []
    for base in row.baselines:
        r = None if row.client == base else results.ratio(row, base)
        if r is not None:
            ratios.append(f"{r:.3f}x {base}")
    if row.unit == "MB/s":
        cpu = f"{statistics.median(row.cpu):.2f} s"
        rss = f"+{max(row.rss):.1f} MiB"
    elif row.unit == "ms":
        cpu = rss = "-"
    else:
        cpu = f"{statistics.median(row.cpu):.1f} µs/op"
        rss = f"{max(row.rss):.1f} MiB"
    spec = "{:.1f}" if row.unit == "ms" else "{:.0f}"
    return [row.workload, CLIENT_LABELS.get(row.client, row.client),
            (spec + " {}").format(row.median, row.unit), ", ".join(ratios) or "baseline",
            (spec + "-" + spec).format(min(row.values), max(row.values)), cpu, rss,
            str(len(row.values))]


def table(results: Results) -> list[str]:
    groups: dict[str, list[Row]] = {}
    for row in results.rows:
        groups.setdefault(row.group, []).append(row)
    lines = []
    for group, rows in groups.items():
        lines += ["", "### " + group, "",
                  "| workload | client | median | ratio vs baseline | min-max | CPU | RSS | rounds |",
                  "| --- | --- | ---: | --- | --- | ---: | ---: | ---: |"]
        lines += ["| " + " | ".join(_cells(results, row)) + " |" for row in rows]
        nodes = {CLIENT_LABELS.get(r.client, r.client): r.extra["nodes"] for r in rows
                 if "nodes" in r.extra}
        if nodes:
            lines += ["", "Nodes used: " + ", ".join(f"{c} {n}"
                                                      for c, n in nodes.items()) + "."]
    return lines


def verdicts(results: Results, profile: Profile) -> list[tuple[str, bool | None, str]]:
    """Each target: (target, met? (``None``: not measured), the numbers)."""

    def find(group: str, workload: str, client: str) -> Row | None:
        return next((row for row in results.rows if row.group.startswith(group)
                     and row.workload == workload and row.client == client), None)

    def ratio(group: str, workload: str, client: str, base: str, attr: str = "values"):
        row = find(group, workload, client)
        return None if row is None else results.ratio(row, base, attr)

    def per_method(methods: tuple[str, ...], check) -> tuple[bool | None, str]:
        """``check(method)`` gives ``(met, text)`` or ``None`` (not measured)."""
        checked = [check(m) for m in methods]
        if any(c is None for c in checked):
            return None, "; ".join(c[1] for c in checked if c is not None)
        return all(c[0] for c in checked), "; ".join(c[1] for c in checked)

    def small_one(m: str):
        vr = ratio("small 1 KiB, 1 conn", m, "hcpsdk", "raw")
        vm = ratio("small 1 KiB, 1 conn", m, "hcpsdk", "matched")
        cpu = ratio("small 1 KiB, 1 conn", m, "hcpsdk", "raw", "cpu")
        if None in (vm, vr, cpu):
            return None
        return (vr >= 1.1, f"{m} {vr:.3f}x raw ({vm:.3f}x matched, CPU {cpu:.3f}x raw)")

    def small_tls(m: str):
        v = ratio(TLS_GROUP, m, "hcpsdk", "raw")
        cpu = ratio(TLS_GROUP, m, "hcpsdk", "raw", "cpu")
        if None in (v, cpu):
            return None
        return (v >= 1.0, f"{m} {v:.3f}x raw (CPU {cpu:.3f}x raw)")

    def threads(m: str):
        v = ratio("small 1 KiB, 4 threads", m, "hcpsdk", "raw")
        return None if v is None else (v >= 0.9, f"{m} {v:.3f}x raw")

    limit = 2 * BLOCKSIZE / MiB + 4

    def large(m: str):
        cpu = ratio("large", m, "hcpsdk", "raw", "cpu")
        row = find("large", m, "hcpsdk")
        if cpu is None or row is None:
            return None
        grow = max(row.rss)
        return (cpu <= 1.1 and grow <= limit, f"{m} CPU {cpu:.3f}x raw, RSS +{grow:.1f} MiB (limit "
                                              f"{limit:.0f})"
                )

    def server(m: str):
        v = ratio("server speed: ", m, "hcpsdk emulator", "stdlib dict store")
        return None if v is None else (v >= 0.8, f"{m} {v:.3f}x")

    def single(v: float | None, good, spec: str) -> tuple[bool | None, str]:
        return (None, "") if v is None else (good(v), spec.format(v))

    crud = ("PUT", "GET", "DELETE")
    return [
        ("1. small objects, 1 connection: >= 1.1x raw", *per_method(crud, small_one)),
        ("2. small objects, 4 threads over the nodes: >= 0.9x raw", *per_method(crud, threads)),
        (f"3. {_size(profile.large)} PUT/GET via a file: CPU <= 1.1x raw, RSS growth <= 2 x block + 4 MiB"
         , *per_method(("PUT", "GET"), large)),
        ("4. ingest, 8 workers over 4 nodes: >= 0.9x raw threads",
         *single(ratio("ingest", "PUT", "hcpsdk", "raw"), lambda v: v >= 0.9, "{:.3f}x raw")),
        ("5. import hcpsdk <= 1.8x import http.client, ssl",
         *single(ratio("import", "import", "hcpsdk (this)", "http.client, ssl"),
                 lambda v: v <= 1.8, "{:.2f}x")),
        ("6. emulator >= 0.8x the stdlib dict store (lean load client)",
         *per_method(crud, server)),
        ("7. small objects over TLS, 1 connection: >= 1.0x raw HTTPSConnection (same SSLContext)",
         *per_method(crud, small_tls)),
    ]


def report(results: Results, profile: Profile, server_label: str, argv: list[str],
           seconds: float) -> str:
    import platform

    lines = [f"# hcpsdk benchmark ({profile.name} mode)", "",
             "- command: `python3 bench/run.py {}`".format(" ".join(argv)).rstrip(),
             f"- server: {server_label}",
             f"- machine: {os.cpu_count()} CPUs, Python {platform.python_version()}, {platform.platform()}",
             f"- hcpsdk {hcpsdk.__version__} (BLOCKSIZE {_size(BLOCKSIZE)}, default timeout 30 s); wall "
             f"time of the run {seconds:.0f} s"
             ,
             "- rounds are interleaved (every client once per round, the order rotating); the "
             "median is over the rounds (see the rounds column); a ratio is the median of the "
             "per-round ratios (same round, same server); CPU is the client process's "
             "user+system time (large objects: seconds per transfer); RSS is the client "
             "process's peak (large objects: peak growth during the transfer)"]
    lines += table(results)
    lines += ["", "### targets", "", "| target | met | measured |", "| --- | --- | --- |"]
    for name, ok, numbers in verdicts(results, profile):
        lines.append("| {} | {} | {} |".format(name, {True: "yes", False: "NO", None: "n/a"}[ok],
                                                numbers))
    return "\n".join(lines) + "\n"


# -- main ------------------------------------------------------------------------------

def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--quick", action="store_true",
                   help="small counts and a 16 MiB large object (well under a minute)")
    p.add_argument("--server", choices=("auto", "nginx", "emulator"), default="auto",
                   help="auto: nginx when installed, else the emulator")
    p.add_argument("--setup-095", action="store_true",
                   help="first install hcpsdk==0.9.5.post1 into bench/_work/venv095")
    p.add_argument("--no-095", action="store_true", help="leave out the original 0.9.5")
    p.add_argument("--no-urllib3", action="store_true", help="leave out urllib3")
    p.add_argument("--only", default="small,tls,threads,large,ingest,import,server",
                   help="comma-separated workloads (default: all)")
    p.add_argument("--rounds", type=int, metavar="N",
                   help="interleaved rounds of the small-object rows (default: 3 quick, 11 full)")
    p.add_argument("--markdown", metavar="FILE", help="also write the report to FILE")
    p.add_argument("-q", "--quiet", action="store_true", help="no progress lines on stderr")
    args = p.parse_args(argv)
    profile = QUICK if args.quick else FULL
    if args.rounds:
        profile = Profile(**dict(vars(profile), rounds=args.rounds))
    only = set(args.only.split(","))

    def log(msg: str) -> None:
        if not args.quiet:
            print(f"[{time.perf_counter() - started:6.1f} s] {msg}", file=sys.stderr,
                  flush=True)

    started = time.perf_counter()
    os.makedirs(WORK, exist_ok=True)
    if args.setup_095:
        setup_095()
    shm_base = "/dev/shm" if os.path.isdir("/dev/shm") else WORK
    shm = tempfile.mkdtemp(prefix="hcpsdk-bench-", dir=shm_base)
    work = tempfile.mkdtemp(prefix="run-", dir=WORK)
    cleanup = []
    results = Results()
    try:
        binary = _servers.find_nginx() if args.server in ("auto", "nginx") else None
        if args.server == "nginx" and binary is None:
            p.error("nginx not found (install it: apt-get install nginx-light)")
        if binary:
            server = _servers.Nginx(binary, os.path.join(shm, "www"), work,
                                    _servers.address_block(4), FQDN)
            cleanup.append(server.close)
            names = _servers.Names(FQDN_DOMAIN, FQDN_TENANT, server.addresses)
            cleanup.append(names.close)
            fqdn, dns_addr, user, password = FQDN, names.address, USER, PASSWORD
        else:
            server = _servers.EmulatorProcess(nodes=4)
            cleanup.append(server.close)
            fqdn, dns_addr = server.fqdn, server.dns
            user, password = server.user, server.password
        log(f"server: {server.label}")
        auth = hcpsdk.NativeAuthorization(user, password)
        headers = {"Host": fqdn}
        headers.update(auth._getheaders())
        cfg = {"fqdn": fqdn, "addresses": server.addresses, "port": server.port,
               "dns": list(dns_addr), "user": user, "password": password, "headers": headers,
               "timeout": 30, "blocksize": BLOCKSIZE, "raw_blocksize": MiB}
        clients = ["raw", "matched", "hcpsdk"]
        if not args.no_095 and python_095():
            clients.append("hcpsdk095")
        if not args.no_urllib3 and has_urllib3():
            clients.append("urllib3")
        workers: dict = {}
        if only & {"small", "threads", "ingest"}:
            for client in clients:
                workers[client] = Worker(client, cfg)
                cleanup.append(workers[client].close)
        if "small" in only:
            run_small(results, workers, profile, 1, log)
        if "tls" in only and getattr(server, "tls_port", None):
            tls_cfg = dict(cfg, port=server.tls_port, ca_file=server.ca_file)
            tls_workers = {client: Worker(client, tls_cfg) for client in ("raw", "hcpsdk")}
            cleanup.extend(w.close for w in tls_workers.values())
            run_small(results, tls_workers, profile, 1, log, TLS_GROUP)
        if "threads" in only:
            run_small(results, workers, profile, 4, log)
        if "large" in only:
            run_large(results, cfg, clients, profile, shm, log)
        if "ingest" in only:
            run_ingest(results, workers, profile, shm, log)
        if "import" in only:
            run_import(results, profile, "hcpsdk095" in clients, log)
        if "server" in only:
            run_server_speed(results, profile, cfg, log)
    finally:
        for close in reversed(cleanup):
            try:
                close()
            except Exception as exc:  # cleanup must go on
                log(f"cleanup: {exc}")
        shutil.rmtree(shm, ignore_errors=True)
        shutil.rmtree(work, ignore_errors=True)
        log("servers and clients stopped")
    text = report(results, profile, server.label, argv, time.perf_counter() - started)
    sys.stdout.write(text)
    if args.markdown:
        with open(args.markdown, "w") as f:
            f.write(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
