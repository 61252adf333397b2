"""What came back over HTTP: status, headers and timing, on success (`RawResponse`) and on errors (`ResponseInfo`).

`client.partner_insights.with_raw_response.get(...)` returns a `RawResponse`, whose `parse()` gives the typed
model `get()` returns; every exception raised for a response carries the same facts in its `response` attribute.
Only the response's side is kept: the request (and so the credentials in its headers) is never reachable from here.
"""

from __future__ import annotations

import datetime
import typing

import httpx

__all__ = ["RawResponse", "ResponseInfo"]

_T = typing.TypeVar("_T")

# Headers some gateways and servers use for a request id; the body's `request_id` (Plaid's own) comes first.
REQUEST_ID_HEADERS = ("plaid-request-id", "x-request-id", "request-id")


class ResponseInfo:
    """The HTTP facts of a call's final response.

    - `status_code`, `headers` (an `httpx.Headers`: case-insensitive, repeated headers kept);
    - `elapsed`: how long the final attempt took, from sending the request to the end of its body;
    - `attempts`: how many attempts the call made (1 plus the retries);
    - `request_id`: the body's `request_id`, or else a request-id header (`Plaid-Request-Id`, `X-Request-Id`);
    - `method` and `url` of the request.
    """

    __slots__ = ("attempts", "elapsed", "headers", "method", "request_id", "status_code", "url")

    def __init__(
        self,
        *,
        status_code: int,
        headers: httpx.Headers,
        elapsed: datetime.timedelta,
        attempts: int,
        method: str,
        url: str,
        body_request_id: str | None,
    ) -> None:
        self.status_code: int = status_code
        self.headers: httpx.Headers = headers
        self.elapsed: datetime.timedelta = elapsed
        self.attempts: int = attempts
        self.method: str = method
        self.url: str = url
        self.request_id: str | None = body_request_id or next(
            (value for name in REQUEST_ID_HEADERS if (value := headers.get(name))), None
        )

    def __repr__(self) -> str:
        elapsed_ms = self.elapsed.total_seconds() * 1000
        return (
            f"<{type(self).__name__} {self.status_code} {self.method} {self.url} "
            f"request_id={self.request_id} attempts={self.attempts} elapsed={elapsed_ms:.1f}ms>"
        )


class RawResponse(ResponseInfo, typing.Generic[_T]):
    """A successful response's HTTP facts (see `ResponseInfo`), and `parse()` for the typed model."""

    __slots__ = ("_parsed",)

    def __init__(self, info: ResponseInfo, parsed: _T) -> None:
        for name in ResponseInfo.__slots__:
            setattr(self, name, getattr(info, name))
        self._parsed = parsed

    def parse(self) -> _T:
        """The typed response, as `get()` returns it (parsed once, when the response arrived)."""
        return self._parsed
