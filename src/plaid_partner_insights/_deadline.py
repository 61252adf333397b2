"""The sync client's deadline per attempt.

httpx bounds each socket operation, not a whole transfer: a server sending a byte now and then holds a call for
as long as it likes. asyncio can cancel an attempt at its deadline; a blocking read cannot be cancelled, but it
returns as soon as its socket is shut down. So the attempt runs in the caller's thread (no hand-over to another
thread, which costs more than the rest of the client's own work), and one watchdog thread per process shuts the
socket of any attempt still running at its deadline. The sockets come from httpcore's documented `trace` and
`network_stream` extensions.

An attempt on a reused keep-alive connection learns its socket only once the response headers arrive. If it is
still waiting for them at its deadline, the watchdog shuts every socket of the connection pool that no other running
attempt is known to use: idle keep-alive connections, which the pool then replaces, and, in the rare case of
concurrent calls on the same pool, perhaps another attempt that is also still waiting for its headers, which then
fails as a connection error and is retried.
"""

from __future__ import annotations

import contextlib
import math
import os
import socket
import threading
import time
import typing
import weakref

import httpx

__all__ = ["Attempt", "ConnectionPoolWatch"]


class ConnectionPoolWatch:
    """The network streams of one connection pool (one `httpx.Client`, shared by `with_options` copies): those its
    finished attempts used, and its running attempts. Changed only under the watchdog's lock."""

    __slots__ = ("__weakref__", "running", "streams")

    def __init__(self) -> None:
        self.streams: weakref.WeakSet[typing.Any] = weakref.WeakSet()
        self.running: set[Attempt] = set()

    def attempt(self, deadline: float) -> Attempt:
        """A new attempt that must end within `deadline` seconds from now; use it as a context manager."""
        return Attempt(self, deadline)


class Attempt:
    """One attempt, armed on the watchdog while its `with` block runs; `abandoned` once the watchdog cut it off."""

    __slots__ = ("abandoned", "deadline", "ends_at", "pool", "stream")

    def __init__(self, pool: ConnectionPoolWatch, deadline: float) -> None:
        self.pool = pool
        self.deadline = deadline
        self.ends_at = time.monotonic() + deadline
        self.abandoned = False
        self.stream: typing.Any = None

    def trace(self, event: str, info: dict[str, typing.Any]) -> None:
        """httpcore's `trace` extension: the stream of a new connection, before any response arrives."""
        if event == "connection.connect_tcp.complete":
            stream = info.get("return_value")
            if stream is not None:
                self.stream = stream

    def watch(self, response: httpx.Response) -> None:
        """The stream the response arrives on (a reused connection has no connect event)."""
        stream = response.extensions.get("network_stream")
        if stream is not None:
            self.stream = stream

    def __enter__(self) -> Attempt:
        _WATCHDOG.arm(self)
        return self

    def __exit__(self, *exc_info: object) -> None:
        _WATCHDOG.disarm(self)

    def _cut(self) -> None:
        """Shut this attempt's socket; if it is not known yet, every socket of the pool no running attempt holds."""
        if self.stream is not None:
            _shut(self.stream)
            return
        held = {id(attempt.stream) for attempt in self.pool.running if attempt.stream is not None}
        for stream in list(self.pool.streams):
            if id(stream) not in held:
                _shut(stream)


def _shut(stream: typing.Any) -> None:
    sock = stream.get_extra_info("socket")
    if isinstance(sock, socket.socket):
        with contextlib.suppress(OSError):  # already closed: nothing left to cut
            sock.shutdown(socket.SHUT_RDWR)


class _Watchdog:
    """One daemon thread that sleeps until the earliest deadline of the running attempts, and cuts those past it.

    Arming and disarming cost a lock and a set operation; the thread wakes only when a deadline comes due (or an
    earlier one is armed), never per call.
    """

    def __init__(self) -> None:
        self._condition = threading.Condition(threading.Lock())
        self._running: set[Attempt] = set()
        self._wakes_at = math.inf
        self._thread: threading.Thread | None = None

    def arm(self, attempt: Attempt) -> None:
        with self._condition:
            self._running.add(attempt)
            attempt.pool.running.add(attempt)
            if self._thread is None:
                self._thread = threading.Thread(target=self._run, name="plaid-partner-insights-deadline", daemon=True)
                self._thread.start()
            elif attempt.ends_at < self._wakes_at:
                self._condition.notify()

    def disarm(self, attempt: Attempt) -> None:
        with self._condition:
            self._running.discard(attempt)
            attempt.pool.running.discard(attempt)
            if attempt.stream is not None:  # (under the lock: the watchdog iterates the pool's streams)
                attempt.pool.streams.add(attempt.stream)

    def _run(self) -> None:
        with self._condition:
            while True:
                now = time.monotonic()
                for attempt in [attempt for attempt in self._running if attempt.ends_at <= now]:
                    self._running.discard(attempt)
                    attempt.abandoned = True
                    attempt._cut()
                    attempt.pool.running.discard(attempt)
                self._wakes_at = min((attempt.ends_at for attempt in self._running), default=math.inf)
                self._condition.wait(None if self._wakes_at == math.inf else self._wakes_at - now)

    def _after_fork(self) -> None:
        # The thread does not exist in a forked child; the next attempt there starts a new one.
        self._condition = threading.Condition(threading.Lock())
        self._running = set()
        self._wakes_at = math.inf
        self._thread = None


_WATCHDOG = _Watchdog()
if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_WATCHDOG._after_fork)
