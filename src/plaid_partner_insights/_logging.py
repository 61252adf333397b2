"""One log line per attempt of a call, on the `plaid_partner_insights` logger; never a secret."""

from __future__ import annotations

import logging
import time
import typing

if typing.TYPE_CHECKING:
    from ._request_building import PreparedCall

__all__ = ["log_attempt", "logger"]

logger = logging.getLogger("plaid_partner_insights")


def log_attempt(
    level: int,
    call: PreparedCall[typing.Any],
    failure: str | None,
    status: int | None,
    request_id: str | None,
    attempt: int,
    started: float,
    note: str,
) -> None:
    """One line per attempt: method, path, status (or how it failed), request_id, attempt, duration; never secrets."""
    if not logger.isEnabledFor(level):
        return
    duration_ms = round((time.perf_counter() - started) * 1000, 1)
    outcome = failure if status is None else f"-> {status}"
    logger.log(
        level,
        "%s %s %s request_id=%s attempt=%d duration_ms=%.1f%s",
        call.method,
        call.path,
        outcome,
        request_id,
        attempt,
        duration_ms,
        note,
        extra={
            "http_method": call.method,
            "http_path": call.path,
            "status_code": status,
            "request_id": request_id,
            "attempt": attempt,
            "duration_ms": duration_ms,
        },
    )
