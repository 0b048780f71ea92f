"""The curl session of docs/curl.rst, run as shown against a standalone emulator.

The first line of the session sets NODE, PORT and CA "from the banner": it is the one line
replaced, by the values of the emulator started here. Every other line runs as printed, and
what it prints is compared with what the page shows.
"""
from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys

import pytest
from docs_support import DOCS, environment

pytestmark = pytest.mark.skipif(shutil.which("curl") is None or shutil.which("bash") is None,
                                reason="needs curl and bash")

MARK = "@@@ next command @@@"


def session() -> list[tuple[str, list[str]]]:
    """The commands of the page's curl session, each with the lines it prints."""
    text = (DOCS / "curl.rst").read_text()
    block = re.search(r"^\.\. code-block:: console\n   :name: curl-session\n\n((?:   .*\n|\n)+)",
                      text, re.M)[1]
    steps: list[tuple[str, list[str]]] = []
    for line in block.splitlines():
        line = line[3:]
        if line.startswith("$ "):
            steps.append((line[2:], []))
        elif line:
            steps[-1][1].append(line)
    return steps


def test_the_session_starts_with_the_banner_values_and_does_what_the_chapter_says():
    steps = session()
    assert steps[0][0].startswith("NODE=") and " PORT=" in steps[0][0]
    assert len(steps) >= 8


def test_the_curl_session_runs_as_shown(tmp_path):
    proc = subprocess.Popen([sys.executable, "-m", "hcpsdk.emulator", "--nodes", "1", "--json"],
                            stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
                            env=environment(), cwd=tmp_path)
    try:
        info = json.loads(proc.stdout.readline())
        port = info["https_port"]
        steps = session()
        script = [f"NODE={info['addresses'][0]} PORT={port} CA={info['cafile']}"]
        for command, _output in steps[1:]:
            script += [f"echo '{MARK}'", command]
        run = subprocess.run(["bash", "-c", "\n".join(script)], capture_output=True, text=True,
                             timeout=60, cwd=tmp_path)
    finally:
        proc.stdin.write("quit\n")
        proc.stdin.close()
        proc.wait(timeout=30)
        proc.stdout.close()
    assert run.returncode == 0, run.stderr
    printed = run.stdout.split(MARK + "\n")[1:]
    assert len(printed) == len(steps) - 1
    for (command, expected), got in zip(steps[1:], printed, strict=True):
        lines = [line.rstrip("\r") for line in got.splitlines()]
        assert lines == expected, f"{command}\n{run.stderr}"
