"""plaid-python (Plaid's official SDK) walks the whole setup flow against the local emulator.

user -> sandbox Item -> exchange -> report -> Partner Insights: `PRODUCT_NOT_READY` first, the READY webhook on
a loopback receiver, then 200. plaid-python's strict models read every answer, so this proves the setup
endpoints speak Plaid's wire format. It is installed only by the nox `tests` session; elsewhere this is skipped.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
from plaid_partner_insights_generated.testing import sandbox_setup_models as setup_models

from plaid_partner_insights.testing.emulator import EmulatorServer, SetupSettings
from tests.sandbox.webhooks import WebhookReceiver

plaid = pytest.importorskip("plaid", reason="plaid-python is installed only by the nox `tests` session")

from plaid.model.cashflow_attributes_version import CashflowAttributesVersion  # noqa: E402
from plaid.model.client_user_identity import ClientUserIdentity  # noqa: E402
from plaid.model.client_user_identity_address import ClientUserIdentityAddress  # noqa: E402
from plaid.model.client_user_identity_email import ClientUserIdentityEmail  # noqa: E402
from plaid.model.client_user_identity_name import ClientUserIdentityName  # noqa: E402
from plaid.model.client_user_identity_phone_number import ClientUserIdentityPhoneNumber  # noqa: E402
from plaid.model.consumer_report_permissible_purpose import ConsumerReportPermissiblePurpose  # noqa: E402
from plaid.model.cra_check_report_create_base_report_options import CraCheckReportCreateBaseReportOptions  # noqa: E402
from plaid.model.cra_check_report_create_cashflow_insights_options import CraCheckReportCreateCashflowInsightsOptions  # noqa: E402
from plaid.model.cra_check_report_create_employment_refresh_options import CraCheckReportCreateEmploymentRefreshOptions  # noqa: E402
from plaid.model.cra_check_report_create_income_insights_options import CraCheckReportCreateIncomeInsightsOptions  # noqa: E402
from plaid.model.cra_check_report_create_lend_score_options import CraCheckReportCreateLendScoreOptions  # noqa: E402
from plaid.model.cra_check_report_create_network_insights_options import CraCheckReportCreateNetworkInsightsOptions  # noqa: E402
from plaid.model.cra_check_report_create_partner_insights_options import CraCheckReportCreatePartnerInsightsOptions  # noqa: E402
from plaid.model.cra_check_report_create_request import CraCheckReportCreateRequest  # noqa: E402
from plaid.model.cra_check_report_failed_webhook import CraCheckReportFailedWebhook  # noqa: E402
from plaid.model.cra_check_report_gse_options import CraCheckReportGSEOptions  # noqa: E402
from plaid.model.cra_check_report_home_lending_report_options import CraCheckReportHomeLendingReportOptions  # noqa: E402
from plaid.model.cra_check_report_partner_insights_get_request import (  # noqa: E402
    CraCheckReportPartnerInsightsGetRequest,
)
from plaid.model.cra_check_report_verification_get_report_type import CraCheckReportVerificationGetReportType  # noqa: E402
from plaid.model.cra_partner_insights_base_fico_score import CraPartnerInsightsBaseFicoScore  # noqa: E402
from plaid.model.cra_partner_insights_base_fico_score_version import CraPartnerInsightsBaseFicoScoreVersion  # noqa: E402
from plaid.model.cra_partner_insights_bureau import CraPartnerInsightsBureau  # noqa: E402
from plaid.model.cra_partner_insights_fico_input import CraPartnerInsightsFicoInput  # noqa: E402
from plaid.model.cra_partner_insights_ultra_fico_score_request import CraPartnerInsightsUltraFicoScoreRequest  # noqa: E402
from plaid.model.cra_partner_insights_ultra_fico_score_version import CraPartnerInsightsUltraFicoScoreVersion  # noqa: E402
from plaid.model.cra_user_check_report_failed_webhook import CraUserCheckReportFailedWebhook  # noqa: E402
from plaid.model.cra_user_check_report_ready_webhook import CraUserCheckReportReadyWebhook  # noqa: E402
from plaid.model.gse_report_type import GSEReportType  # noqa: E402
from plaid.model.id_number_type import IDNumberType  # noqa: E402
from plaid.model.income_insights_filter import IncomeInsightsFilter  # noqa: E402
from plaid.model.income_insights_version import IncomeInsightsVersion  # noqa: E402
from plaid.model.item_public_token_exchange_request import ItemPublicTokenExchangeRequest  # noqa: E402
from plaid.model.network_insights_version import NetworkInsightsVersion  # noqa: E402
from plaid.model.plaid_lend_score_version import PlaidLendScoreVersion  # noqa: E402
from plaid.model.prism_cash_score_version import PrismCashScoreVersion  # noqa: E402
from plaid.model.prism_insights_version import PrismInsightsVersion  # noqa: E402
from plaid.model.prism_versions import PrismVersions  # noqa: E402
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
    # Its 700 modules take a second to load: only the worker that runs these tests loads them.
    from plaid.api import plaid_api

    settings = SetupSettings(report_delay=DELAY, clock=lambda: NOW[0])
    with EmulatorServer(port=0, client_id=CLIENT_ID, secret=SECRET, setup=settings) as server:
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


def create_report(api: Any, user_id: str, webhook: str) -> None:
    """A Partner Insights report for `user_id`, through plaid-python, announced to `webhook`."""
    api.cra_check_report_create(
        CraCheckReportCreateRequest(
            user_id=user_id,
            webhook=webhook,
            days_requested=365,
            consumer_report_permissible_purpose=ConsumerReportPermissiblePurpose("ACCOUNT_REVIEW_CREDIT"),
            products=[Products("cra_partner_insights")],
        )
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
        create_report(api, user_id, receiver.url)
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
        create_report(api, user_id, receiver.url)
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


def test_plaid_python_request_fields_are_all_in_our_setup_spec() -> None:
    # The real API accepts every field plaid-python can send; so must the local emulator (else UNKNOWN_FIELDS).
    for theirs, ours in (
        (CraCheckReportCreateRequest, setup_models.CraCheckReportCreateRequest),
        (CraCheckReportCreatePartnerInsightsOptions, setup_models.CraCheckReportCreatePartnerInsightsOptions),
        (CraCheckReportCreateBaseReportOptions, setup_models.CraCheckReportCreateBaseReportOptions),
    ):
        missing = set(theirs.openapi_types) - set(ours.model_fields)
        assert not missing, f"{ours.__name__} lacks {sorted(missing)}"


def test_plaid_python_create_with_every_product_option_is_accepted(api: Any) -> None:
    user_id = api.user_create(UserCreateRequest(client_user_id="peer-all-options")).user_id
    created = api.sandbox_public_token_create(
        SandboxPublicTokenCreateRequest(
            institution_id="ins_109508", initial_products=[Products("cra_base_report")], user_id=user_id
        )
    )
    api.item_public_token_exchange(ItemPublicTokenExchangeRequest(public_token=created.public_token))
    request = CraCheckReportCreateRequest(
        user_id=user_id,
        webhook="http://127.0.0.1:9/unused",  # replaced below, once the receiver listens
        days_requested=365,
        days_required=90,
        client_report_id="loan-application-17",
        consumer_report_permissible_purpose=ConsumerReportPermissiblePurpose("EXTENSION_OF_CREDIT"),
        products=[Products(name) for name in ("cra_partner_insights", "cra_cashflow_insights", "cra_lend_score")],
        base_report=CraCheckReportCreateBaseReportOptions(
            gse_options=CraCheckReportGSEOptions(report_types=[GSEReportType("VOA")]),
            require_identity=True,
            home_lending_report_options=CraCheckReportHomeLendingReportOptions(
                reports_requested=[CraCheckReportVerificationGetReportType("EMPLOYMENT_REFRESH")],
                employment_refresh_options=CraCheckReportCreateEmploymentRefreshOptions(days_requested=90),
            ),
        ),
        cashflow_insights=CraCheckReportCreateCashflowInsightsOptions(
            attributes_version=CashflowAttributesVersion("CFI1")
        ),
        partner_insights=CraCheckReportCreatePartnerInsightsOptions(
            prism_versions=PrismVersions(cashscore=PrismCashScoreVersion("4"), insights=PrismInsightsVersion("4")),
            fico=CraPartnerInsightsFicoInput(
                fico_lender_id="lender-1",
                lender_application_id="application-1",
                ultrafico_score_requests=[
                    CraPartnerInsightsUltraFicoScoreRequest(
                        ultrafico_score_version=CraPartnerInsightsUltraFicoScoreVersion("1.0"),
                        base_fico_score=CraPartnerInsightsBaseFicoScore(
                            bureau=CraPartnerInsightsBureau("EXPERIAN"),
                            score=702,
                            base_fico_score_version=CraPartnerInsightsBaseFicoScoreVersion("10T"),
                            reason_codes=["R1", "R2"],
                        ),
                    )
                ],
            ),
        ),
        lend_score=CraCheckReportCreateLendScoreOptions(lend_score_version=PlaidLendScoreVersion("LS1")),
        network_insights=CraCheckReportCreateNetworkInsightsOptions(
            network_insights_version=NetworkInsightsVersion("NI1")
        ),
        include_investments=True,
        income_insights=CraCheckReportCreateIncomeInsightsOptions(
            income_insights_version=IncomeInsightsVersion("II2"),
            income_insights_filter=IncomeInsightsFilter(included_categories=["SALARY"], excluded_categories=["GIG"]),
        ),
    )
    sent = set(request.to_dict())
    assert sent >= set(CraCheckReportCreateRequest.openapi_types) - {"client_id", "secret", "user_token"}
    with WebhookReceiver() as receiver:
        request.webhook = receiver.url
        assert api.cra_check_report_create(request).request_id
        NOW[0] += DELAY
        webhook = receiver.next()
    assert (webhook["webhook_code"], webhook["user_id"]) == ("USER_CHECK_REPORT_READY", user_id)
    report = api.cra_check_report_partner_insights_get(CraCheckReportPartnerInsightsGetRequest(user_id=user_id))
    assert report.to_dict()["report"]["prism"]
