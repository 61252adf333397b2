"""From keyword arguments to the request of an attempt (`_request_building`), without sockets."""

from __future__ import annotations

import json
import warnings

import httpx
import pytest
from plaid_partner_insights_generated.client.api.partner_insights.get import OPERATION

from plaid_partner_insights import RequestValidationError
from plaid_partner_insights._request_building import USER_AGENT, build_request, phase_timeouts, prepare_call

from .pieces import BASE_URL, endpoint

PATH_URL = BASE_URL + "/cra/check_report/partner_insights/get"


def test_the_body_holds_the_fields_compactly_and_the_headers_the_operation() -> None:
    params = {"user_id": "usr_é", "partner_insights": {"prism_versions": {"cashscore": "4"}}}
    call = prepare_call(OPERATION, endpoint(), params, 5.0, 2, 100, 1)
    assert call.content == '{"user_id":"usr_é","partner_insights":{"prism_versions":{"cashscore":"4"}}}'.encode()
    assert call.url == PATH_URL
    assert call.headers["Plaid-Version"] == OPERATION.api_version
    assert call.headers["Content-Type"] == "application/json"
    assert call.headers["User-Agent"] == USER_AGENT
    assert call.headers["Accept-Encoding"] == "gzip, deflate"
    assert (call.max_retries, call.max_response_bytes) == (2, 100)


def test_a_per_call_credential_goes_in_the_headers_of_that_call_only() -> None:
    shared = endpoint()
    call = prepare_call(OPERATION, shared, {"user_id": "u", "secret": "per-call"}, 5.0, 2, 100, 1)
    assert call.headers["PLAID-SECRET"] == "per-call"
    assert b"per-call" not in call.content
    assert shared.headers["PLAID-SECRET"] == "sec"


def test_a_bad_per_call_credential_is_refused_without_echoing_it() -> None:
    with pytest.raises(RequestValidationError) as caught:
        prepare_call(OPERATION, endpoint(), {"user_id": "u", "secret": "bad\nvalue"}, 5.0, 2, 100, 1)
    assert "bad" not in str(caught.value)
    assert caught.value.path == "secret"


def test_an_unknown_field_suggests_the_close_one() -> None:
    with pytest.raises(TypeError, match=r"unexpected keyword argument 'user_idd'; did you mean 'user_id'\?"):
        prepare_call(OPERATION, endpoint(), {"user_idd": "u"}, 5.0, 2, 100, 1)


def test_deprecated_options_warn_and_drop_what_plaid_removed() -> None:
    params = {"user_id": "u", "options": {"prism_products": ["insights"]}}
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        call = prepare_call(OPERATION, endpoint(), params, 5.0, 2, 100, 1)
    assert len(caught) == 2
    assert {w.category for w in caught} == {DeprecationWarning}
    assert json.loads(call.content) == {"user_id": "u"}


def test_seconds_set_every_phase_and_a_deadline_an_httpx_timeout_only_its_phases() -> None:
    limits, deadline = phase_timeouts(3.0)
    assert (limits.connect, limits.read, limits.write, limits.pool, deadline) == (3.0, 3.0, 3.0, 3.0, 3.0)
    given = httpx.Timeout(1.0, connect=2.0)
    assert phase_timeouts(given) == (given, None)


def test_a_request_of_our_own_client_is_prebuilt_with_its_default_headers() -> None:
    http = httpx.Client()
    call = prepare_call(OPERATION, endpoint(httpx.Headers(http.headers)), {"user_id": "u"}, 5.0, 2, 100, 1)
    request = build_request(http, call)
    http.close()
    assert str(request.url) == PATH_URL
    assert request.headers["PLAID-CLIENT-ID"] == "cid"
    assert request.headers["Accept"] == "application/json"
    assert request.headers["Connection"] == "keep-alive"  # httpx's default header, merged in once
    assert request.extensions["timeout"] == httpx.Timeout(5.0).as_dict()
    assert request.read() == b'{"user_id":"u"}'


def test_a_request_of_the_users_client_takes_its_headers_and_params() -> None:
    http = httpx.Client(headers={"X-Team": "risk"}, params={"trace": "1"})
    call = prepare_call(OPERATION, endpoint(None), {"user_id": "u"}, 5.0, 2, 100, 1)
    assert call.prebuilt is None
    request = build_request(http, call)
    http.close()
    assert request.url.params["trace"] == "1"
    assert request.headers["X-Team"] == "risk"
    assert request.headers["PLAID-SECRET"] == "sec"
