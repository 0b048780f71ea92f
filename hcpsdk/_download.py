"""A response body read through :meth:`Connection.read`: its progress, resuming, verifying.

:class:`ResponseBody` is what the Connection keeps between the answer and the last
:meth:`~hcpsdk.Connection.read`. It knows where the body comes from (the stream, which
changes when a broken GET is resumed), how far it got, whether it can be resumed, and
whether its bytes must match ``X-HCP-Hash``. Sockets and retries stay the Connection's:
when a read breaks, the Connection asks :class:`~hcpsdk.Retry` and sends the Range
request this module describes (:meth:`ResponseBody.range_headers`), and hands the answer
back to be checked (:meth:`ResponseBody.resumed`).

:func:`reconcile` answers the other body question of a retry: a retried PUT met
``409`` (the object exists) — is the stored object exactly the body that was sent?
"""
from __future__ import annotations

import http.client
import logging
import re
from typing import TYPE_CHECKING

from ._body import Payload
from ._channel import RECOVERABLE, Channel, Record
from .exceptions import HcpsdkError, HcpsdkIntegrityError
from .target import Target

if TYPE_CHECKING:  # for the annotation of Download.hasher; the module is loaded on use
    import hashlib

__all__ = ["HASH_NAMES", "Download", "ResponseBody", "body_range", "checks_hash", "reconcile",
           "stored_is_ours", "validator"]

log = logging.getLogger(__name__)

#: hashlib's names of the hash schemes HCP writes in ``X-HCP-Hash``.
HASH_NAMES = {"SHA-256": "sha256", "SHA-1": "sha1", "MD5": "md5", "SHA-384": "sha384",
              "SHA-512": "sha512", "RIPEMD-160": "ripemd160"}


# A single range as a 206 answer names it: ``bytes first-last/length`` (length may be ``*``).
_CONTENT_RANGE = re.compile(r"bytes (\d{1,19})-(\d{1,19})/(?:\d{1,19}|\*)")


def body_range(response: http.client.HTTPResponse) -> tuple[int, int] | None:
    """The first and last byte of the object that the body of a ``206`` answer holds:
    its ``Content-Range``, if that names one range exactly as long as the body; else
    ``None`` (several ranges, or a range that does not fit the body: such a body can't
    be continued)."""
    found = _CONTENT_RANGE.fullmatch(response.getheader("Content-Range") or "")
    if found is None or response.length is None:
        return None
    first, last = int(found[1]), int(found[2])
    return (first, last) if last - first + 1 == response.length else None


def checks_hash(response: http.client.HTTPResponse, verify: bool) -> bool:
    """Whether a GET answer's body, read through a Connection made with ``verify``, is
    checked against ``X-HCP-Hash``: a whole object's (``200``) body of known length."""
    return verify and response.status == 200 and response.length is not None


def validator(response: http.client.HTTPResponse) -> str | None:
    """What identifies the object's content in a response: ``X-HCP-Hash``, else ``ETag``."""
    return response.getheader("X-HCP-Hash") or response.getheader("ETag")


class Download:
    """The progress of a GET body of known length, and its running hash.

    :param response: the ``200`` response whose body is read
    :param verify: hash the bytes, to compare them with ``X-HCP-Hash`` at the end

    Made when the GET is answered if ``verify`` is asked for, else only when the body
    breaks off (counting every read costs time that only a resume needs): then the
    bytes received so far are what http.client did not count down yet
    (``response.length`` is the rest).
    """

    __slots__ = ("total", "received", "hash_name", "expected", "hasher")

    def __init__(self, response: http.client.HTTPResponse, verify: bool) -> None:
        self.total = int(response.getheader("Content-Length") or 0)
        self.received = self.total - (response.length or 0)
        self.hash_name: str | None = None
        self.expected: str | None = None
        self.hasher: hashlib._Hash | None = None
        hcp_hash = response.getheader("X-HCP-Hash") if verify else None
        if hcp_hash:
            scheme, _, value = hcp_hash.partition(" ")
            self.hash_name = HASH_NAMES.get(scheme.upper())
            if self.hash_name:
                self.expected = value.strip().upper()
                # loaded by the first hash, not by ``import hcpsdk``: few GETs verify
                import hashlib

                self.hasher = hashlib.new(self.hash_name)

    def missing(self) -> int:
        """Bytes still to come."""
        return self.total - self.received

    def add(self, data: bytes | memoryview) -> None:
        """Account for (and hash) bytes handed to the caller."""
        self.received += len(data)
        if self.hasher is not None:
            self.hasher.update(data)


