#!/usr/bin/env python3
"""Namespace information: statistics, settings, retention classes and permissions.

Reads what HCP's /proc interface tells about the namespace of the Target, with
hcpsdk.namespace.Info. Against the embedded emulator, the sample first stores a few
objects so that the statistics have something to count.

    python3 samples/namespace_info.py [--debug] [--all] [--fqdn ... --user ... --password ...]
"""
import sys

from _common import argument_parser, hcp_from_args, log, log_lines, open_target, start

import hcpsdk
import hcpsdk.namespace


def fill(t: hcpsdk.Target, count: int = 5) -> None:
    """Store ``count`` small objects, one of them with an annotation."""
    with hcpsdk.Connection(t) as c:
        for i in range(count):
            c.PUT(f"/rest/info/object{i}.txt", body=f"object number {i}\n" * 100)
        c.PUT("/rest/info/object0.txt", body="<note>the first one</note>",
              params={"type": "custom-metadata", "annotation": "note"})
    log.info("stored %d objects to have something to count", count)
    log.info("")


def main() -> None:
    parser = argument_parser(__doc__.splitlines()[0])
    parser.add_argument("--all", action="store_true",
                        help="list all namespaces the user can access, not only the Target's")
    args = start(parser)
    with hcp_from_args(args) as hcp:
        t = open_target(hcp)
        if hcp.emulated:
            fill(t)

        try:
            with hcpsdk.namespace.Info(t) as info:
                log.info("namespace statistics (nsstatistics):")
                log_lines(dict(info.nsstatistics()))
                log.info("")
                log.info("namespace settings (listaccessiblens, all=%s):", args.all)
                log_lines({name: dict(settings)
                           for name, settings in info.listaccessiblens(all=args.all).items()})
                log.info("")
                log.info("retention classes (listretentionclasses):")
                log_lines({name: dict(settings)
                           for name, settings in info.listretentionclasses().items()})
                log.info("")
                log.info("permissions (listpermissions):")
                log_lines({domain: dict(permissions)
                           for domain, permissions in info.listpermissions().items()})
                log.info("")
                log.info("the last request took %.6f seconds", info.service_time)
        except hcpsdk.HcpsdkError as e:
            sys.exit(f"namespace information failed - {e}")


if __name__ == "__main__":
    main()
