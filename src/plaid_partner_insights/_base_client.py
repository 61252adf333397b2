"""What the sync and async clients share: settings, request building, retry decisions, parsing, errors, logging.

The two clients only differ in how they send a request and sleep; every decision (what to send, whether and how
long to wait before another attempt, what a response means) is made here, once.
"""

from __future__ import annotations

import copy
import datetime
import functools
import json
import logging
import platform
import ssl
import time
import typing
import urllib.request
import zlib
from collections.abc import Callable, Mapping

import httpx
from plaid_partner_insights_generated.client.errors import ERROR_CLASSES

from plaid_partner_insights_core._config import (
    ENVIRONMENTS,
    ERROR_BODY_MAX_BYTES,
    RETRYABLE_STATUSES,
    RetryPolicy,
    TimeoutTypes,
    parse_retry_after,
)
from plaid_partner_insights_core._exceptions import (
    APIConnectionError,
    APITimeoutError,
    ClientClosedError,
    ConfigurationError,
    EventHookError,
    PartnerInsightsError,
    PlaidAPIError,
    RequestValidationError,
    ResponseTooLargeError,
    ResponseValidationError,
    UnexpectedRedirectError,
)
from plaid_partner_insights_core._response import RawResponse, ResponseInfo

from ._deprecations import prepare_options
from ._validation import request_checker
from ._version import __version__

if typing.TYPE_CHECKING:
    from plaid_partner_insights_generated.client.models import Cause

    from plaid_partner_insights_core._models import Model, Operation

__all__ = ["SEND_OPTIONS", "BaseClient", "BodyReader", "DeadlineExceeded", "PreparedCall", "Received"]

logger = logging.getLogger("plaid_partner_insights")

_HttpClient = typing.TypeVar("_HttpClient", httpx.Client, httpx.AsyncClient)
_Transport = typing.TypeVar("_Transport", httpx.HTTPTransport, httpx.AsyncHTTPTransport)
_ResponseT = typing.TypeVar("_ResponseT", bound="Model")

USER_AGENT = f"plaid-partner-insights/{__version__} python/{platform.python_version()} httpx/{httpx.__version__}"
_EXCERPT = 200
# Encodings the client can decode with a bound on the output; asked for explicitly so no other one is used.
_ACCEPT_ENCODING = "gzip, deflate"
_DECODE_STEP = 64 * 1024  # decompressed bytes produced per step: memory stays flat whatever the ratio


def _excerpt(content: bytes) -> str:
    text = content[: _EXCERPT * 4].decode("utf-8", "replace")
    return text if len(text) <= _EXCERPT else text[:_EXCERPT] + "..."


class _TooDeep(ValueError):
    pass


def _loads(content: bytes) -> typing.Any:
    """The JSON value of `content`; raises `ValueError` for anything unreadable, deep nesting included."""
    try:
        return json.loads(content)
    except RecursionError:
        raise _TooDeep("JSON nested too deeply") from None


def _header_safe(value: str) -> bool:
    return value.isascii() and value.isprintable()


def _check_credential(name: str, value: object, *, per_call: bool) -> str:
    # Never echo the value: it may be a secret.
    problem = None
    if not isinstance(value, str) or not value.strip():
        problem = "must be a non-empty string"
    elif not _header_safe(value):
        problem = "contains characters that cannot be sent in an HTTP header"
    if problem is None:
        return typing.cast(str, value)
    if per_call:
        raise RequestValidationError(name, problem)
    raise ConfigurationError(f"{name} {problem}")


class _Endpoint:
    """What every call of one operation on one client shares: its URL and headers, worked out once."""

    __slots__ = ("headers", "prebuilt", "url")

    def __init__(self, url: str, headers: dict[str, str], prebuilt: tuple[httpx.URL, httpx.Headers] | None) -> None:
        self.url = url
        self.headers = headers
        # (URL, headers) of every request, for a client made here; `None` for the user's own `http_client`.
        self.prebuilt = prebuilt


