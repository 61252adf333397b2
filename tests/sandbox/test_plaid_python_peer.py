"""Plaid's official SDK (plaid-python) against the local emulator: its strict models read every report kind.

plaid-python is a test peer only: the nox `tests` session installs it; elsewhere this module is skipped.
"""

from __future__ import annotations

import importlib
import json
import re
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

import pytest

from plaid_partner_insights import _spec
from plaid_partner_insights.testing.emulator import (
    DATA_UNAVAILABLE_USER_ID,
    EMULATOR_USERS,
    EXPIRED_USER_ID,
    FICO_EXCLUDED_USER_ID,
    NO_PRISM_USER_ID,
    NO_REPORT_USER_ID,
    NOT_READY_USER_ID,
    RATE_LIMITED_USER_ID,
    SERVER_ERROR_USER_ID,
    WARNINGS_USER_ID,
)
from plaid_partner_insights.testing.emulator._users import REPORT_OUTCOMES

plaid = pytest.importorskip("plaid", reason="plaid-python is installed only by the nox `tests` session")

from plaid.model.cra_check_report_partner_insights_get_options import (  # noqa: E402
    CraCheckReportPartnerInsightsGetOptions,
)
from plaid.model.cra_check_report_partner_insights_get_partner_insights import (  # noqa: E402
    CraCheckReportPartnerInsightsGetPartnerInsights,
)
from plaid.model.cra_check_report_partner_insights_get_request import (  # noqa: E402
    CraCheckReportPartnerInsightsGetRequest,
)
from plaid.model.cra_partner_insights_base_fico_score import CraPartnerInsightsBaseFicoScore  # noqa: E402
from plaid.model.cra_partner_insights_base_fico_score_version import (  # noqa: E402
    CraPartnerInsightsBaseFicoScoreVersion,
)
from plaid.model.cra_partner_insights_bureau import CraPartnerInsightsBureau  # noqa: E402
from plaid.model.cra_partner_insights_fico_input import CraPartnerInsightsFicoInput  # noqa: E402
from plaid.model.cra_partner_insights_ultra_fico_score_request import (  # noqa: E402
    CraPartnerInsightsUltraFicoScoreRequest,
)
from plaid.model.cra_partner_insights_ultra_fico_score_version import (  # noqa: E402
    CraPartnerInsightsUltraFicoScoreVersion,
)
from plaid.model.prism_versions import PrismVersions  # noqa: E402
from plaid.model.prism_versions_deprecated import PrismVersionsDeprecated  # noqa: E402

if TYPE_CHECKING:
    from tests.conftest import LocalSandbox

SUCCESS_USERS = [user.user_id for user in EMULATOR_USERS if user.outcome in REPORT_OUTCOMES] + [
    "usr_peer_seeded_1",
    "user-sandbox-peer-2",
]


def plaid_python_model(name: str) -> Any:
    """plaid-python's model class for a schema of the spec (its modules are the snake-case schema names)."""
    module = importlib.import_module(f"plaid.model.{re.sub(r'(?<!^)(?=[A-Z])', '_', name).lower()}")
    return getattr(module, name)


# Prism product (request key) -> plaid-python's version enum, found through the spec's version schema names.
VERSION_TYPES = {
    key: plaid_python_model(str(_spec.ref_name(prop)))
    for key, prop in _spec.schema("PrismVersions")["properties"].items()
}


@pytest.fixture(scope="module")
def api(local_sandbox: LocalSandbox) -> Iterator[Any]:
    # Its 700 modules take a second to load: only the worker that runs these tests loads them.
    from plaid.api import plaid_api

    configuration = plaid.Configuration(
        host=local_sandbox.url, api_key={"clientId": local_sandbox.client_id, "secret": local_sandbox.secret}
    )
    with plaid.ApiClient(configuration) as client:
        yield plaid_api.PlaidApi(client)


def version_sets() -> list[dict[str, str]]:
    """Enough requests that every version of every Prism product (as the spec lists them) is asked for once."""
    enums = {product.request_key: product.versions for product in _spec.prism_products()}
    rounds = max(len(values) for values in enums.values())
    return [{product: values[i % len(values)] for product, values in enums.items()} for i in range(rounds)]


