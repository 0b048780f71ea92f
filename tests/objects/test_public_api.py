"""The public face of hcpsdk.objects: typed, documented, each call showing its request."""
from __future__ import annotations

import inspect
import re
import typing

import pytest

import hcpsdk
from hcpsdk import objects

FUNCTIONS = [name for name in objects.__all__ if inspect.isfunction(getattr(objects, name))]
CLASSES = [name for name in objects.__all__ if inspect.isclass(getattr(objects, name))]


def test_the_package_reaches_the_module():
    assert hcpsdk.objects is objects
    assert set(FUNCTIONS) | set(CLASSES) == set(objects.__all__)


@pytest.mark.parametrize("name", FUNCTIONS)
def test_every_function_shows_its_request_and_is_typed(name):
    function = getattr(objects, name)
    typing.get_type_hints(function)
    doc = inspect.getdoc(function)
    assert re.search(r"^\s+(GET|HEAD|PUT|POST|DELETE) /rest/", doc, re.M), name
    assert ".. versionadded:: 1.0" in doc
    assert ":raises" in doc
    first, *rest = inspect.signature(function).parameters.values()
    # copy_tree takes a Target: its workers (threads or processes) make their own Connections
    assert first.name in (("target",) if name == "copy_tree" else ("connection", "connections"))
    assert all(p.kind is p.KEYWORD_ONLY for p in rest if p.default is not p.empty
               and p.name not in ("name",)), name


@pytest.mark.parametrize("name", CLASSES)
def test_every_class_is_a_documented_dataclass(name):
    import dataclasses

    cls = getattr(objects, name)
    assert dataclasses.is_dataclass(cls) and ".. versionadded:: 1.0" in cls.__doc__
    typing.get_type_hints(cls)


@pytest.mark.parametrize("name", ["HcpsdkNotFoundError", "HcpsdkNotModifiedError",
                                  "HcpsdkPreconditionFailedError", "HcpsdkRefusedError"])
def test_the_status_errors_carry_status_and_hcp_message(name):
    import pickle

    cls = getattr(hcpsdk, name)
    assert issubclass(cls, hcpsdk.HcpsdkStatusError)
    error = cls("why", 409, "Conflict", "object exists")
    assert (str(error), error.status, error.hcp_message) == ("why", 409, "object exists")
    assert pickle.loads(pickle.dumps(error)).reason == "why"


@pytest.mark.parametrize("call", [
    lambda c, path: objects.stat(c, path),
    lambda c, path: list(objects.listdir(c, path)),
    lambda c, path: objects.copy(c, "/rest/source", path),
])
def test_a_path_utf8_cannot_carry_is_refused_before_sending(connection, hcp_emulator, call):
    before = len(hcp_emulator.requests)
    with pytest.raises(hcpsdk.HcpsdkArgumentError, match="lone surrogate") as info:
        call(connection, "/rest/a\udcff")
    assert not isinstance(info.value.__cause__, UnicodeError)
    assert len(hcp_emulator.requests) == before
