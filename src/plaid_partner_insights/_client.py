"""The clients users hold: `PartnerInsightsClient` (sync) and `AsyncPartnerInsightsClient` (asyncio)."""

from __future__ import annotations

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

from ._base_client import BaseClient
from ._options import ENVIRONMENT_VARIABLES, env_settings
from ._retries import RetryLoop
from ._transport import AsyncTransport, SyncTransport, anyio, own_http
from ._webhook_keys import WebhookKeyCache
from ._webhooks import AsyncWebhooks, Webhooks

if typing.TYPE_CHECKING:
    from collections.abc import Mapping

    from plaid_partner_insights_core._models import Model, Operation
    from plaid_partner_insights_core._response import RawResponse

    from ._decoding import Received
    from ._request_building import PreparedCall

_ResponseT = typing.TypeVar("_ResponseT", bound="Model")

_env_settings = env_settings  # the name the CLI reads the environment with

__all__ = [
    "ENVIRONMENT_VARIABLES",
    "AsyncPartnerInsightsClient",
    "AsyncPartnerInsightsResource",
    "AsyncPartnerInsightsResourceWithRawResponse",
    "PartnerInsightsClient",
    "PartnerInsightsResource",
    "PartnerInsightsResourceWithRawResponse",
]


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
        direct = None
        if http_client is None:
            http_client, direct = own_http(httpx.Client, httpx.HTTPTransport)
            self._own_http_headers = httpx.Headers(http_client.headers)
        self._http = http_client
        self._transport = SyncTransport(http_client, direct, type(self).__name__)
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
            **env_settings(),
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
        """Drive the retry rules (`_retries.RetryLoop`) with this client's I/O: attempts, and sleeps between them."""
        self._check_open()
        retry_loop = RetryLoop(call, self._retry_policy)
        while True:
            started = time.perf_counter()
            try:
                outcome: Received | httpx.RequestError = self._transport.attempt(call)
            except httpx.RequestError as exc:
                outcome = exc
            delay = retry_loop.after(outcome, started)
            if delay is None:
                return retry_loop.response
            self._sleep(delay)

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
        direct = None
        if http_client is None:
            http_client, direct = own_http(httpx.AsyncClient, httpx.AsyncHTTPTransport)
            self._own_http_headers = httpx.Headers(http_client.headers)
        self._http = http_client
        self._transport = AsyncTransport(http_client, direct, type(self).__name__)
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
            **env_settings(),
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
        """Drive the retry rules with this client's I/O; see `PartnerInsightsClient._send`."""
        self._check_open()
        self._check_event_loop()
        retry_loop = RetryLoop(call, self._retry_policy)
        while True:
            started = time.perf_counter()
            try:
                outcome: Received | httpx.RequestError = await self._transport.attempt(call)
            except httpx.RequestError as exc:
                outcome = exc
            delay = retry_loop.after(outcome, started)
            if delay is None:
                return retry_loop.response
            await self._sleep(delay)

    @staticmethod
    async def _sleep(seconds: float) -> None:
        """The seam tests use to record the waits instead of sleeping."""
        await anyio().sleep(seconds)

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
