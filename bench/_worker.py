"""One benchmark client in its own process (started by ``bench/run.py``).

The process imports only what its client needs, so its peak RSS and CPU time
belong to that client alone. It reads one JSON command per line on stdin and
answers one JSON line on stdout; ``run.py`` sends the same command to every
client in turn (interleaved rounds).

Clients:

``raw``       bare ``http.client.HTTPConnection``: blocking socket, 1 MiB blocks
              (``HTTPSConnection`` with the run's ``SSLContext`` for the TLS rows)
``matched``   the same loop with hcpsdk's transport settings: its timeout and block size
``hcpsdk``    this repository's ``hcpsdk.Connection`` (retries and idle timer on, defaults)
``hcpsdk095`` the original ``hcpsdk==0.9.5.post1`` (run with a throw-away venv's python)
``urllib3``   ``urllib3.HTTPConnectionPool`` (one pool per thread)
``lean``      a load generator for measuring servers: a socket, requests made once as
              bytes, answers taken by their Content-Length without parsing the headers
"""
from __future__ import annotations

import json
import os
import resource
import sys
import threading
from time import perf_counter as _perf


def _cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def _maxrss_kib() -> int:
    """This process's peak RSS: ``VmHWM`` (Linux), else ``ru_maxrss``.

    ``ru_maxrss`` keeps the peak of the process image before ``exec()`` — here the bench
    runner's, which forked this worker — so it says more about the runner than the client.
    ``VmHWM`` belongs to this process's own memory map only.
    """
    try:
        with open("/proc/self/status") as f:
            for line in f:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


def _reset_peak() -> None:
    """Start the peak RSS anew at the current RSS (Linux 4.0+), so a peak is this step's."""
    try:
        with open("/proc/self/clear_refs", "w") as f:
            f.write("5")
    except OSError:
        pass