class PreparedCall(typing.Generic[_ResponseT]):
    """One validated call, ready to be attempted as many times as the retry policy allows."""

    __slots__ = (
        "content",
        "deadline",
        "headers",
        "max_response_bytes",
        "max_retries",
        "method",
        "operation",
        "path",
        "prebuilt",
        "timeout",
        "url",
    )

    def __init__(
        self,
        operation: Operation[_ResponseT],
        endpoint: _Endpoint,
        content: bytes,
        headers: Mapping[str, str],
        timeout: TimeoutTypes,
        max_retries: int,
        max_response_bytes: int,
    ) -> None:
        self.operation = operation
        self.method = operation.method
        self.url = endpoint.url
        self.path = operation.path
        self.content = content
        self.headers = headers
        self.prebuilt = endpoint.prebuilt
        if endpoint.prebuilt is not None and headers is not endpoint.headers:  # credentials given for this call only
            merged = httpx.Headers(endpoint.prebuilt[1])
            merged.update(headers)
            self.prebuilt = (endpoint.prebuilt[0], merged)
        self.timeout, self.deadline = _phase_timeouts(timeout)
        self.max_retries = max_retries
        self.max_response_bytes = max_response_bytes

    def __repr__(self) -> str:
        return f"<PreparedCall {self.method} {self.url} max_retries={self.max_retries}>"


def _as_timeout(value: object, name: str) -> TimeoutTypes:
    if isinstance(value, httpx.Timeout):
        return value
    if isinstance(value, int | float) and not isinstance(value, bool) and 0 < value < float("inf"):
        return float(value)
    raise ConfigurationError(f"{name} must be a positive number of seconds or an httpx.Timeout, got {value!r}")


def _phase_timeouts(timeout: TimeoutTypes) -> tuple[httpx.Timeout, float | None]:
    """httpx's per-phase limits, and the deadline of a whole attempt (`None`: an `httpx.Timeout` sets no deadline)."""
    if isinstance(timeout, httpx.Timeout):
        return timeout, None
    return _every_phase(timeout), timeout


@functools.lru_cache(maxsize=32)
def _every_phase(seconds: float) -> httpx.Timeout:
    # One per distinct value, not one per call: a client's calls nearly always share one timeout.
    return httpx.Timeout(seconds)


def _as_max_response_bytes(value: object) -> int:
    if isinstance(value, int) and not isinstance(value, bool) and value > 0:
        return value
    raise ConfigurationError(f"max_response_bytes must be an integer > 0 (bytes), got {value!r}")


def _as_max_retries(value: object) -> int:
    if isinstance(value, int) and not isinstance(value, bool) and value >= 0:
        return value
    raise ConfigurationError(f"max_retries must be an integer >= 0, got {value!r}")


def _check_base_url(base_url: object) -> None:
    problem = None
    if not isinstance(base_url, str) or not base_url.startswith(("http://", "https://")):
        problem = "must be an http:// or https:// URL"
    else:
        try:
            url = httpx.URL(base_url)
        except httpx.InvalidURL as exc:
            problem = f"is not a valid URL ({exc})"
        else:
            if not url.host:
                problem = "names no host"
            elif url.query or url.fragment:
                problem = "must not have a query or a fragment"
    if problem is not None:
        raise ConfigurationError(f"base_url {problem}, got {base_url!r}") from None


class _Lifecycle:
    """What a client and its `with_options` copies share besides the pool: whether it was closed, and (async) the
    event loop whose connections the pool holds."""

    __slots__ = ("closed", "event_loop")

    def __init__(self) -> None:
        self.closed = False
        self.event_loop: object = None


