"""The local emulator over real HTTP: every error path of issue 3, the sandbox users, and the reports."""

from __future__ import annotations

import copy
import json
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

import httpx
import pytest
from jsonschema import Draft7Validator
from plaid_partner_insights_generated.testing.validation_models import CraCheckReportPartnerInsightsGetResponse

from plaid_partner_insights import _spec
from plaid_partner_insights.testing.emulator import (
    DATA_UNAVAILABLE_USER_ID,
    DEMO_USER_ID,
    EMULATOR_USERS,
    EXPIRED_USER_ID,
    NO_PRISM_USER_ID,
    NO_REPORT_USER_ID,
    NOT_READY_USER_ID,
    RATE_LIMITED_USER_ID,
    SERVER_ERROR_USER_ID,
    WARNINGS_USER_ID,
    EmulatorServer,
)
from plaid_partner_insights.testing.emulator._users import REPORT_OUTCOMES

if TYPE_CHECKING:  # fixtures come from conftest; only their type is imported
    from tests.conftest import LocalSandbox

# Request key -> report key, from the spec (one source: `x-report-key` where the names differ).
PRODUCT_KEYS = {product.request_key: product.report_key for product in _spec.prism_products()}
FICO_PATH = "partner_insights.fico.ultrafico_score_requests[0].base_fico_score.score"


def score_request(score: int = 702, correlation: str | None = "corr-1") -> dict[str, Any]:
    request: dict[str, Any] = {
        "ultrafico_score_version": "1.0",
        "base_fico_score": {"bureau": "EXPERIAN", "score": score, "base_fico_score_version": "10T"},
    }
    if correlation is not None:
        request["request_correlation_id"] = correlation
    return request


def fico(*requests: dict[str, Any]) -> dict[str, Any]:
    return {"fico_lender_id": "lender-1", "lender_application_id": "app-42", "ultrafico_score_requests": list(requests)}


@pytest.fixture(scope="module")
def http(local_sandbox: LocalSandbox) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=local_sandbox.url, timeout=10) as client:
        yield client


@pytest.fixture
def call(http: httpx.Client, local_sandbox: LocalSandbox) -> Any:
    """POST a JSON body to the endpoint with the sandbox's credentials in the headers."""

    def post(body: Any, *, headers: dict[str, str] | None = None) -> httpx.Response:
        return http.post(
            local_sandbox.endpoint, json=body, headers=local_sandbox.headers if headers is None else headers
        )

    return post


def assert_error(
    response: httpx.Response, status: int, error_type: str, code: str, error_validator: Draft7Validator
) -> dict[str, Any]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/json")
    body: dict[str, Any] = response.json()
    error_validator.validate(body)
    assert (body["error_type"], body["error_code"]) == (error_type, code), body
    assert body["request_id"]
    assert body["error_message"]
    return body


def assert_valid_report(response: httpx.Response, response_validator: Draft7Validator) -> dict[str, Any]:
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    response_validator.validate(body)
    CraCheckReportPartnerInsightsGetResponse.model_validate_json(response.content, strict=True)
    return body


# ------------------------------------------------------------------------------------------------ credentials


def test_missing_credentials_are_400_missing_fields(call: Any, error_validator: Draft7Validator) -> None:
    body = assert_error(
        call({"user_id": DEMO_USER_ID}, headers={}), 400, "INVALID_REQUEST", "MISSING_FIELDS", error_validator
    )
    assert "client_id" in body["error_message"]


def test_missing_secret_is_named(call: Any, local_sandbox: LocalSandbox, error_validator: Draft7Validator) -> None:
    response = call({"user_id": DEMO_USER_ID}, headers={"PLAID-CLIENT-ID": local_sandbox.client_id})
    assert (
        "secret" in assert_error(response, 400, "INVALID_REQUEST", "MISSING_FIELDS", error_validator)["error_message"]
    )


@pytest.mark.parametrize("wrong", ["client_id", "secret"])
def test_wrong_credentials_are_400_invalid_api_keys(
    call: Any, local_sandbox: LocalSandbox, error_validator: Draft7Validator, wrong: str
) -> None:
    headers = {"PLAID-CLIENT-ID": local_sandbox.client_id, "PLAID-SECRET": local_sandbox.secret}
    headers["PLAID-CLIENT-ID" if wrong == "client_id" else "PLAID-SECRET"] = "not-the-right-one"
    response = call({"user_id": DEMO_USER_ID}, headers=headers)
    assert_error(response, 400, "INVALID_INPUT", "INVALID_API_KEYS", error_validator)


