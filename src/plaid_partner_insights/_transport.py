"""The only I/O of a call: sending one attempt's request and reading as much of its body as the `BodyReader` wants,
within the attempt's deadline. One class for each client; every decision around it is made elsewhere, once.

`SyncTransport` bounds every socket operation by the attempt's deadline (`_deadline`); `AsyncTransport` cancels the
attempt's own task with anyio. Both send a request of the client's own httpx client straight to its transport, and
one of the user's `http_client` (or of ours behind a proxy) through `send`, whose event hooks may raise.
"""

from __future__ import annotations

import typing
import urllib.request

import httpx

from plaid_partner_insights_core._exceptions import ConfigurationError

from ._compat_httpx import install_deadline_backend
from ._deadline import DeadlineExceeded, attempt_deadline, deadline_passed
from ._decoding import BodyReader, Received, body_limit
from ._error_chaining import hook_error, raise_without_context
from ._request_building import SEND_OPTIONS, PreparedCall, build_request
from ._tls import default_tls_context

__all__ = ["AsyncTransport", "SyncTransport", "anyio"]

_HttpClientT = typing.TypeVar("_HttpClientT", httpx.Client, httpx.AsyncClient)


class _Transport(typing.Generic[_HttpClientT]):
    """What both transports hold: the httpx client, and its transport when requests may go to it directly."""

    __slots__ = ("_direct", "_owner", "http", "owns_http")
    _client_type: typing.ClassVar[type[httpx.Client | httpx.AsyncClient]]
    _transport_type: typing.ClassVar[type[httpx.HTTPTransport] | type[httpx.AsyncHTTPTransport]]

    def __init__(self, http_client: _HttpClientT | None, owner: str) -> None:
        """`http_client`: the user's, or `None` for one made here. `owner`: the client's class name, for errors."""
        client_type = self._client_type
        if http_client is not None and not isinstance(http_client, client_type):
            expected = f"httpx.{client_type.__name__}"
            raise ConfigurationError(f"http_client must be an {expected}, got {type(http_client).__name__}")
        self._owner = owner
        self.owns_http = http_client is None
        self._direct: typing.Any = None
        if http_client is None:
            # Such a client has nothing of its own to merge into a request (no base URL, params, cookies or auth)
            # but its default headers, so its requests are built from a URL parsed and headers merged once
            # (`_request_building.Endpoint`). Unless the environment names a proxy (which httpx.Client routes by
            # URL, and ignores when given a transport), they also skip httpx.Client and go straight to its
            # transport. Together that saves httpx.Client's per-call URL merging and cookie bookkeeping, most of a
            # call's cost on our side of the socket.
            tls = default_tls_context()
            self._direct = None if urllib.request.getproxies() else self._transport_type(verify=tls)
            options: dict[str, typing.Any] = {"follow_redirects": False, "verify": tls}
            if self._direct is not None:
                options["transport"] = self._direct
            http_client = typing.cast(_HttpClientT, client_type(**options))
        self.http: _HttpClientT = http_client

    def own_headers(self) -> httpx.Headers | None:
        """The default headers of an httpx client made here, to merge into prebuilt requests; `None` for the
        user's own, which builds its requests itself."""
        return httpx.Headers(self.http.headers) if self.owns_http else None

    def _hook_error(self, call: PreparedCall[typing.Any], exc: Exception) -> typing.NoReturn:
        """Raise the typed error of an exception out of the httpx client's `send` that is no transport error."""
        raise_without_context(hook_error(call, exc, self.http, self._owner))