class BaseClient:
    """Settings and every decision shared by `PartnerInsightsClient` and `AsyncPartnerInsightsClient`."""

    _base_url: str
    _timeout: TimeoutTypes
    _max_retries: int
    _max_response_bytes: int
    _retry_policy: RetryPolicy
    _headers: dict[str, str]
    _lifecycle: _Lifecycle
    _http: httpx.Client | httpx.AsyncClient
    # The default headers of the httpx client made here, merged into prebuilt requests; `None` for the user's own.
    _own_http_headers: httpx.Headers | None = None
    _endpoints: dict[Operation[typing.Any], _Endpoint]

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
        _check_credential("client_id", client_id, per_call=False)
        _check_credential("secret", secret, per_call=False)
        if base_url is None:
            environment = environment or "sandbox"
            if environment not in ENVIRONMENTS:
                raise ConfigurationError(f"environment must be one of {', '.join(ENVIRONMENTS)}, got {environment!r}")
            base_url = ENVIRONMENTS[environment]
        else:
            _check_base_url(base_url)
        self._base_url = base_url.rstrip("/")
        self._lifecycle = _Lifecycle()
        self._timeout = _as_timeout(timeout, "timeout")
        self._max_retries = _as_max_retries(max_retries)
        self._max_response_bytes = _as_max_response_bytes(max_response_bytes)
        if retry_policy is not None and not isinstance(retry_policy, RetryPolicy):
            raise ConfigurationError(f"retry_policy must be a RetryPolicy, got {type(retry_policy).__name__}")
        self._retry_policy = retry_policy or RetryPolicy()
        self._headers = {
            "Accept-Encoding": _ACCEPT_ENCODING,
            "User-Agent": USER_AGENT,
            "PLAID-CLIENT-ID": client_id,
            "PLAID-SECRET": secret,
        }
        self._endpoints = {}

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

    def _copy_with(
        self,
        *,
        timeout: TimeoutTypes | None,
        max_retries: int | None,
        retry_policy: RetryPolicy | None,
        max_response_bytes: int | None,
    ) -> typing.Self:
        clone = copy.copy(self)
        if timeout is not None:
            clone._timeout = _as_timeout(timeout, "timeout")
        if max_retries is not None:
            clone._max_retries = _as_max_retries(max_retries)
        if max_response_bytes is not None:
            clone._max_response_bytes = _as_max_response_bytes(max_response_bytes)
        if retry_policy is not None:
            if not isinstance(retry_policy, RetryPolicy):
                raise ConfigurationError(f"retry_policy must be a RetryPolicy, got {type(retry_policy).__name__}")
            clone._retry_policy = retry_policy
        return clone

    # -- building a call ---------------------------------------------------------------------------------------

    def _endpoint(self, operation: Operation[typing.Any]) -> _Endpoint:
        """The URL and headers of `operation`'s calls on this client (and its `with_options` copies)."""
        endpoint = self._endpoints.get(operation)
        if endpoint is None:
            url = self._base_url + operation.path
            headers = {
                **self._headers,
                "Content-Type": operation.content_type,
                "Accept": operation.accept,
                "Plaid-Version": operation.api_version,
            }
            prebuilt = None
            if self._own_http_headers is not None:
                merged = httpx.Headers(self._own_http_headers)
                merged.update(headers)
                prebuilt = (httpx.URL(url), merged)
            endpoint = self._endpoints[operation] = _Endpoint(url, headers, prebuilt)
        return endpoint

    def _prepare(
        self,
        operation: Operation[_ResponseT],
        params: Mapping[str, object],
        *,
        timeout: TimeoutTypes | None,
        max_retries: int | None,
        stacklevel: int,
        max_response_bytes: int | None = None,
    ) -> PreparedCall[_ResponseT]:
        """Validate the request fields and build the call. `stacklevel` locates the user's line for warnings."""
        checks = request_checker(operation.request_type)
        endpoint = self._endpoint(operation)
        headers = endpoint.headers
        body: dict[str, object] = {}
        for key, value in params.items():
            check = checks.get(key)
            if check is None:
                raise TypeError(_unexpected_keyword(operation, key, checks))
            if key == "client_id" or key == "secret":
                # Credentials go in the headers only: a per-call value replaces the client's for this call.
                # (Checked without the generic checker, whose messages quote the value.)
                credential = _check_credential(key, value, per_call=True)
                if headers is endpoint.headers:
                    headers = dict(endpoint.headers)
                headers["PLAID-CLIENT-ID" if key == "client_id" else "PLAID-SECRET"] = credential
                continue
            check(value, key)
            body[key] = value
        if "options" in body:
            options = prepare_options(typing.cast("Mapping[str, object] | None", body["options"]), stacklevel + 1)
            if options is None:
                del body["options"]
            else:
                body["options"] = options
        return PreparedCall(
            operation,
            endpoint,
            json.dumps(body, ensure_ascii=False, separators=(",", ":"), allow_nan=False).encode(),
            headers,
            self._timeout if timeout is None else _as_timeout(timeout, "timeout"),
            self._max_retries if max_retries is None else _as_max_retries(max_retries),
            self._max_response_bytes if max_response_bytes is None else _as_max_response_bytes(max_response_bytes),
        )

    def _check_open(self) -> None:
        """Refuse a call on a closed client: httpx would raise a bare `RuntimeError`, or reopen sockets."""
        if self._lifecycle.closed:
            raise ClientClosedError(f"{type(self).__name__} is closed; make a new client")
        if self._http.is_closed:
            raise ClientClosedError(f"the http_client given to {type(self).__name__} is closed")

    def _hook_error(self, call: PreparedCall[typing.Any], exc: Exception) -> PartnerInsightsError:
        """The typed error for an exception out of `httpx.Client.send` that is no transport error: the user's event
        hook raised it (or the user's client was closed meanwhile). Chained to the user's exception, but not to
        httpx's `HTTPStatusError`, whose request holds the credentials (its message, without them, is kept)."""
        if isinstance(exc, RuntimeError) and self._http.is_closed:
            return ClientClosedError(f"the http_client given to {type(self).__name__} is closed")
        error = EventHookError(
            f"an event hook of the http_client raised {type(exc).__name__}: {exc}", method=call.method, url=call.url
        )
        error.__cause__ = None if isinstance(exc, httpx.HTTPError) else exc
        return error

    # -- one attempt -----------------------------------------------------------------------------------------

    def _own_http(
        self, client: Callable[..., _HttpClient], transport: Callable[[], _Transport]
    ) -> tuple[_HttpClient, _Transport | None]:
        """The httpx client made when the user gives none, and its transport if requests may go to it directly.

        Such a client has nothing of its own to merge into a request (no base URL, params, cookies or auth) but its
        default headers, so its requests are built from a URL parsed and headers merged once. Unless the environment
        names a proxy (which httpx.Client routes by URL, and ignores when given a transport), they also skip
        httpx.Client and go straight to its transport. Together that saves httpx.Client's per-call URL merging and
        cookie bookkeeping, most of a call's cost on our side of the socket.
        """
        direct = None if urllib.request.getproxies() else transport()
        http = client(follow_redirects=False) if direct is None else client(transport=direct, follow_redirects=False)
        self._own_http_headers = httpx.Headers(http.headers)
        return http, direct

    def _build_request(
        self, http: httpx.Client | httpx.AsyncClient, call: PreparedCall[typing.Any], **extensions: object
    ) -> httpx.Request:
        """The request of one attempt. Send it with `SEND_OPTIONS`: streamed, and never following a redirect."""
        extensions = {name: value for name, value in extensions.items() if value is not None}
        prebuilt = call.prebuilt
        if prebuilt is None:  # the user's client: its base URL, headers, cookies and params apply as httpx merges them
            return http.build_request(
                call.method,
                call.url,
                content=call.content,
                headers=call.headers,
                timeout=call.timeout,
                extensions=extensions or None,
            )
        url, headers = prebuilt
        extensions["timeout"] = call.timeout.as_dict()
        return httpx.Request(call.method, url, content=call.content, headers=headers, extensions=extensions)

    def _body_reader(self, call: PreparedCall[typing.Any], response: httpx.Response) -> BodyReader:
        """How much of this response's body to read: a success up to `max_response_bytes`; an error only as much as
        the error can need; a redirect nothing."""
        status = response.status_code
        if 200 <= status < 300:
            limit = call.max_response_bytes
        elif 300 <= status < 400:
            limit = 0
        else:
            limit = min(call.max_response_bytes, ERROR_BODY_MAX_BYTES)
        return BodyReader(response, limit)

    # -- after each attempt ------------------------------------------------------------------------------------

    def _retry_after_error(
        self, call: PreparedCall[typing.Any], exc: httpx.RequestError, attempt: int, started: float
    ) -> float:
        """Seconds to wait before the next attempt after a transport error; raises when attempts are used up."""
        reason = _transport_failure(exc)
        kind = "timed out" if isinstance(exc, httpx.TimeoutException) else f"failed ({reason})"
        if attempt > call.max_retries:
            _log_attempt(logging.DEBUG, call, kind, None, None, attempt, started, ", giving up")
            error = APITimeoutError if isinstance(exc, httpx.TimeoutException) else APIConnectionError
            if isinstance(exc, DeadlineExceeded):
                message = f"request timed out: {exc}"
            elif error is APITimeoutError:
                message = "request timed out"
            else:
                message = f"connection failed: {reason}"
            failure = error(message, method=call.method, url=call.url, attempts=attempt)
            failure.__cause__ = _detached(exc)
            _raise_without_context(failure)
        delay = self._retry_policy.delay(attempt, None)
        _log_attempt(logging.INFO, call, kind, None, None, attempt, started, f", retrying in {delay:.2f}s")
        return delay

    def _retry_after_response(
        self, call: PreparedCall[typing.Any], received: Received, attempt: int, started: float
    ) -> float | None:
        """Seconds to wait before the next attempt, or `None` when this response is final."""
        status = received.response.status_code
        if status < 500 and status not in RETRYABLE_STATUSES:
            return None
        if attempt > call.max_retries:
            return None
        retry_after = received.response.headers.get("retry-after")
        requested = parse_retry_after(retry_after)
        if requested is not None and requested > self._retry_policy.retry_after_max:
            # Retrying sooner than the server asked would only fail again: the error carries `retry_after` instead.
            return None
        delay = self._retry_policy.delay(attempt, retry_after)
        if logger.isEnabledFor(logging.INFO):
            request_id = _request_id_of(received.content)
            _log_attempt(logging.INFO, call, None, status, request_id, attempt, started, f", retrying in {delay:.2f}s")
        return delay

    def _handle_response(
        self, call: PreparedCall[_ResponseT], received: Received, attempt: int, started: float
    ) -> RawResponse[_ResponseT]:
        """The final attempt's response, parsed, with its HTTP facts; or the exception it means, carrying them."""
        response = received.response
        elapsed = datetime.timedelta(seconds=time.perf_counter() - started)

        def info(request_id: str | None) -> ResponseInfo:
            return ResponseInfo(
                status_code=response.status_code,
                headers=response.headers,
                elapsed=elapsed,
                attempts=attempt,
                method=call.method,
                url=call.url,
                body_request_id=request_id,
            )

        try:
            parsed = self._interpret_response(call, received, attempt, started)
        except PartnerInsightsError as error:
            error.response = info(getattr(error, "request_id", None))
            raise
        request_id = getattr(parsed, "request_id", None)
        return RawResponse(info(request_id if isinstance(request_id, str) else None), parsed)

    def _interpret_response(
        self, call: PreparedCall[_ResponseT], received: Received, attempt: int, started: float
    ) -> _ResponseT:
        """The parsed response of a final attempt, or the exception it means."""
        response = received.response
        status = response.status_code
        if 300 <= status < 400:
            _log_attempt(logging.DEBUG, call, None, status, None, attempt, started, ", redirect refused")
            raise _redirect_error(call, response)
        content = received.content
        if 200 <= status < 300:
            if received.overflowed:
                _log_attempt(logging.DEBUG, call, None, status, None, attempt, started, ", body too large")
                raise ResponseTooLargeError(status_code=status, limit=call.max_response_bytes)
            if received.decode_error is not None:
                raise ResponseValidationError(
                    f"response body could not be decoded: {received.decode_error}",
                    status_code=status,
                    path=None,
                    body_excerpt=_excerpt(content),
                    request_id=None,
                )
            result = _parse_success(call.operation.response_type, status, content)
            request_id = getattr(result, "request_id", None)
            _log_attempt(logging.DEBUG, call, None, status, request_id, attempt, started, "")
            return result
        complete = not received.overflowed and received.decode_error is None
        retry_after = parse_retry_after(response.headers.get("retry-after"))
        error = _api_error(status, content, complete=complete, retry_after=retry_after)
        note = f" error={error.error_type}/{error.error_code}"
        _log_attempt(logging.DEBUG, call, None, status, error.request_id, attempt, started, note)
        raise error


