"""The Connection: a persistent http(s) session to one node of a Target at a time.

One request goes through :meth:`Connection.request`: encode the URL once, pick a
node (round-robin from the Target, skipping failed nodes), connect lazily, send,
and on failure let the :class:`~hcpsdk._retry.Retry` policy decide whether and
where to send again. Errors are translated in :mod:`hcpsdk._translate`. Idle
sockets are closed by the shared reaper of :mod:`hcpsdk._idle`.
"""
from __future__ import annotations

import http.client
import re
import time
from _thread import allocate_lock

from . import _fork
from ._body import HASH_NAMES, Download, Payload, validator
from ._check import bad_value, integer, number, of_type, wrong_type
from ._constants import EXPECT_ABOVE
from ._encoding import check_header
from ._log import DEBUG, get_logger
from ._outgoing import no_body, prepared
from ._retry import IDEMPOTENT_METHODS, Retry
from ._transport import NodeConnection, is_dropped, socket_opener
from ._url import build_url
from .exceptions import (
    HcpsdkArgumentError,
    HcpsdkBodyNotRewindableError,
    HcpsdkCantConnectError,
    HcpsdkError,
    HcpsdkStatusError,
    IpsError,
)
from .target import Target

TYPE_CHECKING = False
if TYPE_CHECKING:  # typing costs import time; annotations are strings here
    from typing import Any

    from ._replica import ReplicaRoute
    from ._url import Params

__all__ = ["Connection"]

log = get_logger(__name__)
_DEBUG = DEBUG
_perf = time.perf_counter
_NO_BODY = Payload(None)  # nothing in it changes when it is sent: shared
#: The exception types a request or read may meet on the network (``_translate``'s).
RECOVERABLE = (OSError, http.client.HTTPException)
# A socket used less than this many seconds ago is not polled for a server-side close
# (no sane server drops a kept-alive connection that quickly; see is_dropped()).
_FRESH = 0.005
# Methods taken as they are; any other str is checked to be an http token, then upper-cased.
_METHODS = frozenset({"GET", "HEAD", "PUT", "POST", "DELETE", "OPTIONS"})


def _TOKEN(text: str) -> Any:  # noqa: N802 - rebinds itself to the compiled matcher
    """Whether ``text`` is an http token; the regex is compiled on first use (import time)."""
    global _TOKEN
    _TOKEN = re.compile(r"[!#$%&'*+.^_`|~0-9A-Za-z-]+").fullmatch  # type: ignore[assignment]
    return _TOKEN(text)


# Loaded when first needed, not by ``import hcpsdk`` (issue 6: a cheap import): the error
# translation on the first failure, the early-answer handling with the first body, the
# idle reaper with the first socket.

def _classify(exc: BaseException) -> Any:
    """:func:`hcpsdk._translate.classify`."""
    from ._translate import classify
    return classify(exc)


def _translated(exc: BaseException, **kwargs: Any) -> HcpsdkError:
    """:func:`hcpsdk._translate.translate`."""
    from ._translate import translate
    return translate(exc, **kwargs)


def _send_body(*args: Any) -> http.client.HTTPResponse | None:
    """:func:`hcpsdk._early.send` (rebinds itself to it on first use)."""
    global _send_body
    from ._early import send
    _send_body = send
    return send(*args)


def _check_method(method: Any) -> str:
    """``method`` as it is sent: a token, upper-cased (``'get'`` → ``'GET'``)."""
    if not isinstance(method, str):
        raise wrong_type("request", "method", "a str like 'GET'", method)
    if not _TOKEN(method):
        raise bad_value("request", "method", "an http method like 'GET'", method)
    return method.upper()


