"""Fault injection against real loopback servers: every scenario ends, quickly, in success or the right error."""

from __future__ import annotations

import email.utils
import json
import time
from collections.abc import Callable
from typing import Any

import pytest

from plaid_partner_insights import (
    APIConnectionError,
    APITimeoutError,
    InvalidRequestError,
    PlaidAPIError,
    PlaidServerError,
    RateLimitExceededError,
    ResponseValidationError,
    RetryPolicy,
)

from .conftest import GetFn, full_response, plaid_error
from .faults import RESET, ScriptedServer, Stall, http_response, json_response

# Seconds of waiting on timeouts and retries: run first under pytest-xdist, yet part of the quick loop.
pytestmark = pytest.mark.long_running

MakeGet = Callable[..., GetFn]


def ok() -> bytes:
    return json_response(200, full_response())


def test_connection_reset_then_success(make_get: MakeGet) -> None:
    with ScriptedServer(RESET, ok()) as server:
        response = make_get(base_url=server.url)(user_id="usr_1")
    assert response.request_id == "req_full_1"
    assert server.attempts == 2


def test_connection_reset_every_time_gives_up(make_get: MakeGet) -> None:
    with ScriptedServer(RESET) as server, pytest.raises(APIConnectionError) as caught:
        make_get(base_url=server.url, max_retries=2)(user_id="usr_1")
    assert not isinstance(caught.value, APITimeoutError)
    assert caught.value.attempts == 3
    assert server.attempts == 3


def test_connection_refused_is_a_connection_error(make_get: MakeGet) -> None:
    with ScriptedServer(RESET) as server:
        url = server.url
    # The server is gone: nothing listens on the port any more.
    with pytest.raises(APIConnectionError) as caught:
        make_get(base_url=url, max_retries=1)(user_id="usr_1")
    assert caught.value.attempts == 2


def test_stall_past_the_timeout_then_success(make_get: MakeGet) -> None:
    with ScriptedServer(Stall(5), ok()) as server:
        started = time.monotonic()
        response = make_get(base_url=server.url, timeout=0.3)(user_id="usr_1")
        elapsed = time.monotonic() - started
    assert response.request_id == "req_full_1"
    assert server.attempts == 2
    assert 0.3 <= elapsed < 3


def test_stall_every_time_raises_timeout(make_get: MakeGet) -> None:
    with ScriptedServer(Stall(5)) as server:
        started = time.monotonic()
        with pytest.raises(APITimeoutError) as caught:
            make_get(base_url=server.url, timeout=0.2, max_retries=1)(user_id="usr_1")
        elapsed = time.monotonic() - started
    assert caught.value.attempts == 2
    assert server.attempts == 2
    assert 0.4 <= elapsed < 3


def test_per_call_timeout_and_max_retries_override_the_client(make_get: MakeGet) -> None:
    with ScriptedServer(Stall(5)) as server:
        started = time.monotonic()
        with pytest.raises(APITimeoutError):
            # 1 s, not less: on a loaded machine the request must still reach the server within the timeout.
            make_get(base_url=server.url, timeout=30, max_retries=5)(user_id="usr_1", timeout=1.0, max_retries=0)
        assert time.monotonic() - started < 4
    assert server.attempts == 1


def test_429_with_retry_after_seconds_then_success(make_get: MakeGet, sleeps: list[float]) -> None:
    limited = json_response(429, plaid_error("RATE_LIMIT_EXCEEDED", "RATE_LIMIT"), headers={"Retry-After": "1"})
    with ScriptedServer(limited, ok()) as server:
        # retry_after_max above 1 s: the server's value is used as is (the tiny backoff would retry at once).
        response = make_get(base_url=server.url, retry_policy=_policy(retry_after_max=5))(user_id="usr_1")
    assert response.request_id == "req_full_1"
    assert server.attempts == 2
    assert sleeps == [1.0]


