"""hcpsdk.namespace.Info against the emulator: the documented example and dicts, errors."""
from __future__ import annotations

import ast
from collections import OrderedDict

import pytest
from shared_support import DOC_NSSTATISTICS

import hcpsdk
import hcpsdk.namespace
from hcpsdk.emulator import Emulator
from hcpsdk.exceptions import HcpsdkError, HcpsdkStatusError

# ------------------------------------------------------------------ documented outputs (chapter 7)

DOC_LISTACCESSIBLENS = """
{'n2': {'defaultIndexValue': True,
        'defaultRetentionValue': 0,
        'defaultShredValue': False,
        'description': ['replicated', 'search', 'versioning'],
        'dpl': 2,
        'hashScheme': 'SHA-256',
        'name': 'n2',
        'nameIDNA': 'n2',
        'retentionMode': 'enterprise',
        'searchEnabled': True,
        'versioningEnabled': True},
       'n1': {'defaultIndexValue': True,
              'defaultRetentionValue': 0,
              'defaultShredValue': False,
              'description': ['replicated', 'search', 'no versioning'],
              'dpl': 2,
              'hashScheme': 'SHA-256',
              'name': 'n1',
              'nameIDNA': 'n1',
              'retentionMode': 'enterprise',
              'searchEnabled': True,
              'versioningEnabled': False}}
"""

DOC_LISTRETENTIONCLASSES = """
{'initial_unspecified': {'autoDelete': False,
                          'description': 'Retention Class with an initial '
                                         'unspecified value.',
                          'name': 'initial_unspecified',
                          'value': -2},
 'deletion_prohibited': {'autoDelete': False,
                          'description': 'Class which prohibits deletion.',
                          'name': 'deletion_prohibited',
                          'value': -1},
 'TAX_DATA': {'autoDelete': True,
              'description': 'Class for tax data - actually 10 years.',
              'name': 'TAX_DATA',
              'value': 'A+10y'}}
"""

_ALL_TRUE = {p: True for p in ("browse", "changeOwner", "delete", "privileged", "purge", "read",
                               "readAcl", "search", "write", "writeAcl")}
DOC_LISTPERMISSIONS = {"namespacePermissions": _ALL_TRUE, "namespaceEffectivePermissions": _ALL_TRUE,
                       "userPermissions": _ALL_TRUE, "userEffectivePermissions": _ALL_TRUE}


def doc(text: str):
    return ast.literal_eval(text.strip())


@pytest.fixture
def info(ns_target):
    with hcpsdk.namespace.Info(ns_target) as n:
        yield n


# ------------------------------------------------------------------ the documented example (7.2)


def test_documented_example_nsstatistics(hcp):
    # >>> auth = hcpsdk.NativeAuthorization('n', 'n01')
    auth = hcpsdk.NativeAuthorization("n", "n01")
    # >>> t = hcpsdk.Target('n1.m.hcp1.snomis.local', auth, port=443)
    t = hcpsdk.Target(f"n1.m.{hcp.domain}", auth, port=hcp.https_port, tls=True,
                      resolver=hcp.resolver())
    # >>> n = hcpsdk.namespace.Info(t)
    n = hcpsdk.namespace.Info(t)
    try:
        # >>> pprint(n.nsstatistics())
        result = n.nsstatistics()
    finally:
        n.close()
    assert result == doc(DOC_NSSTATISTICS)
    assert type(result) is dict
    assert all(type(v) is int for k, v in result.items() if k != "namespaceName")


# ------------------------------------------------------------------ the documented dicts (7.1)


def test_listaccessiblens_all_is_documented_dict(info):
    result = info.listaccessiblens(all=True)
    assert type(result) is OrderedDict
    assert result == doc(DOC_LISTACCESSIBLENS)
    assert type(result["n1"]["dpl"]) is int and result["n1"]["versioningEnabled"] is False


def test_listaccessiblens_default_lists_the_actual_namespace_only(info):
    result = info.listaccessiblens()
    assert list(result) == ["n1"]
    assert result["n1"] == doc(DOC_LISTACCESSIBLENS)["n1"]


def test_listretentionclasses_is_documented_dict(info):
    result = info.listretentionclasses()
    assert type(result) is OrderedDict
    assert result == doc(DOC_LISTRETENTIONCLASSES)
    assert type(result["deletion_prohibited"]["value"]) is int
    assert result["TAX_DATA"]["autoDelete"] is True


def test_listpermissions_is_documented_dict(info):
    result = info.listpermissions()
    assert type(result) is OrderedDict
    assert result == DOC_LISTPERMISSIONS
    assert list(result) == ["namespacePermissions", "namespaceEffectivePermissions",
                            "userPermissions", "userEffectivePermissions"]


def test_listpermissions_reflects_restricted_user(hcp):
    tenant = hcp.system.tenants["m"]
    tenant.add_user("reader", "reader01", {"n1": ["read", "browse"]})
    t = hcpsdk.Target(hcp.fqdn, hcpsdk.NativeAuthorization("reader", "reader01"),
                      port=hcp.https_port, tls=True, resolver=hcp.resolver())
    with hcpsdk.namespace.Info(t) as n:
        result = n.listpermissions()
    assert result["userPermissions"] == {**{p: False for p in _ALL_TRUE}, "read": True, "browse": True}
    assert result["namespacePermissions"] == _ALL_TRUE


