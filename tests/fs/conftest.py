"""Fixtures of the fsspec tests: the session's emulator as an ``hcp`` filesystem.

The tests run from the source tree, where fsspec can't see the ``fsspec.specs``
entry point of an installed hcpsdk: importing :mod:`hcpsdk.fs` registers the
protocol (``test_registration.py`` checks the entry point itself). Every test
works in a folder of its own under ``/rest/fs-tests``.
"""
from __future__ import annotations

import itertools

import pytest

fsspec = pytest.importorskip("fsspec", reason="the extra hcpsdk[fsspec] is not installed "
                                              "(python3 -m pip install 'hcpsdk[fsspec]')")

import hcpsdk.fs  # noqa: E402,F401  (registers the protocol 'hcp')

_folders = itertools.count()


@pytest.fixture
def fs(hcp_emulator):
    """An HcpFileSystem on the emulator's default namespace."""
    return fsspec.filesystem("hcp", target=hcp_emulator.target())


@pytest.fixture
def folder(fs):
    """A fresh folder for the test (removed afterwards)."""
    path = f"/rest/fs-tests/t{next(_folders)}"
    yield path
    if fs.exists(path):
        fs.rm(path, recursive=True)
