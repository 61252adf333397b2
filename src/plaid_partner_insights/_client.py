"""The clients users hold: `PartnerInsightsClient` (sync) and `AsyncPartnerInsightsClient` (asyncio)."""

from __future__ import annotations

import os
import time
import typing
from types import TracebackType

import httpx
from plaid_partner_insights_generated.client.api.partner_insights import (
    AsyncPartnerInsightsResource,
    AsyncPartnerInsightsResourceWithRawResponse,
    PartnerInsightsResource,
    PartnerInsightsResourceWithRawResponse,
)
from plaid_partner_insights_generated.client.client import AsyncResources, SyncResources

from plaid_partner_insights_core._config import (
    DEFAULT_MAX_RESPONSE_BYTES,
    DEFAULT_MAX_RETRIES,
    DEFAULT_TIMEOUT,
    Environment,
    RetryPolicy,
    TimeoutTypes,
)
from plaid_partner_insights_core._exceptions import ConfigurationError

from ._base_client import SEND_OPTIONS, BaseClient, DeadlineExceeded, PreparedCall, Received, _raise_without_context
from ._compat_httpx import install_deadline_backend
from ._deadline import attempt_deadline, deadline_passed
from ._webhook_keys import WebhookKeyCache
from ._webhooks import AsyncWebhooks, Webhooks

if typing.TYPE_CHECKING:
    from collections.abc import Mapping

    from plaid_partner_insights_core._models import Model, Operation
    from plaid_partner_insights_core._response import RawResponse

_ResponseT = typing.TypeVar("_ResponseT", bound="Model")

__all__ = [
    "AsyncPartnerInsightsClient",
    "AsyncPartnerInsightsResource",
    "AsyncPartnerInsightsResourceWithRawResponse",
    "PartnerInsightsClient",
    "PartnerInsightsResource",
    "PartnerInsightsResourceWithRawResponse",
]


# What `from_env()` reads; the CLI refuses to answer fake data while any of them is set (see `_cli`).
ENVIRONMENT_VARIABLES = ("PLAID_CLIENT_ID", "PLAID_SECRET", "PLAID_ENV", "PLAID_BASE_URL")


def _env_settings() -> dict[str, typing.Any]:
    settings: dict[str, typing.Any] = {}
    for variable, name in (("PLAID_CLIENT_ID", "client_id"), ("PLAID_SECRET", "secret")):
        value = os.environ.get(variable, "")
        if not value.strip():
            raise ConfigurationError(f"environment variable {variable} is not set")
        settings[name] = value
    base_url = os.environ.get("PLAID_BASE_URL", "").strip()
    environment = os.environ.get("PLAID_ENV", "").strip().lower()
    if base_url:
        settings["base_url"] = base_url
    elif environment:
        settings["environment"] = environment
    return settings


