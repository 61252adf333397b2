"""The clients users hold: `PartnerInsightsClient` (sync) and `AsyncPartnerInsightsClient` (asyncio, trio).

Everything but their I/O is shared (`_base_client` and the modules it names); each `_send` here drives the one retry
loop (`_retries.RetryLoop`) with its own transport and its own way of sleeping.
"""

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

from plaid_partner_insights_core._exceptions import ConfigurationError

from ._base_client import BaseClient
from ._options import ENVIRONMENT_VARIABLES, env_settings
from ._retries import RetryLoop
from ._transport import AsyncTransport, SyncTransport, anyio
from ._webhooks import AsyncWebhooks, Webhooks

if typing.TYPE_CHECKING:
    from plaid_partner_insights_core._models import Model
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


class PartnerInsightsClient(SyncResources, BaseClient[httpx.Client]):
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
    `from_env()` makes one from the environment; `with_options()` a copy with other defaults.
    """

    webhooks: Webhooks
    """Verifying the webhooks Plaid sends (`client.webhooks.verify(body, headers)`), with keys fetched through this
    client."""
    _transport_type = SyncTransport
    _transport: SyncTransport

    def _attach_resources(self) -> None:
        super()._attach_resources()
        self.webhooks = Webhooks(self)

    def _send(self, call: PreparedCall[_ResponseT]) -> RawResponse[_ResponseT]:
        """Drive the retry rules with this client's I/O: attempts, and sleeps between them."""
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
        if self._close():
            self._http.close()

    def __enter__(self) -> typing.Self:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()


class AsyncPartnerInsightsClient(AsyncResources, BaseClient[httpx.AsyncClient]):
    """The asyncio (and trio) twin of `PartnerInsightsClient`: same settings, `await client.partner_insights.get(...)`.

    `http_client` is an `httpx.AsyncClient`. Use it as `async with AsyncPartnerInsightsClient(...) as client:`
    or call `await client.aclose()`.
    """

    webhooks: AsyncWebhooks
    """Verifying the webhooks Plaid sends (`await client.webhooks.verify(body, headers)`)."""
    _transport_type = AsyncTransport
    _transport: AsyncTransport

    def _attach_resources(self) -> None:
        super()._attach_resources()
        self.webhooks = AsyncWebhooks(self)

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
        if self._close():
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
