"""The public face: every documented name, the 0.9.5 names, a cheap import."""
from __future__ import annotations

import json
import subprocess
import sys

import pytest

import hcpsdk

DOCUMENTED = [
    # chapter 4
    "version", "NativeAuthorization", "Target", "Connection",
    "HcpsdkError", "HcpsdkTimeoutError", "HcpsdkCertificateError", "HcpsdkReplicaInitError",
    # the 0.9.5 names are kept: programs written for 0.9.5 keep working
    "BaseAuthorization", "DummyAuthorization", "NativeADAuthorization", "LocalSwiftAuthorization",
    "HcpsdkCantConnectError", "HcpsdkPortError", "checkport",
    "I_NATIVE", "I_DUMMY", "I_HS3", "I_HSWIFT",
    "RS_READ_ALLOWED", "RS_READ_ON_FAILOVER", "RS_WRITE_ALLOWED", "RS_WRITE_ON_FAILOVER",
    "P_HTTP", "P_HTTPS", "P_MGMT", "P_SEARCH", "P_MAPI", "SSL_PORTS",
    # 1.0
    "Retry", "HcpsdkArgumentError", "HcpsdkTypeError", "HcpsdkStatusError",
    "HcpsdkBodyNotRewindableError",
]
TARGET_ATTRIBUTES = ["fqdn", "port", "ssl", "addresses", "headers", "replica", "getaddr",
                     "I_NATIVE", "RS_READ_ALLOWED", "RS_READ_ON_FAILOVER", "RS_WRITE_ALLOWED",
                     "RS_WRITE_ON_FAILOVER"]
CONNECTION_ATTRIBUTES = ["address", "Response", "response", "response_status", "response_reason",
                         "connect_time", "service_time1", "service_time2", "request", "getheader",
                         "getheaders", "PUT", "GET", "HEAD", "POST", "DELETE", "read", "close",
                         "con", "debug_level"]
IPS_NAMES = ["Circle", "Response", "Request", "query", "IpsError"]


@pytest.mark.parametrize("name", DOCUMENTED)
def test_documented_name_is_exported(name):
    assert name in hcpsdk.__all__
    assert getattr(hcpsdk, name) is not None


def test_all_names_exist():
    for name in hcpsdk.__all__:
        assert hasattr(hcpsdk, name), name


def test_documented_class_attributes():
    for name in TARGET_ATTRIBUTES:
        assert hasattr(hcpsdk.Target, name), name
    for name in CONNECTION_ATTRIBUTES:
        assert hasattr(hcpsdk.Connection, name), name
    for name in IPS_NAMES:
        assert hasattr(hcpsdk.ips, name), name
    assert hasattr(hcpsdk.ips.Circle, "refresh")


def test_submodules_reachable_as_attributes():
    assert hcpsdk.ips.__name__ == "hcpsdk.ips"
    assert hcpsdk.pathbuilder.__name__ == "hcpsdk.pathbuilder"
    assert "ips" in dir(hcpsdk) and "mapi" in dir(hcpsdk)
    with pytest.raises(AttributeError):
        _ = hcpsdk.no_such_thing


def test_pathbuilder_error_has_its_documented_spelling_too():
    # chapter 8.1 says "Raises hcpsdk.pathbuilder.pathbuilderError", 8.2 names PathBuilderError
    from hcpsdk.exceptions import PathBuilderError

    assert hcpsdk.pathbuilder.pathbuilderError is hcpsdk.pathbuilder.PathBuilderError
    assert hcpsdk.pathbuilder.PathBuilderError is PathBuilderError
    assert "pathbuilderError" not in hcpsdk.pathbuilder.__all__
    with pytest.raises(hcpsdk.pathbuilder.pathbuilderError):
        hcpsdk.pathbuilder.PathBuilder(initialpath="relative")


def test_version():
    from hcpsdk._version import __version__

    assert hcpsdk.version() == hcpsdk.__version__ == __version__ == "1.0.0"