def _check_headers(headers: Any) -> None:
    """Caller headers: a dict of header name → str (or int) value, without CR/LF."""
    items = getattr(headers, "items", None)
    if items is None or isinstance(headers, type):
        raise wrong_type("request", "headers", "None or a dict of str: str", headers)
    for name, value in items():
        if not isinstance(name, str):
            raise wrong_type("request", "headers", "a dict with str keys", name)
        if not _TOKEN(name):
            raise bad_value("request", "a header name", "an http token like 'X-HCP-Foo'", name)
        if isinstance(value, str):
            if "\r" in value or "\n" in value:
                raise HcpsdkArgumentError(f"request: headers: the value of {name!r} contains CR or LF "
                                          "(refused: header injection)")
            if not value.isascii():
                check_header(name, value)
        elif isinstance(value, bool) or not isinstance(value, int):
            raise wrong_type("request", f"headers[{name!r}]", "a str", value, secret=True)


def _check_amt(amt: Any) -> int | None:
    """``read()``'s ``amt``: ``None`` or an int; a negative one means "all" (``None``)."""
    if isinstance(amt, bool) or not isinstance(amt, int):
        raise wrong_type("read", "amt", "None or an int", amt)
    return None if amt < 0 else amt


class _Attempts:
    """Book-keeping of one request across its attempts.

    ``failed`` and ``served`` are tuples, grown by ``+=``: almost every request
    succeeds at once, so no list is made for them (one per request, per the profile).
    """

    __slots__ = ("retries", "failed", "served", "may_have_landed", "stale_used", "replica")

    def __init__(self, replica: ReplicaRoute | None = None) -> None:
        self.replica = replica  # the replica strategy's decisions, if it has a say
        self.retries = 0
        self.failed: tuple[str, ...] = ()
        self.served: tuple[str, ...] = ()
        self.may_have_landed = False
        self.stale_used = False


