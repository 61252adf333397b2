"""What the client sends and refuses to send: headers, body, validation, credentials, deprecations, settings.

Pure unit tests of request building use `httpx.MockTransport` (no network); nothing of ours is mocked.
"""

from __future__ import annotations

import asyncio
import json
import platform
import warnings
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

import plaid_partner_insights
from plaid_partner_insights import (
    DEFAULT_MAX_RESPONSE_BYTES,
    DEFAULT_TIMEOUT,
    AsyncPartnerInsightsClient,
    ConfigurationError,
    PartnerInsightsClient,
    RequestValidationError,
    RetryPolicy,
    migrate_options,
)

from .conftest import full_response


class Recorder:
    """An httpx transport that records requests and answers a fixed 200."""

    def __init__(self) -> None:
        self.requests: list[httpx.Request] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        return httpx.Response(200, json=full_response())

    @property
    def body(self) -> Any:
        return json.loads(self.requests[-1].content)


@pytest.fixture
def recorder() -> Recorder:
    return Recorder()


@pytest.fixture
def client(recorder: Recorder) -> Iterator[PartnerInsightsClient]:
    http = httpx.Client(transport=httpx.MockTransport(recorder))
    with PartnerInsightsClient(client_id="cid-1", secret="sec-1", http_client=http) as client:
        yield client
    http.close()


def test_headers_and_body(client: PartnerInsightsClient, recorder: Recorder) -> None:
    client.partner_insights.get(user_id="usr_1", partner_insights={"prism_versions": {"cashscore": "4"}})
    request = recorder.requests[0]
    assert request.method == "POST"
    assert str(request.url) == "https://sandbox.plaid.com/cra/check_report/partner_insights/get"
    assert request.headers["PLAID-CLIENT-ID"] == "cid-1"
    assert request.headers["PLAID-SECRET"] == "sec-1"
    assert request.headers["Plaid-Version"] == "2020-09-14"
    assert request.headers["Content-Type"] == "application/json"
    assert request.headers["User-Agent"] == (
        f"plaid-partner-insights/{plaid_partner_insights.__version__} "
        f"python/{platform.python_version()} httpx/{httpx.__version__}"
    )
    assert recorder.body == {"user_id": "usr_1", "partner_insights": {"prism_versions": {"cashscore": "4"}}}


def test_every_request_field_is_sent_as_given(client: PartnerInsightsClient, recorder: Recorder) -> None:
    request: dict[str, Any] = {
        "user_token": "user-sandbox-1",
        "third_party_user_token": "tp-1",
        "user_tier": None,
        "partner_insights": {
            "prism_versions": {
                "firstdetect": "3",
                "detect": "4.1",
                "cashscore": "3_lite",
                "extend": "4",
                "insights": None,
            },
            "fico": {
                "fico_lender_id": "lender-1",
                "lender_application_id": "app-1",
                "ultrafico_score_requests": [
                    {
                        "ultrafico_score_version": "1.0",
                        "request_correlation_id": "corr-1",
                        "base_fico_score": {
                            "bureau": "EXPERIAN",
                            "score": 690,
                            "reason_codes": ["01", "02"],
                            "reason_code_1": None,
                            "did_inquiries_adversely_affect_score": False,
                            "base_fico_score_version": "10T",
                        },
                    }
                ],
            },
        },
    }
    client.partner_insights.get(**request)
    assert recorder.body == request


def test_credentials_are_never_in_the_body_but_move_to_the_headers(
    client: PartnerInsightsClient, recorder: Recorder
) -> None:
    client.partner_insights.get(user_id="usr_1", client_id="other-cid", secret="other-sec")
    assert recorder.body == {"user_id": "usr_1"}
    assert recorder.requests[0].headers["PLAID-CLIENT-ID"] == "other-cid"
    assert recorder.requests[0].headers["PLAID-SECRET"] == "other-sec"
    # Only that call: the next one uses the client's credentials again.
    client.partner_insights.get(user_id="usr_1")
    assert recorder.requests[1].headers["PLAID-SECRET"] == "sec-1"


def test_unknown_keyword_is_a_type_error_naming_it(client: PartnerInsightsClient, recorder: Recorder) -> None:
    with pytest.raises(TypeError, match=r"'user_idd'.*did you mean 'user_id'"):
        client.partner_insights.get(user_idd="usr_1")  # type: ignore[call-arg]
    assert recorder.requests == []