@pytest.mark.parametrize("retry_after", ["99999", "in 30 s"])
def test_retry_after_beyond_the_cap_raises_at_once(make_get: MakeGet, sleeps: list[float], retry_after: str) -> None:
    if retry_after == "in 30 s":
        retry_after = email.utils.formatdate(time.time() + 30, usegmt=True)
    limited = json_response(429, plaid_error("RATE_LIMIT_EXCEEDED", "RATE_LIMIT"), headers={"Retry-After": retry_after})
    with ScriptedServer(limited, ok()) as server, pytest.raises(RateLimitExceededError) as caught:
        make_get(base_url=server.url, max_retries=3, retry_policy=_policy(retry_after_max=20))(user_id="usr_1")
    assert server.attempts == 1  # no early retry
    assert sleeps == []
    assert caught.value.retry_after is not None
    expected = 99999 if retry_after == "99999" else 30
    assert expected - 2 <= caught.value.retry_after <= expected
    assert "retry after" in str(caught.value)


def test_the_default_retry_after_cap_is_60_seconds(make_get: MakeGet, sleeps: list[float]) -> None:
    asks = [json_response(503, plaid_error("API_ERROR", "X"), headers={"Retry-After": value}) for value in ("60", "61")]
    with ScriptedServer(*asks) as server, pytest.raises(PlaidServerError) as caught:
        make_get(base_url=server.url, retry_policy=RetryPolicy())(user_id="usr_1")
    assert server.attempts == 2  # 60 s is waited for (recorded, not slept); 61 s raises at once
    assert sleeps == [60.0]
    assert caught.value.retry_after == 61.0


def test_429_http_date_in_the_near_future_is_honoured(make_get: MakeGet, sleeps: list[float]) -> None:
    # Second resolution, and the client reads the clock a little later than this line: the 20 s of slack keep a
    # loaded runner from turning "30 s from now" into a value outside the bounds (the sleep itself is recorded).
    when = email.utils.formatdate(time.time() + 30, usegmt=True)
    limited = json_response(429, plaid_error("RATE_LIMIT_EXCEEDED", "RATE_LIMIT"), headers={"Retry-After": when})
    with ScriptedServer(limited, ok()) as server:
        make_get(base_url=server.url, retry_policy=_policy(retry_after_max=60))(user_id="usr_1")
    assert server.attempts == 2
    assert len(sleeps) == 1
    assert 10 <= sleeps[0] <= 30


def test_429_every_time_raises_rate_limit_error(make_get: MakeGet) -> None:
    limited = json_response(429, plaid_error("RATE_LIMIT_EXCEEDED", "RATE_LIMIT"), headers={"Retry-After": "0"})
    with ScriptedServer(limited) as server, pytest.raises(RateLimitExceededError) as caught:
        make_get(base_url=server.url, max_retries=2)(user_id="usr_1")
    assert server.attempts == 3
    assert caught.value.status_code == 429
    assert caught.value.error_code == "RATE_LIMIT"


def test_503_then_success(make_get: MakeGet) -> None:
    unavailable = json_response(503, plaid_error("API_ERROR", "PLANNED_MAINTENANCE"))
    with ScriptedServer(unavailable, ok()) as server:
        response = make_get(base_url=server.url)(user_id="usr_1")
    assert response.report.prism.cash_score.score == 734
    assert server.attempts == 2


@pytest.mark.parametrize("status", [408, 409, 500, 504])
def test_other_retryable_statuses(make_get: MakeGet, status: int) -> None:
    with ScriptedServer(json_response(status, plaid_error("API_ERROR", "INTERNAL_SERVER_ERROR")), ok()) as server:
        make_get(base_url=server.url)(user_id="usr_1")
    assert server.attempts == 2


def test_500_every_time_raises_after_the_retries(make_get: MakeGet) -> None:
    failing = json_response(500, plaid_error("API_ERROR", "INTERNAL_SERVER_ERROR"))
    with ScriptedServer(failing) as server, pytest.raises(PlaidServerError) as caught:
        make_get(base_url=server.url, max_retries=1)(user_id="usr_1")
    assert server.attempts == 2
    assert caught.value.status_code == 500
    assert caught.value.request_id == "req_internal_server_error"


