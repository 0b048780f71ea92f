"""Collection rules shared by every test folder."""
from __future__ import annotations

from pathlib import Path

import pytest

_COMPAT = Path(__file__).parent / "compat"


def pytest_ignore_collect(collection_path: Path, config: pytest.Config) -> bool | None:
    """Leave the compatibility tier out unless it is asked for by path.

    It installs programs from the package index into a fresh virtual environment and binds
    the standard ports, which a developer's quick ``pytest`` should not do; ``.ci/run``
    runs it as ``pytest tests/compat``.
    """
    if collection_path != _COMPAT:
        return None
    here = config.invocation_params.dir
    asked = ((here / arg.split("::")[0]).resolve() for arg in config.args)
    return not any(p == _COMPAT or _COMPAT in p.parents for p in asked)
