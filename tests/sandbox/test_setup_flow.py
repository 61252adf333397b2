"""The local emulator's setup flow, over loopback HTTP: users, Items, reports that get ready, webhooks, expiry."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from plaid_partner_insights_generated.testing import sandbox_setup_models as models

from plaid_partner_insights import ConsumerReportError, PartnerInsightsClient
from plaid_partner_insights.testing.emulator import DEMO_USER_ID, EmulatorServer, SetupSettings
from tests.sandbox.webhooks import WebhookReceiver

HEADERS = {"PLAID-CLIENT-ID": "flow-client", "PLAID-SECRET": "flow-secret", "Plaid-Version": "2020-09-14"}
IDENTITY = {
    "name": {"given_name": "Rowan", "family_name": "Test"},
    "date_of_birth": "1990-05-04",
    "emails": [{"data": "rowan@example.com", "primary": True}],
    "phone_numbers": [{"data": "+13125550100", "primary": True}],
    "addresses": [
        {
            "street_1": "1 Main St",
            "city": "Chicago",
            "region": "IL",
            "postal_code": "60601",
            "country": "US",
            "primary": True,
        }
    ],
}
LEGACY_IDENTITY = {
    "first_name": "Rowan",
    "last_name": "Test",
    "phone_numbers": ["+13125550100"],
    "emails": ["rowan@example.com"],
    "date_of_birth": "1990-05-04",
    "primary_address": {
        "street": "1 Main St",
        "city": "Chicago",
        "region": "IL",
        "postal_code": "60601",
        "country": "US",
    },
}
DELAY = 60.0  # seconds of the module's manual clock: reports get ready only when a test moves it on


class ManualClock:
    """Time that moves only when the test says so."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


CLOCK = ManualClock()


