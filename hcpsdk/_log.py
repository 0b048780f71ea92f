"""Logging set-up of the package: one ``NullHandler`` on the ``hcpsdk`` logger.

Modules log through ``logging.getLogger(__name__)``; an application that configures
logging sees their messages, one that does not sees nothing (no "No handlers could be
found" warning, no output on stderr).
"""
from __future__ import annotations

import logging

__all__ = ["ROOT", "install_null_handler"]

#: The logger every module's logger descends from.
ROOT = "hcpsdk"


def install_null_handler() -> None:
    """Put one ``logging.NullHandler`` on the ``hcpsdk`` logger (idempotent)."""
    root = logging.getLogger(ROOT)
    if not any(isinstance(h, logging.NullHandler) for h in root.handlers):
        root.addHandler(logging.NullHandler())


install_null_handler()
