#!/usr/bin/env python3
"""Simple object I/O without a replica: PUT, HEAD, GET and DELETE of one object.

Stores the 128 KiB test file with some policies, shows the hash HCP computed, the
metadata HCP keeps, the first bytes of the content and the timers of each request, and
deletes the object again. ``--debug`` adds the SDK's own debug messages.

    python3 samples/simple_primary_only.py [--debug] [--fqdn ... --user ... --password ...]
"""
import sys

from _common import (
    argument_parser,
    hcp_from_args,
    log,
    make_testfile,
    scratch_directory,
    start,
)

import hcpsdk

OBJECT = "/rest/hcpsdk/sample_primary_only.txt"


def request(c: hcpsdk.Connection, what: str, expected: int, action):
    """Do one request (``action``); exit with the reason if it fails.

    :returns: what ``action`` returned
    """
    try:
        result = action()
    except hcpsdk.HcpsdkTimeoutError as e:
        sys.exit(f"{what} timed out - {e}")
    except hcpsdk.HcpsdkError as e:
        sys.exit(f"{what} failed - {e}")
    if c.response_status != expected:
        sys.exit(f"{what} failed - {c.response_status}-{c.response_reason}")
    return result


def report(c: hcpsdk.Connection) -> None:
    """Log where the last request went and how long it took."""
    log.info("used IP address: %s", c.address)
    log.info("Request duration: %.12f seconds", c.service_time2)
    log.info("")


def run(hcp, testfile) -> None:
    """Do the four requests; exit with a message on the first failure."""
    # The authorization object turns the credentials into the token HCP expects.
    auth = hcpsdk.NativeAuthorization(hcp.user, hcp.password)
    log.info("*I_NATIVE* authorization initialized")
    log.info("")

    # The Target resolves the namespace name; errors here are mostly DNS problems.
    try:
        t = hcpsdk.Target(hcp.fqdn, auth, port=hcp.port, tls=hcp.tls)
    except hcpsdk.HcpsdkError as e:
        sys.exit(f"init of *Target* failed - {e}")
    log.info("Target *t* was initialized with IP addresses: %s", t.addresses)

    # A Connection gets its node address only when the first request needs one.
    c = hcpsdk.Connection(t)
    log.info("Connection *c* uses IP address: %s", c.address)
    log.info("")

    try:
        # Ingest the object, asking HCP to index it and to shred it when it is deleted.
        try:
            with open(testfile, "rb") as infile:
                request(c, "PUT", 201, lambda: c.PUT(OBJECT, body=infile,
                                                     params={"index": "true", "shred": "true"}))
        except OSError as e:
            sys.exit(f"failure on {testfile} - {e}")
        log.info("PUT Request was successful")
        log.info("used IP address: %s", c.address)
        log.info("hash = %s", c.getheader("X-HCP-Hash"))
        log.info("connect time:      %.12f seconds", c.connect_time)
        log.info("Request duration: %.12f seconds", c.service_time2)
        log.info("")

        # HEAD: is the object there, and what does HCP know about it?
        request(c, "HEAD", 200, lambda: c.HEAD(OBJECT))
        log.info("HEAD Request was successful - one of the headers:")
        log.info("Server: %s", c.getheader("Server"))
        report(c)

        # GET leaves the content to us: read it completely before the next request.
        def get() -> bytes:
            c.GET(OBJECT)
            return c.read()

        content = request(c, "GET", 200, get)
        log.info("GET Request was successful - here's the content:")
        log.info("%s...", content[:40])
        report(c)

        # Clean up.
        request(c, "DELETE", 200, lambda: c.DELETE(OBJECT))
        log.info("DELETE Request was successful")
        report(c)
    finally:
        # Closing ends the persistent connection now instead of after the idle time.
        c.close()


def main() -> None:
    args = start(argument_parser(__doc__.splitlines()[0]))
    with hcp_from_args(args) as hcp, scratch_directory() as scratch:
        run(hcp, make_testfile(scratch))


if __name__ == "__main__":
    main()
