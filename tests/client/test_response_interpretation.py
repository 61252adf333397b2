"""What a final response means (`_responses`), without sockets: the model for a 2xx, the typed exception for the
rest, each carrying the response's HTTP facts."""

from __future__ import annotations

import time

import pytest

from plaid_partner_insights import (
    ItemError,
    PlaidAPIError,
    ResponseTooLargeError,
    ResponseValidationError,
    TransferError,
    UnexpectedRedirectError,
)
from plaid_partner_insights._responses import error_class_for, interpret_response

from .conftest import full_response, plaid_error
from .pieces import call, received


def test_a_success_is_parsed_with_its_http_facts() -> None:
    result = interpret_response(call(), received(200, full_response(), headers={"X-Seen": "1"}), 2, time.perf_counter())
    assert result.status_code == 200
    assert result.attempts == 2
    assert result.headers["x-seen"] == "1"
    assert result.request_id == "req_full_1"
    assert result.method == "POST"
    assert result.url == "https://plaid.example/cra/check_report/partner_insights/get"
    assert result.parse().report.report_id == "rep_1"


@pytest.mark.parametrize(
    ("content", "problem"),
    [
        (b"<html>oops</html>", "response body is not valid JSON"),
        (b"[" * 100_000 + b"]" * 100_000, "response body is not valid JSON (nested too deeply)"),
        (b"[1, 2]", "response body is a JSON list, not an object"),
        (b'{"request_id": "req_9", "report": 5}', None),  # valid JSON, not the model: the model names the field
    ],
)
def test_an_unreadable_success_raises_a_validation_error(content: bytes, problem: str | None) -> None:
    with pytest.raises(ResponseValidationError) as caught:
        interpret_response(call(), received(200, content=content), 1, time.perf_counter())
    error = caught.value
    if problem is None:
        assert error.path is not None
        assert error.request_id == "req_9"
    else:
        assert str(error).startswith(problem)
        assert error.path is None
    assert error.body_excerpt is not None
    assert len(error.body_excerpt) <= 203
    assert error.response is not None
    assert error.response.status_code == 200


def test_a_success_past_the_limit_raises_too_large() -> None:
    with pytest.raises(ResponseTooLargeError) as caught:
        interpret_response(call(max_response_bytes=10), received(200, content=b"{", overflowed=True), 1, 0.0)
    assert caught.value.limit == 10


def test_an_undecodable_success_says_why() -> None:
    broken = received(200, content=b"\x1f\x8b", decode_error="compressed data ends early")
    with pytest.raises(ResponseValidationError, match="could not be decoded: compressed data ends early"):
        interpret_response(call(), broken, 1, time.perf_counter())


def test_a_redirect_is_refused_with_its_location_cut_short() -> None:
    location = "https://elsewhere.example/" + "a" * 300
    with pytest.raises(UnexpectedRedirectError) as caught:
        interpret_response(call(), received(302, headers={"Location": location}), 1, time.perf_counter())
    assert caught.value.location == location[:200] + "..."
    assert caught.value.response is not None
    assert caught.value.response.status_code == 302


def test_a_plaid_error_raises_the_class_of_its_type_with_typed_causes() -> None:
    cause = {**plaid_error("ITEM_ERROR", "ITEM_LOGIN_REQUIRED"), "item_id": "item_1"}
    body = plaid_error("ITEM_ERROR", "ITEM_LOGIN_REQUIRED", causes=[cause, "not a cause"])
    answer = received(400, body, headers={"Retry-After": "5"})
    with pytest.raises(ItemError) as caught:
        interpret_response(call(), answer, 1, time.perf_counter())
    error = caught.value
    assert error.error_code == "ITEM_LOGIN_REQUIRED"
    assert error.request_id == "req_item_login_required"
    assert error.retry_after == 5.0
    assert [c.item_id for c in error.causes] == ["item_1"]


@pytest.mark.parametrize(
    ("answer", "request_id"),
    [
        (received(502, content=b"Bad Gateway"), None),
        (received(500, {"request_id": "req_7", "message": "no error_type"}), "req_7"),
        # Cut off at the read limit: not parsed, whatever the start looks like.
        (received(500, plaid_error("API_ERROR", "INTERNAL_SERVER_ERROR"), overflowed=True), None),
    ],
)
def test_an_error_without_a_plaid_body_raises_the_base_class(answer: object, request_id: str | None) -> None:
    with pytest.raises(PlaidAPIError) as caught:
        interpret_response(call(), answer, 1, time.perf_counter())  # type: ignore[arg-type]
    error = caught.value
    assert type(error) is PlaidAPIError
    assert error.error_type is None
    assert error.request_id == request_id
    assert error.body_excerpt


def test_error_class_for_knows_the_spec_types_and_falls_back() -> None:
    assert error_class_for("TRANSFER_ERROR") is TransferError
    assert error_class_for("ITEM_ERROR") is ItemError
    assert error_class_for("SOMETHING_NEW") is PlaidAPIError
