"""Client settings: environments, the default timeout and the retry policy."""

from __future__ import annotations

import math
import random
import time
import typing

import httpx

__all__ = [
    "DEFAULT_MAX_RESPONSE_BYTES",
    "DEFAULT_MAX_RETRIES",
    "DEFAULT_TIMEOUT",
    "ENVIRONMENTS",
    "ERROR_BODY_MAX_BYTES",
    "Environment",
    "RetryPolicy",
    "TimeoutTypes",
]

Environment = typing.Literal["sandbox", "production"]
ENVIRONMENTS: dict[str, str] = {"sandbox": "https://sandbox.plaid.com", "production": "https://production.plaid.com"}

TimeoutTypes = float | httpx.Timeout
"""Seconds: a deadline for each whole attempt, from connect to the last body byte. Or an `httpx.Timeout`: httpx's
own limits on each phase (connect, read, write, pool) and no overall deadline."""

DEFAULT_TIMEOUT = 60.0
"""Partner Insights can take a while to compute: each attempt may take up to 60 s, connect to last byte."""

DEFAULT_MAX_RESPONSE_BYTES = 16 * 1024 * 1024
"""The largest response body accepted, counted after decompression. Real reports are a few hundred KiB at most."""

ERROR_BODY_MAX_BYTES = 64 * 1024
"""How much of an error (non-2xx) body is read: a Plaid error is a few KiB; past this only an excerpt is kept."""

DEFAULT_MAX_RETRIES = 2

# Statuses worth another try: request timeout, conflict, rate limit, and every 5xx.
RETRYABLE_STATUSES = frozenset({408, 409, 429})


class RetryPolicy:
    """How long to wait between attempts. How many attempts is `max_retries`, on the client or per call.

    - `backoff_initial` / `backoff_max`: the wait before retry *n* is `backoff_initial * 2 ** (n - 1)` seconds, at
      most `backoff_max`, with jitter (a random 50-100 % of it) so that clients do not retry in lockstep.
    - `retry_after_max`: a `Retry-After` header (seconds or an HTTP date) replaces the backoff. When the server
      asks for more than this many seconds, the client does not retry early: it raises the response's error at once,
      with the requested wait in its `retry_after`.
    """

    __slots__ = ("backoff_initial", "backoff_max", "retry_after_max")

    def __init__(self, *, backoff_initial: float = 0.5, backoff_max: float = 8.0, retry_after_max: float = 60.0):
        for name, value in (
            ("backoff_initial", backoff_initial),
            ("backoff_max", backoff_max),
            ("retry_after_max", retry_after_max),
        ):
            if not isinstance(value, int | float) or isinstance(value, bool) or not 0 <= value < math.inf:
                raise ValueError(f"RetryPolicy.{name} must be a finite number >= 0, got {value!r}")
        self.backoff_initial: float = float(backoff_initial)
        self.backoff_max: float = float(backoff_max)
        self.retry_after_max: float = float(retry_after_max)

    def __repr__(self) -> str:
        return (
            f"RetryPolicy(backoff_initial={self.backoff_initial!r}, backoff_max={self.backoff_max!r}, "
            f"retry_after_max={self.retry_after_max!r})"
        )

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, RetryPolicy):
            return NotImplemented
        return (self.backoff_initial, self.backoff_max, self.retry_after_max) == (
            other.backoff_initial,
            other.backoff_max,
            other.retry_after_max,
        )

    def __hash__(self) -> int:
        return hash((self.backoff_initial, self.backoff_max, self.retry_after_max))

    def delay(self, retry_number: int, retry_after: str | None) -> float:
        """Seconds to wait before retry number `retry_number` (1-based), given the response's `Retry-After`."""
        requested = parse_retry_after(retry_after)
        if requested is not None:
            return min(requested, self.retry_after_max)  # more than the cap is not retried at all (see base client)
        base = min(self.backoff_max, self.backoff_initial * 2 ** (retry_number - 1))
        return float(base * (0.5 + random.random() / 2))  # noqa: S311 - jitter, not cryptography


def parse_retry_after(value: str | None) -> float | None:
    """`Retry-After` in seconds (delta-seconds or an HTTP date), `None` when absent or unreadable."""
    if not value:
        return None
    value = value.strip()
    try:
        seconds = float(value)
    except ValueError:
        import datetime
        from email.utils import parsedate_to_datetime

        try:
            when = parsedate_to_datetime(value)
            if when.tzinfo is None:  # "-0000": HTTP dates are always GMT
                when = when.replace(tzinfo=datetime.UTC)
            seconds = when.timestamp() - time.time()
        except (TypeError, ValueError, IndexError, OverflowError):
            return None
    if not math.isfinite(seconds):
        return None
    return max(seconds, 0.0)
