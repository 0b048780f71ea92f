"""The Connection: a persistent http(s) session to one node of a Target at a time.

One request goes through :meth:`Connection.request` and reads top-down as its story:
check the arguments, choose the node (round-robin from the Target, skipping failed
nodes; connect lazily), send, and when an attempt fails ask the request's
:class:`~hcpsdk.Retry` — which decides whether, where and after how long it is sent
again — and obey. The answer's body is read through :meth:`Connection.read` by a
:class:`~hcpsdk._download.ResponseBody`, which also knows how to resume and verify it.
Low-level errors are translated in :mod:`hcpsdk._translate`; idle sockets are closed
by the shared reaper of :mod:`hcpsdk._idle`.
"""
from __future__ import annotations

import http.client
import logging
import threading
import time
from collections.abc import Callable
from typing import Any, TypeVar

from . import _check
from ._body import Payload
from ._channel import RECOVERABLE, Channel, Record
from ._check import integer, number, of_type, wrong_type
from ._constants import EXPECT_ABOVE
from ._download import ResponseBody, reconcile
from ._early import send
from ._hints import hinted
from ._outgoing import no_body, prepared
from ._retry import READ, SEND, STATUS, UNREACHABLE, Retry
from ._translate import translate
from ._transport import NodeConnection
from ._url import Params, build_url
from .exceptions import HcpsdkCantConnectError, HcpsdkConcurrentUseError, HcpsdkError
from .target import Target

__all__ = ["Connection"]

log = logging.getLogger(__name__)

_R = TypeVar("_R")

# Methods taken as they are; any other str is checked to be an http token, then upper-cased.
_METHODS = frozenset({"GET", "HEAD", "PUT", "POST", "DELETE", "OPTIONS"})
_NO_BODY = Payload(None)  # nothing in it changes when it is sent: shared


def _merge_headers(target: Target, headers: dict[str, str] | None, payload: Payload
                   ) -> dict[str, str]:
    """The headers to send: the caller's, the Target's (which win), Content-Length.

    Without caller headers and a stream body this is the Target's own cached dict
    (never changed by anyone).
    """
    base = target._headers
    if not headers and not payload.is_stream:
        return base
    merged = dict(headers) if headers else {}
    if headers:
        overridden = {k.lower() for k in base}
        for key in [k for k in merged if k.lower() in overridden]:
            del merged[key]
    merged.update(base)
    if payload.is_stream and payload.size is not None:
        names = {k.lower() for k in merged}
        if "content-length" not in names and "transfer-encoding" not in names:
            merged["Content-Length"] = str(payload.size)
    return merged


def _asks_chunked(headers: dict[str, str] | None) -> bool:
    """The caller asked for chunked transfer (http.client then frames the chunks)."""
    return bool(headers) and any(
        key.lower() == "transfer-encoding" and "chunked" in str(value).lower()
        for key, value in (headers or {}).items())


class _OneThread:
    """The guard that makes a Connection refuse a second thread while one uses it.

    A Connection is one conversation on one socket: two threads in it at once would
    read each other's answers. Re-entry by the owning thread is fine (``PUT`` calls
    ``request``); any other thread fails at once, without waiting.
    """

    __slots__ = ("_lock",)

    def __init__(self) -> None:
        self._lock = threading.RLock()

    def claim(self, call: str) -> None:
        """Take the Connection for this thread, or raise.

        :raises HcpsdkConcurrentUseError: another thread is using the Connection
        """
        if not self._lock.acquire(blocking=False):
            raise HcpsdkConcurrentUseError(
                f"{call}: this Connection is in use by another thread - a Connection belongs "
                "to one thread at a time (make one Connection per thread; they may share "
                "a Target)")

    def release(self) -> None:
        """Give the Connection free again."""
        self._lock.release()


