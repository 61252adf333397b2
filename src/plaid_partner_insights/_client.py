"""The clients users hold: `PartnerInsightsClient` (sync) and `AsyncPartnerInsightsClient` (asyncio)."""

from __future__ import annotations

import os
import time
import typing
from types import TracebackType

import httpx

from ._base_client import SEND_OPTIONS, BaseClient, DeadlineExceeded, PreparedCall, Received, _raise_without_context
from ._compat_httpx import install_deadline_backend
from ._config import (
    DEFAULT_MAX_RESPONSE_BYTES,
    DEFAULT_MAX_RETRIES,
    DEFAULT_TIMEOUT,
    Environment,
    RetryPolicy,
    TimeoutTypes,
)
from ._deadline import attempt_deadline, deadline_passed
from ._exceptions import ConfigurationError
from ._webhook_keys import WebhookKeyCache
from ._webhooks import AsyncWebhooks, Webhooks

if typing.TYPE_CHECKING:
    from plaid_partner_insights_generated.client.models import (
        CraCheckReportPartnerInsightsGetResponse,
        WebhookVerificationKeyGetResponse,
    )
    from plaid_partner_insights_generated.typed_dicts import (
        CraCheckReportPartnerInsightsGetRequest,
        WebhookVerificationKeyGetRequest,
    )

    from ._response import RawResponse

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


class PartnerInsightsResource:
    """`client.partner_insights`: the `/cra/check_report/partner_insights/*` endpoints."""

    __slots__ = ("_client",)

    def __init__(self, client: PartnerInsightsClient) -> None:
        self._client = client

    @property
    def with_raw_response(self) -> PartnerInsightsResourceWithRawResponse:
        """The same calls, returning a `RawResponse`: status, headers, elapsed time and attempts, then `parse()`."""
        return PartnerInsightsResourceWithRawResponse(self._client)

    def get(
        self,
        *,
        timeout: TimeoutTypes | None = None,
        max_retries: int | None = None,
        max_response_bytes: int | None = None,
        **params: typing.Unpack[CraCheckReportPartnerInsightsGetRequest],
    ) -> CraCheckReportPartnerInsightsGetResponse:
        """Fetch the user's Partner Insights report: `POST /cra/check_report/partner_insights/get`.

        Request fields are keyword arguments (`user_id=...` or `user_token=...`, `partner_insights={...}`, ...),
        checked before anything is sent. `timeout`, `max_retries` and `max_response_bytes` override the client's for
        this call.

        Raises `PlaidAPIError` (or a subclass per `error_type`) for an error response, `APIConnectionError` /
        `APITimeoutError` when no response arrived, `ResponseValidationError` for an unreadable 2xx body,
        `ResponseTooLargeError` past `max_response_bytes`, `UnexpectedRedirectError` for a 3xx,
        `RequestValidationError` for a bad field value and `TypeError` for an unknown field.
        """
        call = self._client._prepare(
            params, timeout=timeout, max_retries=max_retries, max_response_bytes=max_response_bytes, stacklevel=3
        )
        return self._client._send(call).parse()


class PartnerInsightsResourceWithRawResponse:
    """`client.partner_insights.with_raw_response`: each call returns a `RawResponse` instead of the parsed model."""

    __slots__ = ("_client",)

    def __init__(self, client: PartnerInsightsClient) -> None:
        self._client = client

    def get(
        self,
        *,
        timeout: TimeoutTypes | None = None,
        max_retries: int | None = None,
        max_response_bytes: int | None = None,
        **params: typing.Unpack[CraCheckReportPartnerInsightsGetRequest],
    ) -> RawResponse[CraCheckReportPartnerInsightsGetResponse]:
        """`PartnerInsightsResource.get`, returning the response's status, headers and timing with the model.

        Errors are raised exactly as by `get()`; those about a response carry the same facts in `exc.response`.
        """
        call = self._client._prepare(
            params, timeout=timeout, max_retries=max_retries, max_response_bytes=max_response_bytes, stacklevel=3
        )
        return self._client._send(call)


class AsyncPartnerInsightsResource:
    """`client.partner_insights` of the async client."""

    __slots__ = ("_client",)

    def __init__(self, client: AsyncPartnerInsightsClient) -> None:
        self._client = client

    @property
    def with_raw_response(self) -> AsyncPartnerInsightsResourceWithRawResponse:
        """The same calls, returning a `RawResponse`; see `PartnerInsightsResource.with_raw_response`."""
        return AsyncPartnerInsightsResourceWithRawResponse(self._client)

    async def get(
        self,
        *,
        timeout: TimeoutTypes | None = None,
        max_retries: int | None = None,
        max_response_bytes: int | None = None,
        **params: typing.Unpack[CraCheckReportPartnerInsightsGetRequest],
    ) -> CraCheckReportPartnerInsightsGetResponse:
        """Fetch the user's Partner Insights report; see `PartnerInsightsResource.get`."""
        call = self._client._prepare(
            params, timeout=timeout, max_retries=max_retries, max_response_bytes=max_response_bytes, stacklevel=3
        )
        return (await self._client._send(call)).parse()


