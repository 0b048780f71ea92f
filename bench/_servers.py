"""The servers the benchmark talks to, each started and stopped by ``run.py``.

* :class:`Nginx` — nginx with WebDAV PUT/DELETE on several 127.x addresses, objects on
  tmpfs, from ``nginx.conf.template`` (the fast server: its numbers are the ones that count);
* :class:`EmulatorProcess` — ``python -m hcpsdk.emulator`` in its own process (the fallback
  when nginx is not installed, and the subject of the server-speed rows);
* :class:`DictStore` — ``_dictstore.py``, the minimal stdlib server the emulator is held to;
* :class:`Names` — a DNS server (the emulator's) that resolves a namespace FQDN to all
  nginx addresses, so the multi-thread rows spread over "nodes" as against HCP.
"""
from __future__ import annotations

import json
import os
import random
import shutil
import signal
import socket
import string
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(HERE)
NGINX_CANDIDATES = ("/usr/sbin/nginx", "/usr/local/sbin/nginx", "/usr/local/nginx/sbin/nginx")


def _guarded(cmd: list[str]) -> list[str]:
    """``cmd`` so that it is terminated when the bench dies (e.g. killed by a test timeout)."""
    setpriv = shutil.which("setpriv") if sys.platform.startswith("linux") else None
    return [setpriv, "--pdeathsig", "TERM", *cmd] if setpriv else cmd


def find_nginx() -> str | None:
    """The nginx binary (``$HCPSDK_BENCH_NGINX``, PATH, usual places), or ``None``."""
    env = os.environ.get("HCPSDK_BENCH_NGINX")
    if env:
        return env if os.access(env, os.X_OK) else None
    found = shutil.which("nginx")
    if found:
        return found
    return next((p for p in NGINX_CANDIDATES if os.access(p, os.X_OK)), None)


def address_block(count: int) -> list[str]:
    """``count`` loopback addresses ``127.A.B.2..`` of a random block (all of 127/8 is local)."""
    rnd = random.Random()
    a, b = rnd.randint(16, 250), rnd.randint(0, 255)
    return [f"127.{a}.{b}.{n}" for n in range(2, count + 2)]


def free_port(addresses: list[str]) -> int:
    """A port number free on every address (checked by binding; a tiny race remains)."""
    for _ in range(50):
        socks = []
        try:
            first = socket.socket()
            socks.append(first)
            first.bind((addresses[0], 0))
            port = first.getsockname()[1]
            for address in addresses[1:]:
                s = socket.socket()
                socks.append(s)
                s.bind((address, port))
            return port
        except OSError:
            continue
        finally:
            for s in socks:
                s.close()
    raise OSError(f"no port free on all of {addresses}")


def wait_listening(addresses: list[str], port: int, proc: subprocess.Popen,
                   timeout: float = 10.0) -> None:
    """Poll until every address accepts connections (or the process died)."""
    deadline = time.monotonic() + timeout
    pending = list(addresses)
    while pending:
        if proc.poll() is not None:
            raise RuntimeError(f"server exited with status {proc.returncode}")
        try:
            socket.create_connection((pending[0], port), 0.5).close()
            pending.pop(0)
        except OSError:
            if time.monotonic() > deadline:
                raise RuntimeError(f"server not listening on {pending[0]}:{port}") from None
            time.sleep(0.02)


def _stop(proc: subprocess.Popen, sig: int = signal.SIGTERM) -> None:
    if proc.poll() is None:
        proc.send_signal(sig)
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
    for stream in (proc.stdin, proc.stdout, proc.stderr):
        if stream is not None:
            stream.close()