def test_credentials_in_the_body_are_accepted(
    call: Any, local_sandbox: LocalSandbox, response_validator: Draft7Validator
) -> None:
    body = {"user_id": DEMO_USER_ID, "client_id": local_sandbox.client_id, "secret": local_sandbox.secret}
    assert_valid_report(call(body, headers={"Plaid-Version": "2020-09-14"}), response_validator)


def test_wrong_credentials_in_the_body_are_refused_even_with_right_headers(
    call: Any, error_validator: Draft7Validator
) -> None:
    response = call({"user_id": DEMO_USER_ID, "secret": "not-the-right-one"})
    assert_error(response, 400, "INVALID_INPUT", "INVALID_API_KEYS", error_validator)


def test_credentials_never_appear_in_answers(call: Any, local_sandbox: LocalSandbox) -> None:
    answers = [
        call({"user_id": DEMO_USER_ID, "secret": 5}),
        call({"user_id": DEMO_USER_ID, "client_id": local_sandbox.client_id, "secret": local_sandbox.secret + "x"}),
        call({"user_id": DEMO_USER_ID, "client_id": local_sandbox.client_id, "secret": [local_sandbox.secret]}),
        call({"user_id": DEMO_USER_ID, "client_id": local_sandbox.client_id, "unknown": local_sandbox.secret}),
        call({"user_id": DEMO_USER_ID}),
    ]
    for answer in answers:
        assert local_sandbox.secret not in answer.text
        assert local_sandbox.client_id not in answer.text


# ------------------------------------------------------------------------------------------------ bad bodies


@pytest.mark.parametrize(
    ("content", "content_type"),
    [
        (b'{"user_id": "usr_x",', "application/json"),
        (b"[1, 2, 3]", "application/json"),
        (b'"usr_x"', "application/json"),
        (b"", "application/json"),
        (b'{"user_id": NaN}', "application/json"),
        (b'{"user_id": "\xff\xfe"}', "application/json"),
        (b'{"user_id": "usr_x"}', "text/plain"),
        (b"user_id=usr_x", "application/x-www-form-urlencoded"),
    ],
    ids=["truncated", "array", "string", "empty", "nan", "bad-utf8", "text-plain", "form"],
)
def test_unusable_bodies_are_400_invalid_body(
    http: httpx.Client,
    local_sandbox: LocalSandbox,
    error_validator: Draft7Validator,
    content: bytes,
    content_type: str,
) -> None:
    headers = {**local_sandbox.headers, "Content-Type": content_type}
    response = http.post(local_sandbox.endpoint, content=content, headers=headers)
    assert_error(response, 400, "INVALID_REQUEST", "INVALID_BODY", error_validator)


