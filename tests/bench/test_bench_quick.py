"""The benchmark's quick mode runs and reports every row (no timing is asserted)."""
from __future__ import annotations

import os
import re
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
CLIENTS = ("raw floor (http.client)", "matched floor (http.client)", "hcpsdk (this)")


def _rows(text: str) -> dict[str, set[tuple[str, str]]]:
    """``{group: {(workload, client), ...}}`` from the markdown report."""
    groups: dict[str, set[tuple[str, str]]] = {}
    group = None
    for line in text.splitlines():
        if line.startswith("### "):
            group = line[4:]
            groups[group] = set()
        elif group and line.startswith("| ") and not line.startswith(("| workload", "| ---",
                                                                       "| target")):
            cells = [c.strip() for c in line.strip("|").split("|")]
            groups[group].add((cells[0], cells[1]))
    return groups


def test_quick_mode_produces_every_row_and_every_target(tmp_path):
    out = tmp_path / "quick.md"
    proc = subprocess.run(
        [sys.executable, os.path.join(ROOT, "bench", "run.py"), "--quick", "--no-095",
         "--no-urllib3", "--quiet", "--markdown", str(out)],
        cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr[-3000:]
    text = out.read_text()
    assert text == proc.stdout
    assert re.search(r"^- server: (nginx|hcpsdk emulator)", text, re.M)
    groups = _rows(text)
    nginx = text.startswith("# hcpsdk benchmark") and "- server: nginx" in text
    small = [g for g in groups if g.startswith("small 1 KiB") and "TLS" not in g]
    assert len(small) == 2
    for group in small:
        assert groups[group] == {(m, c) for m in ("PUT", "GET", "DELETE") for c in CLIENTS}
    tls = [g for g in groups if g.startswith("small 1 KiB over TLS")]
    assert len(tls) == (1 if nginx else 0)  # nginx serves TLS too; the bench's emulator not
    for group in tls:
        assert groups[group] == {(m, c) for m in ("PUT", "GET", "DELETE")
                                 for c in (CLIENTS[0], CLIENTS[2])}
    large = next(g for g in groups if g.startswith("large "))
    assert groups[large] == {(m, c) for m in ("PUT", "GET") for c in CLIENTS}
    ingest = next(g for g in groups if g.startswith("ingest "))
    assert groups[ingest] == {("PUT", CLIENTS[0]), ("PUT", CLIENTS[2])}
    assert groups["import (fresh interpreter)"] == {("import", "http.client, ssl"),
                                                    ("import", "hcpsdk (this)")}
    speed = [g for g in groups if g.startswith("server speed")]
    assert [g.split(":")[0] for g in speed] == ["server speed",
                                                "server speed as http.client sees it",
                                                "server speed as hcpsdk sees it"]
    assert "lean load client" in speed[0]  # target 6 is judged with the server as bottleneck
    for group in speed:
        assert groups[group] == {(m, c) for m in ("PUT", "GET", "DELETE")
                                 for c in ("hcpsdk emulator", "stdlib dict store")}
    targets = re.findall(r"^\| (\d)\. .*? \| (yes|NO) \| (.+) \|$", text, re.M)
    assert [t[0] for t in targets] == ["1", "2", "3", "4", "5", "6", "7"][:7 if nginx else 6]
    assert all(t[2] for t in targets)