@pytest.mark.parametrize(
    ("request_fields", "path", "problem"),
    [
        ({"user_id": 42}, "user_id", "expected a string"),
        ({"user_tier": "gold"}, "user_tier", "expected one of 'free', 'paid'"),
        (
            {"partner_insights": {"prism_versions": {"cashscore": "9"}}},
            "partner_insights.prism_versions.cashscore",
            "'9'",
        ),
        ({"partner_insights": {"prism_versions": {"cashscore": 4}}}, "partner_insights.prism_versions.cashscore", "4"),
        ({"partner_insights": {"prism_versions": {"bogus": "4"}}}, "partner_insights.prism_versions.bogus", "unknown"),
        ({"partner_insights": []}, "partner_insights", "expected an object"),
        (
            {"partner_insights": {"fico": {"fico_lender_id": "l", "lender_application_id": "a"}}},
            "partner_insights.fico.ultrafico_score_requests",
            "required field is missing",
        ),
        (
            {
                "partner_insights": {
                    "fico": {
                        "fico_lender_id": "l",
                        "lender_application_id": "a",
                        "ultrafico_score_requests": [
                            {
                                "ultrafico_score_version": "1.0",
                                "base_fico_score": {
                                    "bureau": "EXPERIAN",
                                    "score": True,
                                    "base_fico_score_version": "8",
                                },
                            }
                        ],
                    }
                }
            },
            "partner_insights.fico.ultrafico_score_requests[0].base_fico_score.score",
            "expected an integer",
        ),
        ({"options": {"prism_products": ["everything"]}}, "options.prism_products[0]", "'everything'"),
        ({"client_id": ""}, "client_id", "non-empty"),
        ({"secret": "bad\nsecret"}, "secret", "HTTP header"),
        ({"secret": 123456789}, "secret", "non-empty string"),
    ],
)
def test_wrong_type_or_value_is_refused_before_sending(
    client: PartnerInsightsClient, recorder: Recorder, request_fields: dict[str, Any], path: str, problem: str
) -> None:
    with pytest.raises(RequestValidationError) as caught:
        client.partner_insights.get(**request_fields)
    assert caught.value.path == path
    assert problem in caught.value.problem
    assert str(caught.value).startswith(path + ": ")
    if path in ("client_id", "secret") and request_fields[path]:
        assert str(request_fields[path]) not in str(caught.value)
    assert recorder.requests == []


def test_options_warns_at_the_callers_line(client: PartnerInsightsClient, recorder: Recorder) -> None:
    with pytest.warns(DeprecationWarning, match=r"partner_insights.*prism_versions") as record:
        client.partner_insights.get(user_id="usr_1", options={"prism_versions": {"cashscore": "4"}})
    assert len(record) == 1
    assert record[0].filename == __file__
    assert recorder.body == {"user_id": "usr_1", "options": {"prism_versions": {"cashscore": "4"}}}


def test_prism_products_warns_and_is_not_sent(client: PartnerInsightsClient, recorder: Recorder) -> None:
    options: Any = {"prism_versions": {"insights": "4"}, "prism_products": ["insights", "scores"]}
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        client.partner_insights.get(user_id="usr_1", options=options)
    messages = [str(w.message) for w in caught]
    assert len(messages) == 2
    assert "removed by Plaid" in messages[1]
    assert "does not send it" in messages[1]
    assert all(w.category is DeprecationWarning and w.filename == __file__ for w in caught)
    assert recorder.body == {"user_id": "usr_1", "options": {"prism_versions": {"insights": "4"}}}
    assert options["prism_products"] == ["insights", "scores"]  # the caller's dict is left alone


def test_options_with_only_prism_products_sends_no_options(client: PartnerInsightsClient, recorder: Recorder) -> None:
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        client.partner_insights.get(user_id="usr_1", options={"prism_products": ["scores"]})
    assert [w.category for w in caught] == [DeprecationWarning, DeprecationWarning]
    assert recorder.body == {"user_id": "usr_1"}


def test_async_client_warns_at_the_callers_line(recorder: Recorder) -> None:
    async def run() -> None:
        http = httpx.AsyncClient(transport=httpx.MockTransport(recorder))
        async with AsyncPartnerInsightsClient(client_id="c", secret="s", http_client=http) as client:
            with pytest.warns(DeprecationWarning, match="options") as record:
                await client.partner_insights.get(user_id="usr_1", options={"prism_versions": {"cashscore": "4"}})
        await http.aclose()
        assert record[0].filename == __file__

    asyncio.run(run())


