"""hcpsdk.mapi.listtenants / Tenant against the emulator."""
from __future__ import annotations

import pytest

from hcpsdk.exceptions import HcpsdkPortError, HcpsdkStatusError
from hcpsdk.mapi import Tenant, TenantError, TenantStatusError, listtenants


def close_all(tenants):
    for tenant in tenants:
        tenant.close()


def test_listtenants_gives_tenant_objects(hcp, admin_target):
    tenants = listtenants(admin_target)
    try:
        assert [t.name for t in tenants] == sorted(hcp.system.tenants)
        assert all(isinstance(t, Tenant) for t in tenants)
        assert repr(tenants[0]) == f"Tenant(<Target {hcp.admin_fqdn}:{hcp.mapi_port}>, 'm')"
    finally:
        close_all(tenants)
    record = [r for r in hcp.requests if r.path == "/mapi/tenants"][-1]
    assert record.query == "verbose=true" and record.headers["accept"] == "application/json"


def test_tenant_info_is_hcps_json(hcp, admin_target):
    with Tenant(admin_target, "m") as tenant:
        info = tenant.info()
    assert info["name"] == "m"
    assert info["hardQuota"] == "200.00 GB" and info["softQuota"] == 85
    assert info["authenticationTypes"] == {"authenticationType": ["LOCAL", "EXTERNAL"]}
    assert isinstance(info["administrationAllowed"], bool)


def test_tenant_info_is_cached_unless_asked(hcp, admin_target):
    with Tenant(admin_target, "m") as tenant:
        first = tenant.info()
        before = len(hcp.requests)
        assert tenant.info() is first
        assert len(hcp.requests) == before
        hcp.system.tenants["m"].soft_quota = 75
        try:
            assert tenant.info(cache=False)["softQuota"] == 75
        finally:
            hcp.system.tenants["m"].soft_quota = 85
        assert len(hcp.requests) == before + 1


def test_unknown_tenant_is_404(admin_target):
    with Tenant(admin_target, "nosuchtenant") as tenant, pytest.raises(TenantError) as info:
        tenant.info()
    err = info.value
    assert isinstance(err, TenantStatusError) and isinstance(err, HcpsdkStatusError)
    assert err.status == 404 and "nosuchtenant" in err.reason and err.hcp_message in err.reason


def test_wrong_password_is_403(bad_admin_target):
    with pytest.raises(TenantError) as info:
        listtenants(bad_admin_target)
    assert info.value.status == 403 and "listtenants" in info.value.reason
    with Tenant(bad_admin_target, "m") as tenant, pytest.raises(TenantError) as info:
        tenant.info()
    assert info.value.status == 403


def test_wrong_port(hcp):
    with pytest.raises(HcpsdkPortError):
        listtenants(hcp.target())
    with pytest.raises(HcpsdkPortError):
        Tenant(hcp.target(), "m")
