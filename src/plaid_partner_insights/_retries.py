"""The retry rules, written once for both clients: which outcomes are retried, how long to wait before the next
attempt (backoff with jitter, or the server's `Retry-After` up to a cap), and when to give up.

`RetryLoop` is the state of one call between its attempts. The sync and async clients drive it with their own I/O:

    loop = RetryLoop(call, policy)
    while True:
        started = time.perf_counter()
        outcome = <one attempt: a `Received`, or the `httpx.RequestError` it raised>
        delay = loop.after(outcome, started)
        if delay is None:
            return loop.response
        <sleep `delay` seconds>
"""

from __future__ import annotations

import logging
import typing

import httpx

from plaid_partner_insights_core._config import RETRYABLE_STATUSES, RetryPolicy, parse_retry_after

from ._error_chaining import describe_failure, give_up
from ._logging import log_attempt, logger
from ._responses import interpret_response, request_id_of

if typing.TYPE_CHECKING:
    from plaid_partner_insights_core._models import Model
    from plaid_partner_insights_core._response import RawResponse

    from ._decoding import Received
    from ._request_building import PreparedCall

__all__ = ["RetryLoop", "delay_after_error", "delay_after_response"]

_ResponseT = typing.TypeVar("_ResponseT", bound="Model")


class RetryLoop(typing.Generic[_ResponseT]):
    """One call's attempts so far, and what to do after each."""

    __slots__ = ("_attempts", "_call", "_policy", "response")

    def __init__(self, call: PreparedCall[_ResponseT], policy: RetryPolicy) -> None:
        self._call = call
        self._policy = policy
        self._attempts = 0
        self.response: RawResponse[_ResponseT]
        """The call's result, once `after` has returned `None`."""

    def after(self, outcome: Received | httpx.RequestError, started: float) -> float | None:
        """Seconds to wait before the next attempt, after an attempt started at `started` (`time.perf_counter()`)
        ended with `outcome`. `None` when the call is over: its result is in `response`. Raises the call's error
        when that is the end of it."""
        self._attempts += 1
        attempt = self._attempts
        if isinstance(outcome, httpx.RequestError):
            return delay_after_error(self._call, self._policy, outcome, attempt, started)
        delay = delay_after_response(self._call, self._policy, outcome, attempt, started)
        if delay is None:
            self.response = interpret_response(self._call, outcome, attempt, started)
        return delay


def delay_after_error(
    call: PreparedCall[typing.Any], policy: RetryPolicy, exc: httpx.RequestError, attempt: int, started: float
) -> float:
    """Seconds to wait before the next attempt after one that got no response; raises when attempts are used up.
    A connection error or a timeout is always worth another attempt."""
    if attempt > call.max_retries:
        log_attempt(logging.DEBUG, call, describe_failure(exc), None, None, attempt, started, ", giving up")
        give_up(call, exc, attempt)
    delay = policy.delay(attempt, None)
    log_attempt(logging.INFO, call, describe_failure(exc), None, None, attempt, started, f", retrying in {delay:.2f}s")
    return delay


def delay_after_response(
    call: PreparedCall[typing.Any], policy: RetryPolicy, received: Received, attempt: int, started: float
) -> float | None:
    """Seconds to wait before the next attempt, or `None` when this response is final: a status that is not worth
    another try (anything but 408, 409, 429 and 5xx), the last attempt allowed, or a `Retry-After` longer than the
    policy waits (the error then carries `retry_after` for the caller to act on)."""
    status = received.response.status_code
    if status < 500 and status not in RETRYABLE_STATUSES:
        return None
    if attempt > call.max_retries:
        return None
    retry_after = received.response.headers.get("retry-after")
    requested = parse_retry_after(retry_after)
    if requested is not None and requested > policy.retry_after_max:
        return None
    delay = policy.delay(attempt, retry_after)
    if logger.isEnabledFor(logging.INFO):
        request_id = request_id_of(received.content)
        log_attempt(logging.INFO, call, None, status, request_id, attempt, started, f", retrying in {delay:.2f}s")
    return delay
