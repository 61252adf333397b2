"""The fixed, rich report every contender fetches and parses.

Every Prism product (Insights with a few hundred attributes, CashScore, Extend, FirstDetect, Detect), FICO
results with two UltraFICO results and the report characteristics, three Items with eight accounts between
them, each account with one or two owners (names, phone numbers, emails, addresses), and one warning. The
values are deterministic, so every run serves the same bytes.
"""

from __future__ import annotations

import datetime
import json
from functools import cache
from pathlib import Path
from typing import Any

from plaid_partner_insights._spec import RESPONSE_SCHEMA
from plaid_partner_insights.testing.emulator._report import OMIT, Attributes, complete

#: Number of Prism Insights attributes in the report. Plaid says about 2,000 may appear, depending on the
#: model version; fewer makes the typed part of parsing a larger share of the work, so the ratios are harder.
INSIGHTS_ATTRIBUTES = 300
ITEMS = 3
ACCOUNTS_PER_ITEM = (3, 3, 2)


def _metadata(seed: int) -> dict[str, Any]:
    return {
        "max_age": 366 - seed,
        "min_age": 1,
        "min_age_credit": 3,
        "min_age_debit": 1,
        "max_age_debit": 366 - seed,
        "max_age_credit": 362 - seed,
        "num_trxn_credit": 58 + seed,
        "num_trxn_debit": 611 + seed,
        "l1m_credit_value_cnt": 5,
        "l1m_debit_value_cnt": 49 + seed,
    }


def _insights_result() -> Attributes:
    result = Attributes()
    for n in range(INSIGHTS_ATTRIBUTES):
        kind = n % 4
        name = f"attr_{n:04d}_{('cnt', 'avg', 'src', 'flag')[kind]}"
        if kind == 0:
            result[name] = n * 7 % 113
        elif kind == 1:
            result[name] = round(n * 13.37 % 5000, 2)
        elif kind == 2:
            result[name] = ("payroll", "gig", "benefits", "transfer")[n % 4]
        else:
            result[name] = -1 if n % 3 else 1
    return result


def _owner(item: int, account: int, second: bool) -> dict[str, Any]:
    first = ("Jordan A. Rivera", "Sam Okafor", "Li Wei", "Maria Santos")[(item + account + second) % 4]
    handle = first.lower().replace(" ", ".").replace("..", ".")
    return {
        "names": [first, first.split(" ")[0] + " " + first.split(" ")[-1]],
        "phone_numbers": [
            {"data": f"41555501{item}{account}", "primary": True, "type": "mobile"},
            {"data": f"41555502{item}{account}", "primary": False, "type": "home"},
        ],
        "emails": [
            {"data": f"{handle}@example.com", "primary": True, "type": "primary"},
            {"data": f"{handle}@work.example.com", "primary": False, "type": "secondary"},
        ],
        "addresses": [
            {
                "primary": True,
                "data": {
                    "street": f"{1450 + item * 10 + account} Market Street Apt {12 + account}",
                    "city": "San Francisco",
                    "region": "CA",
                    "postal_code": "94103",
                    "country": "US",
                },
            }
        ],
    }


def _account(item: int, account: int) -> dict[str, Any]:
    subtype = ("checking", "savings", "money market")[account % 3]
    return {
        "account_id": f"acc-{item}-{account}-BxBXxLj1m4HMXBm9WZZmCWVbPjX16E",
        "mask": f"{4521 + item * 10 + account}",
        "name": f"Everyday {subtype.title()}",
        "official_name": f"Platypus {subtype.title()} Account" if account != 2 else None,
        "type": "depository",
        "subtype": subtype,
        "metadata": {"start_date": "2025-08-10", "end_date": None if account == 2 else "2026-08-11"},
        "owners": [_owner(item, account, False)] + ([_owner(item, account, True)] if account == 0 else []),
    }


def _score(version: int | None, model_version: str, score: int, code: str, seed: int) -> dict[str, Any]:
    product: dict[str, Any] = {"model_version": model_version, "score": score, "error_reason": OMIT}
    if version is not None:
        product["version"] = version
    product["reason_codes"] = [f"{code}{n:03d}" for n in (12, 27, 31)]
    product["metadata"] = _metadata(seed)
    return product


def _ultrafico(n: int) -> dict[str, Any]:
    return {
        "request_correlation_id": f"corr-7d4{n}",
        "fico_scoring_request_id": f"fsr-20260812-99a{n}",
        "exclusion_code": "0",
        "error_reason": OMIT,
        "ultrafico_score": {
            "ultrafico_score_version": "1.0",
            "score": 712 + n,
            "negative_reason_codes": ["14", "10", "38", "05"],
            "positive_reason_codes": ["05", "A1"],
            "did_inquiries_adversely_affect_score": n == 1,
        },
    }


def build_report() -> dict[str, Any]:
    """The response body, as a JSON-ready dict.

    Completed against the spec's response schema by the sandbox's builder, so it holds every property the spec
    describes (one added tomorrow included), with the values above where they are given.
    """
    completed: dict[str, Any] = complete(_rich_report(), RESPONSE_SCHEMA, "benchmark")
    return completed


