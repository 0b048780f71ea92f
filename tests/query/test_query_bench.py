"""The query benchmark runs and reports every row (its numbers are judged in bench/RESULTS.md)."""
from __future__ import annotations

import os
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def test_query_bench_reports_every_workload(tmp_path):
    out = tmp_path / "query.md"
    proc = subprocess.run([sys.executable, os.path.join(ROOT, "bench", "query_bench.py"),
                           "--objects", "1500", "--page-size", "500", "--markdown", str(out)],
                          cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr[-3000:]
    rows = [line for line in out.read_text().splitlines() if line.startswith("| ")][2:]
    assert [row.split("|")[1].strip() for row in rows] == [
        "objects, paged (json)", "objects, paged (xml)", "change feed, paged (json)",
        "objects, all kept in a list (json)"]
    assert all(row.split("|")[2].strip() == "1,500" for row in rows)