class PartnerInsightsClient(SyncResources, BaseClient):
    """Client for Plaid's Partner Insights endpoint.

    ```python
    with PartnerInsightsClient(client_id="...", secret="...", environment="sandbox") as client:
        resp = client.partner_insights.get(user_id="usr_...")
    ```

    - `environment`: `"sandbox"` (default) or `"production"`; `base_url` instead points the client anywhere
      (for example the local emulator, `http://127.0.0.1:8787`) and wins over `environment`.
    - `timeout`: seconds (default 60), a deadline for each attempt from connect to the last body byte; or an
      `httpx.Timeout`, httpx's limits on each phase (connect, read, write, pool) without an overall deadline.
    - `max_response_bytes`: the largest body accepted, after decompression (default 16 MiB).
    - `max_retries`: retries after a connection error, a timeout, or a 408, 409, 429 or 5xx response (default 2).
      `retry_policy` sets the backoff and the cap on `Retry-After`.
    - `http_client`: an `httpx.Client` of yours (proxies, TLS, transports). The client never closes it.

    Credentials are sent in the `PLAID-CLIENT-ID` / `PLAID-SECRET` headers and never appear in `repr`, errors or logs.
    """

    webhooks: Webhooks
    """Verifying the webhooks Plaid sends (`client.webhooks.verify(body, headers)`), with keys fetched through this
    client."""
    _http: httpx.Client

    def __init__(
        self,
        *,
        client_id: str,
        secret: str,
        environment: Environment | None = None,
        base_url: str | None = None,
        timeout: TimeoutTypes = DEFAULT_TIMEOUT,
        max_retries: int = DEFAULT_MAX_RETRIES,
        retry_policy: RetryPolicy | None = None,
        http_client: httpx.Client | None = None,
        max_response_bytes: int = DEFAULT_MAX_RESPONSE_BYTES,
    ) -> None:
        self._configure(
            client_id=client_id,
            secret=secret,
            environment=environment,
            base_url=base_url,
            timeout=timeout,
            max_retries=max_retries,
            retry_policy=retry_policy,
            max_response_bytes=max_response_bytes,
        )
        if http_client is not None and not isinstance(http_client, httpx.Client):
            raise ConfigurationError(f"http_client must be an httpx.Client, got {type(http_client).__name__}")
        self._owns_http = http_client is None
        self._direct: httpx.HTTPTransport | None = None
        if http_client is None:
            http_client, self._direct = self._own_http(httpx.Client, httpx.HTTPTransport)
        self._http = http_client
        # Where every socket operation is bounded by the deadline; otherwise it is checked between body chunks.
        self._deadline_on_sockets = install_deadline_backend(http_client)
        self._webhook_keys = WebhookKeyCache()
        self._attach_resources()

    def _attach_resources(self) -> None:
        super()._attach_resources()
        self.webhooks = Webhooks(self)

    @classmethod
    def from_env(
        cls,
        *,
        timeout: TimeoutTypes = DEFAULT_TIMEOUT,
        max_retries: int = DEFAULT_MAX_RETRIES,
        retry_policy: RetryPolicy | None = None,
        http_client: httpx.Client | None = None,
        max_response_bytes: int = DEFAULT_MAX_RESPONSE_BYTES,
    ) -> PartnerInsightsClient:
        """A client configured from `PLAID_CLIENT_ID`, `PLAID_SECRET`, `PLAID_ENV` (`sandbox` or `production`,
        default sandbox) and `PLAID_BASE_URL` (wins over `PLAID_ENV`)."""
        return cls(
            **_env_settings(),
            timeout=timeout,
            max_retries=max_retries,
            retry_policy=retry_policy,
            http_client=http_client,
            max_response_bytes=max_response_bytes,
        )

    def with_options(
        self,
        *,
        timeout: TimeoutTypes | None = None,
        max_retries: int | None = None,
        retry_policy: RetryPolicy | None = None,
        max_response_bytes: int | None = None,
    ) -> PartnerInsightsClient:
        """A client with other defaults that shares this one's credentials and connection pool.

        `client.with_options(timeout=120, max_retries=0).partner_insights.get(...)`. Closing the copy does nothing;
        close the original.
        """
        clone = self._copy_with(
            timeout=timeout, max_retries=max_retries, retry_policy=retry_policy, max_response_bytes=max_response_bytes
        )
        clone._owns_http = False
        clone._attach_resources()
        return clone

    def _request(
        self,
        operation: Operation[_ResponseT],
        params: Mapping[str, object],
        *,
        timeout: TimeoutTypes | None,
        max_retries: int | None,
        max_response_bytes: int | None,
    ) -> RawResponse[_ResponseT]:
        """Send one call of `operation`: what every generated method does (see `_resource`)."""
        return self._send(
            self._prepare(
                operation,
                params,
                timeout=timeout,
                max_retries=max_retries,
                max_response_bytes=max_response_bytes,
                stacklevel=4,
            )
        )

    def _send(self, call: PreparedCall[_ResponseT]) -> RawResponse[_ResponseT]:
        self._check_open()
        attempt = 0
        while True:
            attempt += 1
            started = time.perf_counter()
            try:
                received = self._attempt(call)
            except httpx.RequestError as exc:
                self._sleep(self._retry_after_error(call, exc, attempt, started))
                continue
            delay = self._retry_after_response(call, received, attempt, started)
            if delay is None:
                return self._handle_response(call, received, attempt, started)
            self._sleep(delay)

    def _attempt(self, call: PreparedCall[typing.Any]) -> Received:
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
        """One attempt: send, then read as much of the body as the base client's `BodyReader` wants.

        Every socket operation is bounded by the deadline (`_deadline`). A transport of the user's whose sockets the
        client cannot bound (HTTP/2, a custom transport) has the deadline checked before each further body chunk
        instead. (Not after the last one: a body read whole is an answer, not a timeout to retry.)"""
        request = self._build_request(self._http, call)
        direct = self._direct
        response = direct.handle_request(request) if direct is not None else self._send_through_client(call, request)
        chunk_deadline = None if self._deadline_on_sockets else ends_at
        try:
            reader = self._body_reader(call, response)
            if reader.wants_more:
                for raw in response.iter_raw():
                    if not reader.feed(raw):
                        break
                    if chunk_deadline is not None and deadline_passed(chunk_deadline):
                        raise httpx.ReadTimeout("the attempt's deadline has passed")  # `_attempt` says which
            return reader.finish()
        finally:
            response.close()

    def _send_through_client(self, call: PreparedCall[typing.Any], request: httpx.Request) -> httpx.Response:
        """Send through `httpx.Client.send` (the user's client, or ours behind a proxy), whose event hooks may raise."""
        try:
            return self._http.send(request, **SEND_OPTIONS)
        except httpx.RequestError:
            raise
        except Exception as exc:
            error = self._hook_error(call, exc)
        _raise_without_context(error)

    _sleep = staticmethod(time.sleep)  # the seam tests use to record the waits instead of sleeping

    def close(self) -> None:
        """Close the client: later calls raise `ClientClosedError`. Closes the connection pool unless the
        `http_client` was yours. Closing a `with_options` copy does nothing: close the original."""
        if self._owns_http:
            self._lifecycle.closed = True
            self._http.close()

    def __enter__(self) -> typing.Self:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()