class _SendOptions(typing.TypedDict):
    stream: bool
    follow_redirects: bool


SEND_OPTIONS: _SendOptions = {"stream": True, "follow_redirects": False}
"""How every attempt is sent, whatever the `http_client` says: a redirect would carry the credentials elsewhere, and
the body is read through a `BodyReader`, never whole."""


class DeadlineExceeded(httpx.TimeoutException):
    """An attempt took longer than its deadline (a `timeout` given in seconds). Retried like any other timeout."""

    def __init__(self, deadline: float) -> None:
        super().__init__(f"the attempt took longer than its {deadline:g} s deadline")


class Received:
    """What one attempt got: the response (status and headers; its stream closed) and its body as far as it was read.

    `overflowed`: the body went on past the read limit. `decode_error`: the body could not be decompressed.
    """

    __slots__ = ("content", "decode_error", "overflowed", "response")

    def __init__(self, response: httpx.Response, content: bytes, overflowed: bool, decode_error: str | None) -> None:
        self.response = response
        self.content = content
        self.overflowed = overflowed
        self.decode_error = decode_error


class BodyReader:
    """Collects a body's decoded bytes from the raw chunks received, and stops at a limit.

    Decompression happens here, a bounded step at a time, so the limit applies to the decoded size and memory stays
    near it whatever the compression ratio (httpx inflates each received chunk whole).
    """

    __slots__ = ("_chunks", "_decoder", "_limit", "_preloaded", "_size", "decode_error", "overflowed", "response")

    def __init__(self, response: httpx.Response, limit: int) -> None:
        self.response = response
        self._limit = limit
        self._chunks: list[bytes] = []
        self._size = 0
        self.overflowed = False
        self.decode_error: str | None = None
        self._decoder: typing.Any = None
        # A transport that builds responses in memory (httpx.MockTransport) hands over the decoded body already.
        self._preloaded = response.is_stream_consumed
        encoding = response.headers.get("content-encoding", "").strip().lower()
        if self._preloaded:
            self._keep(response.content)
        elif encoding in ("gzip", "x-gzip", "deflate"):
            self._decoder = zlib.decompressobj(zlib.MAX_WBITS | 32)  # gzip or zlib framing, detected
        elif encoding not in ("", "identity"):
            self.decode_error = f"unsupported Content-Encoding {encoding[:_EXCERPT]!r}"

    @property
    def wants_more(self) -> bool:
        """False once reading further would be wasted: limit passed, undecodable, or nothing to read."""
        return self._limit > 0 and not self.overflowed and self.decode_error is None and not self._preloaded

    def feed(self, raw: bytes) -> bool:
        """Take one raw chunk; returns `wants_more`."""
        decoder = self._decoder
        if decoder is None:
            self._keep(raw)
            return self.wants_more
        try:
            self._keep(decoder.decompress(raw, _DECODE_STEP))
            while decoder.unconsumed_tail and self.wants_more:
                self._keep(decoder.decompress(decoder.unconsumed_tail, _DECODE_STEP))
        except zlib.error as exc:
            self.decode_error = f"invalid compressed data ({exc})"
        if decoder.unused_data and self.decode_error is None:
            self.decode_error = "data after the end of the compressed stream"
        return self.wants_more

    def _keep(self, data: bytes) -> None:
        room = self._limit - self._size
        if len(data) <= room:
            if data:
                self._chunks.append(data)
                self._size += len(data)
            return
        # Past the limit: an error needs only an excerpt of the start, so let the rest go at once.
        self.overflowed = True
        head = b""
        for chunk in [*self._chunks, data]:
            head += chunk[: _EXCERPT * 4 - len(head)]
            if len(head) >= _EXCERPT * 4:
                break
        self._chunks = [head]
        self._size = len(head)

    def finish(self) -> Received:
        """The body read so far, once the transfer is over (or abandoned because `wants_more` turned false)."""
        decoder = self._decoder
        if decoder is not None and self.wants_more:
            try:
                self._keep(decoder.flush())
            except zlib.error as exc:  # pragma: no cover - flush after a clean stream does not fail
                self.decode_error = f"invalid compressed data ({exc})"
            if self.wants_more and not decoder.eof:
                self.decode_error = "compressed data ends early"
        return Received(self.response, b"".join(self._chunks), self.overflowed, self.decode_error)