class Connection:
    """A Connection to HCP, caching the related parameters.

    It opens a session to a node of the Target as soon as needed, but not before;
    it keeps the session open for ``idletime`` seconds after use. A Connection belongs
    to one thread at a time: a second thread that calls it while the first is in a
    call fails at once with :exc:`~hcpsdk.HcpsdkConcurrentUseError`. Use one
    Connection per thread (the Target may be shared).

    .. code-block:: python

        with hcpsdk.Connection(target) as c:
            c.PUT('/rest/hcpsdk/test1.txt', body='This is an example')
            c.GET('/rest/hcpsdk/test1.txt')
            data = c.read()

    :param target: an initialized Target object
    :param timeout: the timeout for this Connection (secs)
    :param idletime: the time the Connection shall stay persistent when idle (secs)
    :param retries: the number of retries until giving up on a Request
    :param debuglevel: 0..9 -see-> ``http.client.HTTP[S]Connection``
    :param sock_keepalive: enable TCP keep-alive on the socket
    :param tcp_keepalive: idle seconds before keep-alive probes start
    :param tcp_keepintvl: seconds between keep-alive probes
    :param tcp_keepcnt: failed probes before the connection is dropped
    :param retry: a :class:`hcpsdk.Retry` policy to use instead of ``Retry(retries)``
    :param verify: check GET bodies read through :meth:`read` against ``X-HCP-Hash``
    :raises HcpsdkTypeError: when ``target`` is no Target, ``timeout``/``idletime`` no
        number, ``retries``/``debuglevel`` no int or ``retry`` no Retry
    :raises HcpsdkArgumentError: when ``timeout``/``idletime`` are not positive,
        ``retries`` is negative or ``debuglevel`` not in 0..9

    .. versionadded:: 1.0 the keyword-only ``retry`` and ``verify``.
    """

    # bodies larger than this many bytes go out with "Expect: 100-continue" (None: never)
    _expect_above: int | None = EXPECT_ABOVE

    def __init__(self, target: Target, timeout: float = 30, idletime: float = 30,
                 retries: int = 3, debuglevel: int = 0, sock_keepalive: bool = False,
                 tcp_keepalive: int = 60, tcp_keepintvl: int = 60, tcp_keepcnt: int = 3, *,
                 retry: Retry | None = None, verify: bool = False) -> None:
        if not isinstance(target, Target):
            raise wrong_type("Connection", "target", "an hcpsdk.Target", target)
        number("Connection", "timeout", timeout)
        number("Connection", "idletime", idletime)
        integer("Connection", "retries", retries, 0)
        integer("Connection", "debuglevel", debuglevel, 0, 9)
        of_type("Connection", "retry", retry, Retry, "None or an hcpsdk.Retry")
        self._target = target
        self._timeout = timeout
        self._idletime = float(idletime)
        self._retries = retries
        self._retry = retry if retry is not None else Retry(retries)
        self._debuglevel = debuglevel
        self._verify = verify
        self._owner = _OneThread()
        keepalive = (tcp_keepalive, tcp_keepintvl, tcp_keepcnt) if sock_keepalive else None
        self._channel = Channel(timeout, self._idletime, keepalive, debuglevel)
        # the last request: what happened to it, its answer and the answer's body
        self._last = Record(self._retry)
        self._response: http.client.HTTPResponse | None = None
        self._body: ResponseBody | None = None
        self._gone: str | None = None  # why the last response's body can't be read any more
        self._service_time1 = 0.0
        self._service_time2 = 0.0
        log.debug("Connection object initialized: IP None (%s) - timeout: %s - idletime: %s",
                  target.fqdn, timeout, idletime)

    # -- the request --------------------------------------------------------------------

    def request(self, method: str, url: str, body: Any = None, params: Params = None,
                headers: dict[str, str] | None = None) -> http.client.HTTPResponse:
        """Send a request and return its response (the body is left for the caller).

        Url and params are percent-encoded (once); the Target's headers are added to
        ``headers`` in a new dict (the caller's dict is never changed). A ``%`` followed
        by two hex digits in ``url`` is taken as already encoded: a name that contains
        such a sequence literally must be given with that ``%`` encoded as ``%25``
        (``'/rest/100%2541.txt'`` for ``100%41.txt``). A ``?`` in ``url`` is part of the
        object name: query parameters belong into ``params``.

        The arguments are checked before anything is sent. A request that fails —
        with an hcpsdk error or any other exception, e.g. one raised by the caller's
        body iterator or a ``KeyboardInterrupt`` — closes the socket (the next request
        connects anew) and clears :attr:`Response`, :attr:`response_status` and
        :attr:`response_reason`.

        A body of more than 1 MiB (of known size) is announced with
        ``Expect: 100-continue`` and sent once HCP agrees. An answer HCP gives before
        it has the whole body (``409`` object exists, ``403`` ...) is returned like
        any other (with its ``X-HCP-ErrorMessage``), not taken for a network error.
        A Connection used in a process forked after its socket was opened connects
        anew there (it never talks on the parent's socket).

        :param method: any valid http method (GET, HEAD, PUT, POST, DELETE); a lower-case
            one is sent upper-cased (``'get'`` → ``'GET'``)
        :param url: the url to access w/o the server part (i.e. ``/rest/path/object``);
            a str starting with ``/``
        :param body: the payload to send: bytes, bytearray, memoryview, str (sent UTF-8),
            a file object or an iterable of bytes
        :param params: a dict or a list of 2-tuples with parameters to add to the request
        :param headers: a dict holding additional key/value pairs to add to the headers
            (names and values str — an int value is sent as its decimal digits —,
            no CR or LF in them)
        :returns: the response (an ``http.client.HTTPResponse``: :class:`hcpsdk.Response`)
        :raises HcpsdkTypeError: an argument has the wrong type (e.g. a dict as body)
        :raises HcpsdkArgumentError: an argument has a bad value (e.g. a url without the
            leading ``/``, a header value with CR/LF)
        :raises HcpsdkTimeoutError: a node didn't answer in time (after the retries)
        :raises HcpsdkCantConnectError: no node of the Target could be reached
        :raises HcpsdkCertificateError: a node's certificate could not be verified
        :raises HcpsdkBodyNotRewindableError: a retry would need a consumed stream
        :raises HcpsdkConcurrentUseError: another thread is using this Connection
        :raises HcpsdkError: any other failure
        :raises ips.IpsError: the Target's FQDN can't be resolved any longer
        """
        if type(method) is not str or method not in _METHODS:
            method = _check.method(method)
        if headers is not None:
            _check.headers(headers)
        path = build_url(url, params)
        if body is None:
            no_body(headers)
            payload = _NO_BODY
        else:
            payload = prepared(body, headers)
        self._owner.claim("request")
        try:
            with self._channel.lock:
                try:
                    return self._request(method, path, payload, headers)
                except BaseException:
                    # whatever broke off the request (a network error, the caller's body
                    # iterator, KeyboardInterrupt): http.client's connection may be left
                    # mid-request, so it is dropped; no answer of an earlier request remains
                    self._channel.drop()
                    self._response = self._body = self._channel.reading = None
                    raise
        finally:
            self._owner.release()

    def _request(self, method: str, path: str, payload: Payload,
                 caller_headers: dict[str, str] | None) -> http.client.HTTPResponse:
        """Send until an answer is the request's result, as the request's Retry decides."""
        log.debug("URL = %s", path)
        self._forget_last_body()
        channel = self._channel
        policy = self._target._replica_policy
        route = policy.route(method) if policy is not None else None
        record = self._last = Record(self._retry, route)
        chunked = _asks_chunked(caller_headers)
        while True:
            target = route.target() if route is not None else self._target
            try:
                con, reused = channel.to(target, method, record)
            except HcpsdkCantConnectError as exc:  # nothing sent: the route may move it
                record.book(record.attempts.increment(
                    method, stage=UNREACHABLE, target=target, error=exc, route=route), target)
                continue
            node = channel.address
            start = time.perf_counter()
            try:
                response = self._send(con, method, path, payload,
                                      _merge_headers(target, caller_headers, payload), chunked)
            except RECOVERABLE as exc:
                channel.drop()
                with hinted(exc, target, fresh=not reused):
                    record.book(record.attempts.increment(
                        method, stage=SEND, target=target, node=node, error=exc,
                        action=f"{method} {path}", reused=reused, rewindable=payload.rewindable,
                        route=route), target)
                continue
            answered = time.perf_counter()  # also the start of the idle time
            self._service_time2 = answered - start
            if record.attempts.is_final(method, response, target, payload.rewindable, route):
                break
            response.close()
            channel.drop()
            record.book(record.attempts.increment(
                method, stage=STATUS, target=target, node=node, response=response,
                action=f"{method} {path}", route=route), target)
        record.served += (node or "",)
        channel.idle_since = answered
        log.debug("%s Request for %s - service_time1 = %.9f seconds", method, path,
                  self._service_time1)
        if response.status == 409 and method == "PUT" and record.attempts.may_have_landed:
            response = reconcile(response, path, payload, channel, record, self._target)
        self._response = channel.reading = response
        self._body = ResponseBody(response, method, path, caller_headers, self._verify)
        return response

    def _send(self, con: NodeConnection, method: str, path: str, payload: Payload,
              headers: dict[str, str], chunked: bool) -> http.client.HTTPResponse:
        """Send one attempt and wait for the answer's head."""
        start = time.perf_counter()
        if payload is _NO_BODY:
            con.request(method, path, None, headers, encode_chunked=chunked)
            early = None
        else:
            # an answer given before HCP had the whole body (409, 403...) is THE answer
            early = send(con, method, path, payload, headers, chunked, self._expect_above)
        self._service_time1 = time.perf_counter() - start
        return early if early is not None else con.getresponse()

    # -- reading ------------------------------------------------------------------------

    def read(self, amt: int | None = None) -> bytes:
        """Read ``amt`` bytes (or all, if ``amt`` isn't given) from the last response.

        A GET body that breaks off — of the whole object, or of the one range a
        ``Range`` request asked for — is resumed on another node with a Range request
        for the rest (while retries are left), unless the object changed meanwhile: then
        the download has to be started again with a new GET. A read broken that way
        still returns every byte it asked for.

        After :meth:`close`, or after a read that failed, the rest of the body is gone:
        :meth:`read` raises :class:`HcpsdkError` (it never connects again by itself).

        :param amt: number of bytes to read; ``None`` or a negative number: all
        :returns: the requested number of bytes; fewer (or zero) bytes signal the end
            of the transfer, which means that the Connection is ready for another request
        :raises HcpsdkTimeoutError: the node stopped sending
        :raises HcpsdkTypeError: ``amt`` is neither ``None`` nor an int
        :raises HcpsdkConcurrentUseError: another thread is using this Connection
        :raises HcpsdkIntegrityError: the body does not match ``X-HCP-Hash`` (``verify=True``)
        :raises HcpsdkError: on any other read error, or when there is no body to read
            (any more)
        """
        if amt is not None and (type(amt) is not int or amt < 0):
            amt = _check.amount(amt)
        return self._reading("read", lambda body: self._read(body, amt))

    def readinto(self, buffer: Any) -> int:
        """Read the next bytes of the last response into ``buffer``, as many as it holds
        (fewer at the end of the body), with no copy in between.

        It reads as :meth:`read` does with ``amt=len(buffer)``: a GET body that breaks
        off is resumed, and ``buffer`` is filled from the resumed body.

        :param buffer: a writable, contiguous bytes-like object: a ``bytearray``, a
            ``memoryview`` of a part of one, an ``mmap`` ...
        :returns: the number of bytes read; fewer than ``len(buffer)`` (or zero) signal
            the end of the transfer, as with :meth:`read`
        :raises HcpsdkTypeError: ``buffer`` is not a writable, contiguous bytes-like object
        :raises: the errors of :meth:`read`
        """
        view = _check.writable("readinto", "buffer", buffer)
        return self._reading("readinto", lambda body: self._readinto(body, view))

    def _reading(self, call: str, read: Callable[[ResponseBody], _R]) -> _R:
        """``read(body)`` of the last response: one thread at a time, timed; a read that
        fails discards the rest of the body."""
        self._owner.claim(call)
        try:
            start = time.perf_counter()
            body = self._readable_body()
            try:
                result = read(body)
            except BaseException as exc:  # the body can't be continued: discard it
                with self._channel.lock:
                    self._discard(f"the previous read of this response failed "
                                  f"({type(exc).__name__})")
                raise
            self._service_time1 = time.perf_counter() - start
            self._service_time2 += self._service_time1
            log.debug("(partial?) %s: service_time1 = %s secs", call, self._service_time1)
            return result
        finally:
            self._owner.release()

    def _readable_body(self) -> ResponseBody:
        body = self._body
        if body is None:
            raise HcpsdkError(f"read: {self._gone or 'there is no response to read from'}")
        if self._channel.inherited():
            # the body arrives on the parent's socket: reading it would steal the parent's bytes
            self._discard("the response was received by the parent process (before fork())")
            raise HcpsdkError(f"read: {self._gone}")
        return body

    def _read(self, body: ResponseBody, amt: int | None) -> bytes:
        try:
            data = body.read(amt)
        except RECOVERABLE as exc:
            partial = self._resume(body, exc)
            if body.progress is not None and body.progress.missing() <= 0:
                return partial  # the broken read had delivered the last bytes
            if amt is None:
                return partial + self._read(body, None)
            # the rest of what was asked for comes from the resumed body: fewer bytes
            # than asked for would tell the caller that the body has ended
            return partial + self._read(body, amt - len(partial))
        if not body.unread():
            self._channel.idle_since = time.perf_counter()
        return data

    def _readinto(self, body: ResponseBody, view: memoryview) -> int:
        filled = 0
        while filled < len(view):
            try:
                count = body.readinto(view[filled:])
            except RECOVERABLE as exc:
                # the bytes of the broken read were not counted: the resumed body brings
                # them again, to the same place in ``view``
                self._resume(body, exc)
                if body.progress is not None and body.progress.missing() <= 0:
                    break
                continue
            if not count:
                break
            filled += count
        if not body.unread():
            self._channel.idle_since = time.perf_counter()
        return filled

    def _resume(self, body: ResponseBody, exc: BaseException) -> bytes:
        """A GET body broke off: continue it with a Range request, as Retry decides.

        :returns: the bytes the broken read still delivered
        """
        channel, record = self._channel, self._last
        with channel.lock:  # the socket changes: keep the idle reaper out
            progress = body.broke(exc)
            partial = getattr(exc, "partial", b"") or b""
            target = channel.target or self._target
            node, action = channel.address, "read"
            channel.drop()
            while True:
                note = f" after {progress.received} of {progress.total} bytes" if progress else ""
                record.book(record.attempts.increment(
                    "GET", stage=READ, target=target, node=node, error=exc, action=action,
                    rewindable=progress is not None, note=note), target)
                if progress is None or progress.missing() <= 0:
                    return partial
                target = record.route.target() if record.route is not None else self._target
                try:
                    con = channel.open(target, "GET", record)
                    con.request("GET", body.path, None, body.range_headers(
                        _merge_headers(target, body.headers, _NO_BODY)))
                    answer = con.getresponse()
                except RECOVERABLE as failure:
                    channel.drop()
                    exc, node, action = failure, channel.address, f"GET {body.path} (resume)"
                    continue
                error = body.resumed(answer, channel.address)
                if error is not None:
                    answer.close()
                    channel.drop()
                    raise error from exc
                channel.reading = answer
                record.served += (channel.address or "",)
                log.warning("GET %s: resumed at byte %d on node %s", body.path,
                            progress.received, channel.address)
                return partial

    def _drain(self, response: http.client.HTTPResponse) -> None:
        """Read a response body completely (PUT/HEAD/DELETE leave nothing to the caller)."""
        try:
            response.read()
        except RECOVERABLE as exc:
            self._channel.drop()
            raise translate(exc, action="read", node=self._channel.address or "-",
                            fqdn=self._target.fqdn) from exc
        # the idle clock started with the answer (in _request): a small body's read is no use

    def _forget_last_body(self) -> None:
        """Before a new request: an unread body of the last one makes its socket unusable."""
        body = self._body
        if body is not None and body.unread():
            log.debug("previous response not read completely - connection discarded")
            self._channel.drop()
        self._body = self._gone = self._channel.reading = None

    def _discard(self, why: str) -> None:
        """The body can't be read any more (``why``): its socket is closed."""
        self._channel.drop()
        self._body = self._channel.reading = None
        self._gone = why

    # -- the convenience methods --------------------------------------------------------

    def _drained(self, method: str, url: str, body: Any, params: Params,
                 headers: dict[str, str] | None) -> http.client.HTTPResponse:
        self._owner.claim(method)
        try:
            response = self.request(method, url, body=body, params=params, headers=headers)
            self._drain(response)
            return response
        finally:
            self._owner.release()

    def PUT(self, url: str, body: Any = None, params: Params = None,
            headers: dict[str, str] | None = None) -> http.client.HTTPResponse:
        """PUT an object; the response is read completely (see :meth:`request`)."""
        return self._drained("PUT", url, body, params, headers)

    def GET(self, url: str, params: Params = None, headers: dict[str, str] | None = None
            ) -> http.client.HTTPResponse:
        """GET an object; :meth:`read` the content before the next request."""
        return self.request("GET", url, params=params, headers=headers)

    def HEAD(self, url: str, params: Params = None, headers: dict[str, str] | None = None
             ) -> http.client.HTTPResponse:
        """HEAD - get the metadata of an object (see :meth:`request`)."""
        return self._drained("HEAD", url, None, params, headers)

    def POST(self, url: str, body: Any = None, params: Params = None,
             headers: dict[str, str] | None = None) -> http.client.HTTPResponse:
        """POST (metadata, MAPI calls); the response is left for the caller to :meth:`read`."""
        return self.request("POST", url, body=body, params=params, headers=headers)

    def DELETE(self, url: str, params: Params = None, headers: dict[str, str] | None = None
               ) -> http.client.HTTPResponse:
        """DELETE an object; the response is read completely (see :meth:`request`)."""
        return self._drained("DELETE", url, None, params, headers)

    def getheader(self, name: str, default: str | None = None) -> str | None:
        """Get a single response header (``http.client.HTTPResponse.getheader``)."""
        if self._response is None:
            raise HcpsdkError("getheader: no request was made yet")
        return self._response.getheader(name, default)

    def getheaders(self) -> list[tuple[str, str]]:
        """Get the response headers (``http.client.HTTPResponse.getheaders``)."""
        if self._response is None:
            raise HcpsdkError("getheaders: no request was made yet")
        return self._response.getheaders()

    # -- closing ------------------------------------------------------------------------

    def close(self) -> None:
        """Close the Connection (its socket); it may be used again and reconnects then.

        A response body not read yet is discarded: a later :meth:`read` raises
        :class:`HcpsdkError`.

        :raises HcpsdkConcurrentUseError: another thread is using this Connection
        """
        self._owner.claim("close")
        try:
            with self._channel.lock:
                had = self._channel.con is not None
                self._channel.drop()
                if self._body is not None:
                    self._discard("the Connection was closed; the response body was discarded")
        finally:
            self._owner.release()
        if had:
            log.debug("Connection object closed: IP %s (%s)", self._channel.address,
                      self._target.fqdn)

    def __enter__(self) -> Connection:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    # -- attributes ---------------------------------------------------------------------

    @property
    def debug_level(self) -> int:
        """The http.client debug level (0..9), applied to the live connection too.

        :raises HcpsdkTypeError: when set to no int
        :raises HcpsdkArgumentError: when set to an int outside 0..9
        """
        return self._debuglevel

    @debug_level.setter
    def debug_level(self, level: int) -> None:
        integer("Connection", "debug_level", level, 0, 9)
        self._debuglevel = self._channel.debuglevel = level
        if self._channel.con is not None:
            self._channel.con.set_debuglevel(level)

    @property
    def target(self) -> Target:
        """The Target this Connection was made for."""
        return self._target

    @property
    def address(self) -> str | None:
        """The IP address used for this Connection."""
        return self._channel.address

    @property
    def con(self) -> NodeConnection | None:
        """The underlying ``http.client`` connection (``None`` while not connected)."""
        return self._channel.con

    @property
    def Response(self) -> http.client.HTTPResponse | None:
        """Exposition of the ``http.client.HTTPResponse`` object for the last request."""
        return self._response

    @property
    def response(self) -> http.client.HTTPResponse | None:
        """The 0.9.5 name of :attr:`Response`."""
        return self._response

    @property
    def response_status(self) -> int | None:
        """The HTTP status code of the last request."""
        return self._response.status if self._response is not None else None

    @property
    def response_reason(self) -> str | None:
        """The corresponding HTTP status message."""
        return self._response.reason if self._response is not None else None

    @property
    def connect_time(self) -> float:
        """The time the last connect (TCP and TLS handshake) took (secs)."""
        return self._channel.connect_time

    @property
    def service_time1(self) -> float:
        """The time the last action on a request took: sending it, or a single read."""
        return self._service_time1

    @property
    def service_time2(self) -> float:
        """Duration of the complete request up to now (send, response headers, reads)."""
        return self._service_time2

    @property
    def retries_done(self) -> int:
        """How many retries the last request needed.

        .. versionadded:: 1.0
        """
        return self._last.attempts.retries

    @property
    def served_by(self) -> tuple[str, ...]:
        """The node(s) that answered the last request (more than one after a resumed GET).

        .. versionadded:: 1.0
        """
        return self._last.served

    @property
    def served_from(self) -> str | None:
        """``'primary'`` or ``'replica'``: the system that answered the last request
        (``None`` before the first answer); see the Target's ``replica_strategy``.

        .. versionadded:: 1.0
        """
        last = self._last
        if not last.served:
            return None
        return last.route.served if last.route is not None else "primary"

    @property
    def failed_nodes(self) -> tuple[str, ...]:
        """The nodes that failed during the last request, in order.

        .. versionadded:: 1.0
        """
        return self._last.attempts.failed_nodes

    @property
    def timeout(self) -> float:
        """The socket timeout (secs)."""
        return self._timeout

    @property
    def idletime(self) -> float:
        """Seconds an unused socket stays open."""
        return self._idletime

    @property
    def retries(self) -> int:
        """The number of retries until giving up on a request."""
        return self._retries

    @property
    def retry(self) -> Retry:
        """The retry policy in use.

        .. versionadded:: 1.0
        """
        return self._retry

    @property
    def verify(self) -> bool:
        """Whether a GET body of a whole object read through this Connection is checked
        against ``X-HCP-Hash`` (``Connection(..., verify=True)``).

        .. versionadded:: 1.0
        """
        return self._verify

    def __repr__(self) -> str:
        target = self._target
        channel = self._channel
        state = f"open to {channel.address}" if channel.con is not None else "closed"
        response = self._response
        last = (f", last answer {response.status} {response.reason}" if response is not None
                else "")
        return f"<hcpsdk.Connection to {target.fqdn}:{target.port} {state}{last}>"

    def __str__(self) -> str:
        return f"Connection initialized for fqdn {self._target.fqdn} @ {self._channel.address}"