class AsyncPartnerInsightsClient(AsyncResources, BaseClient):
    """The asyncio twin of `PartnerInsightsClient`: same settings, `await client.partner_insights.get(...)`.

    `http_client` is an `httpx.AsyncClient`. Use it as `async with AsyncPartnerInsightsClient(...) as client:`
    or call `await client.aclose()`.
    """

    webhooks: AsyncWebhooks
    """Verifying the webhooks Plaid sends (`await client.webhooks.verify(body, headers)`)."""
    _http: httpx.AsyncClient

    def __init__(
        self,
        *,
        client_id: str,
        secret: str,
        environment: Environment | None = None,
        base_url: str | None = None,
        timeout: TimeoutTypes = DEFAULT_TIMEOUT,
        max_retries: int = DEFAULT_MAX_RETRIES,
        retry_policy: RetryPolicy | None = None,
        http_client: httpx.AsyncClient | None = None,
        max_response_bytes: int = DEFAULT_MAX_RESPONSE_BYTES,
    ) -> None:
        self._configure(
            client_id=client_id,
            secret=secret,
            environment=environment,
            base_url=base_url,
            timeout=timeout,
            max_retries=max_retries,
            retry_policy=retry_policy,
            max_response_bytes=max_response_bytes,
        )
        if http_client is not None and not isinstance(http_client, httpx.AsyncClient):
            raise ConfigurationError(f"http_client must be an httpx.AsyncClient, got {type(http_client).__name__}")
        self._owns_http = http_client is None
        self._direct: httpx.AsyncHTTPTransport | None = None
        if http_client is None:
            http_client, self._direct = self._own_http(httpx.AsyncClient, httpx.AsyncHTTPTransport)
        self._http = http_client
        self._webhook_keys = WebhookKeyCache()
        self._attach_resources()

    def _attach_resources(self) -> None:
        super()._attach_resources()
        self.webhooks = AsyncWebhooks(self)

    @classmethod
    def from_env(
        cls,
        *,
        timeout: TimeoutTypes = DEFAULT_TIMEOUT,
        max_retries: int = DEFAULT_MAX_RETRIES,
        retry_policy: RetryPolicy | None = None,
        http_client: httpx.AsyncClient | None = None,
        max_response_bytes: int = DEFAULT_MAX_RESPONSE_BYTES,
    ) -> AsyncPartnerInsightsClient:
        """A client configured from the environment; see `PartnerInsightsClient.from_env`."""
        return cls(
            **_env_settings(),
            timeout=timeout,
            max_retries=max_retries,
            retry_policy=retry_policy,
            http_client=http_client,
            max_response_bytes=max_response_bytes,
        )

    def with_options(
        self,
        *,
        timeout: TimeoutTypes | None = None,
        max_retries: int | None = None,
        retry_policy: RetryPolicy | None = None,
        max_response_bytes: int | None = None,
    ) -> AsyncPartnerInsightsClient:
        """A client with other defaults sharing this one's credentials and connection pool; see the sync client."""
        clone = self._copy_with(
            timeout=timeout, max_retries=max_retries, retry_policy=retry_policy, max_response_bytes=max_response_bytes
        )
        clone._owns_http = False
        clone._attach_resources()
        return clone

    async def _request(
        self,
        operation: Operation[_ResponseT],
        params: Mapping[str, object],
        *,
        timeout: TimeoutTypes | None,
        max_retries: int | None,
        max_response_bytes: int | None,
    ) -> RawResponse[_ResponseT]:
        """Send one call of `operation`; see `PartnerInsightsClient._request`."""
        return await self._send(
            self._prepare(
                operation,
                params,
                timeout=timeout,
                max_retries=max_retries,
                max_response_bytes=max_response_bytes,
                stacklevel=4,
            )
        )

    async def _send(self, call: PreparedCall[_ResponseT]) -> RawResponse[_ResponseT]:
        self._check_open()
        self._check_event_loop()
        attempt = 0
        while True:
            attempt += 1
            started = time.perf_counter()
            try:
                received = await self._attempt(call)
            except httpx.RequestError as exc:
                await self._sleep(self._retry_after_error(call, exc, attempt, started))
                continue
            delay = self._retry_after_response(call, received, attempt, started)
            if delay is None:
                return self._handle_response(call, received, attempt, started)
            await self._sleep(delay)

    async def _attempt(self, call: PreparedCall[typing.Any]) -> Received:
        if call.deadline is None:
            return await self._transfer(call)
        # anyio cancels this task alone, under asyncio or trio; other tasks on the pool are not touched.
        with _anyio().move_on_after(call.deadline):
            return await self._transfer(call)
        raise DeadlineExceeded(call.deadline)

    async def _transfer(self, call: PreparedCall[typing.Any]) -> Received:
        """One attempt: send, then read as much of the body as the base client's `BodyReader` wants."""
        request = self._build_request(self._http, call)
        direct = self._direct
        if direct is not None:
            response = await direct.handle_async_request(request)
        else:
            response = await self._send_through_client(call, request)
        try:
            reader = self._body_reader(call, response)
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
            return await self._http.send(request, **SEND_OPTIONS)
        except httpx.RequestError:
            raise
        except Exception as exc:
            error = self._hook_error(call, exc)
        _raise_without_context(error)

    @staticmethod
    async def _sleep(seconds: float) -> None:
        """The seam tests use to record the waits instead of sleeping."""
        await _anyio().sleep(seconds)

    def _check_event_loop(self) -> None:
        """Refuse a call from an event loop other than the one whose connections the pool holds: httpx would fail
        with a bare `RuntimeError`, or hang, on a connection made in a loop that has since closed."""
        loop = _running_event_loop()
        lifecycle = self._lifecycle
        if lifecycle.event_loop is None:
            lifecycle.event_loop = loop
        elif loop is not None and loop is not lifecycle.event_loop:
            raise ConfigurationError(
                f"this {type(self).__name__} was first used in another event loop (another asyncio.run() or "
                "trio.run()); its connections belong to that loop. Make one client per event loop"
            )

    async def aclose(self) -> None:
        """Close the client: later calls raise `ClientClosedError`. Closes the connection pool unless the
        `http_client` was yours. Closing a `with_options` copy does nothing: close the original."""
        if self._owns_http:
            self._lifecycle.closed = True
            await self._http.aclose()

    async def __aenter__(self) -> typing.Self:
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        await self.aclose()


def _anyio() -> typing.Any:
    """anyio, imported on the first async call: the sync client should not pay for it."""
    import anyio

    return anyio


def _running_event_loop() -> object:
    """The running asyncio loop, or trio run; `None` under another library."""
    import asyncio

    try:
        return asyncio.get_running_loop()
    except RuntimeError:
        pass
    import sys

    trio = sys.modules.get("trio")
    if trio is None:
        return None
    try:
        return trio.lowlevel.current_root_task()
    except RuntimeError:
        return None
