"""Sphinx configuration of the hcpsdk documentation.

Build the HTML pages (warnings are errors)::

    sphinx-build -W -b html docs docs/_build/html

Run every ``>>>`` example of these pages against a freshly started emulator::

    sphinx-build -W -b doctest docs docs/_build/doctest
"""
from __future__ import annotations

import re
import sys
from pathlib import Path

DOCS = Path(__file__).resolve().parent
ROOT = DOCS.parent
# The source tree comes first, so that the pages document (and the doctests
# exercise) this checkout, not some other installed hcpsdk.
sys.path[:0] = [str(ROOT), str(DOCS)]

import _doctest_env  # noqa: E402

from hcpsdk._version import __version__  # noqa: E402

project = "hcpsdk"
author = "The hcpsdk developers"
copyright = "2026, The hcpsdk developers"
version = release = __version__

extensions = [
    "sphinx.ext.autodoc",
    "sphinx.ext.doctest",
    "sphinx.ext.viewcode",
]

exclude_patterns = ["_build"]
templates_path: list[str] = []
root_doc = "index"
language = "en"
pygments_style = "sphinx"

html_theme = "alabaster"
html_title = f"hcpsdk {release}"
html_static_path: list[str] = []
html_theme_options = {
    "description": "The Python SDK for Hitachi Content Platform",
    "fixed_sidebar": True,
}

# The benchmark engineer's results live beside the code; link them when they are there.
_BENCH_RESULTS = ROOT / "bench" / "RESULTS.md"
rst_epilog = ".. |bench-results| replace:: {}\n".format(
    ":download:`bench/RESULTS.md <../bench/RESULTS.md>`" if _BENCH_RESULTS.is_file()
    else "``bench/RESULTS.md``")

# -- autodoc --------------------------------------------------------------------------
autodoc_member_order = "bysource"
autodoc_typehints = "description"
autodoc_typehints_description_target = "documented_params"
autodoc_class_signature = "mixed"
autodoc_preserve_defaults = True

# -- doctest --------------------------------------------------------------------------
# Each page's examples run against an emulator of their own (a fresh namespace per page),
# which also answers the DNS queries of the examples, so that the documented form
# ``hcpsdk.Target('n1.m.hcp1.example.com', auth, port=443)`` works as written.
doctest_global_setup = "from _doctest_env import start as _start\nhcp, _stack = _start()"
doctest_global_cleanup = "_stack.close()"
doctest_default_flags = (
    __import__("doctest").ELLIPSIS
    | __import__("doctest").NORMALIZE_WHITESPACE
    | __import__("doctest").DONT_ACCEPT_TRUE_FOR_1
)
doctest_test_doctest_blocks = "default"

_PORT_RE = re.compile(r"\bport=(443|9090)\b")


def _portable_examples(app, docname: str, source: list[str]) -> None:
    """Let the examples' literal ports 443/9090 work where they can't be bound.

    Only root (or a system with a lowered ``ip_unprivileged_port_start``) may bind
    ports below 1024, so elsewhere the emulator falls back to an ephemeral port.
    For the doctest builder alone, ``port=443`` / ``port=9090`` in example lines
    then become the emulator's real ports; the HTML pages always show the literal
    form a program for a real HCP uses.
    """
    if app.builder.name != "doctest" or _doctest_env.STANDARD_PORTS:
        return
    replacement = {"443": "port=hcp.https_port, tls=True", "9090": "port=hcp.mapi_port, tls=True"}

    def fix(line: str) -> str:
        if line.lstrip().startswith((">>> ", "... ")):
            return _PORT_RE.sub(lambda m: replacement[m.group(1)], line)
        return line

    source[0] = "\n".join(fix(line) for line in source[0].split("\n"))


def setup(app):
    app.connect("source-read", _portable_examples)
    return {"parallel_read_safe": True}
