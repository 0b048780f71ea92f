"""The compatibility tier: programs written for the original hcpsdk, run unchanged.

A throw-away virtual environment gets hcpt, hcpupd, hcpcbc and hcplogs from PyPI by exact
version and with ``--no-deps``, so that they import *this* checkout of hcpsdk (put on
``PYTHONPATH``), plus only the third-party modules their driven code paths import. The
programs then talk over real sockets to an emulator on the ports they hard-code (80, 443,
9090), which only root may bind.

The programs resolve names with dnspython's default resolver (``/etc/resolv.conf``). The
venv's ``sitecustomize`` points that resolver at the emulator's DNS server instead, the one
change a user of an emulated system makes to their machine; nothing else is touched.

The tier is not collected by a plain ``pytest`` run (``tests/conftest.py`` leaves it out);
``.ci/run`` runs it with ``HCPSDK_COMPAT_REQUIRED=1``, which turns a failed installation
into an error instead of a skip.
"""
from __future__ import annotations

import os
import subprocess
import venv
from collections.abc import Iterator
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path

import pytest

from hcpsdk.emulator import Emulator

ROOT = Path(__file__).resolve().parents[2]

#: The programs, by the exact version whose source the tests were written against.
PROGRAMS = ("hcpt==1.0.20", "hcpupd==0.2.5", "hcpcbc==2.3.1", "hcplogs==2.0.9")

#: What the driven code paths import besides hcpsdk: dnspython (hcpsdk's own dependency),
#: XlsxWriter (hcpcbc imports its chart module at start) and pyinotify (hcpupd's package
#: imports its watcher module even when only the uploader thread is used).
THIRD_PARTY = (f"dnspython=={metadata.version('dnspython')}", "XlsxWriter==3.2.0")
#: Published as source only (like the four programs); built in the venv itself with a
#: setuptools new enough to make wheels without extra build tools, so that each build does
#: not download its own.
BUILD_TOOLS = ("setuptools==80.9.0",)
FROM_SOURCE = ("pyinotify==0.9.6", *PROGRAMS)

_SITECUSTOMIZE = '''\
"""Point dnspython's default resolver at the emulator's DNS server (HCPSDK_COMPAT_DNS)."""
import os

_where = os.environ.get("HCPSDK_COMPAT_DNS")
if _where:
    import dns.resolver

    _host, _, _port = _where.rpartition(":")
    _resolver = dns.resolver.Resolver(configure=False)
    _resolver.nameservers, _resolver.port = [_host], int(_port)
    dns.resolver.default_resolver = _resolver
'''


def _unavailable(reason: str) -> None:
    if os.environ.get("HCPSDK_COMPAT_REQUIRED") == "1":
        pytest.fail(f"the compatibility tier must run here: {reason}", pytrace=False)
    pytest.skip(reason)


@dataclass
class Venv:
    """The throw-away environment with the four programs."""

    path: Path

    @property
    def python(self) -> str:
        """Its interpreter."""
        return str(self.path / "bin" / "python")

    def script(self, name: str) -> str:
        """A console script the programs installed."""
        return str(self.path / "bin" / name)


@pytest.fixture(scope="session")
def programs(tmp_path_factory: pytest.TempPathFactory) -> Venv:
    """A venv holding the four programs (installed once per run, nothing cached)."""
    path = tmp_path_factory.mktemp("compat-venv")
    venv.EnvBuilder(with_pip=True).create(path)
    env = Venv(path)
    pip = [env.python, "-m", "pip", "install", "--quiet", "--disable-pip-version-check",
           "--no-cache-dir", "--no-deps"]
    for what in (["--upgrade", *BUILD_TOOLS, *THIRD_PARTY], ["--no-build-isolation", *FROM_SOURCE]):
        done = subprocess.run(pip + what, capture_output=True, text=True, timeout=300)
        if done.returncode:
            _unavailable(f"cannot install {' '.join(what)} from the package index:"
                         f" {' / '.join(done.stderr.strip().splitlines()[-4:])}")
    purelib = subprocess.run(
        [env.python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
        capture_output=True, text=True, check=True).stdout.strip()
    Path(purelib, "sitecustomize.py").write_text(_SITECUSTOMIZE)
    return env


@pytest.fixture(scope="session")
def hcp() -> Iterator[Emulator]:
    """An emulator on the standard ports 80, 443 and 9090 (which the programs hard-code)."""
    if os.geteuid() != 0:
        _unavailable("the programs use ports 80, 443 and 9090, which only root may bind")
    emulator = Emulator(nodes=2, domain="hcp.compat.example", http_port=80, https_port=443,
                        mapi_port=9090)
    try:
        emulator.start()
    except OSError as exc:
        _unavailable(f"cannot bind the standard ports: {exc}")
    with emulator:
        yield emulator


@dataclass
class Runner:
    """Runs a program of the venv against the emulator."""

    venv: Venv
    hcp: Emulator

    def env(self) -> dict[str, str]:
        """The environment of a program: this hcpsdk first, DNS at the emulator."""
        env = {k: v for k, v in os.environ.items() if not k.startswith("PYTHON")}
        env["PYTHONPATH"] = str(ROOT)
        env["HCPSDK_COMPAT_DNS"] = f"{self.hcp.dns[0]}:{self.hcp.dns[1]}"
        return env

    def __call__(self, args: list[str], cwd: Path, timeout: float = 120,
                 stdin: str | None = None) -> subprocess.CompletedProcess[str]:
        """Run *args* (the first is a console script or ``python``) in *cwd*.

        :raises AssertionError: if it exits with a failure (its output in the message)
        """
        exe = self.venv.python if args[0] == "python" else self.venv.script(args[0])
        done = subprocess.run([exe, *args[1:]], cwd=cwd, env=self.env(), capture_output=True,
                              text=True, timeout=timeout, input=stdin)
        assert done.returncode == 0, (f"{args} exited {done.returncode}\nstdout:\n{done.stdout}"
                                      f"\nstderr:\n{done.stderr}")
        return done


@pytest.fixture(scope="session")
def run(programs: Venv, hcp: Emulator) -> Runner:
    """Run one of the programs: ``run(["hcpt", ...], cwd=tmp_path)``."""
    return Runner(programs, hcp)