class Nginx:
    """nginx serving ``root`` by WebDAV on ``addresses`` (one worker, keep-alive unlimited).

    Plain HTTP on :attr:`port`, TLS on :attr:`tls_port` with a certificate of a throw-away
    trustme CA for ``fqdn`` and every address (:attr:`ca_file` is the CA to trust).
    """

    kind = "nginx"

    def __init__(self, binary: str, root: str, work: str, addresses: list[str],
                 fqdn: str) -> None:
        import trustme

        self.addresses = addresses
        self.port = free_port(addresses)
        self.tls_port = free_port(addresses)
        self.root = root
        ca = trustme.CA()
        cert = ca.issue_cert(fqdn, *addresses)
        cert.private_key_pem.write_to_path(os.path.join(work, "server.key"))
        cert.cert_chain_pems[0].write_to_path(os.path.join(work, "server.pem"))
        self.ca_file = os.path.join(work, "ca.pem")
        ca.cert_pem.write_to_path(self.ca_file)
        # started as root, nginx's worker runs as an unprivileged user: let it in
        os.chmod(os.path.dirname(root), 0o755)
        for folder in (root, os.path.join(root, ".body"), os.path.join(root, "rest")):
            os.makedirs(folder, exist_ok=True)
            os.chmod(folder, 0o777)
        with open(os.path.join(HERE, "nginx.conf.template")) as f:
            template = string.Template(f.read())
        listen = "\n".join(f"        listen {a}:{self.port};" for a in addresses)
        listen_tls = "\n".join(f"        listen {a}:{self.tls_port} ssl;" for a in addresses)
        self.conf = os.path.join(work, "nginx.conf")
        with open(self.conf, "w") as f:
            f.write(template.substitute(work=work, root=root, listen=listen,
                                        listen_tls=listen_tls))
        version = subprocess.run([binary, "-v"], capture_output=True, text=True).stderr.strip()
        self.version = version.rpartition("/")[2] or "?"
        self._proc = subprocess.Popen(_guarded([binary, "-c", self.conf, "-p", work, "-e",
                                                os.path.join(work, "nginx-error.log")]),
                                      stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                      stderr=subprocess.PIPE)
        try:
            wait_listening(addresses, self.port, self._proc)
            wait_listening(addresses, self.tls_port, self._proc)
        except BaseException:
            err = self._proc.stderr.read().decode(errors="replace") if self._proc.poll() else ""
            self.close()
            if err:
                raise RuntimeError(f"nginx failed: {err.strip()}") from None
            raise

    @property
    def label(self) -> str:
        return (f"nginx {self.version} (WebDAV, 1 worker, tmpfs) on {len(self.addresses)} addresses"
                )

    def close(self) -> None:
        _stop(self._proc, signal.SIGQUIT)  # graceful: the master waits for its worker


class _Process:
    """CPU time and peak RSS of a server process (Linux ``/proc``)."""

    _proc: subprocess.Popen

    def cpu_seconds(self) -> float:
        with open(f"/proc/{self._proc.pid}/stat") as f:
            fields = f.read().rpartition(")")[2].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    def maxrss_kib(self) -> int:
        with open(f"/proc/{self._proc.pid}/status") as f:
            for line in f:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1])
        return 0


class EmulatorProcess(_Process):
    """The hcpsdk emulator over plain HTTP, in its own process (its CPU is not the client's)."""

    kind = "emulator"

    def __init__(self, nodes: int) -> None:
        cmd = [sys.executable, "-m", "hcpsdk.emulator", "--no-tls", "--json", "--nodes",
               str(nodes), "--http-port", "0", "--mapi-port", "0"]
        env = dict(os.environ, PYTHONPATH=REPO)
        self._proc = subprocess.Popen(_guarded(cmd), cwd=REPO, env=env, stdin=subprocess.PIPE,
                                      stdout=subprocess.PIPE, text=True)
        line = self._proc.stdout.readline()
        if not line:
            self.close()
            raise RuntimeError("the emulator did not start")
        self.info = json.loads(line)
        self.addresses = self.info["addresses"]
        self.port = self.info["http_port"]
        self.dns = tuple(self.info["dns"])
        self.fqdn = self.info["fqdn"]
        self.user, self.password = self.info["user"], self.info["password"]

    @property
    def label(self) -> str:
        return (f"hcpsdk emulator (Python) on {len(self.addresses)} addresses - nginx not found, these "
                f"numbers "
                "flatter slow clients")

    def close(self) -> None:
        if self._proc.poll() is None:
            try:
                self._proc.stdin.write("quit\n")
                self._proc.stdin.flush()
                self._proc.wait(10)
            except (OSError, subprocess.TimeoutExpired):
                pass
        _stop(self._proc)


class DictStore(_Process):
    """``_dictstore.py``: stdlib ThreadingHTTPServer, keep-alive, Nagle off, a dict of objects."""

    kind = "dictstore"

    def __init__(self, address: str) -> None:
        self._proc = subprocess.Popen(_guarded([sys.executable, os.path.join(HERE, "_dictstore.py"),
                                                address]), stdout=subprocess.PIPE, text=True)
        line = self._proc.stdout.readline()
        if not line:
            self.close()
            raise RuntimeError("the dict store did not start")
        self.addresses = [address]
        self.port = int(line)

    def close(self) -> None:
        _stop(self._proc)


class Names:
    """A DNS server answering ``*.<tenant>.<domain>`` with ``addresses`` (round robin)."""

    def __init__(self, domain: str, tenant: str, addresses: list[str]) -> None:
        sys.path.insert(0, REPO)
        from hcpsdk.emulator.dnsserver import NameServer, Zone

        host = addresses[0].rpartition(".")[0] + ".1"
        self._server = NameServer(host, 0)
        self._server.add_zone(Zone(domain, lambda: [tenant], addresses))
        self.address = self._server.address

    def close(self) -> None:
        self._server.close()
