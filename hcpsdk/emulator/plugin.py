"""pytest plugin of the HCP emulator (entry point ``pytest11``: ``hcpsdk_emulator``).

Fixtures:

``hcp_emulator``
    A running :class:`hcpsdk.emulator.Emulator` shared by the whole test session::

        def test_roundtrip(hcp_emulator):
            target = hcp_emulator.target()
            ...

``hcp_emulator_options``
    The keyword arguments used to build it (default ``{}``: 4 nodes, TLS, domain
    ``hcp1.example.com``, tenant ``m``, namespaces ``n1``/``n2``, user ``n``/``n01``).
    Override it in your ``conftest.py`` to configure the emulator::

        @pytest.fixture(scope="session")
        def hcp_emulator_options():
            return {"nodes": 2, "domain": "hcp.test", "config": "hcp.json"}

Faults set by a test are cleared after it (``hcp_emulator.faults.clear()``).
The import of this module is cheap: the emulator is loaded only when a test uses it.
"""
from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

__all__ = ["hcp_emulator", "hcp_emulator_options"]


@pytest.fixture(scope="session")
def hcp_emulator_options() -> dict[str, Any]:
    """Keyword arguments for the session's :class:`~hcpsdk.emulator.Emulator`."""
    return {}


@pytest.fixture(scope="session")
def _hcp_emulator_session(hcp_emulator_options: dict[str, Any]) -> Iterator[Any]:
    from hcpsdk.emulator import Emulator

    with Emulator(**hcp_emulator_options) as emulator:
        yield emulator


@pytest.fixture
def hcp_emulator(_hcp_emulator_session: Any) -> Iterator[Any]:
    """The session's running HCP emulator; faults are cleared after each test."""
    yield _hcp_emulator_session
    _hcp_emulator_session.faults.clear()