def test_html_502_raises_api_error_with_the_start_of_the_text(make_get: MakeGet) -> None:
    html = "<html><head><title>502 Bad Gateway</title></head><body>" + "x" * 500 + "</body></html>"
    server = ScriptedServer(http_response(502, html, content_type="text/html"))
    with server, pytest.raises(PlaidAPIError) as caught:
        make_get(base_url=server.url, max_retries=2)(user_id="usr_1")
    error = caught.value
    assert type(error) is PlaidAPIError
    assert server.attempts == 3
    assert error.status_code == 502
    assert error.error_type is None
    assert error.error is None
    assert error.body_excerpt is not None
    assert error.body_excerpt.startswith("<html><head><title>502 Bad Gateway")
    assert len(error.body_excerpt) <= 203
    assert "502" in str(error)


def test_truncated_json_200_raises_response_validation_error(make_get: MakeGet) -> None:
    cut = json.dumps(full_response())[:150]
    with ScriptedServer(http_response(200, cut)) as server, pytest.raises(ResponseValidationError) as caught:
        make_get(base_url=server.url)(user_id="usr_1")
    assert server.attempts == 1  # a 2xx is final, even a broken one
    assert caught.value.status_code == 200
    assert caught.value.body_excerpt == cut
    assert "not valid JSON" in str(caught.value)


def test_body_cut_off_in_transfer_is_retried(make_get: MakeGet) -> None:
    body = json.dumps(full_response()).encode()
    cut = http_response(200, body[:100], content_length=len(body))
    with ScriptedServer(cut, ok()) as server:
        response = make_get(base_url=server.url)(user_id="usr_1")
    assert response.request_id == "req_full_1"
    assert server.attempts == 2


def test_non_json_200_raises_response_validation_error(make_get: MakeGet) -> None:
    server = ScriptedServer(http_response(200, "<html>maintenance</html>", content_type="text/html"))
    with server, pytest.raises(ResponseValidationError) as caught:
        make_get(base_url=server.url)(user_id="usr_1")
    assert server.attempts == 1
    assert caught.value.body_excerpt == "<html>maintenance</html>"


def test_400_is_never_retried(make_get: MakeGet) -> None:
    body = plaid_error(
        "INVALID_REQUEST",
        "MISSING_FIELDS",
        documentation_url="https://plaid.com/docs/errors/invalid-request/#missing_fields",
        suggested_action=None,
        causes=[],
    )
    with ScriptedServer(json_response(400, body), ok()) as server, pytest.raises(InvalidRequestError) as caught:
        make_get(base_url=server.url, max_retries=5)(user_id="usr_1")
    assert server.attempts == 1
    error = caught.value
    assert (error.status_code, error.error_type, error.error_code) == (400, "INVALID_REQUEST", "MISSING_FIELDS")
    assert error.error_message == "missing_fields happened"
    assert error.request_id == "req_missing_fields"
    assert error.documentation_url == "https://plaid.com/docs/errors/invalid-request/#missing_fields"
    assert error.display_message is None
    assert error.suggested_action is None
    assert error.causes == []


@pytest.mark.parametrize("status", [401, 403, 404, 422])
def test_other_4xx_are_never_retried(make_get: MakeGet, status: int) -> None:
    server = ScriptedServer(json_response(status, plaid_error("INVALID_INPUT", "INVALID_API_KEYS")), ok())
    with server, pytest.raises(PlaidAPIError) as caught:
        make_get(base_url=server.url)(user_id="usr_1")
    assert server.attempts == 1
    assert caught.value.status_code == status


def test_unknown_error_type_raises_plaid_api_error_with_its_values(make_get: MakeGet) -> None:
    body = plaid_error("QUANTUM_ERROR", "ENTANGLED", brand_new_field={"x": 1})
    with ScriptedServer(json_response(400, body)) as server, pytest.raises(PlaidAPIError) as caught:
        make_get(base_url=server.url)(user_id="usr_1")
    error = caught.value
    assert type(error) is PlaidAPIError
    assert server.attempts == 1
    assert (error.error_type, error.error_code, error.request_id) == ("QUANTUM_ERROR", "ENTANGLED", "req_entangled")
    assert error.error is not None
    assert error.error.to_dict() == body