@pytest.mark.parametrize(
    ("body", "code", "path"),
    [
        ({"user_id": "u", "partner_insights": {"fico": fico(score_request(score="702"))}}, "INVALID_FIELD", FICO_PATH),  # type: ignore[arg-type]
        ({"user_id": "u", "partner_insights": {"fico": fico(score_request(score=702.5))}}, "INVALID_FIELD", FICO_PATH),  # type: ignore[arg-type]
        (
            {"user_id": "u", "partner_insights": {"prism_versions": {"cashscore": "5"}}},
            "INVALID_FIELD",
            "partner_insights.prism_versions.cashscore",
        ),
        (
            {"user_id": "u", "partner_insights": {"prism_versions": {"detect": 4}}},
            "INVALID_FIELD",
            "partner_insights.prism_versions.detect",
        ),
        ({"user_id": "u", "user_tier": "gold"}, "INVALID_FIELD", "user_tier"),
        ({"user_id": ""}, "INVALID_FIELD", "user_id"),
        ({"user_id": 12345}, "INVALID_FIELD", "user_id"),
        ({"user_id": "u", "partner_insights": None}, "INVALID_FIELD", "partner_insights"),
        (
            {"user_id": "u", "partner_insights": {"fico": {**fico(), "ultrafico_score_requests": None}}},
            "INVALID_FIELD",
            "partner_insights.fico.ultrafico_score_requests",
        ),
        (
            {
                "user_id": "u",
                "partner_insights": {
                    "fico": fico(
                        {
                            **score_request(),
                            "base_fico_score": {
                                **score_request()["base_fico_score"],
                                "reason_codes": ["1", "2", "3", "4", "5"],
                            },
                        }
                    )
                },
            },
            "INVALID_FIELD",
            "partner_insights.fico.ultrafico_score_requests[0].base_fico_score.reason_codes",
        ),
        ({"user_id": "u", "options": {"prism_products": ["everything"]}}, "INVALID_FIELD", "options.prism_products[0]"),
        (
            {
                "user_id": "u",
                "partner_insights": {"fico": {"lender_application_id": "a", "ultrafico_score_requests": []}},
            },
            "MISSING_FIELDS",
            "partner_insights.fico.fico_lender_id",
        ),
        (
            {
                "user_id": "u",
                "partner_insights": {
                    "fico": fico(
                        {
                            "ultrafico_score_version": "1.0",
                            "base_fico_score": {"score": 700, "base_fico_score_version": "8"},
                        }
                    )
                },
            },
            "MISSING_FIELDS",
            "partner_insights.fico.ultrafico_score_requests[0].base_fico_score.bureau",
        ),
        ({"third_party_user_token": "t"}, "MISSING_FIELDS", "user_id"),
        ({}, "MISSING_FIELDS", "user_id"),
        ({"user_id": "u", "user": "x"}, "UNKNOWN_FIELDS", "user"),
        (
            {"user_id": "u", "partner_insights": {"prism_versions": {"cash_score": "4"}}},
            "UNKNOWN_FIELDS",
            "partner_insights.prism_versions.cash_score",
        ),
    ],
    ids=lambda value: value if isinstance(value, str) else None,
)
def test_invalid_fields_are_named(call: Any, error_validator: Draft7Validator, body: Any, code: str, path: str) -> None:
    error = assert_error(call(body), 400, "INVALID_REQUEST", code, error_validator)
    assert path in error["error_message"]


def test_unknown_route_and_method(
    http: httpx.Client, local_sandbox: LocalSandbox, error_validator: Draft7Validator
) -> None:
    missing = http.post("/cra/check_report/partner_insights/list", json={}, headers=local_sandbox.headers)
    assert_error(missing, 404, "INVALID_REQUEST", "NOT_FOUND", error_validator)
    wrong_method = http.get(local_sandbox.endpoint, headers=local_sandbox.headers)
    assert_error(wrong_method, 405, "INVALID_REQUEST", "INVALID_HTTP_METHOD", error_validator)
    assert wrong_method.headers["allow"] == "POST"


@pytest.mark.parametrize(("version", "code"), [(None, "MISSING_FIELDS"), ("2019-05-29", "INVALID_FIELD")])
def test_plaid_version_header_is_required(
    call: Any, local_sandbox: LocalSandbox, error_validator: Draft7Validator, version: str | None, code: str
) -> None:
    headers = {k: v for k, v in local_sandbox.headers.items() if k != "Plaid-Version"}
    if version is not None:
        headers["Plaid-Version"] = version
    error = assert_error(
        call({"user_id": DEMO_USER_ID}, headers=headers), 400, "INVALID_REQUEST", code, error_validator
    )
    assert "Plaid-Version" in error["error_message"]


# ------------------------------------------------------------------------------------------------ hostile input


def hostile_bodies() -> Iterator[tuple[str, bytes, int]]:
    """(name, body, expected status): hostile in size or shape; only the last one is valid per the spec."""
    yield "over-1MiB", json.dumps({"user_id": "u", "client_report_id": "x" * (1024 * 1024)}).encode(), 413
    yield "deep-array", b"[" * 200_000 + b"]" * 200_000, 400
    yield (
        "deep-object-in-field",
        b'{"user_id": "u", "user_tier": ' + b'{"a":' * 50_000 + b"1" + b"}" * 50_000 + b"}",
        400,
    )
    yield (
        "deep-allowed-place",
        b'{"user_id": "u", "partner_insights": {"fico": ' + b"[" * 5000 + b"]" * 5000 + b"}}",
        400,
    )
    yield "many-keys", json.dumps({f"k{i}": i for i in range(60_000)}).encode(), 400
    yield (
        "many-bad-score-requests",
        json.dumps({"user_id": "u", "partner_insights": {"fico": fico(*[score_request(score="x")] * 5_000)}}).encode(),  # type: ignore[arg-type]
        400,
    )
    yield "huge-float", b'{"user_id": 1e999999}', 400
    yield "huge-unknown-key", json.dumps({"user_id": "u", "k" * 500_000: 1}).encode(), 400
    yield "nul-in-key", b'{"user_id": "u", "\\u0000": 1}', 400
    # A 4000-digit base score is a valid JSON integer: a report comes back, with a reason instead of a score.
    yield (
        "huge-integer",
        json.dumps({"user_id": "u", "partner_insights": {"fico": fico(score_request(int("9" * 4000)))}}).encode(),
        200,
    )


