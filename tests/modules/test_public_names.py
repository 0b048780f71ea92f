"""The documented names of chapters 7-9 (and the 0.9.5 additions) exist where documented."""
from __future__ import annotations

import json
import pickle
import subprocess
import sys

import pytest

import hcpsdk
from hcpsdk.exceptions import HcpsdkError, HcpsdkStatusError


def test_documented_names_exist():
    import hcpsdk.mapi
    import hcpsdk.namespace
    import hcpsdk.pathbuilder

    assert callable(hcpsdk.namespace.Info)
    for name in ("nsstatistics", "listaccessiblens", "listretentionclasses", "listpermissions"):
        assert callable(getattr(hcpsdk.namespace.Info, name))
    for name in ("getunique", "getpath"):
        assert callable(getattr(hcpsdk.pathbuilder.PathBuilder, name))
    for name in ("getreplicationsettings", "getlinklist", "getlinkdetails", "setreplicationlinkstate"):
        assert callable(getattr(hcpsdk.mapi.Replication, name))
    assert set(hcpsdk.mapi.__all__) >= {"Replication", "Logs", "Chargeback", "Tenant", "listtenants",
                                        "ReplicationSettingsError", "LogsError", "LogsNotReadyError",
                                        "LogsInProgessError", "ChargebackError", "TenantError"}
    for module in (hcpsdk.mapi, hcpsdk.namespace, hcpsdk.pathbuilder):
        assert all(hasattr(module, name) for name in module.__all__)


def test_submodules_are_reachable_from_the_package():
    assert hcpsdk.pathbuilder.PathBuilderError is hcpsdk.exceptions.PathBuilderError
    assert hcpsdk.mapi.ReplicationSettingsError is hcpsdk.exceptions.ReplicationSettingsError


@pytest.mark.parametrize("name", ["ReplicationSettingsError", "LogsError", "LogsNotReadyError",
                                  "LogsInProgessError", "ChargebackError", "TenantError",
                                  "LogsStatusError", "LogsInProgressStatusError", "LogsArgumentError",
                                  "ChargebackStatusError", "ChargebackArgumentError",
                                  "TenantStatusError"])
def test_mapi_errors_are_hcpsdk_errors_with_reason_and_pickle(name):
    import hcpsdk.mapi

    cls = getattr(hcpsdk.mapi, name)
    assert issubclass(cls, HcpsdkError) and cls.__module__ == "hcpsdk.mapi"
    args = ("why", 403, "Forbidden", "no") if issubclass(cls, HcpsdkStatusError) else ("why",)
    err = cls(*args)
    assert str(err) == err.reason == "why"
    copy = pickle.loads(pickle.dumps(err))
    assert type(copy) is cls and copy.reason == "why"


def _modules_loaded_by(statement):
    code = f"import json, sys; {statement}; print(json.dumps(sorted(sys.modules)))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60,
                         check=True).stdout
    return set(json.loads(out))


def test_namespace_does_not_import_mapi():
    # Session lives in the neutral hcpsdk._session; the mapi modules are not namespace's business
    loaded = _modules_loaded_by("import hcpsdk.namespace")
    assert {"hcpsdk.namespace", "hcpsdk._session"} <= loaded
    assert not {name for name in loaded if name.split(".")[:2] == ["hcpsdk", "mapi"]}, loaded


def test_mapi_still_reexports_the_session_helpers():
    loaded = _modules_loaded_by("import hcpsdk.mapi")
    assert "hcpsdk._session" in loaded and "hcpsdk.namespace" not in loaded
    from hcpsdk import _session
    from hcpsdk.mapi import _call

    for name in ("Session", "parse_xml", "parse_json", "element_to_dict"):
        assert getattr(_call, name) is getattr(_session, name)