def test_migrate_options() -> None:
    old: Any = {"prism_versions": {"cashscore": "4", "insights": "3"}, "prism_products": ["scores"]}
    assert migrate_options(old) == {"prism_versions": {"cashscore": "4", "insights": "3"}}
    current: Any = {"prism_versions": {"insights": "4.1"}, "fico": None}
    assert migrate_options(old, current) == {"prism_versions": {"cashscore": "4", "insights": "4.1"}, "fico": None}
    assert current == {"prism_versions": {"insights": "4.1"}, "fico": None}
    assert migrate_options(None) == {}
    assert migrate_options({"prism_products": ["scores"]}) == {}


def test_migrated_options_are_sent_without_warning(client: PartnerInsightsClient, recorder: Recorder) -> None:
    client.partner_insights.get(user_id="usr_1", partner_insights=migrate_options({"prism_versions": {"extend": "4"}}))
    assert recorder.body == {"user_id": "usr_1", "partner_insights": {"prism_versions": {"extend": "4"}}}


# -- settings ----------------------------------------------------------------------------------------------------


def test_defaults() -> None:
    with PartnerInsightsClient(client_id="c", secret="s") as client:
        assert client.base_url == "https://sandbox.plaid.com"
        assert client.max_retries == 2
        assert client.timeout == DEFAULT_TIMEOUT == 60.0  # a deadline per attempt, connect to last byte
        assert client.max_response_bytes == DEFAULT_MAX_RESPONSE_BYTES <= 16 * 1024 * 1024
        assert client.retry_policy == RetryPolicy()
    with PartnerInsightsClient(client_id="c", secret="s", environment="production", timeout=5) as client:
        assert client.base_url == "https://production.plaid.com"
        assert client.timeout == 5.0
    fine_grained = httpx.Timeout(5.0, connect=1.0)
    with PartnerInsightsClient(client_id="c", secret="s", timeout=fine_grained, max_response_bytes=10) as client:
        assert client.timeout is fine_grained
        assert client.max_response_bytes == 10


@pytest.mark.parametrize(
    ("settings", "message"),
    [
        ({"client_id": "", "secret": "s"}, "client_id must be a non-empty string"),
        ({"client_id": "c", "secret": " "}, "secret must be a non-empty string"),
        ({"client_id": "c", "secret": "s", "environment": "development"}, "environment must be one of"),
        ({"client_id": "c", "secret": "s", "base_url": "ftp://x"}, "base_url"),
        ({"client_id": "c", "secret": "s", "timeout": 0}, "timeout"),
        ({"client_id": "c", "secret": "s", "max_retries": -1}, "max_retries"),
        ({"client_id": "c", "secret": "s", "http_client": httpx.AsyncClient()}, "httpx.Client"),
    ],
)
def test_bad_settings(settings: dict[str, Any], message: str) -> None:
    with pytest.raises(ConfigurationError, match=message):
        PartnerInsightsClient(**settings)


def test_retry_policy_rejects_bad_values() -> None:
    with pytest.raises(ValueError, match="backoff_initial"):
        RetryPolicy(backoff_initial=-1)
    with pytest.raises(ValueError, match="retry_after_max"):
        RetryPolicy(retry_after_max=float("inf"))


def test_retry_policy_delay() -> None:
    policy = RetryPolicy(backoff_initial=1, backoff_max=3, retry_after_max=10)
    assert 0.5 <= policy.delay(1, None) <= 1
    assert 1 <= policy.delay(2, None) <= 2
    assert 1.5 <= policy.delay(5, None) <= 3  # capped at backoff_max
    assert policy.delay(1, "7") == 7
    assert policy.delay(1, "120") == 10  # capped at retry_after_max
    assert policy.delay(1, "Wed, 21 Oct 2015 07:28:00 GMT") == 0  # a date in the past: retry now
    assert 0.5 <= policy.delay(1, "soon") <= 1  # unreadable: the backoff
    assert 0.5 <= policy.delay(1, "nan") <= 1


