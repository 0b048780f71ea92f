"""The translation table and the retry policy's rules (pure functions, real exception objects)."""
from __future__ import annotations

import http.client
import ssl

import pytest

import hcpsdk
from hcpsdk._retry import Retry
from hcpsdk._translate import classify, translate


@pytest.mark.parametrize("exc, error, retry", [
    (ConnectionRefusedError(111, "Connection refused"), hcpsdk.HcpsdkCantConnectError, True),
    (TimeoutError("timed out"), hcpsdk.HcpsdkTimeoutError, True),
    (http.client.RemoteDisconnected("Remote end closed"), hcpsdk.HcpsdkTimeoutError, True),
    (ConnectionResetError(104, "reset"), hcpsdk.HcpsdkError, True),
    (BrokenPipeError(32, "pipe"), hcpsdk.HcpsdkTimeoutError, True),
    (http.client.IncompleteRead(b"ab", 10), hcpsdk.HcpsdkError, True),
    (http.client.BadStatusLine("junk"), hcpsdk.HcpsdkError, True),
    (http.client.LineTooLong("header line"), hcpsdk.HcpsdkError, False),
    (ssl.SSLError(1, "handshake failure"), hcpsdk.HcpsdkCertificateError, False),
    (ssl.SSLCertVerificationError(1, "verify failed"), hcpsdk.HcpsdkCertificateError, False),
    (ssl.SSLEOFError(8, "EOF"), hcpsdk.HcpsdkError, True),
    (ValueError("odd"), hcpsdk.HcpsdkError, False),
])
def test_table(exc, error, retry):
    rule = classify(exc)
    assert rule.error is error and rule.retry is retry
    translated = translate(exc, action="GET /rest/x", node="127.0.0.9", fqdn="n.t.example.com")
    assert type(translated) is error
    assert "GET /rest/x" in str(translated) and "127.0.0.9" in str(translated)
    assert "n.t.example.com" in str(translated) and rule.cause in str(translated)


def test_hcpsdk_errors_pass_unchanged():
    err = hcpsdk.HcpsdkCertificateError("mine")
    assert translate(err, action="connect", node="n", fqdn="f") is err


def test_may_resend():
    for method in ("GET", "HEAD", "PUT", "DELETE"):
        assert Retry.may_resend(method, sent=True)
    assert Retry.may_resend("POST", sent=False)
    assert not Retry.may_resend("POST", sent=True)


def test_retry_rejects_negative_count():
    with pytest.raises(ValueError):
        Retry(-1)
    assert "total=3" in repr(Retry())
