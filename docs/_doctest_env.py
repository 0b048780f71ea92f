"""The ``doctest`` builder of these pages: every ``>>>`` example runs as it is shown.

``sphinx-build -b doctest docs OUT`` reads the pages, takes every block that starts with
``>>>`` from the finished doctree (the text the HTML pages show, docstrings included) and
runs each page's blocks, in order, in one fresh ``python3 -m hcpsdk.emulator shell`` — the
very command the page shows (``$ python3 -m hcpsdk.emulator shell ...`` in a console
block, the options included). Nothing is added to or changed in the examples: a page whose
examples need a name must create it in an example, and a page with examples must show the
shell command it was typed into. Each page runs in an empty temporary directory.

The report is ``OUT/output.txt``; a failing example (or a page without its shell command)
fails the build.
"""
from __future__ import annotations

import argparse
import contextlib
import io
import json
import os
import re
import shlex
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

from docutils import nodes
from sphinx.builders import Builder
from sphinx.util import logging

DOCS = Path(__file__).resolve().parent
ROOT = DOCS.parent
RUNNER = DOCS / "_run_examples.py"

#: The console line a page shows to say where its examples are typed.
SHELL_LINE = re.compile(r"^\$ python3 -m hcpsdk\.emulator shell\b(?P<args>.*)$", re.M)
#: Seconds one page may take.
PAGE_TIMEOUT = 300

log = logging.getLogger(__name__)


def examples(doctree: nodes.Node) -> list[dict[str, Any]]:
    """The ``>>>`` blocks of a doctree as shown, with where they come from."""
    found = []
    for node in doctree.findall(lambda n: isinstance(n, (nodes.doctest_block,
                                                         nodes.literal_block))):
        text = node.astext()
        if text.lstrip().startswith(">>>"):
            found.append({"text": text, "source": node.source or "", "line": node.line or 0})
    return found


def shell_arguments(doctree: nodes.Node) -> list[list[str]]:
    """The arguments of every ``$ python3 -m hcpsdk.emulator shell`` line of a page."""
    commands = []
    for node in doctree.findall(nodes.literal_block):
        for match in SHELL_LINE.finditer(node.astext()):
            try:
                commands.append(shlex.split(match["args"]))
            except ValueError:  # continued on the next line: it runs a file, not the prompt
                continue
    return commands


def run_page(docname: str, args: list[str], blocks: list[dict[str, Any]],
             timeout: float = PAGE_TIMEOUT) -> dict[str, Any]:
    """Run one page's blocks in a fresh shell started with *args*; the runner's report."""
    with tempfile.TemporaryDirectory(prefix=f"hcpsdk-doc-{docname.replace('/', '-')}-") as tmp:
        spec = Path(tmp, ".examples.json")
        spec.write_text(json.dumps({"docname": docname, "blocks": blocks}))
        env = dict(os.environ, PYTHONPATH=os.pathsep.join(
            filter(None, [str(ROOT), os.environ.get("PYTHONPATH")])), PYTHONDONTWRITEBYTECODE="1")
        argv = [sys.executable, "-m", "hcpsdk.emulator", "shell", *args, str(RUNNER), str(spec)]
        try:
            proc = subprocess.run(argv, cwd=tmp, env=env, capture_output=True, text=True,
                                  timeout=timeout, stdin=subprocess.DEVNULL)
        except subprocess.TimeoutExpired as exc:
            return {"tried": len(blocks), "failed": len(blocks),
                    "report": f"killed after {timeout} seconds\n{exc.stdout or ''}"}
    last = proc.stdout.rstrip().rpartition("\n")[2]
    try:
        result = json.loads(last)
    except ValueError:
        return {"tried": 0, "failed": 1, "report": f"the shell exited with {proc.returncode}:\n"
                f"{proc.stdout[-6000:]}\n{proc.stderr[-6000:]}"}
    result["report"] = proc.stdout.rstrip().rpartition("\n")[0]
    if proc.returncode != 0 and not result["failed"]:
        result["failed"], result["report"] = 1, proc.stderr[-6000:]
    return result


class ShellDoctestBuilder(Builder):
    """Runs each page's ``>>>`` examples in the emulator shell the page shows."""

    name = "doctest"
    epilog = "Examples of every page run; the report is in %(outdir)s/output.txt."

    def init(self) -> None:
        self.pages: dict[str, tuple[list[list[str]], list[dict[str, Any]]]] = {}

    def get_outdated_docs(self) -> Any:
        return self.env.found_docs

    def get_target_uri(self, docname: str, typ: str | None = None) -> str:
        return ""

    def prepare_writing(self, docnames: set[str]) -> None:
        pass

    def write_doc(self, docname: str, doctree: nodes.document) -> None:
        blocks = examples(doctree)
        if blocks:
            self.pages[docname] = (shell_arguments(doctree), blocks)

    def finish(self) -> None:
        started = time.monotonic()
        jobs = {}
        results: dict[str, dict[str, Any]] = {}
        with ThreadPoolExecutor(max_workers=max(2, os.cpu_count() or 2)) as pool:
            for docname, (commands, blocks) in sorted(self.pages.items()):
                distinct = {tuple(c) for c in commands if _opens_prompt(c)}
                if len(distinct) != 1:
                    results[docname] = {"tried": 0, "failed": 1, "args": None, "report": (
                        "the page has examples but shows no `$ python3 -m hcpsdk.emulator shell`"
                        " line that opens the prompt" if not distinct else
                        f"the page shows different shell commands: {sorted(distinct)}")}
                    continue
                args = list(distinct.pop())
                jobs[docname] = (args, pool.submit(run_page, docname, args, blocks))
            for docname, (args, job) in jobs.items():
                results[docname] = dict(job.result(), args=args)
        self._report(results, time.monotonic() - started)

    def _report(self, results: dict[str, dict[str, Any]], seconds: float) -> None:
        lines = [f"Results of the doctest builder ({seconds:.1f} s)", ""]
        tried = failed = 0
        for docname, result in sorted(results.items()):
            tried += result["tried"]
            failed += result["failed"]
            command = " ".join(["python3 -m hcpsdk.emulator shell", *(result["args"] or [])])
            lines += [f"Document: {docname}", f"  shell: {command}",
                      f"  {result['tried']} tests, {result['failed']} failures"]
            if result["failed"]:
                lines.append(result["report"])
                log.error("%s: %d of the examples failed (see %s/output.txt)", docname,
                          result["failed"], self.outdir)
            lines.append("")
        lines += ["Doctest summary", "===============", f"{tried:5} tests",
                  f"{failed:5} failures in tests"]
        Path(self.outdir).mkdir(parents=True, exist_ok=True)
        Path(self.outdir, "output.txt").write_text("\n".join(lines) + "\n")
        if failed:
            self.app.statuscode = 1


def _opens_prompt(args: list[str]) -> bool:
    """Whether a shell line opens the prompt (a line that runs a file or ``-c`` does not)."""
    from hcpsdk.emulator.shell import build_parser

    parser = build_parser()
    parser.exit_on_error = False
    try:
        with contextlib.redirect_stderr(io.StringIO()):  # argparse's complaint: not needed
            options = parser.parse_args(args)
    except (argparse.ArgumentError, SystemExit):
        return False
    return options.command is None and options.file is None


def setup(app: Any) -> dict[str, Any]:
    app.add_builder(ShellDoctestBuilder)
    return {"parallel_read_safe": True}