class ResponseBody:
    """The body of the last response, as far as :meth:`Connection.read` got with it.

    :param response: the answer whose body is read
    :param method: the request's method
    :param path: the request path (encoded)
    :param headers: the caller's request headers (a resume sends them again)
    :param verify: check a GET body against ``X-HCP-Hash`` when it is complete
    """

    __slots__ = ("response", "stream", "path", "headers", "offset", "resumable", "progress")

    def __init__(self, response: http.client.HTTPResponse, method: str, path: str,
                 headers: dict[str, str] | None, verify: bool) -> None:
        #: The first answer (its headers name the object a resume must continue).
        self.response = response
        #: Where the bytes come from now (a Range answer after a resume).
        self.stream = response
        self.path = path
        self.headers = headers
        #: Where the body starts in the object: 0 for a whole object, the first byte of
        #: the range a ``206`` answer carries (``None``: a range that can't be continued).
        self.offset: int | None = 0
        if response.status == 206:
            carried = body_range(response)
            self.offset = carried[0] if carried is not None else None
        #: A GET body of known length can be continued with a Range request: the whole
        #: object (``200``), or one range of it (``206``; the reads of hcpfs, pyarrow ...).
        self.resumable = (method == "GET" and response.length is not None
                          and (response.status == 200
                               or (response.status == 206 and self.offset is not None)))
        # X-HCP-Hash is the whole object's: only a whole body can be checked against it
        self.progress = (Download(response, True)
                         if self.resumable and checks_hash(response, verify) else None)

    def unread(self) -> bool:
        """``True`` while bytes of the body wait in the socket."""
        return self.stream.fp is not None

    def read(self, amt: int | None) -> bytes:
        """Read from the stream; verifies the body when it is complete.

        :raises OSError: or ``http.client.HTTPException``: the stream broke (a sized body
            that ends early is reported as ``IncompleteRead``)
        :raises HcpsdkIntegrityError: the bytes read do not match ``X-HCP-Hash``
        """
        stream = self.stream
        data = stream.read(amt)
        if self.progress is not None:
            self.progress.add(data)
        if not data and amt != 0 and stream.length:
            # http.client returns b'' when a sized body ends early: not the end
            raise http.client.IncompleteRead(b"", stream.length)
        if stream.fp is None:  # http.client's "closed": the body was read completely
            self._verify()
        return data

    def readinto(self, view: memoryview) -> int:
        """Read from the stream into ``view``, as :meth:`read` does (and raises).

        A read that breaks off leaves bytes in ``view`` that are not counted: http.client
        counts a read only when it succeeds, so a resume starts again where the counted
        bytes end, and the bytes of the broken read are written again.
        """
        stream = self.stream
        count = stream.readinto(view)
        if self.progress is not None:
            self.progress.add(view[:count])
        if not count and len(view) and stream.length:
            raise http.client.IncompleteRead(b"", stream.length)
        if stream.fp is None:
            self._verify()
        return count

    def _verify(self) -> None:
        progress = self.progress
        if progress is None or progress.hasher is None or progress.missing() != 0:
            return
        self.progress = None  # checked once
        actual = progress.hasher.hexdigest().upper()
        if actual != progress.expected:
            raise HcpsdkIntegrityError(
                f"GET {self.path}: the {progress.hash_name} of the bytes read ({actual}) "
                f"differs from X-HCP-Hash ({progress.expected})")

    # -- resuming -------------------------------------------------------------------------

    def broke(self, exc: BaseException) -> Download | None:
        """The read broke with ``exc``: book the bytes it still delivered.

        :returns: the progress to resume from, or ``None`` when the body can't be resumed
        """
        if not self.resumable:
            return None
        if self.progress is None:
            self.progress = Download(self.response, False)
        partial = getattr(exc, "partial", b"") or b""
        if partial:
            self.progress.add(partial)
        return self.progress

    def range_headers(self, headers: dict[str, str]) -> dict[str, str]:
        """The headers of the Range request for the rest: ``headers`` with its ``Range``.

        The rest is what the body still lacks: of the object, or of the range the first
        answer carried (whatever ``Range`` the caller sent is replaced). It carries
        ``If-Match`` with the object's (strong) ETag, so that HCP refuses with ``412``
        when the object changed since the download started.
        """
        progress = self.progress
        if progress is None or self.offset is None:
            raise HcpsdkError(f"GET {self.path}: nothing to resume")
        headers = {name: value for name, value in headers.items() if name.lower() != "range"}
        headers["Range"] = (f"bytes={self.offset + progress.received}-"
                            f"{self.offset + progress.total - 1}")
        etag = self.response.getheader("ETag")
        if etag and not etag.startswith("W/") and not any(
                name.lower() in ("if-match", "if-range") for name in headers):
            headers["If-Match"] = etag
        return headers

    def resumed(self, answer: http.client.HTTPResponse, node: str | None) -> HcpsdkError | None:
        """Take ``answer`` to the Range request as the rest of the body.

        :returns: ``None`` when it continues the same object (it is the stream now), or
            the error saying why it does not (the object changed, or no ``206``)
        """
        progress, offset = self.progress, self.offset
        assert progress is not None and offset is not None  # as range_headers() asked
        rest = (offset + progress.received, offset + progress.total - 1)
        expected, found = validator(self.response), validator(answer)
        content_range = answer.getheader("Content-Range", "")
        # exactly the rest asked for: a shorter range would end the body early unnoticed
        if answer.status == 206 and body_range(answer) == rest and found == expected:
            self.stream = answer
            return None
        what = f"GET {self.path}: the object changed since the download started"
        restart = " - restart the GET"
        if answer.status == 412:
            return HcpsdkError(f"{what} (node {node} answered 412 {answer.reason} to If-Match "
                               f"{self.response.getheader('ETag')}){restart}")
        if answer.status in (200, 206) and found is not None and found != expected:
            name = "X-HCP-Hash" if self.response.getheader("X-HCP-Hash") else "ETag"
            return HcpsdkError(f"{what} ({name} was {expected}, node {node} now has "
                               f"{found}){restart}")
        return HcpsdkError(
            f"GET {self.path}: could not resume the broken download on node {node} "
            f"({answer.status} {answer.reason}, Content-Range {content_range!r})")