HOSTILE = list(hostile_bodies())


@pytest.mark.parametrize(("name", "content", "status"), HOSTILE, ids=[name for name, _, _ in HOSTILE])
def test_hostile_bodies_get_no_5xx_and_the_server_keeps_serving(
    http: httpx.Client,
    local_sandbox: LocalSandbox,
    error_validator: Draft7Validator,
    response_validator: Draft7Validator,
    name: str,
    content: bytes,
    status: int,
) -> None:
    headers = {**local_sandbox.headers, "Content-Type": "application/json"}
    response = http.post(local_sandbox.endpoint, content=content, headers=headers)
    assert response.status_code == status, response.text[:500]
    if status != 200:
        error_validator.validate(response.json())
        assert len(response.content) < 4096  # the error names the problem without echoing the body back
    else:
        result = response.json()["report"]["fico"]["ultrafico_score_results"][0]
        assert result["ultrafico_score"] is None
        assert result["error_reason"]
    demo = http.post(local_sandbox.endpoint, json={"user_id": DEMO_USER_ID}, headers=local_sandbox.headers)
    assert_valid_report(demo, response_validator)


def test_oversized_chunked_body_is_refused_while_streaming(
    http: httpx.Client, local_sandbox: LocalSandbox, error_validator: Draft7Validator
) -> None:
    def chunks() -> Iterator[bytes]:  # no Content-Length: the limit must hold while reading
        yield b'{"user_id": "u", "client_report_id": "'
        for _ in range(40):
            yield b"x" * 65536
        yield b'"}'

    headers = {**local_sandbox.headers, "Content-Type": "application/json"}
    response = http.post(local_sandbox.endpoint, content=chunks(), headers=headers)
    assert_error(response, 413, "INVALID_REQUEST", "INVALID_BODY", error_validator)


# ------------------------------------------------------------------------------------------------ sandbox users

ERROR_USERS = [
    (NOT_READY_USER_ID, 400, "CONSUMER_REPORT_ERROR", "PRODUCT_NOT_READY"),
    (EXPIRED_USER_ID, 400, "CONSUMER_REPORT_ERROR", "CONSUMER_REPORT_EXPIRED"),
    (NO_REPORT_USER_ID, 400, "CONSUMER_REPORT_ERROR", "CONSUMER_REPORT_NOT_FOUND"),
    (DATA_UNAVAILABLE_USER_ID, 400, "CHECK_REPORT_ERROR", "DATA_UNAVAILABLE"),
    (RATE_LIMITED_USER_ID, 429, "RATE_LIMIT_EXCEEDED", "RATE_LIMIT"),
    (SERVER_ERROR_USER_ID, 500, "API_ERROR", "INTERNAL_SERVER_ERROR"),
]


@pytest.mark.parametrize(("user", "status", "error_type", "code"), ERROR_USERS, ids=[u[0] for u in ERROR_USERS])
@pytest.mark.parametrize("field", ["user_id", "user_token"])
def test_error_users(
    call: Any,
    spec: dict[str, Any],
    error_validator: Draft7Validator,
    field: str,
    user: str,
    status: int,
    error_type: str,
    code: str,
) -> None:
    first = assert_error(call({field: user}), status, error_type, code, error_validator)
    second = assert_error(call({field: user}), status, error_type, code, error_validator)
    assert set(spec["components"]["schemas"]["PlaidError"]["required"]) <= first.keys()
    assert first["request_id"] != second["request_id"]
    assert {k: v for k, v in first.items() if k != "request_id"} == {
        k: v for k, v in second.items() if k != "request_id"
    }


def test_rate_limited_user_gets_retry_after(call: Any) -> None:
    response = call({"user_id": RATE_LIMITED_USER_ID})
    assert response.status_code == 429
    assert int(response.headers["retry-after"]) >= 1


def test_data_unavailable_names_the_failing_item(call: Any, spec: dict[str, Any]) -> None:
    causes = call({"user_id": DATA_UNAVAILABLE_USER_ID}).json()["causes"]
    assert causes
    for cause in causes:
        assert set(spec["components"]["schemas"]["Cause"]["required"]) <= cause.keys()
        assert cause["item_id"]
        assert (cause["error_type"], cause["error_code"]) == ("ITEM_ERROR", "ITEM_LOGIN_REQUIRED")


