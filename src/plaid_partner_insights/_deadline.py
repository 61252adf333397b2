"""The deadline of one attempt, kept private to that attempt.

httpx bounds each socket operation, not a whole transfer: a server sending a byte now and then holds a call for
as long as it likes. So while an attempt with a deadline runs, every socket operation it makes (connect, TLS
handshake, each read and write) is given at most the time the attempt has left, and one that starts after the
deadline fails at once as a timeout. The bound lives in a context variable set by the attempt itself, so it applies
only to the socket operations made by that attempt's own thread or task: another call on the same connection pool,
in another thread, never sees it, and nothing is ever closed from outside.

The sync client reads that bound through `DeadlineBackend`, an httpcore network backend wrapped around the one its
transport uses (see `_compat_httpx`). The async client does not need it: anyio cancels the attempt's own task.
"""

from __future__ import annotations

import contextvars
import ssl
import time
import typing

import httpcore

__all__ = ["DeadlineBackend", "attempt_deadline", "deadline_passed"]

_ENDS_AT: contextvars.ContextVar[float | None] = contextvars.ContextVar("plaid_partner_insights_ends_at", default=None)


class attempt_deadline:
    """Bound the socket operations of the current thread (or task) to end within `seconds` from now."""

    __slots__ = ("_token", "ends_at")

    def __init__(self, seconds: float) -> None:
        self.ends_at = time.monotonic() + seconds

    def __enter__(self) -> float:
        self._token = _ENDS_AT.set(self.ends_at)
        return self.ends_at

    def __exit__(self, *exc_info: object) -> None:
        _ENDS_AT.reset(self._token)


def deadline_passed(ends_at: float) -> bool:
    return time.monotonic() >= ends_at


def _bounded(timeout: float | None, expired: type[httpcore.TimeoutException]) -> float | None:
    """`timeout`, shortened to the time the running attempt has left; raises `expired` once that is none."""
    ends_at = _ENDS_AT.get()
    if ends_at is None:
        return timeout
    left = ends_at - time.monotonic()
    if left <= 0:
        raise expired("the attempt's deadline has passed")
    return left if timeout is None or timeout > left else timeout


class DeadlineStream(httpcore.NetworkStream):
    """A network stream whose every operation ends by the running attempt's deadline."""

    __slots__ = ("_stream",)

    def __init__(self, stream: httpcore.NetworkStream) -> None:
        self._stream = stream

    def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        return self._stream.read(max_bytes, _bounded(timeout, httpcore.ReadTimeout))

    def write(self, buffer: bytes, timeout: float | None = None) -> None:
        self._stream.write(buffer, _bounded(timeout, httpcore.WriteTimeout))

    def close(self) -> None:
        self._stream.close()

    def start_tls(
        self, ssl_context: ssl.SSLContext, server_hostname: str | None = None, timeout: float | None = None
    ) -> httpcore.NetworkStream:
        stream = self._stream.start_tls(ssl_context, server_hostname, _bounded(timeout, httpcore.ConnectTimeout))
        selected_protocol = getattr(stream.get_extra_info("ssl_object"), "selected_alpn_protocol", None)
        if selected_protocol is not None and selected_protocol() == "h2":
            # An HTTP/2 connection carries many requests at once, and whichever thread reads it reads for all of
            # them: a timeout there would fail the others too. Such a connection keeps httpx's limits per phase.
            return stream
        return DeadlineStream(stream)

    def get_extra_info(self, info: str) -> typing.Any:
        return self._stream.get_extra_info(info)


class DeadlineBackend(httpcore.NetworkBackend):
    """The network backend of a sync connection pool, its streams bounded by the running attempt's deadline.

    Outside an attempt with a deadline it changes nothing."""

    __slots__ = ("wrapped",)

    def __init__(self, wrapped: httpcore.NetworkBackend) -> None:
        self.wrapped = wrapped

    def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: typing.Iterable[typing.Any] | None = None,
    ) -> httpcore.NetworkStream:
        stream = self.wrapped.connect_tcp(
            host, port, _bounded(timeout, httpcore.ConnectTimeout), local_address, socket_options
        )
        return DeadlineStream(stream)

    def connect_unix_socket(
        self, path: str, timeout: float | None = None, socket_options: typing.Iterable[typing.Any] | None = None
    ) -> httpcore.NetworkStream:
        stream = self.wrapped.connect_unix_socket(path, _bounded(timeout, httpcore.ConnectTimeout), socket_options)
        return DeadlineStream(stream)

    def sleep(self, seconds: float) -> None:
        self.wrapped.sleep(seconds)