def _rich_report() -> dict[str, Any]:
    items = [
        {
            "institution_id": f"ins_10950{i}",
            "institution_name": ("First Platypus Bank", "Tattersall Federal Credit Union", "Houndstooth Bank")[i],
            "item_id": f"item-{i}-Ed6bjNrDLJfGvZWwnkQlfxwoNz54B5C97ejBr",
            "accounts": [_account(i, a) for a in range(ACCOUNTS_PER_ITEM[i])],
        }
        for i in range(ITEMS)
    ]
    characteristics: dict[str, Any] = {
        "num_accounts": 8,
        "avg_daily_balance_over_1_month": 2210.54,
        "avg_daily_balance_over_3_months": 1843.27,
        "avg_daily_balance_over_6_months": 1702.9,
        "avg_daily_balance_over_12_months": 1655.12,
        "days_since_earliest_tx": 366,
        "days_since_most_recent_negative_ending_balance": 201,
        "days_since_most_recent_insufficient_funds_fee_debit_tx": None,
        "tot_number_days_with_negative_balance_over_1_month": 0,
        "tot_number_days_with_negative_balance_over_3_months": 0,
        "tot_number_days_with_negative_balance_over_6_months": 0,
        "tot_number_days_with_negative_balance_over_12_months": 4,
        "days_since_most_recent_tx": 1,
        "days_with_tx_over_1_month": 22,
        "days_with_tx_over_3_months": 67,
        "days_with_tx_over_6_months": 131,
        "days_with_tx_over_12_months": 259,
        "tot_current_balances": 2384.11,
        "num_checking_accounts": 3,
        "num_money_market_accounts": 2,
        "num_savings_accounts": 3,
    }
    return {
        "request_id": "Vx3kQ9pLm2TzR8a",
        "report": {
            "report_id": "4f6a2c1e-9b3d-4e7a-8c5f-1d2e3b4a5c6d",
            "client_report_id": "loan-app-20260812-0042",
            "generated_time": "2026-08-12T15:04:05Z",
            "items": items,
            "prism": {
                "status": "SUCCESS",
                "insights": {
                    "version": 4,
                    "model_version": "4.1",
                    "result": _insights_result(),
                    "error_reason": OMIT,
                },
                "cash_score": _score(4, "4.1", 742, "CS04", 0),
                "extend": _score(None, "4.1", 688, "EX04", 1),
                "first_detect": _score(3, "3", 815, "FD03", 2),
                "detect": _score(None, "4.1", 790, "DT04", 3),
            },
            "fico": {
                "lender_application_id": "app-2026-000123",
                "ultrafico_score_results": [_ultrafico(0), _ultrafico(1)],
                "report_characteristics": characteristics,
            },
        },
        "warnings": [
            {
                "warning_type": "CHECK_REPORT_WARNING",
                "warning_code": "IDENTITY_UNAVAILABLE",
                "cause": {
                    "item_id": "item-2-Ed6bjNrDLJfGvZWwnkQlfxwoNz54B5C97ejBr",
                    "error_type": "ITEM_ERROR",
                    "error_code": "PRODUCT_NOT_READY",
                    "error_message": "Identity data for this Item is not available yet.",
                    "display_message": None,
                },
            }
        ],
    }


@cache
def report_bytes(kind: str = "rich") -> bytes:
    """The exact response body the server sends: compact JSON, as Plaid sends it.

    `rich` is the report above; `example` is the spec's own `fullReport` example (one Item, one account, one owner,
    three Prism Insights attributes), shown for context: the typed parse costs in proportion to the objects parsed.
    """
    document = build_report() if kind == "rich" else spec_example()
    return json.dumps(document, separators=(",", ":")).encode()


def spec_example() -> dict[str, Any]:
    """The 200 example `fullReport` of spec/openapi.yaml."""
    import yaml

    spec = yaml.safe_load((Path(__file__).resolve().parent.parent / "spec" / "openapi.yaml").read_text())
    response = spec["paths"]["/cra/check_report/partner_insights/get"]["post"]["responses"]["200"]
    example: dict[str, Any] = response["content"]["application/json"]["examples"]["fullReport"]["value"]
    return example


def _normalise(value: Any) -> Any:
    """Date-times may be re-formatted by to_dict(): compare them as instants."""
    if isinstance(value, dict):
        return {k: _normalise(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_normalise(v) for v in value]
    if isinstance(value, str) and len(value) == 20 and value.endswith("Z") and value[10] == "T":
        return datetime.datetime.fromisoformat(value).isoformat()
    if isinstance(value, str) and len(value) == 25 and value[10] == "T" and value[19] in "+-":
        return datetime.datetime.fromisoformat(value).isoformat()
    return value


def validate_report(kind: str = "rich") -> None:
    """Parse the served bytes once with the generated model and check nothing was lost or left untyped."""
    from plaid_partner_insights_generated.client.models import (
        CraCheckReportPartnerInsightsGetResponse,
        PrismInsightsResult,
    )

    body = json.loads(report_bytes(kind))
    parsed = CraCheckReportPartnerInsightsGetResponse.from_dict(body)
    if _normalise(parsed.to_dict()) != _normalise(body):
        raise AssertionError("the benchmark report does not round-trip through the generated model")
    report = parsed.report
    assert not isinstance(report, type(None))
    problems = []

    def walk(obj: Any, where: str) -> None:
        # Every known field must be typed; unknown ones would land in additional_properties.
        extra = getattr(obj, "additional_properties", None)
        if extra and not isinstance(obj, PrismInsightsResult):
            problems.append(f"{where}: fields the model does not know: {sorted(extra)}")
        for name in getattr(type(obj), "__attrs_attrs__", ()):
            if name.name != "additional_properties":
                value = getattr(obj, name.name)
                for n, item in enumerate(value) if isinstance(value, list) else [(None, value)]:
                    walk(item, f"{where}.{name.name}" + (f"[{n}]" if n is not None else ""))
        if hasattr(obj, "is_known") and not obj.is_known:
            problems.append(f"{where}: enum value {obj!s} is not known to the model")

    walk(parsed, "response")
    if problems:
        raise AssertionError("benchmark report does not match the spec:\n  " + "\n  ".join(problems))
