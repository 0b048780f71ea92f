"""Targets passed to multiprocessing workers: pickled, rebuilt there."""
from __future__ import annotations

import multiprocessing
import pickle
import uuid

import dns.resolver
import pytest

import hcpsdk


def fetch(target, path):
    """The worker: GET ``path`` with a Connection on the Target it was sent."""
    with hcpsdk.Connection(target) as c:
        c.GET(path)
        return c.read()


@pytest.fixture(params=["http", "tls"])
def target(request, hcp):
    if request.param == "http":
        return hcp.target(port=hcp.http_port, tls=False)
    return hcp.target()


def test_a_target_is_rebuilt_from_its_arguments(hcp, target):
    copy = pickle.loads(pickle.dumps(target))

    assert copy is not target and copy._circle is not target._circle
    assert (copy.fqdn, copy.port, copy.ssl, copy.headers, sorted(copy.addresses)) == (
        target.fqdn, target.port, target.ssl, target.headers, sorted(target.addresses))
    path = f"/rest/pickle/{uuid.uuid4().hex}"
    hcp.put_object(path, b"from the rebuilt Target")
    assert fetch(copy, path) == b"from the rebuilt Target"


def test_a_target_goes_to_a_spawned_worker(hcp):
    path = f"/rest/pickle/{uuid.uuid4().hex}"
    hcp.put_object(path, b"read by the worker")
    # spawn: the worker inherits nothing, everything comes through the pickle
    with multiprocessing.get_context("spawn").Pool(1) as pool:
        result = pool.apply_async(fetch, (hcp.target(), path))
        assert result.get(timeout=60) == b"read by the worker"


def test_the_replica_is_rebuilt_too(hcp):
    target = hcp.target(replica_fqdn=hcp.fqdn, replica_strategy=hcpsdk.RS_READ_ALLOWED)

    copy = pickle.loads(pickle.dumps(target))

    assert copy.replica is not None and copy.replica is not target.replica
    assert (copy.replica_fqdn, copy.replica_strategy) == (hcp.fqdn, hcpsdk.RS_READ_ALLOWED)
    assert copy._replica_policy is not None


def test_a_resolver_goes_without_its_cache(hcp):
    resolver = hcp.resolver()
    resolver.cache = dns.resolver.LRUCache()
    target = hcp.target(resolver=resolver)

    copy = pickle.loads(pickle.dumps(target))

    assert copy._resolver.cache is None
    assert copy._resolver.nameservers == resolver.nameservers
    assert target._resolver.cache is not None  # the original keeps its cache


def test_a_target_with_an_sslcontext_says_why_it_cannot_be_pickled(hcp):
    target = hcp.target(sslcontext=hcp.client_context())

    with pytest.raises(hcpsdk.HcpsdkError, match="create the Target in the worker") as info:
        pickle.dumps(target)
    assert isinstance(info.value, TypeError)  # what pickle raises for the unpicklable