def test_demo_report_is_rich(call: Any, response_validator: Draft7Validator) -> None:
    body = assert_valid_report(call({"user_id": DEMO_USER_ID}), response_validator)
    report = body["report"]
    assert set(PRODUCT_KEYS.values()) <= report["prism"].keys()
    assert report["prism"]["status"] == "SUCCESS"
    accounts = [account for item in report["items"] for account in item["accounts"]]
    assert len(report["items"]) >= 2
    assert len(accounts) >= 2
    assert all(item["item_id"] and item["institution_name"] for item in report["items"])
    for account in accounts:
        assert account["owners"]
        assert account["owners"][0]["names"]
    # The second Item's transactions were unavailable: no date range, and a warning naming that Item.
    assert all(a["metadata"]["start_date"] < a["metadata"]["end_date"] for a in report["items"][0]["accounts"])
    assert all(a["metadata"]["start_date"] is None for a in report["items"][1]["accounts"])
    assert [(w["warning_code"], w["cause"]["item_id"]) for w in body["warnings"]] == [
        ("TRANSACTIONS_UNAVAILABLE", report["items"][1]["item_id"])
    ]
    # Its report was created with an UltraFICO configuration: results without asking.
    assert [r["ultrafico_score"]["score"] > 0 for r in report["fico"]["ultrafico_score_results"]] == [True, True]


def test_warnings_user(call: Any, response_validator: Draft7Validator) -> None:
    body = assert_valid_report(call({"user_id": WARNINGS_USER_ID}), response_validator)
    assert body["warnings"]
    item_ids = {item["item_id"] for item in body["report"]["items"]}
    for warning in body["warnings"]:
        assert warning["warning_type"] == "CHECK_REPORT_WARNING"
        assert warning["cause"]["item_id"] in item_ids
    assert any(w["warning_code"] == "IDENTITY_UNAVAILABLE" for w in body["warnings"])


def test_no_prism_user_has_no_prism_even_when_asked(call: Any, response_validator: Draft7Validator) -> None:
    body = {"user_id": NO_PRISM_USER_ID, "partner_insights": {"prism_versions": {"cashscore": "4"}}}
    report = assert_valid_report(call(body), response_validator)["report"]
    assert "prism" not in report
    assert report["items"]


# ------------------------------------------------------------------------------------------------ reports


@pytest.mark.parametrize(
    "user", [user.user_id for user in EMULATOR_USERS if user.outcome in REPORT_OUTCOMES] + ["user-sandbox-6a1e"]
)
def test_reports_are_deterministic(call: Any, user: str) -> None:
    body = {"user_id": user, "partner_insights": {"fico": fico(score_request(), score_request(650, "corr-2"))}}
    first, second = call(body).json(), call(copy.deepcopy(body)).json()
    assert first["request_id"] != second["request_id"]
    assert first["report"] == second["report"]
    assert first["warnings"] == second["warnings"]


def test_different_users_get_different_reports(call: Any) -> None:
    reports = [call({"user_id": f"usr_seed_{i}"}).json()["report"] for i in range(5)]
    assert len({json.dumps(report, sort_keys=True) for report in reports}) == 5


def test_user_token_and_user_id_name_the_same_user(call: Any) -> None:
    assert call({"user_id": "usr_same"}).json()["report"] == call({"user_token": "usr_same"}).json()["report"]


@pytest.fixture(scope="module")
def every_version() -> list[tuple[str, str]]:
    return [(product.request_key, version) for product in _spec.prism_products() for version in product.versions]


def test_requested_versions_are_echoed(
    call: Any, every_version: list[tuple[str, str]], response_validator: Draft7Validator
) -> None:
    assert len(every_version) >= 12
    for product, version in every_version:
        for holder in ("partner_insights", "options"):
            body = {"user_id": "usr_versions", holder: {"prism_versions": {product: version}}}
            prism = assert_valid_report(call(body), response_validator)["report"]["prism"]
            assert prism[PRODUCT_KEYS[product]]["model_version"] == version, (holder, product, version)