class SyncTransport(_Transport[httpx.Client]):
    """The I/O of `PartnerInsightsClient` (and its `with_options` copies, which share it)."""

    __slots__ = ("_deadline_on_sockets",)
    _client_type = httpx.Client
    _transport_type = httpx.HTTPTransport

    def __init__(self, http_client: httpx.Client | None, owner: str) -> None:
        super().__init__(http_client, owner)
        # Where every socket operation is bounded by the deadline; otherwise it is checked between body chunks.
        self._deadline_on_sockets = install_deadline_backend(self.http)

    def attempt(self, call: PreparedCall[typing.Any]) -> Received:
        """One attempt of `call`; raises an `httpx.RequestError` when no response arrived in time."""
        if call.deadline is None:
            return self._transfer(call, None)
        with attempt_deadline(call.deadline) as ends_at:
            try:
                return self._transfer(call, ends_at)
            except httpx.TransportError:
                if not deadline_passed(ends_at):
                    raise
        # The deadline passed, whatever error that caused. Raised out here, so that the httpx error (whose request
        # holds the credentials) is not chained as its context.
        raise DeadlineExceeded(call.deadline)

    def _transfer(self, call: PreparedCall[typing.Any], ends_at: float | None) -> Received:
        """Send, then read as much of the body as the `BodyReader` wants.

        Every socket operation is bounded by the deadline (`_deadline`). A transport of the user's whose sockets the
        client cannot bound (HTTP/2, a custom transport) has the deadline checked before each further body chunk
        instead. (Not after the last one: a body read whole is an answer, not a timeout to retry.)"""
        request = build_request(self.http, call)
        direct = self._direct
        response = direct.handle_request(request) if direct is not None else self._send_through_client(call, request)
        chunk_deadline = None if self._deadline_on_sockets else ends_at
        try:
            reader = BodyReader(response, body_limit(response.status_code, call.max_response_bytes))
            if reader.wants_more:
                for raw in response.iter_raw():
                    if not reader.feed(raw):
                        break
                    if chunk_deadline is not None and deadline_passed(chunk_deadline):
                        raise httpx.ReadTimeout("the attempt's deadline has passed")  # `attempt` says which
            return reader.finish()
        finally:
            response.close()

    def _send_through_client(self, call: PreparedCall[typing.Any], request: httpx.Request) -> httpx.Response:
        """Send through `httpx.Client.send` (the user's client, or ours behind a proxy), whose event hooks may raise."""
        try:
            return self.http.send(request, **SEND_OPTIONS)
        except httpx.RequestError:
            raise
        except Exception as exc:
            error = exc
        self._hook_error(call, error)


class AsyncTransport(_Transport[httpx.AsyncClient]):
    """The I/O of `AsyncPartnerInsightsClient` (and its `with_options` copies, which share it)."""

    __slots__ = ()
    _client_type = httpx.AsyncClient
    _transport_type = httpx.AsyncHTTPTransport

    async def attempt(self, call: PreparedCall[typing.Any]) -> Received:
        """One attempt of `call`; raises an `httpx.RequestError` when no response arrived in time."""
        if call.deadline is None:
            return await self._transfer(call)
        # anyio cancels this task alone, under asyncio or trio; other tasks on the pool are not touched.
        with anyio().move_on_after(call.deadline):
            return await self._transfer(call)
        raise DeadlineExceeded(call.deadline)

    async def _transfer(self, call: PreparedCall[typing.Any]) -> Received:
        """Send, then read as much of the body as the `BodyReader` wants."""
        request = build_request(self.http, call)
        direct = self._direct
        if direct is not None:
            response = await direct.handle_async_request(request)
        else:
            response = await self._send_through_client(call, request)
        try:
            reader = BodyReader(response, body_limit(response.status_code, call.max_response_bytes))
            if reader.wants_more:
                async for raw in response.aiter_raw():
                    if not reader.feed(raw):
                        break
            return reader.finish()
        finally:
            await response.aclose()

    async def _send_through_client(self, call: PreparedCall[typing.Any], request: httpx.Request) -> httpx.Response:
        """Send through `httpx.AsyncClient.send` (the user's client, or ours behind a proxy), whose hooks may raise."""
        try:
            return await self.http.send(request, **SEND_OPTIONS)
        except httpx.RequestError:
            raise
        except Exception as exc:
            error = exc
        self._hook_error(call, error)


def anyio() -> typing.Any:
    """anyio, imported on the first async call: the sync client should not pay for it."""
    import anyio

    return anyio
