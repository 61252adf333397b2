"""The retry rules (`_retries`), without sockets: which outcomes are retried, how long the client waits, when it gives
up, and what it raises then."""

from __future__ import annotations

import time

import httpx
import pytest

from plaid_partner_insights import APIConnectionError, APITimeoutError, PlaidAPIError, RetryPolicy
from plaid_partner_insights._deadline import DeadlineExceeded
from plaid_partner_insights._retries import RetryLoop, delay_after_error, delay_after_response

from .conftest import full_response, plaid_error
from .pieces import call, received

POLICY = RetryPolicy(backoff_initial=1.0, backoff_max=4.0, retry_after_max=30.0)


@pytest.mark.parametrize("status", [408, 409, 429, 500, 502, 503, 599])
def test_a_retryable_status_waits_the_jittered_backoff(status: int) -> None:
    first = delay_after_response(call(), POLICY, received(status), 1, time.perf_counter())
    second = delay_after_response(call(), POLICY, received(status), 2, time.perf_counter())
    assert first is not None
    assert 0.5 <= first <= 1.0
    assert second is not None
    assert 1.0 <= second <= 2.0


@pytest.mark.parametrize("status", [200, 201, 302, 400, 401, 404, 422])
def test_other_statuses_are_final(status: int) -> None:
    assert delay_after_response(call(), POLICY, received(status), 1, time.perf_counter()) is None


def test_the_backoff_stops_growing_at_its_cap() -> None:
    delay = delay_after_response(call(max_retries=20), POLICY, received(503), 10, time.perf_counter())
    assert delay is not None
    assert 2.0 <= delay <= 4.0


def test_the_last_allowed_attempt_is_final() -> None:
    assert delay_after_response(call(max_retries=2), POLICY, received(503), 2, time.perf_counter()) is not None
    assert delay_after_response(call(max_retries=2), POLICY, received(503), 3, time.perf_counter()) is None
    assert delay_after_response(call(max_retries=0), POLICY, received(503), 1, time.perf_counter()) is None


def test_retry_after_replaces_the_backoff() -> None:
    delay = delay_after_response(call(), POLICY, received(429, headers={"Retry-After": "7"}), 1, time.perf_counter())
    assert delay == 7.0


def test_retry_after_longer_than_the_policy_allows_is_final() -> None:
    response = received(429, headers={"Retry-After": "31"})
    assert delay_after_response(call(), POLICY, response, 1, time.perf_counter()) is None


def test_an_unreadable_retry_after_falls_back_to_the_backoff() -> None:
    response = received(503, headers={"Retry-After": "soon"})
    delay = delay_after_response(call(), POLICY, response, 1, time.perf_counter())
    assert delay is not None
    assert 0.5 <= delay <= 1.0


@pytest.mark.parametrize("error", [httpx.ConnectError("refused"), httpx.ReadTimeout("slow"), DeadlineExceeded(2.0)])
def test_a_failed_attempt_is_retried_while_attempts_remain(error: httpx.RequestError) -> None:
    delay = delay_after_error(call(max_retries=1), POLICY, error, 1, time.perf_counter())
    assert 0.5 <= delay <= 1.0


def test_a_connection_error_past_the_last_attempt_raises_without_the_request() -> None:
    failure = httpx.ConnectError("refused", request=httpx.Request("POST", "https://x", headers={"PLAID-SECRET": "s"}))
    with pytest.raises(APIConnectionError) as caught:
        delay_after_error(call(max_retries=1), POLICY, failure, 2, time.perf_counter())
    error = caught.value
    assert type(error) is APIConnectionError
    assert str(error).startswith("connection failed: ConnectError")
    assert error.attempts == 2
    assert error.__context__ is None
    cause = error.__cause__
    assert isinstance(cause, httpx.ConnectError)
    assert cause is not failure
    with pytest.raises(RuntimeError):  # httpx's way of saying the error holds no request
        _ = cause.request


def test_a_timeout_past_the_last_attempt_raises_a_timeout_error() -> None:
    with pytest.raises(APITimeoutError, match=r"^request timed out \(POST https://plaid.example/\S+, 1 attempt\)$"):
        delay_after_error(call(max_retries=0), POLICY, httpx.ReadTimeout("slow"), 1, time.perf_counter())
    with pytest.raises(APITimeoutError, match=r"took longer than its 2 s deadline"):
        delay_after_error(call(max_retries=0), POLICY, DeadlineExceeded(2.0), 1, time.perf_counter())


def test_the_loop_retries_until_a_final_response_then_holds_it() -> None:
    loop = RetryLoop(call(max_retries=3), POLICY)
    started = time.perf_counter()
    assert loop.after(received(503), started) is not None
    assert loop.after(httpx.ConnectError("refused"), started) is not None
    assert loop.after(received(200, full_response()), started) is None
    assert loop.response.attempts == 3
    assert loop.response.status_code == 200
    assert loop.response.parse().request_id == "req_full_1"


def test_the_loop_raises_the_last_response_error_when_attempts_are_used_up() -> None:
    loop = RetryLoop(call(max_retries=1), POLICY)
    body = plaid_error("API_ERROR", "INTERNAL_SERVER_ERROR")
    assert loop.after(received(500, body), time.perf_counter()) is not None
    with pytest.raises(PlaidAPIError) as caught:
        loop.after(received(500, body), time.perf_counter())
    assert caught.value.error_code == "INTERNAL_SERVER_ERROR"
    assert caught.value.response is not None
    assert caught.value.response.attempts == 2