def fico_input() -> Any:
    requests = [
        CraPartnerInsightsUltraFicoScoreRequest(
            ultrafico_score_version=CraPartnerInsightsUltraFicoScoreVersion("1.0"),
            request_correlation_id=f"peer-{score}",
            base_fico_score=CraPartnerInsightsBaseFicoScore(
                bureau=CraPartnerInsightsBureau(bureau),
                score=score,
                base_fico_score_version=CraPartnerInsightsBaseFicoScoreVersion(version),
                reason_codes=["14", "10"],
            ),
        )
        for score, bureau, version in ((640, "EQUIFAX", "8"), (790, "TRANSUNION", "10T"), (1000, "EXPERIAN", "9"))
    ]
    return CraPartnerInsightsFicoInput(
        fico_lender_id="lender-peer", lender_application_id="app-peer", ultrafico_score_requests=requests
    )


def prism_versions(versions: dict[str, str], model: type) -> Any:
    return model(**{product: VERSION_TYPES[product](value) for product, value in versions.items()})


@pytest.mark.parametrize("user", SUCCESS_USERS)
def test_plaid_python_reads_every_report_kind(api: Any, user: str) -> None:
    requests = [CraCheckReportPartnerInsightsGetRequest(user_id=user)]
    for versions in version_sets():
        for with_fico in (False, True):
            insights = CraCheckReportPartnerInsightsGetPartnerInsights(
                prism_versions=prism_versions(versions, PrismVersions), **({"fico": fico_input()} if with_fico else {})
            )
            requests.append(CraCheckReportPartnerInsightsGetRequest(user_id=user, partner_insights=insights))
        deprecated = CraCheckReportPartnerInsightsGetOptions(
            prism_versions=prism_versions(versions, PrismVersionsDeprecated)
        )
        requests.append(CraCheckReportPartnerInsightsGetRequest(user_token=user, options=deprecated))
    for request in requests:
        response = api.cra_check_report_partner_insights_get(request)  # strict models: raises on any mismatch
        report = response.to_dict()["report"]
        assert response.request_id
        assert ("prism" in report) is (user != NO_PRISM_USER_ID)
        if "partner_insights" in request and "fico" in request.partner_insights and user != FICO_EXCLUDED_USER_ID:
            results = report["fico"]["ultrafico_score_results"]
            assert [r["request_correlation_id"] for r in results] == ["peer-640", "peer-790", "peer-1000"]
        if user == WARNINGS_USER_ID:
            assert response.warnings


ERRORS = [
    (NOT_READY_USER_ID, 400, "PRODUCT_NOT_READY"),
    (EXPIRED_USER_ID, 400, "CONSUMER_REPORT_EXPIRED"),
    (NO_REPORT_USER_ID, 400, "CONSUMER_REPORT_NOT_FOUND"),
    (DATA_UNAVAILABLE_USER_ID, 400, "DATA_UNAVAILABLE"),
    (RATE_LIMITED_USER_ID, 429, "RATE_LIMIT"),
    (SERVER_ERROR_USER_ID, 500, "INTERNAL_SERVER_ERROR"),
]


@pytest.mark.parametrize(("user", "status", "code"), ERRORS)
def test_plaid_python_raises_api_exception_for_error_users(api: Any, user: str, status: int, code: str) -> None:
    with pytest.raises(plaid.ApiException) as raised:
        api.cra_check_report_partner_insights_get(CraCheckReportPartnerInsightsGetRequest(user_id=user))
    assert raised.value.status == status
    body = json.loads(raised.value.body)
    assert body["error_code"] == code
    assert body["request_id"]


def test_plaid_python_invalid_field_names_the_path(api: Any) -> None:
    bad = CraCheckReportPartnerInsightsGetRequest(user_id="usr_peer", _check_type=False)
    bad["user_tier"] = "gold"  # plaid-python would refuse it locally; sent as is, the sandbox must name it
    with pytest.raises(plaid.ApiException) as raised:
        api.cra_check_report_partner_insights_get(bad)
    body = json.loads(raised.value.body)
    assert (body["error_code"], raised.value.status) == ("INVALID_FIELD", 400)
    assert "user_tier" in body["error_message"]