def _transport_failure(exc: httpx.RequestError) -> str:
    """What went wrong, in words: the httpx class name, or what TLS said when the handshake failed (a certificate
    that does not verify reads very differently from a refused connection)."""
    cause: BaseException | None = exc
    while cause is not None:
        if isinstance(cause, ssl.SSLCertVerificationError):
            return f"TLS certificate verification failed: {cause.verify_message or cause.reason}"
        if isinstance(cause, ssl.SSLError):
            return f"TLS handshake failed: {cause.reason or cause}"
        cause = cause.__cause__ or cause.__context__
    return type(exc).__name__


def _detached(exc: httpx.RequestError) -> BaseException:
    """The httpx error to chain, without its `request`: that holds the headers, and so the credentials."""
    if isinstance(exc, DeadlineExceeded):
        return exc  # made here, never given a request
    try:
        detached: BaseException = type(exc)(str(exc))
    except TypeError:  # a subclass with another constructor
        detached = httpx.TransportError(f"{type(exc).__name__}: {exc}")
    detached.__cause__ = exc.__cause__  # httpcore's or the socket's error: no request there
    detached.__suppress_context__ = True
    return detached


def _raise_without_context(error: BaseException) -> typing.NoReturn:
    """Raise `error` chained to its `__cause__` only: the httpx error being handled holds the request's headers."""
    error.__suppress_context__ = True
    try:
        raise error
    finally:
        error.__context__ = None


