"""What the sync and async clients share: their settings, and the call each generated method makes (`_prepare`).

The work of a call is split by job into small private modules, the same for both clients:

- `_options`: the settings, checked;
- `_request_building`: request fields checked, body encoded, the request of each attempt;
- `_transport`: the only I/O, one class per client;
- `_decoding`: the body read within its limit, decompressed a bounded step at a time;
- `_retries`: what is retried, the backoff and `Retry-After`, when to give up;
- `_responses`: what a final response means, the model or the typed exception;
- `_error_chaining`: errors chained without the request, which holds the credentials;
- `_logging`: one line per attempt.
"""

from __future__ import annotations

import copy
import typing
from collections.abc import Mapping
from typing import Unpack

import httpx

from plaid_partner_insights_core._config import (
    DEFAULT_MAX_RESPONSE_BYTES,
    DEFAULT_MAX_RETRIES,
    DEFAULT_TIMEOUT,
    RetryPolicy,
)
from plaid_partner_insights_core._exceptions import ClientClosedError

from ._options import (
    as_max_response_bytes,
    as_max_retries,
    as_retry_policy,
    as_timeout,
    check_credential,
    env_settings,
    resolve_base_url,
)
from ._request_building import Endpoint, PreparedCall, client_headers, prepare_call
from ._webhook_keys import WebhookKeyCache

if typing.TYPE_CHECKING:
    from plaid_partner_insights_core._config import Environment, TimeoutTypes
    from plaid_partner_insights_core._models import Model, Operation
    from plaid_partner_insights_core._resource import RequestOptions

    from ._transport import AsyncTransport, SyncTransport

__all__ = ["BaseClient"]

_ResponseT = typing.TypeVar("_ResponseT", bound="Model")
_HttpClientT = typing.TypeVar("_HttpClientT", httpx.Client, httpx.AsyncClient)


class _Lifecycle:
    """What a client and its `with_options` copies share besides the pool: whether it was closed, and (async) the
    event loop whose connections the pool holds."""

    __slots__ = ("closed", "event_loop")

    def __init__(self) -> None:
        self.closed = False
        self.event_loop: object = None


