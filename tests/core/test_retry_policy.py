"""The Retry policy's decisions on their own: no socket, no server, only what happened."""
from __future__ import annotations

import http.client
import io
import random
import ssl

import pytest

import hcpsdk
from hcpsdk._retry import CONNECT, READ, SEND, STATUS, UNREACHABLE, Retry


@pytest.fixture
def target():
    # an IP literal: nothing is resolved, nothing connects
    return hcpsdk.Target("127.0.0.1", hcpsdk.DummyAuthorization(), port=80)


class _Route:
    """A replica route that records what it was told and moves when told to."""

    def __init__(self, moves=True, final=True):
        self.moves, self.final = moves, final
        self.told: list[tuple[str, object]] = []
        self.served = None

    def target(self):
        raise AssertionError("a Retry never asks where to go")

    def failed(self, target, error, unreachable=False):
        self.told.append(("unreachable" if unreachable else "failed", error))
        return self.moves

    def answered(self, target, response, rewindable):
        self.told.append(("answered", response.status))
        return self.final


def _answer(status, reason="Service Unavailable"):
    """A parsed http.client response read from bytes (no socket involved)."""
    raw = (f"HTTP/1.1 {status} {reason}\r\nContent-Length: 0\r\n"
           "X-HCP-ErrorMessage: busy\r\n\r\n").encode()

    class _Bytes:
        def makefile(self, mode):
            return io.BufferedReader(io.BytesIO(raw))

    response = http.client.HTTPResponse(_Bytes(), method="GET")
    response.begin()
    return response


def _reset():
    return ConnectionResetError(104, "Connection reset by peer")


def _send(retry, target, method="GET", **kw):
    kw.setdefault("error", _reset())
    kw.setdefault("node", "10.0.0.1")
    return retry.increment(method, stage=SEND, target=target, action=f"{method} /rest/a", **kw)


def test_increment_returns_a_new_retry_and_leaves_the_policy_alone(target):
    policy = Retry(3, backoff_factor=0.01)
    after = _send(policy, target)
    assert after is not policy
    assert policy.history == () and policy.retries == 0 and policy.last is None
    assert after.retries == 1 and after.failed_nodes == ("10.0.0.1",)
    assert (after.total, after.backoff_factor, after.cooldown) == (3, 0.01, policy.cooldown)
    with pytest.raises(AttributeError):
        policy.total = 5


def test_a_network_failure_costs_a_retry_skips_the_node_and_backs_off(target):
    random.seed(7)
    after = _send(Retry(3, backoff_factor=0.2, backoff_max=10), target)
    last = after.last
    assert last.counted and last.skip_node and last.stage == SEND
    assert 0.1 <= last.delay <= 0.2
    assert "connection reset by HCP" in last.reason and "10.0.0.1" in last.reason


def test_backoff_doubles_and_is_capped(target):
    random.seed(11)
    retry = Retry(6, backoff_factor=0.1, backoff_max=0.5)
    ceilings = []
    for _ in range(5):
        retry = _send(retry, target)
        ceilings.append(retry.last.delay)
    for delay, ceiling in zip(ceilings, [0.1, 0.2, 0.4, 0.5, 0.5], strict=True):
        assert ceiling / 2 <= delay <= ceiling


def test_sleep_waits_what_increment_decided(target):
    policy = Retry(2, backoff_factor=0.0)
    assert policy.sleep() == 0.0
    assert _send(policy, target).sleep() == 0.0


def test_retries_run_out(target):
    retry = _send(_send(Retry(2, backoff_factor=0), target), target)
    error = _reset()
    with pytest.raises(hcpsdk.HcpsdkError, match="giving up after 2 retries") as info:
        _send(retry, target, error=error)
    assert info.value.__cause__ is error


def test_a_sent_post_is_not_resent(target):
    with pytest.raises(hcpsdk.HcpsdkError, match="not resent: POST is not idempotent"):
        _send(Retry(3), target, method="POST")


def test_a_consumed_stream_is_not_resent(target):
    with pytest.raises(hcpsdk.HcpsdkBodyNotRewindableError, match="non-seekable"):
        _send(Retry(3), target, method="PUT", rewindable=False)


def test_a_certificate_failure_is_never_retried(target):
    error = ssl.SSLCertVerificationError("certificate verify failed")
    with pytest.raises(hcpsdk.HcpsdkCertificateError):
        _send(Retry(3), target, error=error)


def test_a_stale_kept_alive_socket_is_resent_once_for_free(target):
    closed = http.client.RemoteDisconnected("Remote end closed connection")
    retry = _send(Retry(0), target, error=closed, reused=True)
    assert retry.last.stale and not retry.last.counted and not retry.last.skip_node
    assert retry.retries == 0 and retry.failed_nodes == () and retry.last.delay == 0
    with pytest.raises(hcpsdk.HcpsdkTimeoutError, match="giving up after 0 retries"):
        _send(retry, target, error=closed, reused=True)  # a second time: no longer free


def test_a_stale_socket_on_a_fresh_connection_is_a_failure(target):
    closed = http.client.RemoteDisconnected("Remote end closed connection")
    assert _send(Retry(1, backoff_factor=0), target, error=closed, reused=False).last.counted