class AsyncPartnerInsightsResourceWithRawResponse:
    """`client.partner_insights.with_raw_response` of the async client."""

    __slots__ = ("_client",)

    def __init__(self, client: AsyncPartnerInsightsClient) -> None:
        self._client = client

    async def get(
        self,
        *,
        timeout: TimeoutTypes | None = None,
        max_retries: int | None = None,
        max_response_bytes: int | None = None,
        **params: typing.Unpack[CraCheckReportPartnerInsightsGetRequest],
    ) -> RawResponse[CraCheckReportPartnerInsightsGetResponse]:
        """`AsyncPartnerInsightsResource.get`, returning a `RawResponse`; see the sync client's."""
        call = self._client._prepare(
            params, timeout=timeout, max_retries=max_retries, max_response_bytes=max_response_bytes, stacklevel=3
        )
        return await self._client._send(call)


def _key_operation() -> typing.Any:
    from plaid_partner_insights_generated.client.api.plaid import WEBHOOK_VERIFICATION_KEY_GET

    return WEBHOOK_VERIFICATION_KEY_GET


class WebhookVerificationKeyResource:
    """`client.webhook_verification_key`: `POST /webhook_verification_key/get`."""

    __slots__ = ("_client",)

    def __init__(self, client: PartnerInsightsClient) -> None:
        self._client = client

    def get(self, **params: typing.Unpack[WebhookVerificationKeyGetRequest]) -> WebhookVerificationKeyGetResponse:
        """The public key (a JWK) Plaid signs webhooks with under the key id `key_id`."""
        call = self._client._prepare(params, timeout=None, max_retries=None, stacklevel=3, operation=_key_operation())
        return typing.cast("WebhookVerificationKeyGetResponse", self._client._send(call).parse())


class AsyncWebhookVerificationKeyResource:
    """`client.webhook_verification_key` of the async client."""

    __slots__ = ("_client",)

    def __init__(self, client: AsyncPartnerInsightsClient) -> None:
        self._client = client

    async def get(self, **params: typing.Unpack[WebhookVerificationKeyGetRequest]) -> WebhookVerificationKeyGetResponse:
        """The public key (a JWK) Plaid signs webhooks with; see `WebhookVerificationKeyResource.get`."""
        call = self._client._prepare(params, timeout=None, max_retries=None, stacklevel=3, operation=_key_operation())
        return typing.cast("WebhookVerificationKeyGetResponse", (await self._client._send(call)).parse())


class PartnerInsightsClient(BaseClient):
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

    partner_insights: PartnerInsightsResource
    webhook_verification_key: WebhookVerificationKeyResource
    webhooks: Webhooks
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
        self._resources()

    def _resources(self) -> None:
        self.partner_insights = PartnerInsightsResource(self)
        self.webhook_verification_key = WebhookVerificationKeyResource(self)
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
        clone._resources()
        return clone

    def _send(self, call: PreparedCall) -> RawResponse[CraCheckReportPartnerInsightsGetResponse]:
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

    def _attempt(self, call: PreparedCall) -> Received:
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

    def _transfer(self, call: PreparedCall, ends_at: float | None) -> Received:
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

    def _send_through_client(self, call: PreparedCall, request: httpx.Request) -> httpx.Response:
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


class AsyncPartnerInsightsClient(BaseClient):
    """The asyncio twin of `PartnerInsightsClient`: same settings, `await client.partner_insights.get(...)`.

    `http_client` is an `httpx.AsyncClient`. Use it as `async with AsyncPartnerInsightsClient(...) as client:`
    or call `await client.aclose()`.
    """

    partner_insights: AsyncPartnerInsightsResource
    webhook_verification_key: AsyncWebhookVerificationKeyResource
    webhooks: AsyncWebhooks
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
        self._resources()

    def _resources(self) -> None:
        self.partner_insights = AsyncPartnerInsightsResource(self)
        self.webhook_verification_key = AsyncWebhookVerificationKeyResource(self)
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
        clone._resources()
        return clone

    async def _send(self, call: PreparedCall) -> RawResponse[CraCheckReportPartnerInsightsGetResponse]:
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

    async def _attempt(self, call: PreparedCall) -> Received:
        if call.deadline is None:
            return await self._transfer(call)
        # anyio cancels this task alone, under asyncio or trio; other tasks on the pool are not touched.
        with _anyio().move_on_after(call.deadline):
            return await self._transfer(call)
        raise DeadlineExceeded(call.deadline)

    async def _transfer(self, call: PreparedCall) -> Received:
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

    async def _send_through_client(self, call: PreparedCall, request: httpx.Request) -> httpx.Response:
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
