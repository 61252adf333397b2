"""Upstream-style spec changes reach the whole product with no edit outside the spec.

Each case below is one change Plaid could make tomorrow, written as an edit of a temporary copy of
`spec/openapi.yaml`. The copy is regenerated into a temporary folder with `codegen.build`, and a subprocess whose
PYTHONPATH puts that regenerated package ahead of the installed one starts the real sandbox on 127.0.0.1 and runs
the typed client and the CLI against it (`tests/spec_change_probe.py`). Each test then checks its own change.

The six edits share one regeneration and one subprocess: the edits touch different parts of the spec, a
regeneration costs several seconds of generator time, and the suite has a time budget.
"""

from __future__ import annotations

import copy
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.regenerated import run_probe

# Run first under pytest-xdist (tests/conftest.py), with coverage paused (tests/untraced.py).
pytestmark = [pytest.mark.slow, pytest.mark.untraced]

ROOT = Path(__file__).resolve().parent.parent
SPEC = ROOT / "spec" / "openapi.yaml"
DEMO = "usr_sandbox_demo"
NEW_ERROR_TYPE = "PRISM_DATA_ERROR"
Schemas = dict[str, Any]


def ref(name: str) -> dict[str, Any]:
    return {"$ref": f"#/components/schemas/{name}"}


def add_optional_response_fields(schemas: Schemas) -> None:
    """(a) New optional properties: on a Prism result, inside two arrays (Items, then accounts), and in the
    free-form Insights attributes (which keep their other keys)."""
    schemas["PrismCashScore"]["properties"]["risk_band"] = {"type": "string", "description": "Risk band."}
    schemas["PrismInsightsResult"]["properties"] = {"attribute_count": {"type": "integer", "description": "Count."}}
    schemas["CraPartnerInsightsItemAccount"]["properties"]["nickname"] = {
        "type": "string",
        "description": "Name the user gave the account.",
    }


def add_version_value(schemas: Schemas) -> None:
    """(b) CashScore version 5."""
    schemas["PrismCashScoreVersion"]["enum"].insert(0, "5")
    schemas["PrismCashScoreVersion"]["x-enum-varnames"].insert(0, "V5")


def add_prism_product(schemas: Schemas) -> None:
    """(c) A new Prism product, Income: `prism_versions.income` and `prism.income`."""
    schemas["PrismIncomeVersion"] = {
        "title": "PrismIncomeVersion",
        "type": "string",
        "description": "Prism Income model version.",
        "enum": ["1"],
        "x-enum-varnames": ["V1"],
    }
    income = copy.deepcopy(schemas["PrismExtend"])
    income.update(title="PrismIncome", description="Output of the Prism Income model.")
    schemas["PrismIncome"] = income
    schemas["PrismVersions"]["properties"]["income"] = {
        "allOf": [ref("PrismIncomeVersion")],
        "nullable": True,
        "description": "Version of Prism Income to run.",
    }
    schemas["CraPartnerInsightsPrism"]["properties"]["income"] = {
        "allOf": [ref("PrismIncome")],
        "nullable": True,
        "description": "Prism Income result.",
    }


def remove_request_field(schemas: Schemas) -> None:
    """(d) Plaid drops `user_tier` from the request."""
    del schemas["CraCheckReportPartnerInsightsGetRequest"]["properties"]["user_tier"]
    del schemas["CraUserTier"]


def make_field_required(schemas: Schemas) -> None:
    """(e) `request_correlation_id` becomes required in every UltraFICO result."""
    schemas["CraPartnerInsightsUltraFicoScoreResult"].setdefault("required", []).append("request_correlation_id")


def add_error_type(schemas: Schemas) -> None:
    """(f) A new `error_type`."""
    schemas["PlaidErrorType"]["enum"].append(NEW_ERROR_TYPE)
    schemas["PlaidErrorType"]["x-enum-varnames"].append(NEW_ERROR_TYPE)


CHANGES: list[Callable[[Schemas], None]] = [
    add_optional_response_fields,
    add_version_value,
    add_prism_product,
    remove_request_field,
    make_field_required,
    add_error_type,
]

FICO_WITHOUT_CORRELATION_IDS = {
    "fico_lender_id": "lender-1",
    "lender_application_id": "app-sim",
    "ultrafico_score_requests": [
        {
            "ultrafico_score_version": "1.0",
            "base_fico_score": {"bureau": "EQUIFAX", "score": 700, "base_fico_score_version": "10T"},
        }
    ],
}
PLAN = {
    "calls": [
        {
            "request": {"user_id": DEMO},
            "paths": [
                "report.prism.cash_score.risk_band",
                "report.prism.cash_score.model_version",
                "report.items[1].accounts[0].nickname",
                "report.prism.insights.result.attribute_count",
                "report.prism.income.score",
                "report.prism.income.model_version",
            ],
        },
        {
            "request": {
                "user_id": "usr_sim",
                "partner_insights": {"prism_versions": {"cashscore": "5", "income": "1"}},
            },
            "paths": ["report.prism.cash_score.model_version", "report.prism.income.model_version"],
        },
        {
            "request": {"user_id": "usr_sim", "partner_insights": {"fico": FICO_WITHOUT_CORRELATION_IDS}},
            "paths": ["report.fico.ultrafico_score_results[0].request_correlation_id"],
        },
        {"request": {"user_id": "usr_sim", "user_tier": "free"}},
        {"request": {"user_id": f"usr_sandbox_error_{NEW_ERROR_TYPE}"}},
    ],
    "cli": [
        ["--help"],
        ["--user-id", DEMO, "--summary"],
        ["--user-id", "usr_sim", "--user-tier", "free"],
        ["--user-id", "usr_sim", "--prism-version", "income=1", "--summary"],
    ],
}