def test_a_put_that_broke_after_sending_may_have_landed(target):
    assert _send(Retry(1, backoff_factor=0), target, method="PUT").may_have_landed
    stale = http.client.RemoteDisconnected("closed")
    assert not _send(Retry(1), target, method="PUT", error=stale, reused=True).may_have_landed
    assert not _send(Retry(1, backoff_factor=0), target, method="GET").may_have_landed


def test_a_refused_connection_moves_on_at_once_without_a_retry(target):
    retry = Retry(0).increment("GET", stage=CONNECT, target=target, node="10.0.0.2",
                               error=ConnectionRefusedError(111, "refused"))
    assert not retry.last.counted and retry.last.skip_node and retry.last.delay == 0
    assert retry.failed_nodes == ("10.0.0.2",) and retry.retries == 0
    assert "connection refused" in retry.last.reason


def test_a_retried_status_goes_to_another_node(target):
    policy = Retry(1, backoff_factor=0)
    busy = _answer(503)
    assert policy.is_retry("GET", 503) and not policy.is_retry("GET", 500)
    assert not policy.is_retry("POST", 503)  # it was sent
    assert not policy.is_retry("PUT", 503, rewindable=False)
    assert not policy.is_final("GET", busy, target)
    route = _Route()
    after = policy.increment("GET", stage=STATUS, target=target, node="10.0.0.3", response=busy,
                             action="GET /rest/a", route=route)
    assert after.last.counted and after.failed_nodes == ("10.0.0.3",)
    assert "503 Service Unavailable (busy)" in after.last.reason
    assert [(kind, type(err).__name__) for kind, err in route.told] == [
        ("failed", "HcpsdkStatusError")]
    assert not after.is_retry("GET", 503)  # no retries left: the 503 is the answer
    assert after.is_final("GET", busy, target)


def test_the_route_decides_whether_an_answer_is_final(target):
    refusal = _answer(403, "Forbidden")
    moving = _Route(final=False)
    assert not Retry(0).is_final("PUT", refusal, target, route=moving)
    after = Retry(0).increment("PUT", stage=STATUS, target=target, node="10.0.0.4",
                               response=refusal, action="PUT /rest/a", route=moving)
    assert not after.last.counted and not after.last.skip_node  # a refusal costs no retry
    assert Retry(0).is_final("PUT", refusal, target, route=_Route(final=True))


def test_an_unreachable_system_moves_to_the_other_one_for_free(target):
    error = hcpsdk.HcpsdkCantConnectError("every node failed")
    route = _Route(moves=True)
    after = Retry(0).increment("GET", stage=UNREACHABLE, target=target, error=error,
                               route=route)
    assert after.retries == 0 and route.told == [("unreachable", error)]
    with pytest.raises(hcpsdk.HcpsdkCantConnectError) as info:
        Retry(3).increment("GET", stage=UNREACHABLE, target=target, error=error)
    assert info.value is error
    with pytest.raises(hcpsdk.HcpsdkCantConnectError):
        Retry(3).increment("GET", stage=UNREACHABLE, target=target, error=error,
                           route=_Route(moves=False))


def test_a_failure_may_move_the_request_to_the_replica(target):
    route = _Route()
    _send(Retry(1, backoff_factor=0), target, route=route)
    assert [kind for kind, _ in route.told] == ["failed"]
    route = _Route()
    with pytest.raises(hcpsdk.HcpsdkError):
        _send(Retry(0), target, route=route)
    assert route.told == []  # a request that is not sent again does not move


def test_a_broken_body_is_resumed_while_retries_are_left(target):
    cut = http.client.IncompleteRead(b"abc", 10)
    retry = Retry(1, backoff_factor=0).increment("GET", stage=READ, target=target,
                                                 node="10.0.0.5", error=cut,
                                                 note=" after 3 of 13 bytes")
    assert retry.last.counted and retry.last.reason.endswith("after 3 of 13 bytes")
    with pytest.raises(hcpsdk.HcpsdkError, match="response body incomplete"):
        retry.increment("GET", stage=READ, target=target, node="10.0.0.6", error=cut)


def test_a_body_that_cannot_be_resumed_fails_at_once(target):
    with pytest.raises(hcpsdk.HcpsdkError, match="read failed on node 10.0.0.7"):
        Retry(3).increment("POST", stage=READ, target=target, node="10.0.0.7",
                           error=_reset(), rewindable=False)


def test_increment_refuses_an_unknown_stage(target):
    with pytest.raises(ValueError, match="unknown stage"):
        Retry().increment("GET", stage="later", target=target, error=_reset())
    with pytest.raises(ValueError, match="needs the response"):
        Retry().increment("GET", stage=STATUS, target=target)


def test_repr_tells_the_policy_and_the_retries_done(target):
    assert repr(Retry(2, backoff_factor=0.5)) == (
        "Retry(total=2, backoff_factor=0.5, backoff_max=5.0, cooldown=30.0, statuses=[503])")
    assert repr(_send(Retry(2, backoff_factor=0), target)).endswith(", retries done=1)")