class BaseClient(typing.Generic[_HttpClientT]):
    """Settings and every decision shared by `PartnerInsightsClient` and `AsyncPartnerInsightsClient`, which differ
    in their transport (`_transport_type`) and in how they drive the retry loop with it (`_send`)."""

    _transport_type: typing.ClassVar[type[SyncTransport] | type[AsyncTransport]]
    _base_url: str
    _timeout: TimeoutTypes
    _max_retries: int
    _max_response_bytes: int
    _retry_policy: RetryPolicy
    _headers: dict[str, str]
    _lifecycle: _Lifecycle
    _http: _HttpClientT
    _owns_http: bool
    # The default headers of the httpx client made here, merged into prebuilt requests; `None` for the user's own.
    _own_http_headers: httpx.Headers | None
    _endpoints: dict[Operation[typing.Any], Endpoint]

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
        http_client: _HttpClientT | None = None,
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
        transport = self._transport_type(http_client, type(self).__name__)  # type: ignore[arg-type]
        self._transport = transport
        self._http = typing.cast(_HttpClientT, transport.http)
        self._owns_http = transport.owns_http
        self._own_http_headers = transport.own_headers()
        self._endpoints = {}
        self._webhook_keys = WebhookKeyCache()
        self._attach_resources()

    def _configure(
        self,
        *,
        client_id: str,
        secret: str,
        environment: str | None,
        base_url: str | None,
        timeout: TimeoutTypes,
        max_retries: int,
        retry_policy: RetryPolicy | None,
        max_response_bytes: int,
    ) -> None:
        """Check and keep the settings; each check raises `ConfigurationError` naming the setting."""
        check_credential("client_id", client_id, per_call=False)
        check_credential("secret", secret, per_call=False)
        self._base_url = resolve_base_url(environment, base_url)
        self._lifecycle = _Lifecycle()
        self._timeout = as_timeout(timeout)
        self._max_retries = as_max_retries(max_retries)
        self._max_response_bytes = as_max_response_bytes(max_response_bytes)
        self._retry_policy = RetryPolicy() if retry_policy is None else as_retry_policy(retry_policy)
        self._headers = client_headers(client_id, secret)

    @classmethod
    def from_env(
        cls,
        *,
        timeout: TimeoutTypes = DEFAULT_TIMEOUT,
        max_retries: int = DEFAULT_MAX_RETRIES,
        retry_policy: RetryPolicy | None = None,
        http_client: _HttpClientT | None = None,
        max_response_bytes: int = DEFAULT_MAX_RESPONSE_BYTES,
    ) -> typing.Self:
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
    ) -> typing.Self:
        """A client with other defaults that shares this one's credentials and connection pool.

        `client.with_options(timeout=120, max_retries=0).partner_insights.get(...)`. Closing the copy does nothing;
        close the original.
        """
        clone = copy.copy(self)
        if timeout is not None:
            clone._timeout = as_timeout(timeout)
        if max_retries is not None:
            clone._max_retries = as_max_retries(max_retries)
        if max_response_bytes is not None:
            clone._max_response_bytes = as_max_response_bytes(max_response_bytes)
        if retry_policy is not None:
            clone._retry_policy = as_retry_policy(retry_policy)
        clone._owns_http = False
        clone._attach_resources()
        return clone

    def _attach_resources(self) -> None:
        """Give the client its resources (`client.partner_insights`, ...); the generated mixin's."""
        raise NotImplementedError

    @property
    def base_url(self) -> str:
        """The URL requests go to, for example `https://sandbox.plaid.com`."""
        return self._base_url

    @property
    def timeout(self) -> TimeoutTypes:
        """The default timeout of each attempt: seconds (a deadline, connect to last byte) or an `httpx.Timeout`."""
        return self._timeout

    @property
    def max_response_bytes(self) -> int:
        """The largest response body accepted by default, in bytes after decompression."""
        return self._max_response_bytes

    @property
    def max_retries(self) -> int:
        """How many times a failed request is retried by default (so at most `max_retries + 1` attempts)."""
        return self._max_retries

    @property
    def retry_policy(self) -> RetryPolicy:
        """The backoff and `Retry-After` settings."""
        return self._retry_policy

    def __repr__(self) -> str:
        # Safe at any stage: a constructor that raised leaves attributes unset, and debuggers still call repr().
        base_url = getattr(self, "_base_url", None)
        max_retries = getattr(self, "_max_retries", None)
        return f"{type(self).__name__}(base_url={base_url!r}, max_retries={max_retries!r})"

    def _request(
        self, operation: Operation[_ResponseT], params: Mapping[str, object], **options: Unpack[RequestOptions]
    ) -> typing.Any:
        """Send one call of `operation`: what every generated method does (see `_resource`). The sync client's
        `_send` returns the `RawResponse`; the async client's, an awaitable of it."""
        return self._send(self._prepare(operation, params, options, stacklevel=4))

    def _send(self, call: PreparedCall[typing.Any]) -> typing.Any:
        raise NotImplementedError

    def _prepare(
        self, operation: Operation[_ResponseT], params: Mapping[str, object], options: RequestOptions, stacklevel: int
    ) -> PreparedCall[_ResponseT]:
        """Check the request fields and build the call. `stacklevel` locates the user's line for warnings."""
        endpoint = self._endpoints.get(operation)
        if endpoint is None:  # shared with the `with_options` copies, which have the same URL and headers
            endpoint = Endpoint(operation, self._base_url, self._headers, self._own_http_headers)
            self._endpoints[operation] = endpoint
        timeout = options.get("timeout")
        max_retries = options.get("max_retries")
        max_response_bytes = options.get("max_response_bytes")
        return prepare_call(
            operation,
            endpoint,
            params,
            self._timeout if timeout is None else as_timeout(timeout),
            self._max_retries if max_retries is None else as_max_retries(max_retries),
            self._max_response_bytes if max_response_bytes is None else as_max_response_bytes(max_response_bytes),
            stacklevel + 1,
        )

    def _check_open(self) -> None:
        """Refuse a call on a closed client: httpx would raise a bare `RuntimeError`, or reopen sockets."""
        if self._lifecycle.closed:
            raise ClientClosedError(f"{type(self).__name__} is closed; make a new client")
        if self._http.is_closed:
            raise ClientClosedError(f"the http_client given to {type(self).__name__} is closed")

    def _close(self) -> bool:
        """Mark the client closed, if it owns its pool; whether the caller should close that pool now."""
        if self._owns_http:
            self._lifecycle.closed = True
        return self._owns_http