@pytest.fixture(scope="module")
def probe(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """The plan's results, against a package regenerated from the spec with every change applied."""
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))
    import codegen

    work = tmp_path_factory.mktemp("spec-change")
    spec = yaml.safe_load(SPEC.read_text())
    for change in CHANGES:
        change(spec["components"]["schemas"])
    changed = work / "openapi.yaml"
    changed.write_text(yaml.safe_dump(spec, sort_keys=False, allow_unicode=True))
    codegen.build(work / "generated", changed)
    result = run_probe(work / "generated", PLAN)
    assert result["generated_from"].startswith(str(work)), result["generated_from"]
    return result


def call(probe: dict[str, Any], index: int) -> tuple[int, dict[str, Any], dict[str, Any]]:
    answer = probe["calls"][index]
    return answer["status"], answer["body"], answer["typed"]


def test_a_new_optional_response_field_is_sent_and_typed(probe: dict[str, Any]) -> None:
    status, body, typed = call(probe, 0)
    assert status == 200
    assert isinstance(body["report"]["prism"]["cash_score"]["risk_band"], str)
    accounts = [account for item in body["report"]["items"] for account in item["accounts"]]
    assert accounts
    assert all(isinstance(account["nickname"], str) for account in accounts)
    attributes = body["report"]["prism"]["insights"]["result"]
    assert isinstance(attributes["attribute_count"], int)
    assert "primary_income_source" in attributes  # the attributes the schema does not declare are still there
    for path, kind in (
        ("report.prism.cash_score.risk_band", "str"),
        ("report.items[1].accounts[0].nickname", "str"),
        ("report.prism.insights.result.attribute_count", "int"),
    ):
        assert typed["attributes"][path]["type"] == kind, typed
        assert typed["attributes"][path]["typed"], path


def test_a_new_version_value_is_accepted_echoed_and_parsed(probe: dict[str, Any]) -> None:
    status, body, typed = call(probe, 1)
    assert status == 200
    assert body["report"]["prism"]["cash_score"]["model_version"] == "5"
    assert body["report"]["prism"]["cash_score"]["version"] == 5
    assert typed["attributes"]["report.prism.cash_score.model_version"]["value"] == "5"
    # The demo report runs every product at its latest version: now 5.
    assert call(probe, 0)[2]["attributes"]["report.prism.cash_score.model_version"]["value"] == "5"


def test_a_new_prism_product_is_in_the_demo_report_the_model_and_the_cli(probe: dict[str, Any]) -> None:
    status, body, typed = call(probe, 0)
    assert status == 200
    income = body["report"]["prism"]["income"]
    assert income["model_version"] == "1"
    assert 1 <= income["score"] <= 999
    assert typed["attributes"]["report.prism.income.score"] == {"value": income["score"], "type": "int", "typed": True}
    assert call(probe, 1)[1]["report"]["prism"]["income"]["model_version"] == "1"
    help_text, summary, _, asked = probe["cli"]
    assert "income" in help_text["stdout"]
    assert summary["code"] == 0
    assert any(line.split()[:2] == ["Income", "v1"] for line in summary["stdout"].splitlines()), summary["stdout"]
    assert asked["code"] == 0
    assert "Income" in asked["stdout"]


def test_a_removed_request_field_vanishes_from_the_cli_and_is_refused(probe: dict[str, Any]) -> None:
    help_text, _, with_tier, _ = probe["cli"]
    assert "--user-tier" not in help_text["stdout"]
    assert "--user-id" in help_text["stdout"]
    assert with_tier["code"] == 2
    assert "--user-tier" in with_tier["stderr"]
    status, body, typed = call(probe, 3)
    assert (status, body["error_code"]) == (400, "UNKNOWN_FIELDS")
    assert "user_tier" in body["error_message"]
    assert typed["raised"] == "TypeError"


def test_a_field_becoming_required_is_always_sent(probe: dict[str, Any]) -> None:
    status, body, typed = call(probe, 2)
    assert status == 200
    (result,) = body["report"]["fico"]["ultrafico_score_results"]
    assert isinstance(result["request_correlation_id"], str)
    assert typed["attributes"]["report.fico.ultrafico_score_results[0].request_correlation_id"]["type"] == "str"


def test_a_new_error_type_has_a_sandbox_user_and_a_clean_exception_class(probe: dict[str, Any]) -> None:
    status, body, typed = call(probe, 4)
    assert (status, body["error_type"]) == (400, NEW_ERROR_TYPE)
    assert typed == {
        "raised": "PrismDataError",
        "module": "plaid_partner_insights",
        "error_type": NEW_ERROR_TYPE,
        "mro": "PlaidAPIError",
    }