def test_constants_values():
    assert (hcpsdk.RS_READ_ALLOWED, hcpsdk.RS_READ_ON_FAILOVER, hcpsdk.RS_WRITE_ALLOWED,
            hcpsdk.RS_WRITE_ON_FAILOVER) == (1, 2, 4, 8)
    assert (hcpsdk.P_HTTP, hcpsdk.P_HTTPS, hcpsdk.P_MGMT, hcpsdk.P_SEARCH, hcpsdk.P_MAPI) == (
        80, 443, 8000, 8888, 9090)
    assert hcpsdk.SSL_PORTS == [443, 8000, 9090]
    assert hcpsdk.I_NATIVE == "I_NATIVE" and hcpsdk.Target.I_NATIVE == "I_NATIVE"
    assert hcpsdk.Target.RS_WRITE_ON_FAILOVER == 8


def test_exceptions_have_reason_and_common_base():
    for name in hcpsdk.__all__:
        obj = getattr(hcpsdk, name)
        if isinstance(obj, type) and issubclass(obj, Exception):
            assert issubclass(obj, hcpsdk.HcpsdkError)
            err = obj("why")
            assert err.reason == "why" == str(err)
    assert issubclass(hcpsdk.ips.IpsError, hcpsdk.HcpsdkError)


def _fresh_interpreter(code):
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60,
                         check=True).stdout
    return json.loads(out)


def test_import_is_cheap_and_lazy():
    # a structural check (timings are the bench's job): nothing heavy is imported eagerly
    loaded = _fresh_interpreter(
        "import sys, json; before = set(sys.modules); import hcpsdk; "
        "print(json.dumps(sorted(set(sys.modules) - before)))")
    # dnspython only when a Target resolves a name; _replica only with a replica_fqdn;
    # hashlib with the first hash (verify=True, a retried PUT's 409); copy with a pickle
    heavy = {"dns", "dns.resolver", "hcpsdk.namespace", "hcpsdk.pathbuilder", "hcpsdk.mapi",
             "hcpsdk.emulator", "trustme", "cryptography", "hcpsdk._replica", "hashlib", "copy"}
    assert not heavy & set(loaded), heavy & set(loaded)


def test_replica_module_is_imported_only_for_a_replica():
    loaded = _fresh_interpreter(
        "import sys, json, hcpsdk\n"
        "auth = hcpsdk.NativeAuthorization('n', 'n01')\n"
        "t = hcpsdk.Target('127.0.0.1', auth, port=80)\n"
        "a = 'hcpsdk._replica' in sys.modules\n"
        "r = hcpsdk.Target('127.0.0.1', auth, port=80, replica_fqdn='127.0.0.2',\n"
        "                  replica_strategy=hcpsdk.RS_READ_ALLOWED)\n"
        "print(json.dumps([a, t._replica_policy is None, 'hcpsdk._replica' in sys.modules,\n"
        "                  type(r._replica_policy).__name__]))")
    assert loaded == [False, True, True, "ReplicaPolicy"]


def test_dnspython_is_imported_only_for_a_dns_lookup():
    loaded = _fresh_interpreter(
        "import sys, json, hcpsdk\n"
        "class Offline:\n"
        "    def resolve(self, name, rdtype): raise LookupError('offline')\n"
        "hcpsdk.ips.query('127.0.0.1'); hcpsdk.ips.query('localhost', cache=True)\n"
        "a = 'dns' in sys.modules\n"
        "r = hcpsdk.ips.query('a.test', resolver=Offline())\n"
        "print(json.dumps([a, 'dns' in sys.modules, r.raised]))")
    assert loaded == [False, True, "Err: LookupError - offline"]


def test_one_null_handler_at_the_package_root():
    count = _fresh_interpreter(
        "import json, hcpsdk, logging; t = hcpsdk.Target('127.0.0.1', "
        "hcpsdk.NativeAuthorization('n', 'n01'), port=80); "
        "hs = logging.getLogger('hcpsdk').handlers; "
        "print(json.dumps([type(h).__name__ for h in hs]))")
    assert count == ["NullHandler"]


def test_ssl_noverify_is_the_non_verifying_default():
    import ssl

    assert hcpsdk.SSL_NOVERIFY.verify_mode == ssl.CERT_NONE
    assert hcpsdk.SSL_NOVERIFY.check_hostname is False
