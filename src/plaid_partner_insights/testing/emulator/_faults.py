"""Failures on demand: the next n requests to the endpoint answer an error status with a Plaid error body.

Tests use it (through the pytest fixture's `fail_next`) to exercise their retry and error handling. The queue is
shared between the test's thread and the server's, hence the lock.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass

from ._errors import PlaidFailure

__all__ = ["FaultQueue"]

# What Plaid answers for each status it uses for its own failures; other statuses fall back by class.
_DEFAULT_ERRORS = {
    429: ("RATE_LIMIT_EXCEEDED", "RATE_LIMIT"),
    500: ("API_ERROR", "INTERNAL_SERVER_ERROR"),
    503: ("API_ERROR", "PLANNED_MAINTENANCE"),
}


@dataclass(frozen=True)
class _Fault:
    status: int
    error_type: str
    error_code: str
    retry_after: str | None

    def failure(self) -> PlaidFailure:
        headers = {"retry-after": self.retry_after} if self.retry_after is not None else {}
        return PlaidFailure(
            self.status,
            self.error_type,
            self.error_code,
            f"failure injected by the emulator (fail_next): {self.error_type}/{self.error_code}",
            display_message="Something went wrong. Please try again later." if self.status >= 500 else None,
            headers=headers,
        )


class FaultQueue:
    """Injected failures, consumed one per request, oldest first."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._pending: list[_Fault] = []

    def add(
        self,
        count: int,
        *,
        status: int = 503,
        retry_after: float | None = None,
        error_code: str | None = None,
        error_type: str | None = None,
    ) -> None:
        """Queue `count` failures answering `status`; type and code default to what Plaid sends for it."""
        if isinstance(count, bool) or not isinstance(count, int) or count < 0:
            raise ValueError(f"count must be a non-negative integer, got {count!r}")
        if isinstance(status, bool) or not isinstance(status, int) or not 400 <= status <= 599:
            raise ValueError(f"status must be an HTTP error status (400-599), got {status!r}")
        if retry_after is not None and (isinstance(retry_after, bool) or not retry_after >= 0):
            raise ValueError(f"retry_after must be a non-negative number of seconds, got {retry_after!r}")
        default_type, default_code = _DEFAULT_ERRORS.get(
            status, ("API_ERROR", "INTERNAL_SERVER_ERROR") if status >= 500 else ("INVALID_REQUEST", "INVALID_BODY")
        )
        fault = _Fault(
            status,
            error_type or default_type,
            error_code or default_code,
            None if retry_after is None else _seconds(retry_after),
        )
        with self._lock:
            self._pending.extend([fault] * count)

    def take(self) -> PlaidFailure | None:
        """The next injected failure, if any is pending."""
        with self._lock:
            return self._pending.pop(0).failure() if self._pending else None

    def clear(self) -> None:
        """Drop every pending failure."""
        with self._lock:
            self._pending.clear()

    @property
    def pending(self) -> int:
        with self._lock:
            return len(self._pending)


def _seconds(value: float) -> str:
    # Retry-After carries whole seconds in HTTP; keep a fraction only when one was asked for.
    return str(int(value)) if float(value).is_integer() else str(value)