def test_from_env(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PLAID_CLIENT_ID", "env-cid")
    monkeypatch.setenv("PLAID_SECRET", "env-sec")
    monkeypatch.setenv("PLAID_ENV", "production")
    monkeypatch.delenv("PLAID_BASE_URL", raising=False)
    with PartnerInsightsClient.from_env(max_retries=0) as client:
        assert client.base_url == "https://production.plaid.com"
        assert client.max_retries == 0
    monkeypatch.setenv("PLAID_BASE_URL", "http://127.0.0.1:9/")
    with PartnerInsightsClient.from_env() as client:
        assert client.base_url == "http://127.0.0.1:9"

    async def run() -> str:
        async with AsyncPartnerInsightsClient.from_env() as client:
            return client.base_url

    assert asyncio.run(run()) == "http://127.0.0.1:9"
    monkeypatch.delenv("PLAID_SECRET")
    with pytest.raises(ConfigurationError, match="PLAID_SECRET"):
        PartnerInsightsClient.from_env()


def test_user_http_client_is_not_closed(recorder: Recorder) -> None:
    http = httpx.Client(transport=httpx.MockTransport(recorder))
    with PartnerInsightsClient(client_id="c", secret="s", http_client=http) as client:
        client.partner_insights.get(user_id="usr_1")
    assert not http.is_closed
    http.close()
    own = PartnerInsightsClient(client_id="c", secret="s")
    own.close()
    assert own._http.is_closed


def test_repr_shows_no_credentials() -> None:
    client = PartnerInsightsClient(client_id="cid-visible?", secret="sec-visible?", base_url="http://127.0.0.1:9")
    assert repr(client) == "PartnerInsightsClient(base_url='http://127.0.0.1:9', max_retries=2)"
    client.close()


def test_errors_survive_pickling() -> None:
    import pickle

    from plaid_partner_insights_generated.client.models import PlaidError

    from plaid_partner_insights import (
        APITimeoutError,
        PlaidAPIError,
        RateLimitExceededError,
        ResponseValidationError,
    )

    error_body = {
        "error_type": "RATE_LIMIT_EXCEEDED",
        "error_code": "RATE_LIMIT",
        "error_message": "slow down",
        "display_message": None,
        "request_id": "req_1",
        "unknown_extra": [1],
    }
    errors: list[Exception] = [
        RequestValidationError("user_id", "expected a string, got 1"),
        APITimeoutError("request timed out", method="POST", url="http://127.0.0.1:9/x", attempts=3),
        ResponseValidationError("bad", status_code=200, path="request_id", body_excerpt="{}", request_id=None),
        RateLimitExceededError(429, PlaidError.from_dict(error_body)),
        PlaidAPIError(502, None, body_excerpt="<html>", request_id=None),
    ]
    for error in errors:
        copy = pickle.loads(pickle.dumps(error))  # noqa: S301 - our own bytes
        assert type(copy) is type(error)
        assert str(copy) == str(error)
        assert vars(copy) == vars(error) or isinstance(error, PlaidAPIError)
    rate_limited = pickle.loads(pickle.dumps(errors[3]))  # noqa: S301
    assert rate_limited.error_code == "RATE_LIMIT"
    assert rate_limited.error.to_dict() == error_body


def test_with_options_shares_the_pool_and_keeps_the_original(recorder: Recorder) -> None:
    http = httpx.Client(transport=httpx.MockTransport(recorder))
    with PartnerInsightsClient(client_id="c", secret="s", http_client=http, max_retries=2) as client:
        patient = client.with_options(timeout=120, max_retries=0, retry_policy=RetryPolicy(backoff_initial=0))
        assert (patient.max_retries, patient.timeout, patient.retry_policy.backoff_initial) == (0, 120.0, 0)
        assert client.with_options(max_response_bytes=1024).max_response_bytes == 1024
        assert (client.max_retries, client.timeout) == (2, DEFAULT_TIMEOUT)
        patient.partner_insights.get(user_id="usr_1")
        assert recorder.requests[-1].headers["PLAID-SECRET"] == "s"
        patient.close()
        client.partner_insights.get(user_id="usr_1")
    assert len(recorder.requests) == 2
    http.close()


def test_closing_a_with_options_copy_leaves_the_pool_open() -> None:
    client = PartnerInsightsClient(client_id="c", secret="s")
    with client.with_options(max_retries=0) as copy:
        assert copy._http is client._http
    assert not client._http.is_closed
    client.close()
    assert client._http.is_closed
