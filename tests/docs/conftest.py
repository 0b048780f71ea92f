"""Fixtures of the documentation tests."""
from __future__ import annotations

import re
import sys
import textwrap

import pytest
from docs_support import DOCS, ROOT, SAMPLE_NAMES, Run, Runs, quick_start, sample


def _doctest_build(out) -> Run:
    return Run([sys.executable, "-m", "sphinx", "-W", "--keep-going", "-q", "-b", "doctest",
                "-d", str(out / "doctrees"), str(DOCS), str(out / "doctest")])


def _readme_quick_start() -> Run:
    readme = (ROOT / "README.rst").read_text()
    block = re.search(r"Quick start\n-+\n\n\.\. code-block:: python\n\n((?:    .*\n|\n)+)", readme)
    return quick_start(textwrap.dedent(block.group(1)) if block else "raise SystemExit('none')")


def _pytest_example(tmp) -> Run:
    # The plugin is loaded explicitly, whether or not the entry point is installed.
    return Run([sys.executable, "-m", "pytest", "-q", "-p", "hcpsdk.emulator.plugin",
                "-p", "no:cacheprovider", "--rootdir", str(tmp),
                str(DOCS / "examples" / "test_with_emulator.py")],
               env={"PYTEST_DISABLE_PLUGIN_AUTOLOAD": "1"}, cwd=tmp)


@pytest.fixture(scope="session")
def runs(tmp_path_factory):
    """The Sphinx doctest build, every sample, and the other documented programs."""
    tmp = tmp_path_factory.mktemp("docs")
    starters = {"doctest": lambda: _doctest_build(tmp),
                "readme": _readme_quick_start,
                "pytest-example": lambda: _pytest_example(tmp),
                "simple_primary_only --debug": lambda: sample("simple_primary_only", "--debug")}
    for name in SAMPLE_NAMES:
        starters[name] = lambda name=name: sample(name)
    background = Runs(tmp, starters)
    yield background
    background.close()


@pytest.fixture(scope="session")
def docs_emulator():
    """An emulator that plays the part of a configured, "real" HCP for the samples."""
    emulator = pytest.importorskip("hcpsdk.emulator")
    with emulator.Emulator(nodes=2, domain="hcp7.example.com") as hcp:
        yield hcp