def test_nsstatistics_counts_stored_objects(hcp, data_connection):
    with hcpsdk.namespace.Info(hcp.target(f"n2.m.{hcp.domain}")) as n:
        before = n.nsstatistics()
        data_connection.PUT("/rest/nsstat/one-more.txt", body=b"12345")
        assert data_connection.response_status == 201
        after = n.nsstatistics()
    assert after["namespaceName"] == "n2"
    assert after["objectCount"] == before["objectCount"] + 1
    assert after["usedCapacityBytes"] > before["usedCapacityBytes"]


# ------------------------------------------------------------------ one persistent connection


@pytest.fixture
def quiet_hcp():
    """An emulator of its own: its connection counters see this test's connections only."""
    with Emulator(nodes=2, domain="quiet.example.com") as emulator:
        yield emulator


def test_one_connection_for_all_calls_and_closed_by_close(quiet_hcp):
    hcp = quiet_hcp
    n = hcpsdk.namespace.Info(hcp.target())
    n.nsstatistics()
    n.listaccessiblens()
    n.listretentionclasses()
    n.listpermissions()
    assert n.connect_time > 0 and n.service_time > 0
    assert (hcp.stats()["accepted"], hcp.stats()["requests"]) == (1, 4)
    n.close()
    assert hcp.wait_for(lambda: hcp.stats()["open"] == 0)
    assert n.nsstatistics()["namespaceName"] == "n1"  # usable again: reconnects
    n.close()
    assert hcp.stats()["accepted"] == 2


def test_context_manager_closes(quiet_hcp):
    hcp = quiet_hcp
    with hcpsdk.namespace.Info(hcp.target()) as n:
        n.nsstatistics()
        assert hcp.stats()["open"] == 1
    assert hcp.wait_for(lambda: hcp.stats()["open"] == 0)


def test_repr_names_target_without_secrets(ns_target):
    with hcpsdk.namespace.Info(ns_target) as n:
        text = repr(n)
    assert ns_target.fqdn in text and "n01" not in text


# ------------------------------------------------------------------ errors


def test_wrong_password_raises_status_error_with_hcp_message(hcp):
    t = hcpsdk.Target(hcp.fqdn, hcpsdk.NativeAuthorization("n", "wrong"), port=hcp.https_port,
                      tls=True, resolver=hcp.resolver())
    with hcpsdk.namespace.Info(t) as n:
        for call in (n.nsstatistics, n.listaccessiblens, n.listretentionclasses, n.listpermissions):
            with pytest.raises(HcpsdkStatusError) as info:
                call()
            err = info.value
            assert err.status == 401  # /proc answers 401 to bad credentials (HCP, section 2.2)
            assert err.hcp_message and err.hcp_message in err.reason
            assert call.__name__ in err.reason and str(err.status) in err.reason
            assert "wrong" not in err.reason


def test_unknown_namespace_raises_status_error(hcp):
    t = hcpsdk.Target(f"nosuchns.m.{hcp.domain}", hcpsdk.NativeAuthorization("n", "n01"),
                      port=hcp.https_port, tls=True, resolver=hcp.resolver())
    with hcpsdk.namespace.Info(t) as n:
        with pytest.raises(HcpsdkStatusError) as info:
            n.nsstatistics()
    assert info.value.status == 403  # HCP: a namespace that does not exist is 403
    assert "nsstatistics" in str(info.value) and info.value.hcp_message in str(info.value)


def test_node_failure_is_an_hcpsdk_error(hcp):
    """Every node answering 503 (busy): after the Connection's retries, an HcpsdkError."""
    t = hcp.target()
    hcp.faults.status(None, 503, count=100)
    try:
        with hcpsdk.namespace.Info(t) as n:
            with pytest.raises(HcpsdkError) as info:
                n.nsstatistics()
    finally:
        hcp.faults.clear()
    assert "503" in str(info.value)


def test_persistent_connection_survives_server_closing_it(quiet_hcp):
    """HCP drops idle keep-alive connections; the next call reconnects on its own."""
    hcp = quiet_hcp
    with hcpsdk.namespace.Info(hcp.target()) as n:
        first = n.nsstatistics()
        hcp.faults.idle_drop(None, 0.01)
        try:
            assert hcp.wait_for(lambda: hcp.stats()["open"] == 0)
        finally:
            hcp.faults.clear()
        assert n.nsstatistics() == first
    assert hcp.stats()["accepted"] == 2


def test_debuglevel_reaches_http_client(ns_target, capsys):
    with hcpsdk.namespace.Info(ns_target, debuglevel=1) as n:
        assert n.debuglevel == 1
        n.nsstatistics()
    out = capsys.readouterr().out
    assert "GET /proc/statistics" in out and "n01" not in out