class Flow:
    """Raw HTTP calls to one sandbox, so the tests see statuses and bodies exactly."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.http = httpx.Client(base_url=url, headers=HEADERS, timeout=10)

    def post(self, path: str, body: dict[str, Any]) -> httpx.Response:
        return self.http.post(path, json=body)

    def user(self, client_user_id: str) -> str:
        response = self.post("/user/create", {"client_user_id": client_user_id, "identity": IDENTITY})
        assert response.status_code in (200, 201), response.text
        return str(response.json()["user_id"])

    def item(self, **identity: str) -> str:
        created = self.post(
            "/sandbox/public_token/create",
            {
                "institution_id": "ins_109508",
                "initial_products": ["cra_base_report", "cra_partner_insights"],
                "options": {"override_username": "user_credit_profile_good", "override_password": "pass_good"},
                **identity,
            },
        )
        assert created.status_code == 200, created.text
        exchanged = self.post("/item/public_token/exchange", {"public_token": created.json()["public_token"]})
        assert exchanged.status_code == 200, exchanged.text
        return str(exchanged.json()["item_id"])

    def report(self, webhook: str, **identity: Any) -> httpx.Response:
        return self.post(
            "/cra/check_report/create",
            {
                "webhook": webhook,
                "days_requested": 365,
                "consumer_report_permissible_purpose": "ACCOUNT_REVIEW_CREDIT",
                "products": ["cra_partner_insights"],
                **identity,
            },
        )

    def insights(self, **identity: str) -> httpx.Response:
        return self.post("/cra/check_report/partner_insights/get", identity)


@pytest.fixture(scope="module")
def flow_server() -> Iterator[EmulatorServer]:
    settings = SetupSettings(report_delay=DELAY, report_lifetime=24 * 3600, clock=CLOCK)
    with EmulatorServer(port=0, setup=settings) as server:
        yield server


@pytest.fixture
def flow(flow_server: EmulatorServer) -> Iterator[Flow]:
    flow = Flow(flow_server.url)
    yield flow
    flow.http.close()


@pytest.fixture
def receiver() -> Iterator[WebhookReceiver]:
    with WebhookReceiver() as receiver:
        yield receiver


def error(response: httpx.Response) -> tuple[int, str, str]:
    body = response.json()
    return response.status_code, body["error_type"], body["error_code"]


def test_user_create_is_idempotent_per_client_user_id(flow: Flow) -> None:
    first = flow.post("/user/create", {"client_user_id": "idem-1", "identity": IDENTITY})
    again = flow.post("/user/create", {"client_user_id": "idem-1"})
    other = flow.post("/user/create", {"client_user_id": "idem-2"})
    assert (first.status_code, again.status_code, other.status_code) == (201, 200, 201)
    assert first.json()["user_id"] == again.json()["user_id"] != other.json()["user_id"]
    assert first.json()["user_id"].startswith("usr_")
    assert "user_token" not in first.json()
    models.UserCreateResponse.model_validate(first.json())


def test_older_user_api_gets_a_token_and_refuses_a_repeat(flow: Flow) -> None:
    body = {"client_user_id": "legacy-1", "consumer_report_user_identity": LEGACY_IDENTITY}
    first = flow.post("/user/create", body)
    assert first.status_code == 201
    assert first.json()["user_token"].startswith("user-sandbox-")
    assert not first.json()["user_id"].startswith("usr_")
    repeat = flow.post("/user/create", body)
    assert error(repeat) == (400, "INVALID_REQUEST", "INVALID_FIELD")
    assert "client_user_id" in repeat.json()["error_message"]
    upgraded = flow.post("/user/create", {**body, "client_user_id": "legacy-2", "with_upgraded_user": True})
    assert upgraded.json()["user_id"].startswith("usr_")


def test_unknown_users_get_the_documented_400(flow: Flow) -> None:
    unknown = flow.post(
        "/sandbox/public_token/create",
        {"institution_id": "ins_109508", "initial_products": ["cra_base_report"], "user_id": "usr_nobody"},
    )
    assert error(unknown) == (400, "USER_ERROR", "USER_NOT_FOUND")
    assert error(flow.report("http://127.0.0.1:9/x", user_id="usr_nobody")) == (400, "USER_ERROR", "USER_NOT_FOUND")
    not_an_id = flow.report("http://127.0.0.1:9/x", user_id="my-client-user-id")
    assert error(not_an_id) == (400, "INVALID_INPUT", "INVALID_USER_ID")
    bad_token = flow.report("http://127.0.0.1:9/x", user_token="user-sandbox-nope")
    assert error(bad_token) == (400, "INVALID_INPUT", "INVALID_USER_TOKEN")


def test_cra_items_need_a_user_and_tokens_are_single_use(flow: Flow) -> None:
    orphan = flow.post(
        "/sandbox/public_token/create", {"institution_id": "ins_109508", "initial_products": ["cra_base_report"]}
    )
    assert error(orphan) == (400, "INVALID_REQUEST", "MISSING_FIELDS")
    assert "user_id" in orphan.json()["error_message"]
    plain = flow.post("/sandbox/public_token/create", {"institution_id": "ins_109508", "initial_products": ["auth"]})
    token = plain.json()["public_token"]
    assert flow.post("/item/public_token/exchange", {"public_token": token}).status_code == 200
    reused = flow.post("/item/public_token/exchange", {"public_token": token})
    assert error(reused) == (400, "INVALID_INPUT", "INVALID_PUBLIC_TOKEN")


def test_whole_flow_not_ready_then_webhook_then_report(flow: Flow, receiver: WebhookReceiver) -> None:
    user_id = flow.user("whole-flow")
    item_id = flow.item(user_id=user_id)
    created = flow.report(receiver.url, user_id=user_id)
    assert created.status_code == 200
    assert set(created.json()) == {"request_id"}
    assert error(flow.insights(user_id=user_id)) == (400, "CONSUMER_REPORT_ERROR", "PRODUCT_NOT_READY")
    CLOCK.advance(DELAY - 1)
    assert error(flow.insights(user_id=user_id))[2] == "PRODUCT_NOT_READY"
    assert receiver.received.empty()
    CLOCK.advance(1)
    webhook = receiver.next()
    ready = models.CraUserCheckReportReadyWebhook.model_validate(webhook)
    assert (ready.webhook_type, ready.webhook_code, ready.user_id) == (
        "CHECK_REPORT",
        "USER_CHECK_REPORT_READY",
        user_id,
    )
    assert ready.environment == models.WebhookEnvironmentValues.SANDBOX
    assert [p.value for p in ready.successful_products or []] == ["cra_base_report", "cra_partner_insights"]
    assert ready.item_ids == [item_id]
    with PartnerInsightsClient(client_id="flow-client", secret="flow-secret", base_url=flow.url) as client:
        report = client.partner_insights.get(user_id=user_id)
    assert report.to_dict()["report"]["prism"]


def test_legacy_user_gets_check_report_ready(flow: Flow, receiver: WebhookReceiver) -> None:
    created = flow.post(
        "/user/create", {"client_user_id": "legacy-flow", "consumer_report_user_identity": LEGACY_IDENTITY}
    ).json()
    flow.item(user_token=created["user_token"])
    assert flow.report(receiver.url, user_token=created["user_token"]).status_code == 200
    CLOCK.advance(DELAY)
    webhook = receiver.next()
    assert (webhook["webhook_code"], webhook["user_id"]) == ("CHECK_REPORT_READY", created["user_id"])
    assert flow.insights(user_token=created["user_token"]).status_code == 200


def test_a_user_without_items_gets_a_failed_report(flow: Flow, receiver: WebhookReceiver) -> None:
    user_id = flow.user("no-items")
    assert error(flow.insights(user_id=user_id)) == (400, "CONSUMER_REPORT_ERROR", "CONSUMER_REPORT_NOT_FOUND")
    flow.report(receiver.url, user_id=user_id)
    CLOCK.advance(DELAY)
    webhook = receiver.next()
    models.CraUserCheckReportFailedWebhook.model_validate(webhook)
    assert webhook["webhook_code"] == "USER_CHECK_REPORT_FAILED"
    # Why it failed, the same error the report's get call answers; no Items, so nothing to repair.
    assert (webhook["error"]["error_type"], webhook["error"]["error_code"]) == ("CHECK_REPORT_ERROR", "NO_ACCOUNTS")
    assert webhook["error"]["error_message"]
    assert webhook["repairable_items"] == []
    assert webhook["failed_products"] == ["cra_base_report", "cra_partner_insights"]
    assert error(flow.insights(user_id=user_id)) == (400, "CHECK_REPORT_ERROR", "NO_ACCOUNTS")


def test_a_legacy_user_without_items_gets_check_report_failed(flow: Flow, receiver: WebhookReceiver) -> None:
    created = flow.post(
        "/user/create", {"client_user_id": "legacy-no-items", "consumer_report_user_identity": LEGACY_IDENTITY}
    ).json()
    flow.report(receiver.url, user_token=created["user_token"])
    CLOCK.advance(DELAY)
    webhook = receiver.next()
    models.CraCheckReportFailedWebhook.model_validate(webhook)
    assert (webhook["webhook_code"], webhook["user_id"]) == ("CHECK_REPORT_FAILED", created["user_id"])
    assert (webhook["error"]["error_code"], webhook["repairable_items"]) == ("NO_ACCOUNTS", [])


def test_reports_expire_after_their_lifetime(receiver: WebhookReceiver) -> None:
    clock = ManualClock()
    settings = SetupSettings(report_delay=0, report_lifetime=24 * 3600, clock=clock)
    with EmulatorServer(port=0, setup=settings) as server:
        flow = Flow(server.url)
        user_id = flow.user("expiring")
        flow.item(user_id=user_id)
        flow.report(receiver.url, user_id=user_id)
        receiver.next()
        clock.now += 24 * 3600 - 1
        assert flow.insights(user_id=user_id).status_code == 200
        clock.now += 1
        assert error(flow.insights(user_id=user_id)) == (400, "CONSUMER_REPORT_ERROR", "CONSUMER_REPORT_EXPIRED")
        # A new report makes the user readable again.
        flow.report(receiver.url, user_id=user_id)
        receiver.next()
        assert flow.insights(user_id=user_id).status_code == 200
        flow.http.close()


def test_the_default_lifetime_is_24_hours() -> None:
    assert SetupSettings().report_lifetime == 24 * 60 * 60


def test_requests_are_validated_by_the_generated_models(flow: Flow) -> None:
    user_id = flow.user("validation")
    missing = flow.post(
        "/cra/check_report/create",
        {"user_id": user_id, "days_requested": 365, "consumer_report_permissible_purpose": "ACCOUNT_REVIEW_CREDIT"},
    )
    assert error(missing) == (400, "INVALID_REQUEST", "MISSING_FIELDS")
    assert "webhook" in missing.json()["error_message"]
    bad_enum = flow.report("http://127.0.0.1:9/x", user_id=user_id, consumer_report_permissible_purpose="FUN")
    assert error(bad_enum) == (400, "INVALID_REQUEST", "INVALID_FIELD")
    assert "consumer_report_permissible_purpose" in bad_enum.json()["error_message"]
    too_many_days = flow.report("http://127.0.0.1:9/x", user_id=user_id, days_requested=900)
    assert "days_requested" in too_many_days.json()["error_message"]
    unknown = flow.post("/user/create", {"client_user_id": "x", "favourite_colour": "green"})
    assert error(unknown) == (400, "INVALID_REQUEST", "UNKNOWN_FIELDS")
    assert "favourite_colour" in unknown.json()["error_message"]
    long_id = flow.post("/user/create", {"client_user_id": "x" * 129})
    assert "client_user_id" in long_id.json()["error_message"]
    not_a_url = flow.report("example.com/hook", user_id=user_id)
    assert error(not_a_url) == (400, "INVALID_REQUEST", "INVALID_FIELD")
    no_keys = httpx.post(
        f"{flow.url}/user/create", json={"client_user_id": "x"}, headers={"Plaid-Version": "2020-09-14"}
    )
    assert error(no_keys) == (400, "INVALID_REQUEST", "MISSING_FIELDS")


def test_fire_webhook_sends_the_chosen_code(flow: Flow, receiver: WebhookReceiver) -> None:
    user_id = flow.user("fire")
    fired = flow.post(
        "/sandbox/user/fire_webhook",
        {
            "user_id": user_id,
            "webhook_type": "CHECK_REPORT",
            "webhook_code": "USER_CHECK_REPORT_FAILED",
            "webhook": receiver.url,
        },
    )
    assert fired.status_code == 200
    models.SandboxUserFireWebhookResponse.model_validate(fired.json())
    assert fired.json()["webhook_fired"] is True
    webhook = receiver.next()
    models.CraUserCheckReportFailedWebhook.model_validate(webhook)
    assert (webhook["webhook_code"], webhook["error"]["error_code"]) == ("USER_CHECK_REPORT_FAILED", "NO_ACCOUNTS")
    # Only a notification: the user still has no report.
    assert error(flow.insights(user_id=user_id))[2] == "CONSUMER_REPORT_NOT_FOUND"


def test_a_fired_failure_lists_the_users_items_as_repairable(flow: Flow, receiver: WebhookReceiver) -> None:
    user_id = flow.user("fire-repairable")
    item_ids = [flow.item(user_id=user_id), flow.item(user_id=user_id)]
    fired = flow.post(
        "/sandbox/user/fire_webhook",
        {
            "user_id": user_id,
            "webhook_type": "CHECK_REPORT",
            "webhook_code": "CHECK_REPORT_FAILED",
            "webhook": receiver.url,
        },
    )
    assert fired.status_code == 200, fired.text
    webhook = receiver.next()
    models.CraCheckReportFailedWebhook.model_validate(webhook)
    assert (webhook["error"]["error_type"], webhook["error"]["error_code"]) == (
        "CHECK_REPORT_ERROR",
        "DATA_UNAVAILABLE",
    )
    assert [item["item_id"] for item in webhook["repairable_items"]] == item_ids
    assert {(item["error_type"], item["error_code"]) for item in webhook["repairable_items"]} == {
        ("ITEM_ERROR", "ITEM_LOGIN_REQUIRED")
    }


def test_fixed_users_and_seeded_ids_keep_working(flow: Flow) -> None:
    assert flow.insights(user_id=DEMO_USER_ID).status_code == 200
    assert flow.insights(user_id="usr_never_created_here").status_code == 200


def test_injected_failures_spare_the_setup_calls(flow_server: EmulatorServer, flow: Flow) -> None:
    flow_server.app.faults.add(1, status=503)
    user_id = flow.user("faults")
    assert error(flow.insights(user_id=DEMO_USER_ID)) == (503, "API_ERROR", "PLANNED_MAINTENANCE")
    assert user_id.startswith("usr_")


def test_setup_settings_refuse_bad_values() -> None:
    with pytest.raises(ValueError, match="report_delay must be a non-negative number"):
        SetupSettings(report_delay=-1)
    with pytest.raises(ValueError, match="report_lifetime"):
        SetupSettings(report_lifetime="1")  # type: ignore[arg-type]


def test_our_client_raises_product_not_ready_first(flow: Flow, receiver: WebhookReceiver) -> None:
    user_id = flow.user("client-view")
    flow.item(user_id=user_id)
    flow.report(receiver.url, user_id=user_id)
    with PartnerInsightsClient(client_id="flow-client", secret="flow-secret", base_url=flow.url) as client:
        with pytest.raises(ConsumerReportError) as raised:
            client.partner_insights.get(user_id=user_id)
        assert raised.value.error_code == "PRODUCT_NOT_READY"
        CLOCK.advance(DELAY)
        receiver.next()
        assert client.partner_insights.get(user_id=user_id).request_id


def test_product_options_on_create_are_validated_like_every_field(flow: Flow) -> None:
    user_id = flow.user("options")
    nowhere = "http://127.0.0.1:9/never-called"  # every body below is refused, so no report is started
    bad_version = flow.report(nowhere, user_id=user_id, cashflow_insights={"attributes_version": "v9"})
    assert error(bad_version) == (400, "INVALID_REQUEST", "INVALID_FIELD")
    assert "cashflow_insights.attributes_version" in bad_version.json()["error_message"]
    unknown = flow.report(nowhere, user_id=user_id, lend_score={"lend_score_version": "LS1", "colour": "red"})
    assert error(unknown) == (400, "INVALID_REQUEST", "UNKNOWN_FIELDS")
    assert "lend_score.colour" in unknown.json()["error_message"]
    missing = flow.report(nowhere, user_id=user_id, income_insights={"income_insights_filter": None})
    assert error(missing) == (400, "INVALID_REQUEST", "MISSING_FIELDS")
    assert "income_insights.income_insights_version" in missing.json()["error_message"]
    fico = {"fico_lender_id": "l", "lender_application_id": "a", "ultrafico_score_requests": [{}]}
    incomplete_fico = flow.report(nowhere, user_id=user_id, partner_insights={"fico": fico})
    assert error(incomplete_fico) == (400, "INVALID_REQUEST", "MISSING_FIELDS")
    assert "ultrafico_score_version" in incomplete_fico.json()["error_message"]
