"""hcpsdk.fs — an HCP namespace as an fsspec filesystem (protocol ``hcp``).

With the extra installed (``python3 -m pip install 'hcpsdk[fsspec]'``) fsspec finds
the filesystem through its ``fsspec.specs`` entry point, so pandas, pyarrow, Dask
and every other fsspec user read and write ``hcp://`` URLs::

    import fsspec, pandas
    fs = fsspec.filesystem("hcp", target=target)     # paths: /rest/dir/name
    df = pandas.read_csv("hcp://n1.m.hcp1.example.com/rest/t.csv",
                         storage_options={"user": "n", "password": "n01"})

Importing this module also registers the protocol, for programs that run hcpsdk
from a source tree rather than an installed distribution.

.. versionadded:: 1.0
"""
from __future__ import annotations

try:
    import fsspec  # type: ignore[import-untyped]
except ImportError as exc:  # pragma: no cover - depends on the installation
    raise ImportError("hcpsdk.fs needs fsspec: python3 -m pip install 'hcpsdk[fsspec]'"
                      ) from exc

from ._file import HcpFile
from ._filesystem import DEFAULT_BLOCK_SIZE, HcpFileSystem
from ._options import ENVIRONMENT, PROTOCOL, target_from_options

__all__ = ["HcpFileSystem", "HcpFile", "DEFAULT_BLOCK_SIZE", "PROTOCOL", "ENVIRONMENT",
           "target_from_options"]

fsspec.register_implementation(PROTOCOL, HcpFileSystem, clobber=True)
