#!/usr/bin/env python3
"""Export the results of a metadata query to CSV.

Asks HCP's Metadata Query Engine (on the tenant host of the Target's namespace) for the
objects of the namespace — or those matching --name / --query — and writes one CSV row
per object with the chosen properties, paging through any number of results with bounded
memory (hcpsdk.query.Search). Against the embedded emulator, the sample first stores a
few objects (with names that need quoting) so that there is something to find.

    python3 samples/query_to_csv.py [--name PATTERN | --query EXPRESSION]
        [--properties utf8Name,size,...] [--output FILE] [--xml] [--fqdn ... --user ...]
"""
import csv
import sys

from _common import argument_parser, hcp_from_args, log, open_target, start

import hcpsdk
from hcpsdk.query import Search, prop

PROPERTIES = "utf8Name,size,hold,retentionString,customMetadata"
NAMES = ["report 2024.pdf", 'say "hi".txt', "a<b>&c.txt", "résumé.pdf", "notes.txt"]


def fill(t: hcpsdk.Target) -> None:
    """Store a few objects, one of them with an annotation."""
    with hcpsdk.Connection(t) as c:
        for i, name in enumerate(NAMES):
            c.PUT(f"/rest/export/{name}", body=b"x" * (1000 * i + 10))
        c.PUT(f"/rest/export/{NAMES[0]}", body=b"<dept>finance</dept>",
              params={"type": "custom-metadata"})
    log.info("stored %d objects to have something to find", len(NAMES))


def main() -> None:
    parser = argument_parser(__doc__.splitlines()[0])
    which = parser.add_mutually_exclusive_group()
    which.add_argument("--name", help="only objects whose name matches this pattern"
                                      " (* and ? are wildcards), e.g. '*.pdf'")
    which.add_argument("--query", help="a query expression in HCP's syntax instead")
    parser.add_argument("--properties", default=PROPERTIES,
                        help=f"comma-separated object properties (default {PROPERTIES})")
    parser.add_argument("--output", default="-", help="CSV file to write (default: stdout)")
    parser.add_argument("--xml", action="store_true", help="talk XML to HCP instead of JSON")
    args = start(parser)
    with hcp_from_args(args) as hcp:
        t = open_target(hcp)
        if hcp.emulated:
            fill(t)
        namespace, tenant_fqdn = hcp.fqdn.split(".", 1)
        tenant = tenant_fqdn.split(".", 1)[0]
        query = prop("namespace").eq(f"{namespace}.{tenant}")
        if args.name:
            query &= prop("utf8Name").like(args.name)
        properties = [p.strip() for p in args.properties.split(",") if p.strip()]
        auth = hcpsdk.NativeAuthorization(hcp.user, hcp.password)
        try:
            tenant_target = hcpsdk.Target(tenant_fqdn, auth, port=hcp.port, tls=hcp.tls)
            with Search(tenant_target, fmt="xml" if args.xml else "json") as search:
                results = search.objects(args.query or query, properties=properties,
                                         sort=["utf8Name"])
                log.info("query: %s", args.query or query)
                out = sys.stdout if args.output == "-" else open(args.output, "w", newline="")
                try:
                    writer = csv.writer(out)
                    writer.writerow(["urlName", *properties])
                    rows = 0
                    for obj in results:
                        writer.writerow([obj.url_name,
                                         *(_cell(obj.properties.get(p)) for p in properties)])
                        rows += 1
                finally:
                    if out is not sys.stdout:
                        out.close()
                    else:
                        out.flush()
        except hcpsdk.HcpsdkError as e:
            sys.exit(f"query failed - {e}")
        log.info("%d of %s matching objects exported to %s", rows, results.total,
                 "stdout" if args.output == "-" else args.output)


def _cell(value: object) -> object:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, tuple):
        return ";".join(value)
    return "" if value is None else value


if __name__ == "__main__":
    main()
