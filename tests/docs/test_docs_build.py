"""The documentation builds without warnings, documents every public name, and its examples pass.

One ``sphinx-build -W -b doctest`` run (in a subprocess, as CI runs it) reads every page —
autodoc included, so docstring problems are warnings and fail it — and runs every
``>>>`` example against the emulator.
"""
from __future__ import annotations

import importlib
import pickle
import re

import pytest

pytest.importorskip("sphinx", reason="the documentation needs Sphinx: pip install -e '.[docs]'")

#: Modules whose ``__all__`` the API reference must cover, each name in its documented home.
DOCUMENTED_MODULES = ["hcpsdk", "hcpsdk.ips", "hcpsdk.namespace", "hcpsdk.pathbuilder",
                      "hcpsdk.mapi", "hcpsdk.ingest", "hcpsdk.emulator"]
#: Pages whose examples must be run (a page without a single test means they were lost).
PAGES_WITH_EXAMPLES = ["hcpsdk", "ssl", "ips", "namespace", "pathbuilder", "mapi", "emulator",
                       "retries", "threadsafety", "performance"]


@pytest.fixture(scope="module")
def build(runs):
    """The result of the doctest build, and its summary (``output.txt``)."""
    proc = runs["doctest"].result()
    report = runs.tmp / "doctest" / "output.txt"
    return proc, report.read_text() if report.exists() else ""


def _failures(summary: str) -> str:
    # doctest's report of each failed example sits between lines of asterisks
    blocks = re.findall(r"^\*{70}\n(File .*?)(?=^\*{70}$)", summary, re.M | re.S)
    return "\n".join(blocks) or summary[-4000:]


def test_docs_build_without_warnings_and_every_example_passes(build):
    proc, summary = build
    assert proc.returncode == 0, "sphinx-build -W -b doctest failed:\n{}\n{}\n{}".format(
        proc.stdout[-4000:], proc.stderr[-4000:], _failures(summary))
    for part in ("tests", "setup code", "cleanup code"):
        assert re.search(r"^\s+0 failures in {}$".format(part), summary, re.M), summary[-800:]
    tests = int(re.search(r"^\s+(\d+) tests?$", summary, re.M).group(1))
    assert tests >= 140, "only {} examples ran".format(tests)


def test_every_chapter_with_examples_ran_them(build):
    _proc, summary = build
    for page in PAGES_WITH_EXAMPLES:
        assert re.search(r"^Document: {}$".format(page), summary, re.M), page


@pytest.fixture(scope="module")
def documented_objects(runs, build):
    with open(runs.tmp / "doctrees" / "environment.pickle", "rb") as f:
        env = pickle.load(f)
    return env.domaindata["py"]["objects"]


@pytest.mark.parametrize("module_name", DOCUMENTED_MODULES)
def test_every_public_name_is_in_the_api_reference(documented_objects, module_name):
    module = importlib.import_module(module_name)
    assert module_name in documented_objects
    missing = [name for name in module.__all__ if not name.startswith("_")
               and "{}.{}".format(module_name, name) not in documented_objects]
    assert not missing, "not in the API reference of {}: {}".format(module_name, missing)


def test_every_exception_is_documented_somewhere(documented_objects):
    exceptions = importlib.import_module("hcpsdk.exceptions")
    documented = {name.rsplit(".", 1)[1] for name, entry in documented_objects.items()
                  if entry.objtype == "exception"}
    assert set(exceptions.__all__) <= documented, set(exceptions.__all__) - documented
