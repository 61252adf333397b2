"""The sync client's deadline per attempt.

httpx bounds each socket operation, not a whole transfer: a server sending a byte now and then holds a call for
as long as it likes. asyncio can cancel an attempt at its deadline; a blocking read cannot be cancelled, so the sync
client runs the attempt in a worker thread and stops waiting at the deadline. The abandoned transfer is then cut
off: its socket (taken from httpcore's documented `trace` and `network_stream` extensions) is shut down, and the
reading loop checks `abandoned` between chunks, so the worker does not linger.
"""

from __future__ import annotations

import concurrent.futures
import contextlib
import contextvars
import socket
import threading
import typing

import httpx

from ._base_client import DeadlineExceeded

__all__ = ["Attempt", "run_with_deadline"]

T = typing.TypeVar("T")

_pool: concurrent.futures.ThreadPoolExecutor | None = None
_pool_lock = threading.Lock()


def _workers() -> concurrent.futures.ThreadPoolExecutor:
    global _pool
    with _pool_lock:
        if _pool is None:
            # Threads start on demand and are reused; the bound only matters with hundreds of concurrent calls.
            _pool = concurrent.futures.ThreadPoolExecutor(max_workers=256, thread_name_prefix="plaid-partner-insights")
        return _pool


class Attempt:
    """One attempt running in a worker thread, which the waiting caller can cut off."""

    __slots__ = ("_stream", "abandoned")

    def __init__(self) -> None:
        self.abandoned = False
        self._stream: typing.Any = None

    def trace(self, event: str, info: dict[str, typing.Any]) -> None:
        """httpcore's `trace` extension: remember the stream of a new connection, before any response arrives."""
        if event == "connection.connect_tcp.complete":
            self._stream = info.get("return_value")

    def watch(self, response: httpx.Response) -> None:
        """Remember the stream the response arrives on (a reused connection has no connect event)."""
        stream = response.extensions.get("network_stream")
        if stream is not None:
            self._stream = stream
        if self.abandoned:
            self._cut()

    def abandon(self) -> None:
        self.abandoned = True
        self._cut()

    def _cut(self) -> None:
        stream = self._stream
        sock = stream.get_extra_info("socket") if stream is not None else None
        if isinstance(sock, socket.socket):
            with contextlib.suppress(OSError):  # already closed: nothing left to cut
                sock.shutdown(socket.SHUT_RDWR)


def run_with_deadline(transfer: typing.Callable[[Attempt], T], deadline: float) -> T:
    """`transfer(attempt)` in a worker thread; `DeadlineExceeded` if it has not finished within `deadline` seconds."""
    attempt = Attempt()
    future = _workers().submit(contextvars.copy_context().run, transfer, attempt)
    try:
        return future.result(timeout=deadline)
    except concurrent.futures.TimeoutError:
        attempt.abandon()
        raise DeadlineExceeded(deadline) from None
    except BaseException:
        # Ctrl-C (or any other interruption) while waiting: cut the transfer too, or the worker would hold the
        # process, which joins its threads on exit, until the read gave up on its own.
        attempt.abandon()
        raise
