"""Per-hour data-access activity of a namespace (what chargeback reports): the counters
of the current hour are kept at hand and left for a new bucket when the hour changes."""
from __future__ import annotations

import time

from hcpsdk.emulator.model import System


def _namespace():
    return System("activity.example.com").add_tenant("m").add_namespace("n")


def test_counts_add_up_in_the_current_hours_bucket():
    ns = _namespace()
    ns.count("writes", 1, "bytesIn", 5)
    ns.count("writes", 1, "bytesIn", 7)
    ns.count("reads", 1, "bytesOut", 3)
    ns.count("deletes")
    assert len(ns.activity) == 1
    (hour, bucket), = ns.activity.items()
    assert hour % 3600 == 0 and hour <= time.time() < hour + 3600 + 5
    assert bucket == {"reads": 1, "writes": 2, "deletes": 1, "bytesIn": 12, "bytesOut": 3}


def test_a_new_hour_gets_a_new_bucket():
    ns = _namespace()
    earlier = ns._hour_bucket(time.time() - 3600)      # the hour before is the current one
    earlier["writes"] = 4
    ns.count("writes")
    assert len(ns.activity) == 2
    latest = ns.activity[max(ns.activity)]
    assert earlier["writes"] == 4 and latest["writes"] == 1
    assert max(ns.activity) - min(ns.activity) == 3600
