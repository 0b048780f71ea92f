"""Loggers that import :mod:`logging` only when first used.

``import logging`` costs about as much as a quarter of ``import http.client, ssl``;
hcpsdk promises a cheap import (issue 6), so its modules log through
:func:`get_logger`, which behaves like ``logging.getLogger(__name__)`` and, on
first use, installs the one ``NullHandler`` at the package root.
"""
from __future__ import annotations

import sys

__all__ = ["get_logger", "install_null_handler", "DEBUG"]

DEBUG = 10  # logging.DEBUG
ROOT = "hcpsdk"


def install_null_handler() -> None:
    """Put one ``logging.NullHandler`` on the ``hcpsdk`` logger (idempotent)."""
    import logging

    root = logging.getLogger(ROOT)
    if not any(isinstance(h, logging.NullHandler) for h in root.handlers):
        root.addHandler(logging.NullHandler())


class _LazyLogger:
    """Stands in for ``logging.getLogger(name)`` until a message is logged.

    After the first use the logger's own methods are bound on the instance, so a
    call costs what a call of the real logger costs.
    """

    def __init__(self, name: str) -> None:
        self._name = name
        self._logger = None

    def _load(self):  # type: ignore[no-untyped-def]
        import logging

        install_null_handler()
        logger = self._logger = logging.getLogger(self._name)
        for method in ("isEnabledFor", "debug", "info", "warning", "error"):
            setattr(self, method, getattr(logger, method))
        return logger

    def isEnabledFor(self, level: int) -> bool:
        return (self._logger or self._load()).isEnabledFor(level)

    def debug(self, msg: str, *args: object) -> None:
        (self._logger or self._load()).debug(msg, *args)

    def info(self, msg: str, *args: object) -> None:
        (self._logger or self._load()).info(msg, *args)

    def warning(self, msg: str, *args: object) -> None:
        (self._logger or self._load()).warning(msg, *args)

    def error(self, msg: str, *args: object) -> None:
        (self._logger or self._load()).error(msg, *args)

    @property
    def name(self) -> str:
        return self._name

    def __repr__(self) -> str:
        return f"<lazy logger {self._name}>"


def get_logger(name: str) -> _LazyLogger:
    """The logger of module ``name`` (``logging`` is imported on its first use)."""
    return _LazyLogger(name)


if "logging" in sys.modules:  # already paid for by the application: set up now
    install_null_handler()