def _redirect_error(call: PreparedCall[typing.Any], response: httpx.Response) -> UnexpectedRedirectError:
    location = response.headers.get("location")
    if location is not None and len(location) > _EXCERPT:
        location = location[:_EXCERPT] + "..."
    return UnexpectedRedirectError(response.status_code, location=location, method=call.method, url=call.url)


def _log_attempt(
    level: int,
    call: PreparedCall[typing.Any],
    failure: str | None,
    status: int | None,
    request_id: str | None,
    attempt: int,
    started: float,
    note: str,
) -> None:
    """One line per attempt: method, path, status (or how it failed), request_id, attempt, duration; never secrets."""
    if not logger.isEnabledFor(level):
        return
    duration_ms = round((time.perf_counter() - started) * 1000, 1)
    outcome = failure if status is None else f"-> {status}"
    logger.log(
        level,
        "%s %s %s request_id=%s attempt=%d duration_ms=%.1f%s",
        call.method,
        call.path,
        outcome,
        request_id,
        attempt,
        duration_ms,
        note,
        extra={
            "http_method": call.method,
            "http_path": call.path,
            "status_code": status,
            "request_id": request_id,
            "attempt": attempt,
            "duration_ms": duration_ms,
        },
    )


def _unexpected_keyword(operation: Operation[typing.Any], key: str, allowed: Mapping[str, object]) -> str:
    import difflib

    message = f"{operation.name}() got an unexpected keyword argument {key!r}"
    close = difflib.get_close_matches(key, list(allowed), n=1)
    return message + (f"; did you mean {close[0]!r}?" if close else "")


