"""What a trainee sees at the prompt: result types of namespace.Info, reprs, dir() of modules."""
from __future__ import annotations

import types
from collections import OrderedDict

import pytest

import hcpsdk
import hcpsdk.emulator
import hcpsdk.namespace
from hcpsdk.emulator import Emulator


@pytest.fixture(scope="module")
def hcp():
    with Emulator(nodes=2) as emulator:
        yield emulator


def test_namespace_info_result_types_are_those_of_0_9_5(hcp):
    with hcpsdk.namespace.Info(hcp.target()) as n:
        results = {"nsstatistics": n.nsstatistics(), "listaccessiblens": n.listaccessiblens(),
                   "listretentionclasses": n.listretentionclasses(),
                   "listpermissions": n.listpermissions()}
    assert {name: type(value) for name, value in results.items()} == {
        "nsstatistics": dict, "listaccessiblens": OrderedDict,
        "listretentionclasses": OrderedDict, "listpermissions": OrderedDict}
    # pprint shows a plain dict as the reference prints it
    assert repr(results["nsstatistics"]).startswith("{'namespaceName': 'n1', ")


def test_namespace_info_repr_names_target_and_connection_state_but_no_secret(hcp):
    n = hcpsdk.namespace.Info(hcp.target())
    fqdn_port = f"{hcp.fqdn}:{hcp.https_port}"
    assert repr(n) == f"<hcpsdk.namespace.Info {fqdn_port} not connected>"
    n.nsstatistics()
    assert repr(n) == f"<hcpsdk.namespace.Info {fqdn_port} connected to {n._con.address}>"
    assert n._con.address in hcp.addresses
    n.close()
    assert repr(n) == f"<hcpsdk.namespace.Info {fqdn_port} not connected>"
    assert hcp.password not in repr(n)


def test_emulator_repr_is_short_and_tells_its_state():
    emulator = Emulator(nodes=3, domain="repr.example.com")
    assert repr(emulator) == "<Emulator repr.example.com not started>"
    with emulator:
        first, last = emulator.addresses[0], emulator.addresses[-1].rsplit(".", 1)[1]
        where = (f"3 nodes {first}..{last}, http {emulator.http_port}, https"
                 f" {emulator.https_port}, mapi {emulator.mapi_port}>")
        assert repr(emulator) == f"<Emulator repr.example.com running: {where}"
    assert repr(emulator) == f"<Emulator repr.example.com closed: {where}"


@pytest.mark.parametrize("module", [hcpsdk.namespace, hcpsdk.emulator])
def test_dir_of_public_module_shows_no_imported_stdlib_module(module):
    foreign = [name for name in dir(module) if not name.startswith(("_", "@"))  # "@": pytest
               and isinstance(getattr(module, name), types.ModuleType)
               and not getattr(module, name).__name__.startswith("hcpsdk")]
    assert foreign == []
    assert set(module.__all__) <= set(dir(module))
