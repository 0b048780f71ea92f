"""The documentation builds without warnings, documents every public name, and its examples pass.

One ``sphinx-build -W -b doctest`` run (in a subprocess, as CI runs it) reads every page —
autodoc included, so docstring problems are warnings and fail it — and runs every
``>>>`` example as the page shows it, typed into the emulator shell the page shows
(``docs/_doctest_env.py``).
"""
from __future__ import annotations

import importlib
import inspect
import pickle
import pkgutil
import re

import pytest
from docs_support import DOCS

import hcpsdk
from hcpsdk.exceptions import HcpsdkError

pytest.importorskip("sphinx", reason="the documentation needs Sphinx: pip install -e '.[docs]'")

#: Modules whose ``__all__`` the API reference must cover, each name in its documented home.
DOCUMENTED_MODULES = ["hcpsdk", "hcpsdk.ips", "hcpsdk.namespace", "hcpsdk.pathbuilder",
                      "hcpsdk.mapi", "hcpsdk.ingest", "hcpsdk.emulator", "hcpsdk.objects",
                      "hcpsdk.query"]
#: Pages whose examples must be run (a page without a single test means they were lost).
PAGES_WITH_EXAMPLES = ["hcpsdk", "ssl", "ips", "namespace", "pathbuilder", "mapi", "emulator",
                       "retries", "threadsafety", "performance", "objects",
                       "safety", "query"]


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
    assert proc.returncode == 0, (f"sphinx-build -W -b doctest failed:\n{proc.stdout[-4000:]}\n"
                                  f"{proc.stderr[-4000:]}\n{_failures(summary)}")
    assert re.search(r"^\s+0 failures in tests$", summary, re.M), summary[-800:]
    tests = int(re.search(r"^\s+(\d+) tests?$", summary, re.M).group(1))
    assert tests >= 140, f"only {tests} examples ran"


def test_every_chapter_with_examples_ran_them(build):
    _proc, summary = build
    for page in PAGES_WITH_EXAMPLES:
        ran = re.search(rf"^Document: {page}\n  shell: .*\n  (\d+) tests, 0 failures$", summary,
                        re.M)
        assert ran and int(ran[1]) > 0, page


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
               and f"{module_name}.{name}" not in documented_objects]
    assert not missing, f"not in the API reference of {module_name}: {missing}"


def test_every_exception_is_documented_somewhere(documented_objects):
    exceptions = importlib.import_module("hcpsdk.exceptions")
    documented = {name.rsplit(".", 1)[1] for name, entry in documented_objects.items()
                  if entry.objtype == "exception"}
    assert set(exceptions.__all__) <= documented, set(exceptions.__all__) - documented


_TREE_BLOCK = re.compile(r"^\.\. code-block:: text\n   :name: (exception-tree\S*)\n\n((?:   .*\n|\n)+)", re.M)
_TREE_LINE = re.compile(r"^(?P<prefix>[│├└─ ]*)(?P<name>[A-Z]\w*)(?:\((?P<bases>[\w, ]+)\))?"
                        r"(?: {2,}(?P<text>\S.*))?$")
_CONTINUATION = re.compile(r"^[│ ]+(?P<text>hcpsdk[\w.]*: \S.*)$")


def _package_exceptions() -> dict[str, type]:
    """Every exception class defined in a module of hcpsdk, by its qualified name."""
    found: dict[str, type] = {}
    for info in pkgutil.walk_packages(hcpsdk.__path__, "hcpsdk."):
        if info.name.endswith(".__main__"):  # running it starts an emulator
            continue
        module = importlib.import_module(info.name)
        for obj in vars(module).values():
            # __module__ is the documented home (hcpsdk.mapi for hcpsdk.exceptions' LogsError)
            if inspect.isclass(obj) and issubclass(obj, BaseException) \
                    and obj.__module__.split(".")[0] == "hcpsdk":
                found[f"{obj.__module__}.{obj.__qualname__}"] = obj
    return found


def _drawn_trees(text: str) -> dict[str, dict[str, tuple[str | None, list[str] | None, str]]]:
    """The trees of docs/exceptions.rst: block name -> class name -> (tree parent, bases, text)."""
    trees = {}
    for block_name, block in _TREE_BLOCK.findall(text):
        tree: dict[str, tuple[str | None, list[str] | None, str]] = {}
        stack: list[tuple[int, str]] = []
        last = None
        for line in block.splitlines():
            line = line[3:].rstrip()
            if not line:
                continue
            more = _CONTINUATION.match(line)
            if more and last and not tree[last][2]:
                tree[last] = tree[last][:2] + (more["text"],)
                continue
            match = _TREE_LINE.match(line)
            assert match, f"{block_name}: not a line of the tree: {line!r}"
            column = len(match["prefix"])
            while stack and stack[-1][0] >= column:
                stack.pop()
            bases = [b.strip() for b in match["bases"].split(",")] if match["bases"] else None
            last = match["name"]
            assert last not in tree, f"{last} drawn twice"
            tree[last] = (stack[-1][1] if stack else None, bases, match["text"] or "")
            stack.append((column, last))
        trees[block_name] = tree
    return trees


def test_the_package_walk_finds_the_exceptions_of_every_part():
    names = set(_package_exceptions())
    assert {"hcpsdk.exceptions.HcpsdkError", "hcpsdk.ips.IpsError", "hcpsdk.mapi.LogsStatusError",
            "hcpsdk.emulator.tls.MissingExtraError", "hcpsdk.emulator.errors.RequestRefused",
            "hcpsdk.emulator.http11.HeadTooLarge"} <= names


def test_every_exception_of_the_package_is_an_hcpsdk_error_drawn_in_the_tree():
    trees = _drawn_trees((DOCS / "exceptions.rst").read_text(encoding="utf-8"))
    assert set(trees) == {"exception-tree"}, f"one tree only, not {set(trees)}"
    main = trees["exception-tree"]
    exceptions = _package_exceptions()
    not_hcpsdk = sorted(name for name, cls in exceptions.items() if not issubclass(cls, HcpsdkError))
    assert not not_hcpsdk, f"not derived from hcpsdk.exceptions.HcpsdkError: {not_hcpsdk}"
    not_drawn = sorted(name for name, cls in exceptions.items() if cls.__name__ not in main)
    assert not not_drawn, f"not drawn in the tree of docs/exceptions.rst: {not_drawn}"
    by_name = {cls.__name__: cls for cls in exceptions.values()}
    assert len(by_name) == len(exceptions), "two exception classes of the same name"
    assert set(main) <= set(by_name), set(main) - set(by_name)
    for name, (parent, bases, text) in main.items():
        real = [base.__name__ for base in by_name[name].__bases__]
        home = re.match(r"(hcpsdk[\w.]*): \S", text)
        assert home, f"{name}: no line of its own"
        assert getattr(importlib.import_module(home[1]), name, None) is by_name[name], \
            f"{name} is not in {home[1]}"
        # the tree parent is the first base; more bases (or a root's) are all shown
        assert parent is None or parent == real[0], f"{name} drawn below {parent}: bases {real}"
        if bases is not None or parent is None or len(real) > 1:
            assert bases == real, f"{name} drawn with bases {bases}, has {real}"
    assert [name for name, entry in main.items() if entry[0] is None] == ["HcpsdkError"]