class Connection:
    """A Connection to HCP, caching the related parameters.

    It opens a session to a node of the Target as soon as needed, but not before;
    it keeps the session open for ``idletime`` seconds after use. Not thread-safe:
    use one Connection per thread (the Target may be shared).

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
        self.sock_keepalive = sock_keepalive
        self.tcp_keepalive = tcp_keepalive
        self.tcp_keepintvl = tcp_keepintvl
        self.tcp_keepcnt = tcp_keepcnt
        self._verify = verify
        self._lock = allocate_lock()
        self._con: NodeConnection | None = None
        self._con_target: Target | None = None
        self._born = _fork.generation  # of the process that opened the socket (see _fork)
        self._address: str | None = None
        self._response: http.client.HTTPResponse | None = None
        self._stream: http.client.HTTPResponse | None = None
        self._body: Download | None = None
        self._get: tuple[str, dict | None] | None = None  # a GET's path and headers
        self._gone: str | None = None  # why the last response's body can't be read any more
        self._idle_since = 0.0
        self._connect_time = 0.0
        self._service_time1 = 0.0
        self._service_time2 = 0.0
        self._last = _Attempts()
        log.debug("Connection object initialized: IP None (%s) - timeout: %s - idletime: %s",
                  target.fqdn, timeout, idletime)

    # -- the request --------------------------------------------------------------------

    def request(self, method: str, url: str, body: Any = None, params: Params = None,
                headers: dict | None = None) -> http.client.HTTPResponse:
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
        :returns: the ``http.client.HTTPResponse``
        :raises HcpsdkTypeError: an argument has the wrong type (e.g. a dict as body)
        :raises HcpsdkArgumentError: an argument has a bad value (e.g. a url without the
            leading ``/``, a header value with CR/LF)
        :raises HcpsdkTimeoutError: a node didn't answer in time (after the retries)
        :raises HcpsdkCantConnectError: no node of the Target could be reached
        :raises HcpsdkCertificateError: a node's certificate could not be verified
        :raises HcpsdkBodyNotRewindableError: a retry would need a consumed stream
        :raises HcpsdkError: any other failure
        :raises ips.IpsError: the Target's FQDN can't be resolved any longer
        """
        if type(method) is not str or method not in _METHODS:
            method = _check_method(method)
        if headers is not None:
            _check_headers(headers)
        path = build_url(url, params)
        if body is None:
            no_body(headers)
            payload = _NO_BODY
        else:
            payload = prepared(body, headers)
        with self._lock:
            try:
                return self._request(method, path, payload, headers)
            except BaseException:
                # whatever broke off the request (a network error, the caller's body
                # iterator, KeyboardInterrupt): http.client's connection may be left
                # mid-request, so it is dropped; no answer of an earlier request remains
                self._drop()
                self._response = self._stream = self._body = self._get = None
                raise

    @staticmethod
    def _merge_headers(target: Target, headers: dict | None, payload: Payload) -> dict:
        """The headers to send: the caller's, the Target's (which win), Content-Length.

        Without caller headers and a stream body this is the Target's own cached dict.
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

    def _route(self, method: str, attempts: _Attempts) -> Target:
        """The Target that serves (this attempt of) a request — the seam for replica strategies.

        :param method: the http method
        :param attempts: what happened to this request so far (``retries``, ``failed`` nodes)
        """
        if attempts.replica is None:
            return self._target
        return attempts.replica.target()

    def _request(self, method: str, path: str, payload: Payload, caller_headers: dict | None
                 ) -> http.client.HTTPResponse:
        debug = log.isEnabledFor(_DEBUG)
        if debug:
            log.debug("URL = %s", path)
        if self._stream is not None and self._stream.fp is not None:  # body not read
            if debug:
                log.debug("previous response not read completely - connection discarded")
            self._drop()
        self._stream = self._body = self._get = self._gone = None
        replica = self._target._replica_policy
        attempts = self._last = _Attempts(replica.route(method) if replica else None)
        policy = self._retry
        # a caller who asks for chunked transfer gets the chunks framed by http.client
        chunked = bool(caller_headers) and any(
            key.lower() == "transfer-encoding" and "chunked" in str(value).lower()
            for key, value in caller_headers.items())
        headers_of: Target | None = None
        while True:
            target = (self._target if attempts.replica is None
                      else self._route(method, attempts))
            if target is not headers_of:
                headers = (target._headers if not caller_headers and not payload.is_stream
                           else self._merge_headers(target, caller_headers, payload))
                headers_of = target
            con = self._con
            reused = con is not None and self._usable(con, target)
            if not reused:
                if debug:
                    log.debug("Connection needs to be opened")
                try:
                    con = self._open(target, attempts)
                except HcpsdkCantConnectError as exc:
                    # nothing was sent: the replica strategy may move the request at once
                    if attempts.replica is None or not attempts.replica.failed(
                            target, exc, unreachable=True):
                        raise
                    continue
            node = self._address
            start = _perf()
            try:
                if payload is _NO_BODY:
                    con.request(method, path, None, headers, encode_chunked=chunked)
                    early = None
                else:
                    # an answer HCP gave before it had the whole body (409, 403, ...) is
                    # THE answer, not a network error (see _early)
                    early = _send_body(con, method, path, payload, headers, chunked,
                                       self._expect_above)
                self._service_time1 = _perf() - start
                response = early if early is not None else con.getresponse()
            except RECOVERABLE as exc:
                self._drop()
                self._sending_failed(exc, method, path, payload, target, node, reused, attempts)
                continue
            answered = _perf()  # also the start of the idle time (one clock read for both)
            self._service_time2 = answered - start
            status = response.status
            if (status in policy.statuses and attempts.retries < policy.total
                    and policy.may_resend(method, True) and payload.rewindable):
                reason = "{} {} on node {} ({}): {} {} ({})".format(
                    method, path, node, target.fqdn, status, response.reason,
                    response.getheader("X-HCP-ErrorMessage", "no message"))
                response.close()
                self._drop()
                self._failed(target, node, attempts, reason)
                if attempts.replica is not None:
                    attempts.replica.failed(target, HcpsdkStatusError(reason, status))
                continue
            if attempts.replica is not None and not attempts.replica.answered(
                    target, response, payload.rewindable):
                continue  # the replica refused a write: it goes to the primary
            break
        attempts.served += (node,)
        self._idle_since = answered
        if debug:
            log.debug("%s Request for %s - service_time1 = %.9f seconds", method, path,
                      self._service_time1)
        if status == 409 and method == "PUT" and attempts.may_have_landed:
            response = self._landed(response, path, payload)
        self._response = self._stream = response
        if method == "GET" and status == 200 and response.length is not None:
            self._get = (path, caller_headers)
            if self._verify:
                self._body = Download(path, caller_headers, response, True)
        return response

    def _usable(self, con: NodeConnection, target: Target) -> bool:
        """Whether the open connection can carry the next request to ``target``."""
        # a socket inherited through fork() is shared with the parent: never touched here
        if (self._con_target is target and con.sock is not None
                and self._born == _fork.generation
                and (_perf() - self._idle_since <= _FRESH or not is_dropped(con.sock))):
            return True
        log.debug("connection to %s is gone - reconnecting", self._address)
        self._drop()
        return False

    def _sending_failed(self, exc: BaseException, method: str, path: str, payload: Payload,
                        target: Target, node: str, reused: bool, attempts: _Attempts) -> None:
        """An attempt failed on the network: return to send again, or raise the error.

        A kept-alive socket the server closed while it was idle is no failure of the
        node: an idempotent request is resent at once, once. Anything else is up to
        the retry policy (:meth:`_give_up`).
        """
        rule = _classify(exc)
        if (rule.stale and reused and not attempts.stale_used and payload.rewindable
                and method in IDEMPOTENT_METHODS):
            attempts.stale_used = True
            log.debug("kept-alive connection to %s was closed by HCP (%s) - resending", node, exc)
            return
        verdict = self._give_up(rule, attempts, method, payload)
        error = _translated(exc, action=f"{method} {path}", node=node,
                          fqdn=target.fqdn, rule=rule, note=verdict[1] if verdict else "")
        if verdict is not None:
            raise (verdict[0](error.reason) if verdict[0] else error) from exc
        self._failed(target, node, attempts, error.reason)
        attempts.may_have_landed = attempts.may_have_landed or method == "PUT"
        if attempts.replica is not None:
            attempts.replica.failed(target, error)

    def _failed(self, target: Target, node: str, attempts: _Attempts, reason: str) -> None:
        """Book a failed attempt, skip the node for a while, wait the backoff."""
        attempts.retries += 1
        attempts.failed += (node,)
        target._circle.mark_failed(node, self._retry.cooldown)
        delay = self._retry.backoff(attempts.retries)
        log.warning("retry %d/%d in %.3f s on another node: %s",
                    attempts.retries, self._retry.total, delay, reason)
        if delay > 0:
            time.sleep(delay)

    def _give_up(self, rule: Any, attempts: _Attempts, method: str, payload: Payload
                 ) -> tuple[type | None, str] | None:
        """Why a failed attempt is not sent again: ``(error class or None, note)``.

        ``None``: it is sent again.
        """
        if not rule.retry:
            return None, ""
        if attempts.retries >= self._retry.total:
            return None, f" - giving up after {attempts.retries} retries"
        if not self._retry.may_resend(method, True):
            return None, f" - not resent: {method} is not idempotent and was sent already"
        if not payload.rewindable:
            return HcpsdkBodyNotRewindableError, (
                " - can't resend: the body is a non-seekable stream that was (partly) sent "
                "already")
        return None

    # -- connecting ---------------------------------------------------------------------

    def _open(self, target: Target, attempts: _Attempts) -> NodeConnection:
        """Connect to the next usable node; move on at once from nodes that fail to connect.

        When every known node failed, the FQDN is resolved again once.
        """
        circle = target._circle
        tried: set[str] = set()
        failures: list[str] = []
        refreshed = False
        last_exc: BaseException | None = None
        while True:
            node = circle.next_address(exclude=tried)
            if node is None:
                if not refreshed:
                    refreshed = True
                    log.warning("no node of %s could be reached - resolving the name again",
                                target.fqdn)
                    try:
                        circle.refresh()
                    except IpsError as exc:
                        log.warning("%s", exc)
                    continue
                raise HcpsdkCantConnectError(
                    "can't connect to {} port {}: every node failed ({})".format(
                        target.fqdn, target.port, "; ".join(failures))) from last_exc
            tried.add(node)
            keepalive = ((self.tcp_keepalive, self.tcp_keepintvl, self.tcp_keepcnt)
                         if self.sock_keepalive else None)
            con = NodeConnection(node, target.port, self._timeout, socket_opener(
                node, target.port, self._timeout, keepalive, target._tls_policy, target.fqdn))
            start = _perf()
            try:
                con.connect()
            except RECOVERABLE as exc:
                con.close()
                rule = _classify(exc)
                error = _translated(exc, action="connect", node=node, fqdn=target.fqdn, rule=rule)
                if not rule.retry:
                    raise error from exc
                last_exc = exc
                failures.append(f"{node}: {rule.cause}")
                attempts.failed += (node,)
                circle.mark_failed(node, self._retry.cooldown)
                log.warning("%s - trying the next node", error)
                continue
            except BaseException:  # HcpsdkError (TLS policy), KeyboardInterrupt, ...
                con.close()
                raise
            self._connect_time = _perf() - start
            circle.mark_ok(node)
            if self._debuglevel:
                con.set_debuglevel(self._debuglevel)
            self._con, self._con_target, self._address = con, target, node
            self._born = _fork.generation
            log.debug("Connection open: IP %s (%s) - connect_time: %.6f seconds",
                      node, target.fqdn, self._connect_time)
            from ._idle import watch
            watch(self)
            return con

    def _drop(self) -> None:
        """Close the socket (if any); the next request connects anew."""
        con, self._con = self._con, None
        if con is not None:
            con.close()
        stream = self._stream
        if stream is not None and not stream.isclosed():
            stream.close()

    # -- a PUT whose first attempt may have landed --------------------------------------

    def _landed(self, conflict: http.client.HTTPResponse, path: str, payload: Payload
                ) -> http.client.HTTPResponse:
        """Resolve a 409 met by a retried PUT: did the first attempt store exactly our body?

        :returns: the HEAD response presented as ``201 Created`` when size and hash
            match, else the 409 response
        """
        conflict.read()
        target = self._con_target or self._target
        bare = path.split("?", 1)[0]
        try:
            con = self._con
            if con is None or con.sock is None:  # closed after an early answer (_early)
                con = self._open(target, self._last)
            con.request("HEAD", bare, None, target._headers)
            head = con.getresponse()
            head.read()
        except (HcpsdkError, *RECOVERABLE) as exc:
            self._drop()
            log.warning("PUT %s: 409 after a retry, and the HEAD to check it failed: %s",
                        bare, exc)
            return conflict
        scheme, _, value = (head.getheader("X-HCP-Hash") or "").partition(" ")
        size = head.getheader("X-HCP-Size") or head.getheader("Content-Length")
        algorithm = HASH_NAMES.get(scheme.upper())
        if head.status == 200 and algorithm and size is not None:
            sent_size, sent_hash = payload.digest(algorithm)
            if int(size) == sent_size and value.strip().upper() == sent_hash:
                log.warning("PUT %s: 409 after a retry - the first attempt had stored this very "
                            "object (size %s, %s %s): reporting success", bare, size, scheme,
                            sent_hash)
                head.status, head.reason = 201, "Created"
                return head
        log.warning("PUT %s: 409 after a retry - the stored object differs from the body sent",
                    bare)
        return conflict

    # -- reading ------------------------------------------------------------------------

    def read(self, amt: int | None = None) -> bytes:
        """Read ``amt`` bytes (or all, if ``amt`` isn't given) from the last response.

        A GET body that breaks off is resumed on another node with a Range request
        (while retries are left) — unless the object changed meanwhile: then the
        download has to be started again with a new GET.

        After :meth:`close`, or after a read that failed, the rest of the body is gone:
        :meth:`read` raises :class:`HcpsdkError` (it never connects again by itself).

        :param amt: number of bytes to read; ``None`` or a negative number: all
        :returns: the requested number of bytes; fewer (or zero) bytes signal the end
            of the transfer, which means that the Connection is ready for another request
        :raises HcpsdkTimeoutError: the node stopped sending
        :raises HcpsdkTypeError: ``amt`` is neither ``None`` nor an int
        :raises HcpsdkError: on any other read error, a hash mismatch (``verify=True``),
            or when there is no body to read (any more)
        """
        if amt is not None and (type(amt) is not int or amt < 0):
            amt = _check_amt(amt)
        start = _perf()
        try:
            data = self._read(amt)
        except BaseException as exc:
            if self._stream is not None:  # the body can't be continued: discard it
                with self._lock:
                    self._drop()
                    self._stream = self._body = None
                    self._gone = f"the previous read of this response failed ({type(exc).__name__})"
            raise
        self._service_time1 = _perf() - start
        self._service_time2 += self._service_time1
        if log.isEnabledFor(_DEBUG):
            log.debug("(partial?) read: service_time1 = %s secs", self._service_time1)
        return data

    def _read(self, amt: int | None) -> bytes:
        stream = self._stream
        if stream is None:
            raise HcpsdkError("read: {}".format(self._gone or "there is no response to read from"))
        if self._born != _fork.generation:
            # the body arrives on the parent's socket: reading it would steal the parent's bytes
            self._drop()
            self._stream = self._body = None
            self._gone = "the response was received by the parent process (before fork())"
            raise HcpsdkError(f"read: {self._gone}")
        state = self._body
        try:
            data = stream.read(amt)
            if state is not None:
                state.add(data)
            if not data and amt != 0 and stream.length:
                # http.client returns b'' when a sized body ends early: not the end
                raise http.client.IncompleteRead(b"", stream.length)
        except RECOVERABLE as exc:
            return self._resume(exc, amt)
        if stream.fp is None:  # http.client's "closed": the body was read completely
            self._finished()
        return data

    def _finished(self) -> None:
        """The body was read completely: verify it (if asked) and start the idle clock."""
        self._idle_since = _perf()
        state = self._body
        if state is not None and state.hasher is not None and state.missing() == 0:
            self._body = None
            actual = state.hasher.hexdigest().upper()
            if actual != state.expected:
                raise HcpsdkError(f"GET {state.path}: the {state.hash_name} of the bytes read "
                                  f"({actual}) differs from X-HCP-Hash "
                                  f"({state.expected})")

    def _resume(self, exc: BaseException, amt: int | None) -> bytes:
        """A GET body broke off: continue with a Range request on another node."""
        with self._lock:  # the socket changes: keep the idle reaper out
            partial = self._reconnect_body(exc)
        if amt is None:
            return partial + self._read(None)
        return partial if partial else self._read(amt)

    def _reconnect_body(self, exc: BaseException) -> bytes:
        """Book the broken read, then ask other nodes for the rest; returns the partial bytes."""
        state, node = self._body, self._address
        if state is None and self._get is not None and self._stream is self._response:
            state = self._body = Download(*self._get, self._response, False)
        target = self._con_target or self._target
        rule = _classify(exc)
        attempts = self._last
        self._drop()
        error = _translated(exc, action="read", node=node, fqdn=target.fqdn, rule=rule)
        if state is None or not rule.retry or attempts.retries >= self._retry.total:
            raise error from exc
        partial = getattr(exc, "partial", b"") or b""
        if partial:
            state.add(partial)
        while True:
            self._failed(target, node, attempts, f"{error.reason} after {state.received} of "
                                                 f"{state.total} bytes")
            failure = self._resume_request(state, attempts, exc)
            if failure is None:
                return partial
            exc, error = failure
            node = self._address
            if attempts.retries >= self._retry.total:
                raise error from exc

    def _resume_request(self, state: Download, attempts: _Attempts, cause: BaseException
                        ) -> tuple[BaseException, HcpsdkError] | None:
        """Send the Range request for the rest of ``state``'s body.

        It carries ``If-Match`` with the object's (strong) ETag, so that HCP refuses
        with ``412`` when the object changed; the answer's ``X-HCP-Hash`` (or ``ETag``)
        is compared with the first answer's as well.

        :returns: ``None`` when the rest is on its way, or ``(exception, error)`` when the
            node failed in a way another node may not
        :raises HcpsdkError: when the answer does not continue the same object
        """
        if state.missing() <= 0:
            self._stream = None
            return None
        target = self._route("GET", attempts)
        headers = dict(self._merge_headers(target, state.headers, _NO_BODY))
        headers["Range"] = f"bytes={state.received}-{state.total - 1}"
        etag = state.response.getheader("ETag")
        if etag and not etag.startswith("W/") and not any(
                name.lower() in ("if-match", "if-range") for name in headers):
            headers["If-Match"] = etag
        con = self._open(target, attempts)
        try:
            con.request("GET", state.path, None, headers)
            response = con.getresponse()
        except RECOVERABLE as exc:
            self._drop()
            rule = _classify(exc)
            error = _translated(exc, action=f"GET {state.path} (resume)",
                              node=self._address, fqdn=target.fqdn, rule=rule)
            if not rule.retry:
                raise error from exc
            return exc, error
        expected, found = validator(state.response), validator(response)
        content_range = response.getheader("Content-Range", "")
        if (response.status != 206 or not content_range.startswith(
                f"bytes {state.received}-") or found != expected):
            response.close()
            self._drop()
            raise self._not_resumed(state, response, content_range, expected, found) from cause
        attempts.served += (self._address,)
        log.warning("GET %s: resumed at byte %d on node %s", state.path, state.received,
                    self._address)
        self._stream = response
        return None

    def _not_resumed(self, state: Download, response: http.client.HTTPResponse,
                     content_range: str, expected: str | None, found: str | None
                     ) -> HcpsdkError:
        """The error for a Range answer that does not continue the body."""
        what = f"GET {state.path}: the object changed since the download started"
        restart = " - restart the GET"
        if response.status == 412:
            return HcpsdkError("{} (node {} answered 412 {} to If-Match {}){}".format(
                what, self._address, response.reason, state.response.getheader("ETag"),
                restart))
        if response.status in (200, 206) and found is not None and found != expected:
            name = "X-HCP-Hash" if state.response.getheader("X-HCP-Hash") else "ETag"
            return HcpsdkError(f"{what} ({name} was {expected}, node {self._address} now has "
                               f"{found}){restart}")
        return HcpsdkError(
            f"GET {state.path}: could not resume the broken download on node {self._address} "
            f"({response.status} {response.reason}, "
            f"Content-Range {content_range!r})")

    def _drain(self, response: http.client.HTTPResponse) -> None:
        """Read a response body completely (PUT/HEAD/DELETE leave nothing to the caller)."""
        try:
            response.read()
        except RECOVERABLE as exc:
            self._drop()
            raise _translated(exc, action="read", node=self._address,
                            fqdn=self._target.fqdn) from exc
        # the idle clock started when the answer came (in _request): a small body's
        # read does not move it by a measurable amount, so no second clock call

    # -- the convenience methods --------------------------------------------------------

    def PUT(self, url: str, body: Any = None, params: Params = None,
            headers: dict | None = None) -> http.client.HTTPResponse:
        """PUT an object; the response is read completely (see :meth:`request`)."""
        response = self.request("PUT", url, body=body, params=params, headers=headers)
        self._drain(response)
        return response

    def GET(self, url: str, params: Params = None, headers: dict | None = None
            ) -> http.client.HTTPResponse:
        """GET an object; :meth:`read` the content before the next request."""
        return self.request("GET", url, params=params, headers=headers)

    def HEAD(self, url: str, params: Params = None, headers: dict | None = None
             ) -> http.client.HTTPResponse:
        """HEAD - get the metadata of an object (see :meth:`request`)."""
        response = self.request("HEAD", url, params=params, headers=headers)
        self._drain(response)
        return response

    def POST(self, url: str, body: Any = None, params: Params = None,
             headers: dict | None = None) -> http.client.HTTPResponse:
        """POST (metadata, MAPI calls); the response is left for the caller to :meth:`read`."""
        return self.request("POST", url, body=body, params=params, headers=headers)

    def DELETE(self, url: str, params: Params = None, headers: dict | None = None
               ) -> http.client.HTTPResponse:
        """DELETE an object; the response is read completely (see :meth:`request`)."""
        response = self.request("DELETE", url, params=params, headers=headers)
        self._drain(response)
        return response

    def getheader(self, *args: Any, **kwargs: Any) -> str | None:
        """Get a single response header (``http.client.HTTPResponse.getheader``)."""
        if self._response is None:
            raise HcpsdkError("getheader: no request was made yet")
        return self._response.getheader(*args, **kwargs)

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
        """
        with self._lock:
            had = self._con is not None
            self._drop()
            if self._stream is not None:
                self._stream = self._body = None
                self._gone = "the Connection was closed; the response body was discarded"
        if had:
            log.debug("Connection object closed: IP %s (%s)", self._address, self._target.fqdn)

    def __enter__(self) -> Connection:
        return self

    def __exit__(self, *exc_info: Any) -> None:
        self.close()

    def __del__(self) -> None:
        con = getattr(self, "_con", None)
        if con is not None:
            try:
                con.close()
            except Exception:  # pragma: no cover - interpreter shutdown
                pass

    # -- idle handling (called by the shared reaper thread) -----------------------------

    def _idle_due(self, now: float) -> float | None:
        con = self._con
        if con is None or con.sock is None:
            return None
        stream = self._stream
        if stream is not None and not stream.isclosed():
            return self._idletime  # a body is being read: never closed, look again later
        return self._idle_since + self._idletime - now

    def _forked(self) -> None:
        # in a forked child: the lock may have been held by the parent's reaper thread
        self._lock = allocate_lock()

    def _idle_expire(self) -> bool:
        if not self._lock.acquire(blocking=False):
            return False
        try:
            due = self._idle_due(_perf())
            if due is None:
                return True
            if due > 0:
                return False
            self._drop()
        finally:
            self._lock.release()
        log.debug("idle close: IP %s (%s) - unused for %.1f seconds", self._address,
                  self._target.fqdn, self._idletime)
        return True

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
        self._debuglevel = level
        if self._con is not None:
            self._con.set_debuglevel(level)

    @property
    def target(self) -> Target:
        """The Target this Connection was made for."""
        return self._target

    @property
    def address(self) -> str | None:
        """The IP address used for this Connection."""
        return self._address

    @property
    def con(self) -> http.client.HTTPConnection | None:
        """The underlying ``http.client`` connection (``None`` while not connected)."""
        return self._con

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
        return self._connect_time

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
        return self._last.retries

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
        return last.replica.served if last.replica is not None else "primary"

    @property
    def failed_nodes(self) -> tuple[str, ...]:
        """The nodes that failed during the last request, in order.

        .. versionadded:: 1.0
        """
        return self._last.failed

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

    def __repr__(self) -> str:
        return (f"Connection({self._target!r}, timeout={self._timeout!r}, idletime={self._idletime!r}, "
                f"retries={self._retries!r}, debuglevel={self._debuglevel!r}, "
                f"sock_keepalive={self.sock_keepalive!r}, tcp_keepalive={self.tcp_keepalive!r}, "
                f"tcp_keepintvl={self.tcp_keepintvl!r}, "
                f"tcp_keepcnt={self.tcp_keepcnt!r})")

    def __str__(self) -> str:
        return f"Connection initialized for fqdn {self._target.fqdn} @ {self._address}"