def _rss_kib() -> int:
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * (os.sysconf("SC_PAGE_SIZE") // 1024)


def _copy(read, write, block: int) -> None:
    """The download loop every client uses: ``read(block)`` until empty, ``write`` each."""
    while True:
        data = read(block)
        if not data:
            return
        write(data)


# -- clients ---------------------------------------------------------------------------
# Each client object is one persistent connection, used by one thread.

class RawClient:
    """``http.client`` as a careful programmer would use it directly."""

    def __init__(self, cfg: dict, node: str, timeout: float | None, blocksize: int) -> None:
        import http.client

        if cfg.get("ca_file"):
            con = http.client.HTTPSConnection(node, cfg["port"], timeout=timeout,
                                              blocksize=blocksize, context=tls_context(cfg))
        else:
            con = http.client.HTTPConnection(node, cfg["port"], timeout=timeout,
                                             blocksize=blocksize)
        self._con = con
        self._headers = cfg["headers"]
        self._block = blocksize
        self.node = node

    def _do(self, method: str, path: str, body=None, headers=None):
        self._con.request(method, path, body, headers or self._headers)
        return self._con.getresponse()

    def put(self, path: str, body: bytes) -> int:
        r = self._do("PUT", path, body)
        r.read()
        return r.status

    def get(self, path: str) -> int:
        r = self._do("GET", path)
        r.read()
        return r.status

    def delete(self, path: str) -> int:
        r = self._do("DELETE", path)
        r.read()
        return r.status

    def put_file(self, path: str, f, size: int) -> int:
        headers = dict(self._headers)
        headers["Content-Length"] = str(size)
        r = self._do("PUT", path, f, headers)
        r.read()
        return r.status

    def get_file(self, path: str, out) -> int:
        r = self._do("GET", path)
        _copy(r.read, out.write, self._block)
        return r.status

    def close(self) -> None:
        self._con.close()


def tls_context(cfg: dict):
    """The SSLContext of the TLS rows: verifying, trusting the run's throw-away CA.

    Raw and hcpsdk clients make it the same way (one per process), so the handshake and
    record work is the same for both.
    """
    import ssl

    return ssl.create_default_context(cafile=cfg["ca_file"])


class HcpsdkClient:
    """``hcpsdk.Connection`` with its defaults (this repository or 0.9.5)."""

    def __init__(self, target, block: int) -> None:
        import hcpsdk

        self._con = hcpsdk.Connection(target)
        self._block = block

    @property
    def node(self) -> str:
        return self._con.address

    def put(self, path: str, body: bytes) -> int:
        return self._con.PUT(path, body).status

    def get(self, path: str) -> int:
        r = self._con.GET(path)
        self._con.read()
        return r.status

    def delete(self, path: str) -> int:
        return self._con.DELETE(path).status

    def put_file(self, path: str, f, size: int) -> int:
        return self._con.PUT(path, f).status

    def get_file(self, path: str, out) -> int:
        r = self._con.GET(path)
        _copy(self._con.read, out.write, self._block)
        return r.status

    def close(self) -> None:
        self._con.close()


class Urllib3Client:
    """``urllib3`` with one single-connection pool per thread (its default Retry)."""

    def __init__(self, cfg: dict, node: str, blocksize: int) -> None:
        import urllib3

        self._pool = urllib3.HTTPConnectionPool(node, cfg["port"], maxsize=1, block=True,
                                                headers=cfg["headers"])
        self._block = blocksize
        self.node = node

    def put(self, path: str, body: bytes) -> int:
        return self._pool.urlopen("PUT", path, body=body).status

    def get(self, path: str) -> int:
        return self._pool.urlopen("GET", path).status

    def delete(self, path: str) -> int:
        return self._pool.urlopen("DELETE", path).status

    def put_file(self, path: str, f, size: int) -> int:
        headers = dict(self._pool.headers)
        headers["Content-Length"] = str(size)
        return self._pool.urlopen("PUT", path, body=f, headers=headers).status

    def get_file(self, path: str, out) -> int:
        r = self._pool.urlopen("GET", path, preload_content=False)
        for data in r.stream(self._block):
            out.write(data)
        r.release_conn()
        return r.status

    def close(self) -> None:
        self._pool.close()


class LeanClient:
    """A load generator: what a server can serve, not what a Python client can parse.

    Request heads are built once per path as bytes; an answer is cut at the blank line
    and its body skipped by ``Content-Length`` (the only header looked at).
    """

    def __init__(self, cfg: dict, node: str) -> None:
        import socket

        self._sock = socket.create_connection((node, cfg["port"]))
        self._sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self._headers = "".join(f"{k}: {v}\r\n"
                                for k, v in cfg["headers"].items()).encode("latin-1")
        self._buffer = bytearray()
        self.node = node

    def _do(self, method: str, path: str, body: bytes = b"") -> int:
        head = b"%s %s HTTP/1.1\r\n%s" % (method.encode(), path.encode(), self._headers)
        if body:
            head += b"Content-Length: %d\r\n" % len(body)
        self._sock.sendall(head + b"\r\n" + body)
        buffer, recv = self._buffer, self._sock.recv
        while (end := buffer.find(b"\r\n\r\n")) < 0:
            data = recv(65536)
            if not data:
                raise ConnectionError("the server closed the connection")
            buffer += data
        answer = bytes(buffer[:end]).lower()
        at = answer.find(b"\ncontent-length:")
        length = int(answer[at + 16:].split(b"\r", 1)[0]) if at >= 0 else 0
        while len(buffer) < end + 4 + length:
            data = recv(65536)
            if not data:
                raise ConnectionError("the server closed the connection")
            buffer += data
        del buffer[:end + 4 + length]
        return int(answer[9:12])

    def put(self, path: str, body: bytes) -> int:
        return self._do("PUT", path, body)

    def get(self, path: str) -> int:
        return self._do("GET", path)

    def delete(self, path: str) -> int:
        return self._do("DELETE", path)

    def close(self) -> None:
        self._sock.close()


class Factory:
    """Makes the client objects of one kind; ``make(i)`` is the client of thread ``i``."""

    def __init__(self, cfg: dict) -> None:
        self.cfg = cfg
        self.kind = cfg["client"]
        self.addresses = cfg["addresses"]
        self.target = None
        if self.kind in ("hcpsdk", "hcpsdk095"):
            self.target = self._target()

    def _target(self):
        import dns.resolver

        import hcpsdk

        cfg = self.cfg
        resolver = dns.resolver.Resolver(configure=False)
        resolver.nameservers = [cfg["dns"][0]]
        resolver.port = cfg["dns"][1]
        resolver.search = []
        auth = hcpsdk.NativeAuthorization(cfg["user"], cfg["password"])
        if self.kind == "hcpsdk":
            if cfg.get("ca_file"):
                return hcpsdk.Target(cfg["fqdn"], auth, port=cfg["port"], tls=True,
                                     sslcontext=tls_context(cfg), resolver=resolver)
            return hcpsdk.Target(cfg["fqdn"], auth, port=cfg["port"], tls=False,
                                 resolver=resolver)
        # 0.9.5 asks dnspython's default resolver (and only knows plain http off 443/8000/9090)
        dns.resolver.default_resolver = resolver
        import warnings

        warnings.simplefilter("ignore")  # 0.9.5 calls dnspython's deprecated query()
        return hcpsdk.Target(cfg["fqdn"], auth, port=cfg["port"])

    def make(self, index: int):
        cfg, node = self.cfg, self.addresses[index % len(self.addresses)]
        if self.kind == "raw":
            return RawClient(cfg, node, None, cfg["raw_blocksize"])
        if self.kind == "matched":
            return RawClient(cfg, node, cfg["timeout"], cfg["blocksize"])
        if self.kind == "urllib3":
            return Urllib3Client(cfg, node, cfg["raw_blocksize"])
        if self.kind == "lean":
            return LeanClient(cfg, node)
        return HcpsdkClient(self.target, cfg["blocksize"])


# -- workloads -------------------------------------------------------------------------

def _phases(clients: list, prefix: str, n: int, body: bytes) -> dict:
    """PUT, GET, DELETE ``n`` objects per client; one timing per method over all threads."""
    methods = (("PUT", lambda c, p: c.put(p, body)), ("GET", lambda c, p: c.get(p)),
               ("DELETE", lambda c, p: c.delete(p)))
    paths = [[f"{prefix}/t{t}/o{i}" for i in range(n)] for t in range(len(clients))]
    results: dict = {}
    errors: list = []
    if len(clients) == 1:
        for name, call in methods:
            c, mine = clients[0], paths[0]
            cpu, start = _cpu(), _perf()
            bad = sum(1 for p in mine if call(c, p) >= 300)
            results[name] = {"wall": _perf() - start, "cpu": _cpu() - cpu, "ops": n, "bad": bad}
        return results
    barrier = threading.Barrier(len(clients) + 1)
    current: list = [None]
    bad_counts = [0] * len(clients)

    def worker(t: int) -> None:
        c, mine = clients[t], paths[t]
        for _ in methods:
            barrier.wait()
            call = current[0]
            try:
                bad_counts[t] += sum(1 for p in mine if call(c, p) >= 300)
            except Exception as exc:  # reported, never hidden
                errors.append(repr(exc))
            barrier.wait()

    threads = [threading.Thread(target=worker, args=(t,)) for t in range(len(clients))]
    for th in threads:
        th.start()
    for name, call in methods:
        current[0] = call
        bad_before = sum(bad_counts)
        cpu = _cpu()
        barrier.wait()
        start = _perf()
        barrier.wait()
        results[name] = {"wall": _perf() - start, "cpu": _cpu() - cpu, "ops": n * len(clients),
                         "bad": sum(bad_counts) - bad_before}
    for th in threads:
        th.join()
    if errors:
        raise RuntimeError("; ".join(errors[:3]))
    return results


def small(factory: Factory, cmd: dict) -> dict:
    threads, body = cmd["threads"], b"x" * cmd["size"]
    clients = [factory.make(i) for i in range(threads)]
    try:
        # warm up: connect, fill caches; not timed
        _phases(clients, cmd["prefix"] + "/warm", cmd["warmup"], body)
        results = _phases(clients, cmd["prefix"], cmd["n"], body)
        results["nodes"] = sorted({c.node for c in clients})
    finally:
        for c in clients:
            c.close()
    return results


def large(factory: Factory, cmd: dict) -> dict:
    client = factory.make(0)
    try:
        client.put(cmd["path"] + ".warm", b"w")  # connect outside the timing
        client.delete(cmd["path"] + ".warm")
        if cmd["direction"] == "put":
            f = open(cmd["file"], "rb")
        else:
            f = open(cmd["file"], "wb")
        with f:
            _reset_peak()
            rss, peak_before = _rss_kib(), _maxrss_kib()
            cpu, start = _cpu(), _perf()
            if cmd["direction"] == "put":
                status = client.put_file(cmd["path"], f, cmd["size"])
            else:
                status = client.get_file(cmd["path"], f)
            wall, cpu = _perf() - start, _cpu() - cpu
            moved = f.tell()
    finally:
        client.close()
    return {"wall": wall, "cpu": cpu, "bytes": moved, "status": status, "rss_before": rss,
            "peak_before": peak_before, "peak_after": _maxrss_kib()}


def ingest_raw(factory: Factory, cmd: dict) -> dict:
    """Hand-written threads: each its own http.client connection to node ``i % nodes``."""
    import itertools

    files, prefix, workers = cmd["files"], cmd["prefix"], cmd["workers"]
    counter = itertools.count()
    statuses = [0] * len(files)
    clients = [factory.make(i) for i in range(workers)]

    def worker(c) -> None:
        for i in iter(counter.__next__, None):
            if i >= len(files):
                return
            name = files[i]
            with open(name, "rb") as f:
                data = f.read()
            statuses[i] = c.put(f"{prefix}/{os.path.basename(name)}", data)

    cpu, start = _cpu(), _perf()
    threads = [threading.Thread(target=worker, args=(c,)) for c in clients]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    wall, cpu = _perf() - start, _cpu() - cpu
    for c in clients:
        c.close()
    return {"wall": wall, "cpu": cpu, "ops": len(files),
            "bad": sum(1 for s in statuses if not 200 <= s < 300),
            "nodes": sorted(c.node for c in clients)}


def ingest_hcpsdk(factory: Factory, cmd: dict) -> dict:
    from hcpsdk.ingest import ingest

    files, prefix = cmd["files"], cmd["prefix"]
    cpu, start = _cpu(), _perf()
    report = ingest(factory.target, files, workers=cmd["workers"], destination=prefix)
    wall, cpu = _perf() - start, _cpu() - cpu
    return {"wall": wall, "cpu": cpu, "ops": len(files), "bad": len(report.failed),
            "nodes": sorted(report.nodes)}


def main() -> None:
    cfg = json.loads(sys.argv[1])
    if cfg.get("repo"):
        sys.path.insert(0, cfg["repo"])
    factory = Factory(cfg)
    handlers = {"small": small, "large": large, "ingest_raw": ingest_raw,
                "ingest_hcpsdk": ingest_hcpsdk}
    out = sys.stdout
    out.write(json.dumps({"ready": True, "maxrss": _maxrss_kib()}) + "\n")
    out.flush()
    for line in sys.stdin:
        cmd = json.loads(line)
        if cmd["op"] == "quit":
            break
        try:
            result = handlers[cmd["op"]](factory, cmd)
        except Exception as exc:
            result = {"error": f"{type(exc).__name__}: {exc}"}
        result["maxrss"] = _maxrss_kib()
        out.write(json.dumps(result) + "\n")
        out.flush()


if __name__ == "__main__":
    main()
