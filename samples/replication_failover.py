#!/usr/bin/env python3
"""Replication and failover: a Target with a replica, reading and writing through an outage.

Two emulated HCP systems, hcp1 and hcp2, are joined by an active/passive replication
link. A Target for hcp1 knows hcp2 as its replica, with the strategies
RS_READ_ON_FAILOVER | RS_WRITE_ON_FAILOVER. The sample

1. writes an object to hcp1 and sees it replicated to hcp2,
2. shows the link through MAPI (hcpsdk.mapi.Replication),
3. takes hcp1 down: reads are now served by hcp2, writes are refused (not failed over),
4. fails the link over to hcp2 (MAPI): writes go to hcp2,
5. brings hcp1 back and recovers the link: what was written to hcp2 flows back to hcp1.

Against a real HCP (``--fqdn`` plus ``--replica-fqdn``) only the harmless steps 1 and 2
are done: no system is taken down and no link is failed over.

    python3 samples/replication_failover.py [--debug] [...]
"""
import contextlib
import sys
import time

from _common import argument_parser, hcp_from_args, log, log_lines, open_target, setup_logging

import hcpsdk
import hcpsdk.mapi

OBJECT = "/rest/hcpsdk/replicated.txt"
DURING_FAILOVER = "/rest/hcpsdk/written-during-failover.txt"
STRATEGY = hcpsdk.RS_READ_ON_FAILOVER | hcpsdk.RS_WRITE_ON_FAILOVER


def wait_for(check, timeout: float = 10.0) -> bool:
    """Poll ``check()`` until it is true or ``timeout`` seconds passed."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if check():
            return True
        time.sleep(0.05)
    return check()


def exists(target: hcpsdk.Target, url: str) -> bool:
    with hcpsdk.Connection(target, retries=0) as c:
        c.HEAD(url)
        return c.response_status == 200


def mapi(hcp, fqdn: str) -> hcpsdk.mapi.Replication:
    auth = hcpsdk.NativeAuthorization(hcp.admin_user, hcp.admin_password)
    return hcpsdk.mapi.Replication(hcpsdk.Target(fqdn, auth, port=hcp.mapi_port, tls=hcp.tls))


def main() -> None:
    parser = argument_parser(__doc__.splitlines()[0])
    parser.add_argument("--replica-fqdn", help="the namespace's FQDN on the replica HCP "
                                               "(required with --fqdn)")
    args = parser.parse_args()
    if args.fqdn and not args.replica_fqdn:
        parser.error("--fqdn needs --replica-fqdn")
    setup_logging(args.debug)
    log.info("running *%s*", "replication_failover.py")

    with hcp_from_args(args) as hcp, contextlib.ExitStack() as stack:
        hcp2, replica_fqdn = None, args.replica_fqdn
        if hcp.emulated:
            from hcpsdk.emulator import Emulator
            # The same port numbers as hcp1: a Target's replica uses the Target's port.
            hcp1 = hcp.emulator
            hcp2 = stack.enter_context(Emulator(
                domain="hcp2.example.com", http_port=hcp1.http_port,
                https_port=hcp1.https_port, mapi_port=hcp1.mapi_port))
            link = hcp1.link(hcp2, name="hcp1-a-p-hcp2", link_type="OUTBOUND")
            replica_fqdn = hcp2.fqdn
            log.info("emulated systems %s and %s, linked by %s", hcp1.domain, hcp2.domain,
                     link.name)
        try:
            run(hcp, hcp2, replica_fqdn)
        except hcpsdk.HcpsdkError as e:
            sys.exit(f"replication sample failed - {e}")


def run(hcp, hcp2, replica_fqdn: str) -> None:
    # HcpsdkReplicaInitError, if the replica's name can't be resolved, ends the sample here.
    t = open_target(hcp, replica_fqdn=replica_fqdn, replica_strategy=STRATEGY)
    log.info("replica %s: %s", t.replica.fqdn, t.replica.addresses)
    log.info("")

    # 1. Write to the primary, wait until the replica has it.
    with hcpsdk.Connection(t) as c:
        c.PUT(OBJECT, body=b"written to the primary")
        log.info("PUT %s: %s on the %s", OBJECT, c.response_status, c.served_from)
    replicated = wait_for(lambda: exists(t.replica, OBJECT))
    log.info("replicated to %s: %s", t.replica.fqdn, replicated)
    log.info("")

    # 2. The link, as MAPI shows it on the primary.
    if hcp.admin_user:
        r1 = mapi(hcp, hcp.admin_fqdn)
        links = r1.getlinklist()
        log.info("replication links: %s", links)
        details = r1.getlinkdetails(links[0])
        log_lines({key: details[key] for key in ("name", "type", "status", "suspended")
                   if key in details})
        r1.close()
        log.info("")
    if hcp2 is None:
        log.info("a real HCP: no outage is simulated and no link is failed over")
        return

    # 3. The primary goes down: reads come from the replica, writes are refused.
    hcp.emulator.faults.down(None)
    log.info("FAULT: every node of %s refuses connections", hcp.emulator.domain)
    with hcpsdk.Connection(t, retries=1) as c:
        c.GET(OBJECT)
        log.info("GET %s: %s %r from the %s", OBJECT, c.response_status, c.read(), c.served_from)
        try:
            c.PUT(DURING_FAILOVER, body=b"written during the failover")
            log.info("PUT before failover: %s %s on the %s", c.response_status,
                     c.response_reason, c.served_from)
        except hcpsdk.HcpsdkError as e:
            log.info("PUT before failover refused: %s", e)
    log.info("")

    # 4. Fail the link over to the replica, using MAPI there.
    r2 = mapi(hcp, hcp2.admin_fqdn)
    link = r2.getlinklist()[0]
    r2.setreplicationlinkstate(link, r2.R_FAILOVER, linktype=r2.R_INBOUND)
    log.info("link %s failed over to %s", link, hcp2.domain)
    # The Target remembers the replica's refusal for a while; a new one sees the failover.
    t = open_target(hcp, replica_fqdn=replica_fqdn, replica_strategy=STRATEGY)
    with hcpsdk.Connection(t, retries=1) as c:
        c.PUT(DURING_FAILOVER, body=b"written during the failover")
        log.info("PUT %s: %s on the %s", DURING_FAILOVER, c.response_status, c.served_from)
    log.info("")

    # 5. The primary is back: recover the link, the new object flows back.
    hcp.emulator.faults.up(None)
    log.info("%s is back", hcp.emulator.domain)
    r2.setreplicationlinkstate(link, r2.R_BEGINRECOVERY, linktype=r2.R_INBOUND)
    r2.setreplicationlinkstate(link, r2.R_COMPLETERECOVERY, linktype=r2.R_INBOUND)
    log.info("link %s recovered: %s", link, r2.getlinkdetails(link).get("status"))
    r2.close()
    back = wait_for(lambda: hcp.emulator.get_object(DURING_FAILOVER) is not None)
    log.info("%s on %s after recovery: %s", DURING_FAILOVER, hcp.emulator.domain, back)
    # A Target remembers an unreachable primary for a while; a new one starts afresh.
    t = open_target(hcp, replica_fqdn=replica_fqdn, replica_strategy=STRATEGY)
    with hcpsdk.Connection(t) as c:
        c.GET(DURING_FAILOVER)
        log.info("GET %s: %s %r from the %s", DURING_FAILOVER, c.response_status, c.read(),
                 c.served_from)


if __name__ == "__main__":
    main()
