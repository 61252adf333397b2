"""uvicorn's h11 protocol with what the emulator adds per connection.

- A deadline for receiving each request (the limits themselves are in `_limits`).
- The connection's transport in each request's scope (`_wire.TRANSPORT_EXTENSION`), so wire faults act on the
  real socket: ASGI itself offers no way to reset a connection or send bytes that are not HTTP.
"""

from __future__ import annotations

import asyncio
import json
from typing import Any

import h11

from ._compat_uvicorn import ASGI3Application, H11Protocol
from ._errors import MEDIA_TYPE, PlaidFailure, new_request_id
from ._limits import DEFAULT_REQUEST_TIMEOUT
from ._wire import TRANSPORT_EXTENSION

__all__ = ["request_deadline_protocol"]

# The client has not finished sending its request in these h11 states.
_RECEIVING = (h11.IDLE, h11.SEND_BODY)


def _timeout_response() -> bytes:
    failure = PlaidFailure(
        408, "INVALID_REQUEST", "REQUEST_TIMEOUT", "the request was not received in time; send it again"
    )
    body = json.dumps(failure.body(new_request_id()), separators=(",", ":")).encode()
    head = (
        f"HTTP/1.1 408 Request Timeout\r\ncontent-type: {MEDIA_TYPE}\r\n"
        f"content-length: {len(body)}\r\nconnection: close\r\n\r\n"
    )
    return head.encode() + body


class _RequestDeadlineProtocol(H11Protocol):
    """uvicorn's h11 protocol with a deadline for receiving each request, headers and body."""

    request_timeout = DEFAULT_REQUEST_TIMEOUT
    _request_timer: asyncio.TimerHandle | None = None

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self.app = _with_transport(self.app, transport)
        self._arm()

    def on_response_complete(self) -> None:
        super().on_response_complete()
        self._arm()  # the next request on this keep-alive connection gets a deadline of its own

    def connection_lost(self, exc: Exception | None) -> None:
        self._disarm()
        super().connection_lost(exc)

    def _arm(self) -> None:
        self._disarm()
        if not self.transport.is_closing():
            self._request_timer = self.loop.call_later(self.request_timeout, self._too_slow)

    def _disarm(self) -> None:
        if self._request_timer is not None:
            self._request_timer.cancel()
            self._request_timer = None

    def _too_slow(self) -> None:
        self._request_timer = None
        if self.transport.is_closing() or self.conn.their_state not in _RECEIVING:
            return  # the request arrived whole: the app's time to answer is not limited here
        if self.conn.our_state in (h11.IDLE, h11.SEND_RESPONSE):
            # h11 will not send a response before a request's head arrives, so it is written as is.
            self.transport.write(_timeout_response())
        self.transport.close()


def _with_transport(app: ASGI3Application, transport: asyncio.Transport) -> ASGI3Application:
    async def app_on_this_connection(scope: Any, receive: Any, send: Any) -> None:
        scope.setdefault("extensions", {})[TRANSPORT_EXTENSION] = transport
        await app(scope, receive, send)

    return app_on_this_connection


def request_deadline_protocol(request_timeout: float) -> type[H11Protocol]:
    """The protocol class to give uvicorn (`Config(http=...)`) for a `request_timeout` in seconds."""
    if not request_timeout > 0:
        raise ValueError(f"request_timeout must be > 0 seconds, got {request_timeout!r}")
    return type("RequestDeadlineProtocol", (_RequestDeadlineProtocol,), {"request_timeout": float(request_timeout)})
