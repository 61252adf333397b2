"""Faults on demand, in one queue: the next requests to the endpoint fail, one queued fault per request, in order.

Two kinds of entry share the queue, so a test can script "a 503, then a reset, then a normal answer":
`fail_next` queues error statuses with a Plaid error body (`StatusFault`), `fault_next` queues faults on the wire
(`WireFault`, one of `_wire.FAULT_KINDS`). The pytest fixture, server mode's admin API and `EmulatorApp` all use this
queue. It is shared between the test's thread and the server's, hence the lock.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from typing import Any

from ._errors import PlaidFailure
from ._wire import FaultKind, fault_kind

__all__ = ["Fault", "FaultQueue", "StatusFault", "WireFault", "describe"]

# What Plaid answers for each status it uses for its own failures; other statuses fall back by class.
_DEFAULT_ERRORS = {
    429: ("RATE_LIMIT_EXCEEDED", "RATE_LIMIT"),
    500: ("API_ERROR", "INTERNAL_SERVER_ERROR"),
    503: ("API_ERROR", "PLANNED_MAINTENANCE"),
}


@dataclass(frozen=True)
class StatusFault:
    """An error status with a complete Plaid error body (queued by `fail_next`)."""

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

    @property
    def name(self) -> str:
        return "fail_next"

    def describe(self) -> str:
        retry = "" if self.retry_after is None else f", retry_after={self.retry_after}"
        return f"fail_next(status={self.status}, {self.error_type}/{self.error_code}{retry})"

    def to_dict(self) -> dict[str, Any]:
        return {
            "kind": self.name,
            "status": self.status,
            "error_type": self.error_type,
            "error_code": self.error_code,
            "retry_after": self.retry_after,
        }


@dataclass(frozen=True)
class WireFault:
    """A fault on the wire (queued by `fault_next`)."""

    kind: FaultKind
    seconds: float | None

    @property
    def name(self) -> str:
        return self.kind.name

    def describe(self) -> str:
        seconds = "" if self.seconds is None else f", seconds={self.seconds:g}"
        return f"fault_next({self.kind.name!r}{seconds})"

    def to_dict(self) -> dict[str, Any]:
        return {"kind": self.kind.name, "seconds": self.seconds}


Fault = StatusFault | WireFault


class FaultQueue:
    """Queued faults, consumed one per request to the endpoint, oldest first."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._pending: list[Fault] = []

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
        _check_count(count)
        if isinstance(status, bool) or not isinstance(status, int) or not 400 <= status <= 599:
            raise ValueError(f"status must be an HTTP error status (400-599), got {status!r}")
        if retry_after is not None and (
            isinstance(retry_after, bool) or not isinstance(retry_after, int | float) or not retry_after >= 0
        ):
            raise ValueError(f"retry_after must be a non-negative number of seconds, got {retry_after!r}")
        for name, value in (("error_code", error_code), ("error_type", error_type)):
            if value is not None and not (isinstance(value, str) and value):
                raise ValueError(f"{name} must be a non-empty string, got {value!r}")
        default_type, default_code = _DEFAULT_ERRORS.get(
            status, ("API_ERROR", "INTERNAL_SERVER_ERROR") if status >= 500 else ("INVALID_REQUEST", "INVALID_BODY")
        )
        fault = StatusFault(
            status,
            error_type or default_type,
            error_code or default_code,
            None if retry_after is None else _seconds(retry_after),
        )
        self._extend(fault, count)

    def add_wire(self, count: int, kind: str, *, seconds: float | None = None) -> None:
        """Queue `count` wire faults of `kind` (a name of `FAULT_KINDS`); `seconds` for the timed kinds."""
        _check_count(count)
        row, checked = fault_kind(kind, seconds)
        self._extend(WireFault(row, checked), count)

    def take(self) -> Fault | None:
        """The next queued fault, if any."""
        with self._lock:
            return self._pending.pop(0) if self._pending else None

    def clear(self) -> tuple[Fault, ...]:
        """Drop every queued fault; returns what was dropped."""
        with self._lock:
            dropped, self._pending = tuple(self._pending), []
            return dropped

    @property
    def pending(self) -> tuple[Fault, ...]:
        """The faults not used yet, in the order they will be."""
        with self._lock:
            return tuple(self._pending)

    def _extend(self, fault: Fault, count: int) -> None:
        with self._lock:
            self._pending.extend([fault] * count)


def describe(faults: tuple[Fault, ...]) -> str:
    """`2 x fault_next('hang'), fail_next(status=503, ...)`: runs of the same fault counted once."""
    runs: list[tuple[Fault, int]] = []
    for fault in faults:
        if runs and runs[-1][0] == fault:
            runs[-1] = (fault, runs[-1][1] + 1)
        else:
            runs.append((fault, 1))
    return ", ".join(fault.describe() if count == 1 else f"{count} x {fault.describe()}" for fault, count in runs)


def _check_count(count: object) -> None:
    if isinstance(count, bool) or not isinstance(count, int) or count < 0:
        raise ValueError(f"n must be a non-negative integer, got {count!r}")


def _seconds(value: float) -> str:
    # Retry-After carries whole seconds in HTTP; keep a fraction only when one was asked for.
    return str(int(value)) if float(value).is_integer() else str(value)
