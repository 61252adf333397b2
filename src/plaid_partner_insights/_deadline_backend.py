"""`DeadlineBackend`: the httpcore network backend that bounds each socket operation of the sync client's attempts
by the time they have left (`_deadline`). Imported when a sync client is made, like httpcore itself by httpx."""

from __future__ import annotations

import ssl
import typing

import httpcore

from ._deadline import time_left

__all__ = ["DeadlineBackend"]


def _bounded(timeout: float | None, expired: type[httpcore.TimeoutException]) -> float | None:
    """`timeout`, shortened to the time the running attempt has left; raises `expired` once that is none."""
    left = time_left()
    if left is None:
        return timeout
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
