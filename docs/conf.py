"""Sphinx configuration of the hcpsdk documentation.

Build the HTML pages (warnings are errors)::

    sphinx-build -W -b html docs docs/_build/html

Run every ``>>>`` example of these pages exactly as shown, each page in the emulator shell
it names (see ``_doctest_env.py``)::

    sphinx-build -W -b doctest docs docs/_build/doctest
"""
from __future__ import annotations

import sys
from pathlib import Path

DOCS = Path(__file__).resolve().parent
ROOT = DOCS.parent
# The source tree comes first, so that the pages document (and the doctests
# exercise) this checkout, not some other installed hcpsdk.
sys.path[:0] = [str(ROOT), str(DOCS)]

from hcpsdk._version import __version__  # noqa: E402

project = "hcpsdk"
author = "The hcpsdk developers"
copyright = "2026, The hcpsdk developers"
version = release = __version__

extensions = [
    "sphinx.ext.autodoc",
    "_doctest_env",
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
# ``-b doctest`` is the builder of _doctest_env.py: each page's ">>>" examples run as shown,
# typed into the ``python3 -m hcpsdk.emulator shell`` that the page shows.