def _request_id_of(content: bytes) -> str | None:
    try:
        data = _loads(content)
    except ValueError:
        return None
    request_id = data.get("request_id") if isinstance(data, dict) else None
    return request_id if isinstance(request_id, str) else None


def _parse_success(model: type[_ResponseT], status: int, content: bytes) -> _ResponseT:
    try:
        data = _loads(content)
    except ValueError as exc:  # JSONDecodeError, UnicodeDecodeError, nesting: not JSON, cut off, or hostile
        detail = " (nested too deeply)" if isinstance(exc, _TooDeep) else ""
        raise ResponseValidationError(
            "response body is not valid JSON" + detail,
            status_code=status,
            path=None,
            body_excerpt=_excerpt(content),
            request_id=None,
        ) from None
    if not isinstance(data, dict):
        raise ResponseValidationError(
            f"response body is a JSON {type(data).__name__}, not an object",
            status_code=status,
            path=None,
            body_excerpt=_excerpt(content),
            request_id=None,
        )
    request_id = data.get("request_id")
    request_id = request_id if isinstance(request_id, str) else None
    try:
        return model.from_dict(data)
    except ResponseValidationError as exc:
        # The model names the field; add what only the call knows.
        raise ResponseValidationError(
            str(exc),
            status_code=status,
            path=exc.path,
            body_excerpt=_excerpt(content),
            request_id=request_id,
        ) from None