def stored_is_ours(head: http.client.HTTPResponse, payload: Payload, path: str) -> bool:
    """Whether the object a HEAD describes is exactly ``payload``: same size, same hash.

    Asked when a retried PUT met ``409``: the first attempt broke after the body was
    sent, and HCP may have stored it before the connection broke.
    """
    scheme, _, value = (head.getheader("X-HCP-Hash") or "").partition(" ")
    size = head.getheader("X-HCP-Size") or head.getheader("Content-Length")
    algorithm = HASH_NAMES.get(scheme.upper())
    if head.status == 200 and algorithm and size is not None:
        sent_size, sent_hash = payload.digest(algorithm)
        if int(size) == sent_size and value.strip().upper() == sent_hash:
            log.warning("PUT %s: 409 after a retry - the first attempt had stored this very "
                        "object (size %s, %s %s): reporting success", path, size, scheme,
                        sent_hash)
            return True
    log.warning("PUT %s: 409 after a retry - the stored object differs from the body sent", path)
    return False


def reconcile(conflict: http.client.HTTPResponse, path: str, payload: Payload, channel: Channel,
              record: Record, target: Target) -> http.client.HTTPResponse:
    """A retried PUT met ``409``: did its first attempt store exactly this body?

    A HEAD on the channel tells the stored object's size and hash.

    :param conflict: the ``409`` answer
    :param path: the PUT's request path
    :param payload: the body that was sent
    :param channel: the Connection's socket (used, or opened, for the HEAD)
    :param record: what happened to the request so far
    :param target: the Target to use when the channel has none
    :returns: the HEAD response presented as ``201 Created`` when size and hash match,
        else the ``409`` response
    """
    conflict.read()
    target = channel.target or target
    bare = path.split("?", 1)[0]
    try:
        con = channel.con
        if con is None or con.sock is None:  # closed after an early answer (_early)
            con = channel.open(target, "HEAD", record)
        con.request("HEAD", bare, None, target._headers)
        head = con.getresponse()
        head.read()
    except (HcpsdkError, *RECOVERABLE) as exc:
        channel.drop()
        log.warning("PUT %s: 409 after a retry, and the HEAD to check it failed: %s", bare, exc)
        return conflict
    if not stored_is_ours(head, payload, bare):
        return conflict
    head.status, head.reason = 201, "Created"
    return head
