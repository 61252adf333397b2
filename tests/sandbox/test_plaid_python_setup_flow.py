"""plaid-python (Plaid's official SDK) walks the whole setup flow against the local sandbox.

user -> sandbox Item -> exchange -> report -> Partner Insights: `PRODUCT_NOT_READY` first, the READY webhook on
a loopback receiver, then 200. plaid-python's strict models read every answer, so this proves the setup
endpoints speak Plaid's wire format. It is installed only by the nox `tests` session; elsewhere this is skipped.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest

from plaid_partner_insights.sandbox import SandboxServer, SetupSettings
from tests.sandbox.webhooks import WebhookReceiver

plaid = pytest.importorskip("plaid", reason="plaid-python is installed only by the nox `tests` session")

from plaid.api import plaid_api  # noqa: E402
from plaid.model.client_user_identity import ClientUserIdentity  # noqa: E402
from plaid.model.client_user_identity_address import ClientUserIdentityAddress  # noqa: E402
from plaid.model.client_user_identity_email import ClientUserIdentityEmail  # noqa: E402
from plaid.model.client_user_identity_name import ClientUserIdentityName  # noqa: E402
from plaid.model.client_user_identity_phone_number import ClientUserIdentityPhoneNumber  # noqa: E402
from plaid.model.consumer_report_permissible_purpose import ConsumerReportPermissiblePurpose  # noqa: E402
from plaid.model.cra_check_report_create_request import CraCheckReportCreateRequest  # noqa: E402
from plaid.model.cra_check_report_failed_webhook import CraCheckReportFailedWebhook  # noqa: E402
from plaid.model.cra_check_report_partner_insights_get_request import (  # noqa: E402
    CraCheckReportPartnerInsightsGetRequest,
)
from plaid.model.cra_user_check_report_failed_webhook import CraUserCheckReportFailedWebhook  # noqa: E402
from plaid.model.cra_user_check_report_ready_webhook import CraUserCheckReportReadyWebhook  # noqa: E402
from plaid.model.id_number_type import IDNumberType  # noqa: E402
from plaid.model.item_public_token_exchange_request import ItemPublicTokenExchangeRequest  # noqa: E402
from plaid.model.products import Products  # noqa: E402
from plaid.model.sandbox_public_token_create_request import SandboxPublicTokenCreateRequest  # noqa: E402
from plaid.model.sandbox_public_token_create_request_options import (  # noqa: E402
    SandboxPublicTokenCreateRequestOptions,
)
from plaid.model.sandbox_user_fire_webhook_code import SandboxUserFireWebhookCode  # noqa: E402
from plaid.model.sandbox_user_fire_webhook_request import SandboxUserFireWebhookRequest  # noqa: E402
from plaid.model.sandbox_user_fire_webhook_type import SandboxUserFireWebhookType  # noqa: E402
from plaid.model.user_create_request import UserCreateRequest  # noqa: E402
from plaid.model.user_id_number import UserIDNumber  # noqa: E402
from plaid.model_utils import validate_and_convert_types  # noqa: E402

CLIENT_ID, SECRET = "peer-flow-client", "peer-flow-secret"
DELAY = 60.0
NOW = [0.0]  # the sandbox's clock: a report gets ready when the test moves it past DELAY


@pytest.fixture(scope="module")
def api() -> Iterator[Any]:
    settings = SetupSettings(report_delay=DELAY, clock=lambda: NOW[0])
    with SandboxServer(port=0, client_id=CLIENT_ID, secret=SECRET, setup=settings) as server:
        configuration = plaid.Configuration(host=server.url, api_key={"clientId": CLIENT_ID, "secret": SECRET})
        with plaid.ApiClient(configuration) as client:
            yield plaid_api.PlaidApi(client)


def read_with_plaid_model(body: dict[str, Any], model: type) -> Any:
    """`body` as plaid-python deserializes it into `model` (a missing required field raises)."""
    return validate_and_convert_types(body, (model,), ["webhook"], True, True, configuration=plaid.Configuration())


def identity() -> Any:
    return ClientUserIdentity(
        name=ClientUserIdentityName(given_name="Avery", family_name="Okafor"),
        emails=[ClientUserIdentityEmail(data="avery@example.com", primary=True)],
        phone_numbers=[ClientUserIdentityPhoneNumber(data="+13125551212", primary=True)],
        addresses=[
            ClientUserIdentityAddress(
                street_1="3200 W Armitage Ave",
                city="Chicago",
                region="IL",
                postal_code="60657",
                country="US",
                primary=True,
            )
        ],
        id_numbers=[UserIDNumber(value="1234", type=IDNumberType("us_ssn_last_4"))],
    )


def test_plaid_python_walks_user_item_report_insights(api: Any) -> None:
    first = api.user_create(UserCreateRequest(client_user_id="peer-flow-user", identity=identity()))
    again = api.user_create(UserCreateRequest(client_user_id="peer-flow-user"))
    user_id = first.user_id
    assert user_id.startswith("usr_")
    assert again.user_id == user_id

    created = api.sandbox_public_token_create(
        SandboxPublicTokenCreateRequest(
            institution_id="ins_109508",
            initial_products=[Products("cra_base_report"), Products("cra_partner_insights")],
            user_id=user_id,
            options=SandboxPublicTokenCreateRequestOptions(
                override_username="user_credit_profile_good", override_password="pass_good"
            ),
        )
    )
    exchanged = api.item_public_token_exchange(ItemPublicTokenExchangeRequest(public_token=created.public_token))
    assert exchanged.access_token.startswith("access-sandbox-")

    with WebhookReceiver() as receiver:
        api.cra_check_report_create(
            CraCheckReportCreateRequest(
                user_id=user_id,
                webhook=receiver.url,
                days_requested=365,
                consumer_report_permissible_purpose=ConsumerReportPermissiblePurpose("ACCOUNT_REVIEW_CREDIT"),
                products=[Products("cra_partner_insights")],
            )
        )
        get = CraCheckReportPartnerInsightsGetRequest(user_id=user_id)
        with pytest.raises(plaid.ApiException) as not_ready:
            api.cra_check_report_partner_insights_get(get)
        assert not_ready.value.status == 400
        assert json.loads(not_ready.value.body)["error_code"] == "PRODUCT_NOT_READY"
        NOW[0] += DELAY
        webhook = receiver.next()
    assert (webhook["webhook_code"], webhook["user_id"]) == ("USER_CHECK_REPORT_READY", user_id)
    assert exchanged.item_id in webhook["item_ids"]
    assert read_with_plaid_model(webhook, CraUserCheckReportReadyWebhook).user_id == user_id

    response = api.cra_check_report_partner_insights_get(CraCheckReportPartnerInsightsGetRequest(user_id=user_id))
    assert response.request_id
    assert response.to_dict()["report"]["prism"]


def test_plaid_python_sees_user_not_found_for_an_unknown_user(api: Any) -> None:
    with pytest.raises(plaid.ApiException) as raised:
        api.sandbox_public_token_create(
            SandboxPublicTokenCreateRequest(
                institution_id="ins_109508", initial_products=[Products("cra_base_report")], user_id="usr_ghost"
            )
        )
    body = json.loads(raised.value.body)
    assert (raised.value.status, body["error_type"], body["error_code"]) == (400, "USER_ERROR", "USER_NOT_FOUND")


def test_plaid_python_reads_the_failed_webhook_of_a_user_without_items(api: Any) -> None:
    user_id = api.user_create(UserCreateRequest(client_user_id="peer-no-items")).user_id
    with WebhookReceiver() as receiver:
        api.cra_check_report_create(
            CraCheckReportCreateRequest(
                user_id=user_id,
                webhook=receiver.url,
                days_requested=365,
                consumer_report_permissible_purpose=ConsumerReportPermissiblePurpose("ACCOUNT_REVIEW_CREDIT"),
                products=[Products("cra_partner_insights")],
            )
        )
        NOW[0] += DELAY
        webhook = receiver.next()
    failed = read_with_plaid_model(webhook, CraUserCheckReportFailedWebhook)
    assert (failed.webhook_code, failed.user_id) == ("USER_CHECK_REPORT_FAILED", user_id)
    assert (str(failed.error.error_type), failed.error.error_code) == ("CHECK_REPORT_ERROR", "NO_ACCOUNTS")
    assert failed.repairable_items == []
    assert [str(product) for product in failed.failed_products] == ["cra_base_report", "cra_partner_insights"]


def test_plaid_python_reads_a_fired_check_report_failed_with_repairable_items(api: Any) -> None:
    user_id = api.user_create(UserCreateRequest(client_user_id="peer-fire-failed")).user_id
    created = api.sandbox_public_token_create(
        SandboxPublicTokenCreateRequest(
            institution_id="ins_109508", initial_products=[Products("cra_base_report")], user_id=user_id
        )
    )
    item_id = api.item_public_token_exchange(ItemPublicTokenExchangeRequest(public_token=created.public_token)).item_id
    with WebhookReceiver() as receiver:
        api.sandbox_user_fire_webhook(
            SandboxUserFireWebhookRequest(
                user_id=user_id,
                webhook_type=SandboxUserFireWebhookType("CHECK_REPORT"),
                webhook_code=SandboxUserFireWebhookCode("CHECK_REPORT_FAILED"),
                webhook=receiver.url,
            )
        )
        webhook = receiver.next()
    failed = read_with_plaid_model(webhook, CraCheckReportFailedWebhook)
    assert failed.error.error_code == "DATA_UNAVAILABLE"
    assert [(item.item_id, item.error_code) for item in failed.repairable_items] == [(item_id, "ITEM_LOGIN_REQUIRED")]


def test_plaid_python_refuses_a_failed_webhook_without_its_required_fields() -> None:
    # The check above can fail: plaid-python 46 requires `error` (and `repairable_items`, `failed_products`).
    body = {
        "webhook_type": "CHECK_REPORT",
        "webhook_code": "CHECK_REPORT_FAILED",
        "user_id": "u",
        "environment": "sandbox",
    }
    with pytest.raises(TypeError, match="error"):
        read_with_plaid_model(body, CraCheckReportFailedWebhook)