def _api_error(status: int, content: bytes, *, complete: bool, retry_after: float | None) -> PlaidAPIError:
    """The exception for an error response; `complete` is false when only the start of the body was read."""
    from plaid_partner_insights_generated.client.models import PlaidError

    try:
        data = _loads(content) if complete else None
    except ValueError:
        data = None
    if isinstance(data, dict) and isinstance(data.get("error_type"), str) and isinstance(data.get("error_code"), str):
        body = dict(data)
        body.setdefault("error_message", "")
        body.setdefault("display_message", None)
        try:
            error = PlaidError.from_dict(body)
        except ResponseValidationError:
            pass
        else:
            causes = _typed_causes(error.causes)
            return error_class_for(str(error.error_type))(status, error, causes=causes, retry_after=retry_after)
    request_id = data.get("request_id") if isinstance(data, dict) else None
    return PlaidAPIError(
        status,
        None,
        body_excerpt=_excerpt(content),
        request_id=request_id if isinstance(request_id, str) else None,
        retry_after=retry_after,
    )


def _typed_causes(entries: list[typing.Any] | None) -> list[Cause]:
    """The entries of a Plaid error's `causes` that are shaped like a `Cause`, parsed into one."""
    from plaid_partner_insights_generated.client.models import Cause

    typed = []
    for entry in entries or ():
        try:
            typed.append(Cause.from_dict(entry))
        except ResponseValidationError:  # another shape: the spec allows any JSON value here
            continue
    return typed


def error_class_for(error_type: str) -> type[PlaidAPIError]:
    """The exception class raised for an `error_type`: the generated class for each type the spec lists
    (`PlaidErrorType`; `TRANSFER_ERROR` raises `TransferError`), `PlaidAPIError` for any other."""
    return ERROR_CLASSES.get(error_type, PlaidAPIError)