def test_partner_insights_versions_win_over_options(call: Any) -> None:
    body = {
        "user_id": "usr_versions",
        "options": {"prism_versions": {"cashscore": "3", "insights": "3"}},
        "partner_insights": {"prism_versions": {"cashscore": "4.1"}},
    }
    prism = call(body).json()["report"]["prism"]
    assert prism["cash_score"]["model_version"] == "4.1"
    assert prism["insights"]["model_version"] == "3"


def test_deprecated_prism_products_is_accepted_and_ignored(call: Any) -> None:
    plain = call({"user_id": "usr_products"}).json()["report"]
    with_products = call({"user_id": "usr_products", "options": {"prism_products": ["insights"]}}).json()["report"]
    assert with_products == plain


def test_prism_scores_stay_in_range(call: Any) -> None:
    every = {product.request_key: _spec.latest_version(product.versions) for product in _spec.prism_products()}
    results = _spec.schema("CraPartnerInsightsPrism")["properties"]
    scored = [key for key, prop in results.items() if "score" in _spec.resolve(prop)[0].get("properties", {})]
    assert len(scored) >= 4
    for i in range(40):
        prism = call({"user_id": f"usr_range_{i}", "partner_insights": {"prism_versions": every}}).json()["report"][
            "prism"
        ]
        for key in scored:
            assert 1 <= prism[key]["score"] <= 999, (i, key)


def test_fico_results_echo_correlation_ids_and_stay_in_range(call: Any, response_validator: Draft7Validator) -> None:
    requests = [score_request(300 + 55 * i, f"corr-{i}") for i in range(10)] + [score_request(850, None)]
    body = {"user_id": DEMO_USER_ID, "partner_insights": {"fico": fico(*requests)}}
    result = assert_valid_report(call(body), response_validator)["report"]["fico"]
    assert result["lender_application_id"] == "app-42"
    results = result["ultrafico_score_results"]
    assert [r.get("request_correlation_id") for r in results] == [r.get("request_correlation_id") for r in requests]
    for request, outcome in zip(requests, results, strict=True):
        score = outcome["ultrafico_score"]["score"]
        assert 300 <= score <= 850
        assert score >= request["base_fico_score"]["score"]
    assert result["report_characteristics"]["num_accounts"] >= 1


def test_fico_base_score_outside_range_gives_a_reason_not_a_score(
    call: Any, response_validator: Draft7Validator
) -> None:
    body = {
        "user_id": "usr_fico",
        "partner_insights": {"fico": fico(score_request(9000, "big"), score_request(-1, "neg"))},
    }
    results = assert_valid_report(call(body), response_validator)["report"]["fico"]["ultrafico_score_results"]
    assert [result.get("request_correlation_id") for result in results] == ["big", "neg"]
    for result in results:
        assert result["ultrafico_score"] is None
        assert result["error_reason"]


# ------------------------------------------------------------------------------------------------ new clients


@pytest.fixture(scope="module")
def new_client_sandbox() -> Iterator[str]:
    with EmulatorServer(port=0, new_client=True) as server:
        yield server.url


@pytest.mark.parametrize(
    "extra",
    [
        {"partner_insights": {"prism_versions": {"cashscore": "4"}}},
        {"partner_insights": {}},
        {"options": {"prism_versions": {"cashscore": "4"}}},
        {"options": {"prism_products": ["scores"]}},
    ],
)
def test_new_client_refuses_request_time_configuration(
    new_client_sandbox: str, error_validator: Draft7Validator, extra: dict[str, Any]
) -> None:
    headers = {"PLAID-CLIENT-ID": "any", "PLAID-SECRET": "any", "Plaid-Version": "2020-09-14"}
    url = f"{new_client_sandbox}/cra/check_report/partner_insights/get"
    response = httpx.post(url, json={"user_id": DEMO_USER_ID, **extra}, headers=headers)
    error = assert_error(response, 400, "INVALID_REQUEST", "INVALID_FIELD", error_validator)
    assert next(iter(extra)) in error["error_message"]
    assert "/cra/check_report/create" in error["error_message"]


def test_new_client_still_gets_reports(new_client_sandbox: str, response_validator: Draft7Validator) -> None:
    headers = {"PLAID-CLIENT-ID": "any", "PLAID-SECRET": "any", "Plaid-Version": "2020-09-14"}
    url = f"{new_client_sandbox}/cra/check_report/partner_insights/get"
    body = assert_valid_report(
        httpx.post(url, json={"user_id": DEMO_USER_ID, "options": None}, headers=headers), response_validator
    )
    assert set(PRODUCT_KEYS.values()) <= body["report"]["prism"].keys()
