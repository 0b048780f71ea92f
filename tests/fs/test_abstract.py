"""fsspec's own test suite for filesystems (copy, get, put, open, pipe), unchanged."""
from __future__ import annotations

import itertools

import pytest

abstract = pytest.importorskip("fsspec.tests.abstract",
                               reason="the extra hcpsdk[fsspec] is not installed")

_folders = itertools.count()


class HcpFixtures(abstract.AbstractFixtures):
    @pytest.fixture
    def fs(self, hcp_emulator):
        import fsspec

        return fsspec.filesystem("hcp", target=hcp_emulator.target())

    @pytest.fixture
    def fs_path(self, fs):
        path = f"/rest/fs-abstract/run{next(_folders)}"
        yield path
        if fs.exists(path):
            fs.rm(path, recursive=True)


class TestHcpCopy(abstract.AbstractCopyTests, HcpFixtures):
    pass


class TestHcpGet(abstract.AbstractGetTests, HcpFixtures):
    pass


class TestHcpPut(abstract.AbstractPutTests, HcpFixtures):
    pass


class TestHcpPipe(abstract.AbstractPipeTests, HcpFixtures):
    pass


class TestHcpOpen(abstract.AbstractOpenTests, HcpFixtures):
    pass
