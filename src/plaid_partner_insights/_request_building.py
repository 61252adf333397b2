"""From a call's keyword arguments to the `httpx.Request` of each attempt: fields checked, body encoded, headers and
URL worked out once per operation, the timeout split into httpx's per-phase limits and the attempt's deadline."""

from __future__ import annotations

import functools
import json
import platform
import typing
from collections.abc import Mapping

import httpx

from plaid_partner_insights_core._config import TimeoutTypes

from ._decoding import ACCEPT_ENCODING
from ._deprecations import prepare_options
from ._options import check_credential
from ._validation import request_checker
from ._version import __version__

if typing.TYPE_CHECKING:
    from plaid_partner_insights_core._models import Model, Operation

__all__ = ["SEND_OPTIONS", "USER_AGENT", "Endpoint", "PreparedCall", "build_request", "client_headers", "prepare_call"]

_ResponseT = typing.TypeVar("_ResponseT", bound="Model")

USER_AGENT = f"plaid-partner-insights/{__version__} python/{platform.python_version()} httpx/{httpx.__version__}"

# The header each credential travels in: never the body, never the URL.
_CREDENTIAL_HEADERS = {"client_id": "PLAID-CLIENT-ID", "secret": "PLAID-SECRET"}


def client_headers(client_id: str, secret: str) -> dict[str, str]:
    """The headers every request of a client carries, whatever the operation."""
    return {
        "Accept-Encoding": ACCEPT_ENCODING,
        "User-Agent": USER_AGENT,
        _CREDENTIAL_HEADERS["client_id"]: client_id,
        _CREDENTIAL_HEADERS["secret"]: secret,
    }


class Endpoint:
    """What every call of one operation on one client shares: its URL and headers, worked out once."""

    __slots__ = ("headers", "prebuilt", "url")

    def __init__(
        self,
        operation: Operation[typing.Any],
        base_url: str,
        headers: Mapping[str, str],
        http_headers: httpx.Headers | None,
    ) -> None:
        """`http_headers`: the default headers of an httpx client made by the client (merged into every request
        built here), `None` for the user's own `http_client` (which builds its requests itself)."""
        self.url = base_url + operation.path
        self.headers = {
            **headers,
            "Content-Type": operation.content_type,
            "Accept": operation.accept,
            "Plaid-Version": operation.api_version,
        }
        # (URL, headers) of every request, for a client made here; `None` for the user's own `http_client`.
        self.prebuilt: tuple[httpx.URL, httpx.Headers] | None = None
        if http_headers is not None:
            merged = httpx.Headers(http_headers)
            merged.update(self.headers)
            self.prebuilt = (httpx.URL(self.url), merged)


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
        endpoint: Endpoint,
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
        self.timeout, self.deadline = phase_timeouts(timeout)
        self.max_retries = max_retries
        self.max_response_bytes = max_response_bytes

    def __repr__(self) -> str:
        return f"<PreparedCall {self.method} {self.url} max_retries={self.max_retries}>"


def phase_timeouts(timeout: TimeoutTypes) -> tuple[httpx.Timeout, float | None]:
    """httpx's per-phase limits, and the deadline of a whole attempt (`None`: an `httpx.Timeout` sets no deadline)."""
    if isinstance(timeout, httpx.Timeout):
        return timeout, None
    return _every_phase(timeout), timeout


@functools.lru_cache(maxsize=32)
def _every_phase(seconds: float) -> httpx.Timeout:
    # One per distinct value, not one per call: a client's calls nearly always share one timeout.
    return httpx.Timeout(seconds)


def prepare_call(
    operation: Operation[_ResponseT],
    endpoint: Endpoint,
    params: Mapping[str, object],
    timeout: TimeoutTypes,
    max_retries: int,
    max_response_bytes: int,
    stacklevel: int,
) -> PreparedCall[_ResponseT]:
    """Check the request fields and build the call. `stacklevel` locates the user's line for warnings.

    Raises `TypeError` for a field the operation does not take, `RequestValidationError` for a bad value."""
    checks = request_checker(operation.request_type)
    headers = endpoint.headers
    body: dict[str, object] = {}
    for key, value in params.items():
        check = checks.get(key)
        if check is None:
            raise TypeError(_unexpected_keyword(operation, key, checks))
        header = _CREDENTIAL_HEADERS.get(key)
        if header is not None:
            # Credentials go in the headers only: a per-call value replaces the client's for this call.
            # (Checked without the generic checker, whose messages quote the value.)
            credential = check_credential(key, value, per_call=True)
            if headers is endpoint.headers:
                headers = dict(endpoint.headers)
            headers[header] = credential
            continue
        check(value, key)
        body[key] = value
    if "options" in body:
        options = prepare_options(typing.cast("Mapping[str, object] | None", body["options"]), stacklevel + 1)
        if options is None:
            del body["options"]
        else:
            body["options"] = options
    content = json.dumps(body, ensure_ascii=False, separators=(",", ":"), allow_nan=False).encode()
    return PreparedCall(operation, endpoint, content, headers, timeout, max_retries, max_response_bytes)


def _unexpected_keyword(operation: Operation[typing.Any], key: str, allowed: Mapping[str, object]) -> str:
    import difflib

    message = f"{operation.name}() got an unexpected keyword argument {key!r}"
    close = difflib.get_close_matches(key, list(allowed), n=1)
    return message + (f"; did you mean {close[0]!r}?" if close else "")


class _SendOptions(typing.TypedDict):
    stream: bool
    follow_redirects: bool


SEND_OPTIONS: _SendOptions = {"stream": True, "follow_redirects": False}
"""How every attempt is sent, whatever the `http_client` says: a redirect would carry the credentials elsewhere, and
the body is read through a `BodyReader`, never whole."""


def build_request(http: httpx.Client | httpx.AsyncClient, call: PreparedCall[typing.Any]) -> httpx.Request:
    """The request of one attempt. Send it with `SEND_OPTIONS`: streamed, and never following a redirect."""
    prebuilt = call.prebuilt
    if prebuilt is None:  # the user's client: its base URL, headers, cookies and params apply as httpx merges them
        return http.build_request(
            call.method, call.url, content=call.content, headers=call.headers, timeout=call.timeout
        )
    url, headers = prebuilt
    extensions = {"timeout": call.timeout.as_dict()}
    return httpx.Request(call.method, url, content=call.content, headers=headers, extensions=extensions)
