"""README.rst: the two commands stay exactly as CI runs them, and the quick start works."""
from __future__ import annotations

from docs_support import ROOT

README = (ROOT / "README.rst").read_text()

RUN_SAMPLE = "python3 -m pip install -e '.[emulator]' && python3 samples/simple_primary_only.py"
RUN_TESTS = ("python3 -m pip install -e '.[test]' --config-settings editable_mode=compat "
             "&& python3 -m pytest")


def test_readme_keeps_the_two_commands_verbatim():
    lines = [line.strip() for line in README.splitlines()]
    assert RUN_SAMPLE in lines
    assert RUN_TESTS in lines
    assert RUN_TESTS in (ROOT / ".ci" / "run").read_text()


def test_readme_quick_start_runs_as_written(runs):
    run = runs["readme"]
    proc = run.result()
    assert proc.returncode == 0, run.describe()
    assert proc.stdout.splitlines() == [
        "201 SHA-256 FCB9D6E82D5FE5657A854AFD9C70D3C5DC6D208085972DEFBF93F8E92AA3CEA6",
        "b'Hello, HCP!'"]
