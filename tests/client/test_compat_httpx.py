"""Canary for the httpx and httpcore internals `_compat_httpx` relies on: a release that moves them fails here,
by name, instead of leaving sync calls without a deadline."""

from __future__ import annotations

import time

import httpcore
import httpx
import pytest

from plaid_partner_insights import APITimeoutError, PartnerInsightsClient
from plaid_partner_insights._compat_httpx import install_deadline_backend
from plaid_partner_insights._deadline_backend import DeadlineBackend

from .conftest import full_response
from .faults import Drip, ScriptedServer, json_response


def _backends(client: httpx.Client) -> list[object]:
    transports = [client._transport, *client._mounts.values()]
    return [getattr(t._pool, "_network_backend", None) for t in transports if isinstance(t, httpx.HTTPTransport)]


def test_httpx_still_keeps_its_pools_where_the_client_looks() -> None:
    with httpx.Client() as client:
        assert hasattr(client, "_transport"), "httpx.Client no longer has `_transport`: update _compat_httpx"
        assert hasattr(client, "_mounts"), "httpx.Client no longer has `_mounts`: update _compat_httpx"
        transport = client._transport
        assert isinstance(transport, httpx.HTTPTransport)
        assert isinstance(transport._pool, httpcore.ConnectionPool), "HTTPTransport._pool moved: update _compat_httpx"
        backend = getattr(transport._pool, "_network_backend", None)
        assert isinstance(backend, httpcore.NetworkBackend), "the pool's `_network_backend` moved: update _compat_httpx"


@pytest.mark.parametrize("proxy", [None, "http://127.0.0.1:9"])
def test_every_http11_pool_of_a_client_gets_the_deadline_backend(proxy: str | None) -> None:
    with httpx.Client(proxy=proxy) as client:
        assert install_deadline_backend(client) is True
        backends = _backends(client)
        assert len(backends) == (2 if proxy else 1)
        assert all(isinstance(backend, DeadlineBackend) for backend in backends)
        install_deadline_backend(client)  # twice: not wrapped twice
        assert all(not isinstance(backend.wrapped, DeadlineBackend) for backend in _backends(client))  # type: ignore[attr-defined]


def test_a_mock_transport_is_left_alone() -> None:
    with httpx.Client(transport=httpx.MockTransport(lambda request: httpx.Response(200))) as client:
        assert install_deadline_backend(client) is False


def _assert_cut_at_the_deadline(server: ScriptedServer, http: httpx.Client, timeout: float = 1.0) -> None:
    client = PartnerInsightsClient(
        base_url=server.url, client_id="c", secret="s", http_client=http, timeout=timeout, max_retries=0
    )
    started = time.monotonic()
    with pytest.raises(APITimeoutError, match="deadline"):
        client.partner_insights.get(user_id="usr_1")
    assert time.monotonic() - started <= timeout + 1
    assert server.attempts == 1


def test_a_drip_feed_through_the_users_http_client_is_cut_at_the_deadline() -> None:
    whole = json_response(200, full_response())
    with ScriptedServer(Drip(b"", whole, 0.2)) as server, httpx.Client() as http:
        _assert_cut_at_the_deadline(server, http)


class _ForwardingTransport(httpx.BaseTransport):
    """A transport of the user's own kind, which the client cannot put its deadline backend into."""

    def __init__(self) -> None:
        self._inner = httpx.HTTPTransport()

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        return self._inner.handle_request(request)

    def close(self) -> None:
        self._inner.close()


def test_a_transport_the_client_cannot_bound_still_has_the_deadline_checked_between_chunks() -> None:
    whole = json_response(200, full_response())
    head, _, body = whole.partition(b"\r\n\r\n")
    with (
        ScriptedServer(Drip(head + b"\r\n\r\n", body, 0.1)) as server,
        httpx.Client(transport=_ForwardingTransport()) as http,
    ):
        assert install_deadline_backend(http) is False
        _assert_cut_at_the_deadline(server, http)
