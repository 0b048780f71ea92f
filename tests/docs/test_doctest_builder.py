"""The doctest builder of the documentation (``docs/_doctest_env.py``) on pages made for it:
examples run as shown, in the shell the page shows, and a page that doesn't show one fails."""
from __future__ import annotations

import re
import subprocess
import sys
import textwrap

import pytest
from docs_support import DOCS, environment

pytest.importorskip("sphinx", reason="the documentation needs Sphinx: pip install -e '.[docs]'")

SHELL = "\n.. code-block:: console\n\n   $ python3 -m hcpsdk.emulator shell{}\n\n"
PAGES = {
    "index": ".. toctree::\n\n   good\n   replica\n   failing\n   noshell\n   twoshells\n",
    "good": "Good\n====\n" + SHELL.format("") + SHELL.format(" script.py") + textwrap.dedent("""\
        >>> x = 40
        >>> hcp.domain
        'hcp1.example.com'

        A later block sees what an earlier one made, and a ``pycon`` block counts too:

        .. code-block:: pycon

           >>> x + 2
           42
        """),
    "replica": "Replica\n=======\n" + SHELL.format(" --replica active-passive")
               + ">>> hcp2.domain, 'x' in dir()\n('hcp2.example.com', False)\n",
    "failing": "Failing\n=======\n" + SHELL.format("") + ">>> 1 + 1\n3\n",
    "noshell": "No shell\n========\n\n>>> 1\n1\n",
    "twoshells": "Two\n===\n" + SHELL.format("") + SHELL.format(" --replica active-active")
                 + ">>> 1\n1\n",
}


@pytest.fixture(scope="module")
def report(tmp_path_factory):
    src = tmp_path_factory.mktemp("src")
    (src / "conf.py").write_text(f"import sys\nsys.path.insert(0, {str(DOCS)!r})\n"
                                 "extensions = ['_doctest_env']\n")
    for name, text in PAGES.items():
        (src / f"{name}.rst").write_text(text)
    out = tmp_path_factory.mktemp("out")
    proc = subprocess.run([sys.executable, "-m", "sphinx", "-q", "-b", "doctest", str(src),
                           str(out)], capture_output=True, text=True, timeout=300,
                          env=environment())
    return proc, (out / "output.txt").read_text()


def _page(summary: str, name: str) -> str:
    return re.search(rf"^Document: {name}\n(.*?)(?=^Document: |^Doctest summary)", summary,
                     re.M | re.S)[1]


def test_a_failing_page_fails_the_build(report):
    proc, summary = report
    assert proc.returncode != 0
    assert "failing: 1 of the examples failed" in proc.stderr


def test_blocks_of_a_page_share_one_prompt_of_the_shell_it_shows(report):
    _proc, summary = report
    assert _page(summary, "good") == ("  shell: python3 -m hcpsdk.emulator shell\n"
                                      "  3 tests, 0 failures\n\n")
    assert _page(summary, "replica").startswith(
        "  shell: python3 -m hcpsdk.emulator shell --replica active-passive\n"
        "  1 tests, 0 failures")


def test_the_expected_output_is_compared(report):
    _proc, summary = report
    page = _page(summary, "failing")
    assert "1 tests, 1 failures" in page and "Expected:\n    3\nGot:\n    2" in page


def test_a_page_must_show_the_single_shell_its_examples_are_typed_into(report):
    _proc, summary = report
    assert "shows no `$ python3 -m hcpsdk.emulator shell` line" in _page(summary, "noshell")
    assert "shows different shell commands" in _page(summary, "twoshells")
