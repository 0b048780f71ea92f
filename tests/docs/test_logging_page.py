"""docs/logging.rst names every logger of the package with the levels its code logs at."""
from __future__ import annotations

import re

from docs_support import DOCS, ROOT

import hcpsdk.mapi
import hcpsdk.namespace
import hcpsdk.query

_LEVEL = {"debug": "DEBUG", "info": "INFO", "warning": "WARNING", "error": "ERROR",
          "exception": "ERROR"}
_CALL = re.compile(r"\b(?:log|self\._log)\.(debug|info|warning|error|exception)\(")
_LOGGER = re.compile(r"\bgetLogger\((?:__name__|type\(self\)\.__module__)\)")
#: The classes whose requests the shared session code logs under their own module's name.
_SESSION_CLASSES = [hcpsdk.namespace.Info, hcpsdk.mapi.Replication, hcpsdk.mapi.Tenant,
                    hcpsdk.mapi.Chargeback, hcpsdk.mapi.Logs, hcpsdk.query.Search]


def loggers_in_code() -> dict[str, set[str]]:
    """Logger name -> the levels logged under it (the emulator's modules as one)."""
    found: dict[str, set[str]] = {}
    for path in sorted((ROOT / "hcpsdk").rglob("*.py")):
        text = path.read_text()
        if not _LOGGER.search(text) or path.name == "_log.py":  # _log.py makes the loggers
            continue
        name = ".".join(path.relative_to(ROOT).with_suffix("").parts).removesuffix(".__init__")
        levels = {_LEVEL[call] for call in _CALL.findall(text)}
        if name == "hcpsdk._session":
            for cls in _SESSION_CLASSES:
                found.setdefault(cls.__module__, set()).update(levels)
            levels = set()
        if name.startswith("hcpsdk.emulator"):
            name = "hcpsdk.emulator.*"
        found.setdefault(name, set()).update(levels)
    return found


def loggers_on_page() -> dict[str, set[str]]:
    text = (DOCS / "logging.rst").read_text()
    table = text[text.index(":name: logger-table"):text.index("What is never logged")]
    found: dict[str, set[str]] = {}
    for row in table.split("\n   * - ")[2:]:  # the options, then the header row
        names, levels = row.split("\n     - ")[:2]
        for name in re.findall(r"``([\w.*]+)``", names):
            found[name] = set(re.findall(r"DEBUG|INFO|WARNING|ERROR", levels))
    return found


def test_the_page_names_every_logger_with_the_levels_it_logs_at():
    page = loggers_on_page()
    code = loggers_in_code()
    assert {"hcpsdk.connection", "hcpsdk.namespace", "hcpsdk.emulator.*"} <= set(code)
    for name, levels in code.items():
        assert name in page, f"{name} is not on docs/logging.rst"
        assert page[name] == levels, f"{name}: page says {page[name]}, the code logs {levels}"
    assert set(page) - set(code) == {"hcpsdk", "hcpsdk.emulator"}
