"""A Connection belongs to one thread at a time: a second thread fails at once, clearly."""
from __future__ import annotations

import threading

import pytest
from core_support import raw_target, read_request

import hcpsdk

MESSAGE = "a Connection belongs to one thread at a time"


@pytest.fixture
def held_server(raw_server):
    """A server that, per request, says it has the request, then waits to be let go."""
    arrived, go = threading.Event(), threading.Event()

    def serve(sock, stop):
        while read_request(sock):
            arrived.set()
            go.wait(30)
            sock.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: 4\r\n\r\ndata")

    server = raw_server(serve)
    server.arrived, server.go = arrived, go
    yield server
    go.set()


def _in_thread(call):
    """Run ``call`` in a new thread; returns the thread and a list that gets its outcome."""
    outcome = []

    def run():
        try:
            outcome.append(call())
        except BaseException as exc:  # handed to the test
            outcome.append(exc)

    thread = threading.Thread(target=run)
    thread.start()
    return thread, outcome


@pytest.mark.parametrize("second", [
    lambda c: c.GET("/rest/b"),
    lambda c: c.PUT("/rest/b", body=b"x"),
    lambda c: c.read(),
    lambda c: c.close(),
])
def test_a_second_thread_fails_at_once_while_a_request_waits(held_server, open_connections,
                                                             second):
    conn = open_connections(raw_target(held_server), retries=0)
    first, outcome = _in_thread(lambda: conn.GET("/rest/a"))
    assert held_server.arrived.wait(10)  # the first thread's request is out, unanswered
    with pytest.raises(hcpsdk.HcpsdkConcurrentUseError, match=MESSAGE) as info:
        second(conn)
    assert isinstance(info.value, hcpsdk.HcpsdkError)
    held_server.go.set()
    first.join(10)
    assert not isinstance(outcome[0], BaseException), outcome
    assert conn.response_status == 200 and conn.read() == b"data"  # the first one is unharmed


def test_one_thread_after_another_is_fine(hcp, http_target, open_connections, path):
    conn = open_connections(http_target)
    conn.PUT(path, body=b"first thread")
    thread, outcome = _in_thread(lambda: (conn.GET(path), conn.read())[1])
    thread.join(10)
    assert outcome == [b"first thread"]
    conn.DELETE(path)
    assert conn.response_status == 200
