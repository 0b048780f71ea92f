"""Every public signature's annotations resolve: ``typing.get_type_hints()`` works on them.

A user's IDE, type checker or documentation tool evaluates them; an annotation that names
something the module never imports fails there, not here — unless this test asks.
"""
from __future__ import annotations

import importlib
import inspect
import typing

import pytest

MODULES = ("hcpsdk", "hcpsdk.ips", "hcpsdk.namespace", "hcpsdk.pathbuilder", "hcpsdk.mapi")


def _public(module_name: str):
    """``(qualified name, object)`` of every public class, function, method and property."""
    module = importlib.import_module(module_name)
    names = getattr(module, "__all__", None) or [n for n in vars(module) if not n.startswith("_")]
    for name in names:
        obj = getattr(module, name)
        if inspect.isclass(obj):
            yield f"{module_name}.{name}", obj
            for member, value in vars(obj).items():
                if member.startswith("_") and member != "__init__":
                    continue
                if isinstance(value, property):
                    value = value.fget
                elif isinstance(value, (staticmethod, classmethod)):
                    value = value.__func__
                if inspect.isfunction(value):
                    yield f"{module_name}.{name}.{member}", value
        elif inspect.isfunction(obj):
            yield f"{module_name}.{name}", obj


PUBLIC = sorted({qualname: obj for module in MODULES for qualname, obj in _public(module)}.items())
# signatures whose annotations can't be resolved yet (listed, so that a gap stays visible)
KNOWN_GAPS: set[str] = set()


def test_the_walk_finds_the_public_api():
    names = {name for name, _ in PUBLIC}
    for expected in ("hcpsdk.Connection.request", "hcpsdk.Target.__init__", "hcpsdk.Retry.increment",
                     "hcpsdk.Connection.read", "hcpsdk.ips.query", "hcpsdk.pathbuilder.PathBuilder",
                     "hcpsdk.namespace.Info", "hcpsdk.mapi.Replication"):
        assert expected in names


@pytest.mark.parametrize("name, obj", [
    pytest.param(name, obj, id=name, marks=[pytest.mark.xfail(
        raises=NameError, strict=False, reason="hcpsdk.ips: annotations not importable")]
        if name in KNOWN_GAPS else []) for name, obj in PUBLIC])
def test_get_type_hints(name, obj):
    typing.get_type_hints(obj)
