#!/usr/bin/env python3
"""Simple object I/O with SSL certificate verification — first with the right CA, then a wrong one.

The same requests as simple_primary_only.py, but the Target gets an SSL context that
verifies HCP's certificate against a CA file: the emulator's CA (or ``--cafile`` for a
real HCP). Then the sample tries again with a CA that did not sign HCP's certificate,
and shows how the verification fails.

    python3 samples/simple_primary_only_certverify.py [--debug] [--cafile CA.pem ...]
"""
import sys
from pathlib import Path
from ssl import create_default_context

from _common import (
    argument_parser,
    hcp_from_args,
    log,
    make_testfile,
    open_target,
    scratch_directory,
    start,
)

import hcpsdk

OBJECT = "/rest/hcpsdk/sample_primary_only_certverify.txt"


def put_and_delete(hcp, cafile, testfile) -> bool:
    """Store and delete the test file over a connection verified against ``cafile``.

    :returns: True if both requests succeeded, False if the certificate was refused
    """
    # An SSL context for server authentication with a local CA file: every Connection of
    # the Target verifies the certificate the HCP node presents against it.
    ctxt = create_default_context(cafile=cafile)
    t = open_target(hcp, sslcontext=ctxt)

    with hcpsdk.Connection(t) as c:
        try:
            with open(testfile, "rb") as infile:
                c.PUT(OBJECT, body=infile, params={"index": "true"})
        except hcpsdk.HcpsdkCertificateError as e:
            log.info("PUT failed - %s", e)
            return False
        except hcpsdk.HcpsdkError as e:
            sys.exit(f"PUT failed - {e}")
        if c.response_status != 201:
            sys.exit(f"PUT failed - {c.response_status}-{c.response_reason}")
        log.info("PUT Request was successful")
        log.info("used IP address: %s", c.address)
        log.info("hash = %s", c.getheader("X-HCP-Hash"))
        log.info("connect time:      %.12f seconds", c.connect_time)
        log.info("Request duration: %.12f seconds", c.service_time2)

        c.DELETE(OBJECT)
        if c.response_status != 200:
            sys.exit(f"DELETE failed - {c.response_status}-{c.response_reason}")
        log.info("DELETE Request was successful")
    return True


def write_foreign_ca(directory: str) -> str:
    """Create a CA that has nothing to do with HCP and return its PEM file."""
    import trustme

    path = Path(directory, "wrongCA.pem")
    trustme.CA().cert_pem.write_to_path(str(path))
    return str(path)


def main() -> None:
    args = start(argument_parser(__doc__.splitlines()[0]))
    with hcp_from_args(args) as hcp, scratch_directory() as scratch:
        if not hcp.cafile:
            sys.exit("a real HCP needs --cafile (or HCP_CAFILE) for this sample")
        testfile = make_testfile(scratch)

        log.info("")
        log.info("Certificate verification against the CA that signed HCP's certificate")
        if not put_and_delete(hcp, hcp.cafile, testfile):
            sys.exit("the certificate should have been accepted")

        log.info("")
        log.info("Certificate verification against a CA that did not sign it")
        if put_and_delete(hcp, write_foreign_ca(scratch), testfile):
            sys.exit("the certificate should have been refused")
        log.info("")
        log.info("verified as expected: accepted with the right CA, refused with a wrong one")


if __name__ == "__main__":
    main()
