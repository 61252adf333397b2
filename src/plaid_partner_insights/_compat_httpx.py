"""The one place that reaches into httpx's (and so httpcore's) internals: where a client's connection pools keep
their network backend.

The sync deadline (`_deadline`) needs every socket operation of an attempt to go through `DeadlineBackend`. Neither
httpx's `HTTPTransport` nor its `Client` takes a network backend, so it is put in the pools they hold. The attribute
names are checked by `tests/client/test_canary.py`, and `pyproject.toml` bounds httpx and httpcore above, so a
release that moves them fails loudly in the tests instead of silently leaving calls without a deadline.
"""

from __future__ import annotations

import httpx

__all__ = ["install_deadline_backend"]


def install_deadline_backend(client: httpx.Client) -> bool:
    """Put `DeadlineBackend` into every HTTP/1.1 connection pool of `client` (its transport and its proxy mounts).

    Returns whether requests to its default transport now honour attempt deadlines at every socket operation. A
    transport of another kind (the user's own, a mock) is left alone. Installing twice changes nothing.
    """
    from ._deadline_backend import DeadlineBackend  # imports httpcore, as httpx does only once a transport is made

    default = client._transport
    transports = [default, *client._mounts.values()]
    covered = False
    for transport in transports:
        if not isinstance(transport, httpx.HTTPTransport):
            continue
        pool = transport._pool
        backend = getattr(pool, "_network_backend", None)
        if backend is None:
            continue
        if not isinstance(backend, DeadlineBackend):
            pool._network_backend = DeadlineBackend(backend)
        if transport is default:
            covered = True
    return covered