def test_unknown_enum_values_and_fields_round_trip(make_get: MakeGet) -> None:
    sent: dict[str, Any] = full_response()
    sent["brand_new_top_level"] = {"nested": [1, 2, {"k": None}]}
    report = sent["report"]
    report["prism"]["cash_score"]["model_version"] = "5.0"
    report["prism"]["new_product"] = {"score": 1}
    account = report["items"][0]["accounts"][0]
    account["subtype"] = "crypto vault"
    account["type"] = "quantum"
    account["owners"][0]["phone_numbers"][0]["type"] = "satellite"
    account["extra_account_field"] = True
    sent["warnings"][0]["warning_code"] = "NEW_WARNING_CODE"
    sent["warnings"][0]["cause"]["error_type"] = "FUTURE_ERROR"
    report["fico"]["ultrafico_score_results"][0]["ultrafico_score"]["ultrafico_score_version"] = "2.0"
    with ScriptedServer(json_response(200, sent)) as server:
        response = make_get(base_url=server.url)(user_id="usr_1")
    assert server.attempts == 1
    assert response.to_dict() == sent
    parsed_account = response.report.items[0].accounts[0]
    assert parsed_account.subtype == "crypto vault"
    assert not parsed_account.subtype.is_known
    assert response.warnings[0].warning_code.value == "NEW_WARNING_CODE"
    assert response["brand_new_top_level"] == {"nested": [1, 2, {"k": None}]}


@pytest.mark.parametrize(
    ("mutate", "path"),
    [
        (lambda body: body.pop("request_id"), "request_id"),
        (lambda body: body["report"]["prism"].pop("status"), "report.prism.status"),
        (
            lambda body: body["report"]["items"][0]["accounts"][0].pop("metadata"),
            "report.items[0].accounts[0].metadata",
        ),
        (lambda body: body["warnings"][0]["cause"].pop("error_code"), "warnings[0].cause.error_code"),
    ],
)
def test_missing_required_field_names_it(make_get: MakeGet, mutate: Callable[[Any], Any], path: str) -> None:
    body = full_response()
    mutate(body)
    with ScriptedServer(json_response(200, body)) as server, pytest.raises(ResponseValidationError) as caught:
        make_get(base_url=server.url)(user_id="usr_1")
    assert server.attempts == 1
    assert caught.value.path == path
    assert repr(path) in str(caught.value)


@pytest.mark.parametrize(
    ("mutate", "path"),
    [
        (lambda body: body.update(report=None), "report"),
        (lambda body: body["report"].update(items=[None]), "report.items[0]"),  # client_report_id is null too
        (lambda body: body["warnings"][0].update(cause="oops"), "warnings[0].cause"),
        (lambda body: body["report"]["prism"].update(cash_score=5), "report.prism.cash_score"),
        (lambda body: body["report"]["fico"].update(report_characteristics=[]), "report.fico.report_characteristics"),
        (lambda body: body["report"]["prism"].update(insights={"model_version": "4"}), "report.prism.insights.version"),
    ],
)
def test_wrong_shape_names_the_field(make_get: MakeGet, mutate: Callable[[Any], Any], path: str) -> None:
    body = full_response()
    mutate(body)
    with ScriptedServer(json_response(200, body)) as server, pytest.raises(ResponseValidationError) as caught:
        make_get(base_url=server.url)(user_id="usr_1")
    assert server.attempts == 1
    assert caught.value.path == path


def test_invalid_value_in_a_200_names_the_field(make_get: MakeGet) -> None:
    body = full_response()
    body["report"]["generated_time"] = "yesterday-ish"
    with ScriptedServer(json_response(200, body)) as server, pytest.raises(ResponseValidationError) as caught:
        make_get(base_url=server.url)(user_id="usr_1")
    assert caught.value.path == "report.generated_time"


def test_a_json_array_200_is_a_validation_error(make_get: MakeGet) -> None:
    with ScriptedServer(json_response(200, [1, 2])) as server, pytest.raises(ResponseValidationError) as caught:
        make_get(base_url=server.url)(user_id="usr_1")
    assert caught.value.path is None
    assert "list" in str(caught.value)


def _policy(**overrides: float) -> Any:
    from plaid_partner_insights import RetryPolicy

    settings = {"backoff_initial": 0.01, "backoff_max": 0.02, "retry_after_max": 0.3, **overrides}
    return RetryPolicy(**settings)
