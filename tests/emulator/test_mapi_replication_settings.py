"""Changing the replication service settings through MAPI (``POST /mapi/services/replication``).

Requests go through hcpsdk (``Connection`` for the raw POSTs, ``mapi.Replication`` to read
the settings back) over real HTTPS to the shared session emulator; every test puts the
settings back.
"""
from __future__ import annotations

import json

import pytest

import hcpsdk
from hcpsdk.emulator.model import REPLICATION_SETTINGS

URL = "/mapi/services/replication"
XML = {"Content-Type": "application/xml"}

DEFAULTS = {"allowTenantsToMonitorNamespaces": "true", "enableDNSFailover": "true",
            "enableDomainAndCertificateSynchronization": "true", "network": "[hcp_system]"}


def _xml(**settings: str) -> bytes:
    fields = "".join(f"<{k}>{v}</{k}>" for k, v in settings.items())
    return ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
            f"<replicationService>{fields}</replicationService>").encode()


@pytest.fixture
def settings(hcp):
    """Reads the settings through ``hcpsdk.mapi.Replication``; restores them afterwards."""
    with hcpsdk.mapi.Replication(hcp.target(hcp.admin_fqdn)) as rep:
        yield rep.getreplicationsettings
    with hcp.system.lock:
        hcp.system.replication_settings.clear()
        hcp.system.replication_settings.update(REPLICATION_SETTINGS)


@pytest.fixture
def post(hcp):
    """``post(body, headers=XML, fqdn=admin, user=None)`` -> (status, X-HCP-ErrorMessage)."""
    conns = []

    def send(body: bytes, headers: dict | None = XML, fqdn: str | None = None,
             user: tuple[str, str] | None = None, params: dict | None = None):
        fqdn = fqdn or hcp.admin_fqdn
        target = hcp.target(fqdn, port=hcp.mapi_port)
        if user is not None:
            target = hcpsdk.Target(fqdn, hcpsdk.NativeAuthorization(*user), port=hcp.mapi_port,
                                   tls=True, resolver=hcp.resolver())
        conn = hcpsdk.Connection(target, timeout=10)
        conns.append(conn)
        conn.POST(URL, body=body, params=params, headers=headers)
        conn.read()
        return conn.response_status, conn.getheader("X-HCP-ErrorMessage")

    yield send
    for conn in conns:
        conn.close()


def test_defaults_are_hcps_documented_settings(settings):
    assert settings() == DEFAULTS


def test_xml_post_changes_named_settings_and_keeps_the_others(settings, post):
    assert post(_xml(enableDNSFailover="false", allowTenantsToMonitorNamespaces="false")) \
        == (200, None)
    assert settings() == dict(DEFAULTS, enableDNSFailover="false",
                              allowTenantsToMonitorNamespaces="false")
    assert post(_xml(enableDNSFailover="true")) == (200, None)
    assert settings() == dict(DEFAULTS, allowTenantsToMonitorNamespaces="false")


def test_json_post_with_booleans(hcp, settings, post):
    body = json.dumps({"enableDomainAndCertificateSynchronization": False,
                       "network": "[hcp_system]"}).encode()
    assert post(body, {"Content-Type": "application/json"}) == (200, None)
    assert settings()["enableDomainAndCertificateSynchronization"] == "false"
    assert hcp.system.replication_settings["enableDomainAndCertificateSynchronization"] is False


@pytest.mark.parametrize("body, words", [
    (_xml(enableDNSFailover="maybe"), ["maybe", "enableDNSFailover", "true or false"]),
    (_xml(allowTenantsToMonitorNamespaces=""), ["allowTenantsToMonitorNamespaces"]),
    (_xml(network="[no_such_network]"), ["[no_such_network]", "network"]),
    (_xml(verification="true"), ["unknown", "verification"]),
    (b"<replicationService><enableDNSFailover>false</enableDNSFailover>", ["malformed"]),
    (b"<links><enableDNSFailover>false</enableDNSFailover></links>", ["replicationService"]),
    (b"", ["body"]),
])
def test_bad_value_is_400_with_message_and_changes_nothing(settings, post, body, words):
    status, message = post(body)
    assert status == 400
    assert message and all(w in message for w in words), message
    assert settings() == DEFAULTS


def test_one_bad_value_rejects_the_whole_change(settings, post):
    status, message = post(_xml(enableDNSFailover="false", network="elsewhere"))
    assert status == 400 and "elsewhere" in message
    assert settings()["enableDNSFailover"] == "true"


def test_bad_json_value_is_400(settings, post):
    status, message = post(b'{"enableDNSFailover": "sometimes"}',
                           {"Content-Type": "application/json"})
    assert status == 400 and "sometimes" in message
    status, message = post(b'{"network": ["a", "b"]}', {"Content-Type": "application/json"})
    assert status == 400 and "network" in message
    assert settings() == DEFAULTS


def test_body_without_content_type_is_415(settings, post):
    status, message = post(_xml(enableDNSFailover="false"), headers={})
    assert status == 415 and "Content-Type" in message
    assert settings() == DEFAULTS


def test_query_parameter_is_400(settings, post):
    status, message = post(_xml(enableDNSFailover="false"), params={"shutDownAllLinks": ""})
    assert status == 400 and "shutDownAllLinks" in message
    assert settings() == DEFAULTS


def test_non_admin_users_are_403(hcp, settings, post):
    body = _xml(enableDNSFailover="false")
    for fqdn, user in ((hcp.admin_fqdn, (hcp.user, hcp.password)),
                       (hcp.admin_fqdn, (hcp.admin_user, "wrong")),
                       (hcp.tenant_fqdn, (hcp.user, hcp.password))):
        status, message = post(body, fqdn=fqdn, user=user)
        assert status == 403 and message, (fqdn, user[0])
    assert settings() == DEFAULTS


def test_client_setreplicationsettings(hcp, settings):
    with hcpsdk.mapi.Replication(hcp.target(hcp.admin_fqdn)) as rep:
        rep.setreplicationsettings(enableDNSFailover=False, network="[hcp_system]")
        assert rep.getreplicationsettings() == dict(DEFAULTS, enableDNSFailover="false")
        with pytest.raises(hcpsdk.HcpsdkStatusError, match="no_such_network"):
            rep.setreplicationsettings(network="[no_such_network]")
        assert rep.getreplicationsettings() == dict(DEFAULTS, enableDNSFailover="false")
