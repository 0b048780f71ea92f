"""Helpers of the documentation tests: where things are, and programs run in the background.

The documentation tests are dominated by subprocesses (a Sphinx build, the samples), each
waiting on its own emulator. :class:`Runs` starts them all at once, when the first test
asks for one, so that they overlap; each test then waits only for its own result.
"""
from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
DOCS = ROOT / "docs"
SAMPLES = ROOT / "samples"
#: Generous: a sample normally needs a second or two; CI machines can be slow and busy.
TIMEOUT = 300

#: The samples (every ``samples/*.py`` but the shared plumbing).
SAMPLE_NAMES = sorted(p.stem for p in SAMPLES.glob("*.py") if not p.stem.startswith("_"))


def environment(extra: dict[str, str] | None = None) -> dict[str, str]:
    """The environment of a subprocess: this checkout's hcpsdk, and no real HCP configured."""
    env = {key: value for key, value in os.environ.items() if not key.startswith("HCP_")}
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH")]))
    env["PYTHONDONTWRITEBYTECODE"] = "1"
    env.update(extra or {})
    return env


class Run:
    """A program started in the background; :meth:`result` waits for it."""

    def __init__(self, argv: list[str], *, env: dict[str, str] | None = None,
                 stdin: str | None = None, cwd: Path = ROOT) -> None:
        self.argv = argv
        self._stdin = stdin
        self._proc = subprocess.Popen(
            argv, cwd=cwd, env=environment(env), text=True,
            stdin=subprocess.PIPE if stdin is not None else subprocess.DEVNULL,
            stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        self._result: subprocess.CompletedProcess | None = None

    def result(self, timeout: float = TIMEOUT) -> subprocess.CompletedProcess:
        if self._result is None:
            try:
                out, err = self._proc.communicate(self._stdin, timeout=timeout)
            except subprocess.TimeoutExpired:
                self._proc.kill()
                out, err = self._proc.communicate()
                err += f"\n*** killed after {timeout} seconds"
            self._result = subprocess.CompletedProcess(self.argv, self._proc.returncode, out, err)
        return self._result

    def describe(self) -> str:
        proc = self.result()
        return "{} exited with {}\n--- stdout\n{}\n--- stderr\n{}".format(
            " ".join(self.argv), proc.returncode, proc.stdout[-8000:], proc.stderr[-8000:])


def sample(name: str, *args: str, env: dict[str, str] | None = None) -> Run:
    """Start ``samples/<name>.py`` with ``args``."""
    return Run([sys.executable, str(SAMPLES / (name + ".py")), *args], env=env)


def shell(*args: str, stdin: str | None = None, env: dict[str, str] | None = None) -> Run:
    """Start ``python3 -m hcpsdk.emulator shell *args`` (code on stdin, if given, is typed
    into its prompt)."""
    return Run([sys.executable, "-m", "hcpsdk.emulator", "shell", *args], stdin=stdin, env=env)


def quick_start(code: str) -> Run:
    """Run a code snippet (the README's quick start) unchanged in the emulator shell."""
    return shell("-c", code)


class Runs:
    """The background programs of the documentation tests, started together on first use."""

    def __init__(self, tmp: Path, starters: dict[str, Callable[[], Run]]) -> None:
        self.tmp = tmp
        self._starters = starters
        self._runs: dict[str, Run] = {}

    def __getitem__(self, key: str) -> Run:
        if not self._runs:
            self._runs = {name: start() for name, start in self._starters.items()}
        return self._runs[key]

    def close(self) -> None:
        for run in self._runs.values():
            run.result()
