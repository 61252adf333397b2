"""The deadline of one attempt, kept private to that attempt.

httpx bounds each socket operation, not a whole transfer: a server sending a byte now and then holds a call for
as long as it likes. So while an attempt with a deadline runs, every socket operation it makes (connect, TLS
handshake, each read and write) is given at most the time the attempt has left, and one that starts after the
deadline fails at once as a timeout. The bound lives in a context variable set by the attempt itself, so it applies
only to the socket operations made by that attempt's own thread or task: another call on the same connection pool,
in another thread, never sees it, and nothing is ever closed from outside.

The sync client reads that bound through `_deadline_backend.DeadlineBackend`, an httpcore network backend wrapped
around the one its transport uses (see `_compat_httpx`). The async client does not need it: anyio cancels the
attempt's own task. This module imports no httpcore: httpx itself imports it only when a transport is made.
"""

from __future__ import annotations

import contextvars
import time

import httpx

__all__ = ["DeadlineExceeded", "attempt_deadline", "deadline_passed", "time_left"]

_ENDS_AT: contextvars.ContextVar[float | None] = contextvars.ContextVar("plaid_partner_insights_ends_at", default=None)


class DeadlineExceeded(httpx.TimeoutException):
    """An attempt took longer than its deadline (a `timeout` given in seconds). Retried like any other timeout."""

    def __init__(self, deadline: float) -> None:
        super().__init__(f"the attempt took longer than its {deadline:g} s deadline")


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


def time_left() -> float | None:
    """Seconds the running attempt has left (at most 0 once its deadline passed), or `None` outside an attempt."""
    ends_at = _ENDS_AT.get()
    return None if ends_at is None else ends_at - time.monotonic()
