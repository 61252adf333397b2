"""Deterministic Partner Insights reports: the same user and request always give the same report.

Every random choice comes from `random.Random` seeded with strings (stable across runs and machines), so
nothing here depends on the clock or on hash randomisation.
"""

from __future__ import annotations

import datetime as dt
import random
import uuid
from collections.abc import Mapping
from typing import Any

from ._users import Outcome

__all__ = ["DEFAULT_VERSIONS", "DEMO_VERSIONS", "PRODUCTS", "build_report", "requested_versions"]

# Request key (`prism_versions`) -> response key (`report.prism`).
PRODUCTS = {
    "cashscore": "cash_score",
    "insights": "insights",
    "firstdetect": "first_detect",
    "detect": "detect",
    "extend": "extend",
}
# Plaid runs CashScore, Insights and FirstDetect at version 3 when no version is given (spec descriptions).
DEFAULT_VERSIONS = {"cashscore": "3", "insights": "3", "firstdetect": "3"}
# The demo user's report was "created" with every product at its latest version.
DEMO_VERSIONS = {"cashscore": "4.1", "insights": "4.1", "firstdetect": "3", "detect": "4.1", "extend": "4.1"}
_REASON_PREFIX = {"cashscore": "CS", "firstdetect": "FD", "detect": "DT", "extend": "EX"}
# Products whose result still carries the deprecated integer `version`.
_HAS_INT_VERSION = {"cashscore", "insights", "firstdetect"}
_EPOCH = dt.datetime(2026, 8, 1, 9, 0, tzinfo=dt.UTC)

_INSTITUTIONS = (
    ("ins_109508", "First Platypus Bank"),
    ("ins_109509", "First Gingham Credit Union"),
    ("ins_109510", "Tattersall Federal Credit Union"),
    ("ins_109511", "Tartan Bank"),
    ("ins_109512", "Houndstooth Bank"),
)
_FIRST_NAMES = ("Jordan", "Avery", "Morgan", "Riley", "Casey", "Quinn", "Harper", "Rowan", "Sasha", "Emery")
_LAST_NAMES = ("Rivera", "Okafor", "Lindqvist", "Tanaka", "Moreau", "Haddad", "Novak", "Castillo", "Byrne", "Kaur")
_CITIES = (
    ("San Francisco", "CA", "94103"),
    ("Austin", "TX", "78701"),
    ("Columbus", "OH", "43215"),
    ("Denver", "CO", "80202"),
    ("Raleigh", "NC", "27601"),
)
_STREETS = ("Market Street", "Oak Avenue", "Maple Drive", "Cedar Lane", "Lake Road", "Hillcrest Boulevard")
_ACCOUNTS = (
    ("checking", "Everyday Checking", "{bank} Everyday Checking Account"),
    ("savings", "High Yield Savings", "{bank} High Yield Savings Account"),
    ("money market", "Money Market", "{bank} Premier Money Market Account"),
)
_INCOME_SOURCES = ("payroll", "gig_platform", "benefits", "rental", "self_employed")
_ID_ALPHABET = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"


def _rng(seed: str) -> random.Random:
    # Seeded, reproducible fake data is the point here; nothing secret comes from it.
    return random.Random(seed)  # noqa: S311


def requested_versions(outcome: Outcome, body: Mapping[str, Any]) -> dict[str, str]:
    """The Prism versions to run: the report's creation-time set, overridden by the request.

    The deprecated `options.prism_versions` counts like `partner_insights.prism_versions`; when both name a
    product, `partner_insights` wins. A null version means "not specified".
    """
    versions = dict(DEMO_VERSIONS if outcome is Outcome.DEMO_REPORT else DEFAULT_VERSIONS)
    for holder in (body.get("options"), body.get("partner_insights")):
        chosen = (holder or {}).get("prism_versions") or {}
        versions.update({product: version for product, version in chosen.items() if version is not None})
    return versions


def build_report(
    identity: str, outcome: Outcome, versions: Mapping[str, str], fico: Mapping[str, Any] | None
) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """The `report` object and the `warnings` list for a user whose report exists."""
    rng = _rng(f"report|{identity}")
    generated = _EPOCH + dt.timedelta(minutes=rng.randrange(60 * 24 * 28))
    person = _person(rng, demo=outcome is Outcome.DEMO_REPORT)
    item_count = 2 if outcome in (Outcome.DEMO_REPORT, Outcome.WARNINGS_REPORT) else rng.randint(1, 2)
    institutions = rng.sample(_INSTITUTIONS, item_count)
    if outcome is Outcome.DEMO_REPORT:
        institutions = [_INSTITUTIONS[0], _INSTITUTIONS[3]]
    history_days = rng.randint(200, 720)
    items = [
        _item(rng, institution, person, generated, history_days, first=i == 0)
        for i, institution in enumerate(institutions)
    ]
    warnings: list[dict[str, Any]] = []
    if outcome is Outcome.WARNINGS_REPORT:
        # Identity could not be fetched for the second Item: its accounts have no owners, and a warning says why.
        for account in items[1]["accounts"]:
            account["owners"] = []
        warnings.append(_identity_warning(items[1]["item_id"]))
    report: dict[str, Any] = {
        "report_id": str(uuid.UUID(int=rng.getrandbits(128), version=4)),
        "generated_time": generated.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "client_report_id": f"loan-app-{identity[-12:]}" if outcome is Outcome.DEMO_REPORT else None,
        "items": items,
    }
    if outcome is not Outcome.NO_PRISM_REPORT:
        report["prism"] = _prism(identity, versions, history_days)
    if fico is not None:
        report["fico"] = _fico(identity, fico, items, history_days)
    return report, warnings


def _plaid_id(rng: random.Random, length: int = 37) -> str:
    return "".join(rng.choice(_ID_ALPHABET) for _ in range(length))


def _person(rng: random.Random, *, demo: bool) -> dict[str, Any]:
    first, last = ("Jordan", "Rivera") if demo else (rng.choice(_FIRST_NAMES), rng.choice(_LAST_NAMES))
    city, region, postal_code = rng.choice(_CITIES)
    return {
        "names": [f"{first} {chr(rng.randint(65, 90))}. {last}"],
        # 555-01xx numbers are reserved for fiction.
        "phone_numbers": [
            {"data": f"{rng.randint(201, 989)}55501{rng.randint(0, 99):02d}", "primary": True, "type": "mobile"}
        ],
        "emails": [{"data": f"{first}.{last}@example.com".lower(), "primary": True, "type": "primary"}],
        "addresses": [
            {
                "primary": True,
                "data": {
                    "street": f"{rng.randint(10, 9999)} {rng.choice(_STREETS)}",
                    "city": city,
                    "region": region,
                    "postal_code": postal_code,
                    "country": "US",
                },
            }
        ],
    }


def _item(
    rng: random.Random,
    institution: tuple[str, str],
    person: dict[str, Any],
    generated: dt.datetime,
    history_days: int,
    *,
    first: bool,
) -> dict[str, Any]:
    institution_id, bank = institution
    kinds = _ACCOUNTS[:2] if first else _ACCOUNTS[: rng.randint(1, 3)]
    end = generated.date() - dt.timedelta(days=1)
    accounts = []
    for subtype, name, official in kinds:
        days = history_days if subtype == "checking" else rng.randint(60, history_days)
        accounts.append(
            {
                "account_id": _plaid_id(rng),
                "mask": f"{rng.randint(0, 9999):04d}",
                "name": name,
                "official_name": official.format(bank=bank),
                "type": "depository",
                "subtype": subtype,
                "metadata": {
                    "start_date": (end - dt.timedelta(days=days)).isoformat(),
                    "end_date": end.isoformat(),
                },
                "owners": [person],
            }
        )
    return {"institution_id": institution_id, "institution_name": bank, "item_id": _plaid_id(rng), "accounts": accounts}


def _identity_warning(item_id: str) -> dict[str, Any]:
    return {
        "warning_type": "CHECK_REPORT_WARNING",
        "warning_code": "IDENTITY_UNAVAILABLE",
        "cause": {
            "item_id": item_id,
            "error_type": "ITEM_ERROR",
            "error_code": "PRODUCTS_NOT_SUPPORTED",
            "error_code_reason": None,
            "error_message": "the institution does not provide identity data for this Item",
            "display_message": None,
        },
    }


def _metadata(rng: random.Random, history_days: int) -> dict[str, Any]:
    debits = rng.randint(150, 1400)
    credits = rng.randint(12, 160)
    return {
        "max_age": history_days,
        "min_age": 1,
        "min_age_credit": rng.randint(1, 14),
        "min_age_debit": 1,
        "max_age_debit": history_days,
        "max_age_credit": history_days - rng.randint(0, 10),
        "num_trxn_credit": credits,
        "num_trxn_debit": debits,
        "l1m_credit_value_cnt": max(1, credits // 12),
        "l1m_debit_value_cnt": max(1, debits // 12),
    }


def _prism(identity: str, versions: Mapping[str, str], history_days: int) -> dict[str, Any]:
    prism: dict[str, Any] = {"status": "SUCCESS"}
    for product, version in sorted(versions.items()):
        rng = _rng(f"prism|{identity}|{product}|{version}")
        result: dict[str, Any] = {"model_version": version}
        if product in _HAS_INT_VERSION:
            result["version"] = int(version.split(".")[0].split("_")[0])
        if product == "insights":
            result["result"] = _insights(rng, version)
        else:
            major = version.split(".")[0].split("_")[0]
            result["score"] = rng.randint(1, 999)
            result["reason_codes"] = [
                f"{_REASON_PREFIX[product]}{int(major):02d}{rng.randint(1, 60):03d}" for _ in range(rng.randint(1, 3))
            ]
            result["metadata"] = _metadata(rng, history_days)
        prism[PRODUCTS[product]] = result
    return prism


def _insights(rng: random.Random, version: str) -> dict[str, Any]:
    result: dict[str, Any] = {
        "l6m_cumbal_acc": rng.randint(0, 6),
        "l3m_avg_daily_bal": round(rng.uniform(-500, 25000), 2),
        "l1m_nsf_cnt": rng.choice((0, 0, 0, 1, 2)),
        "l12m_income_total": round(rng.uniform(8000, 180000), 2),
        "primary_income_source": rng.choice(_INCOME_SOURCES),
        "l3m_loan_payment_cnt": rng.randint(0, 9),
    }
    if version != "3":
        result["income_stability_idx"] = round(rng.uniform(0, 1), 3)
        result["l6m_gig_income_share"] = round(rng.uniform(0, 1), 3)
    if version == "4.1":
        result["l1m_bnpl_payment_cnt"] = rng.randint(0, 5)
    return result


def _fico(identity: str, fico: Mapping[str, Any], items: list[dict[str, Any]], history_days: int) -> dict[str, Any]:
    results = []
    for index, request in enumerate(fico["ultrafico_score_requests"]):
        base = request["base_fico_score"]
        rng = _rng(f"fico|{identity}|{fico['lender_application_id']}|{index}|{base['score']}")
        result: dict[str, Any] = {}
        # Both identifiers are echoed as sent; FICO assigns one when the lender sent none.
        if "request_correlation_id" in request:
            result["request_correlation_id"] = request["request_correlation_id"]
        result["fico_scoring_request_id"] = request.get("fico_scoring_request_id", f"fsr-{_plaid_id(rng, 12).lower()}")
        if 300 <= base["score"] <= 850:
            result["exclusion_code"] = "0"
            result["ultrafico_score"] = {
                "ultrafico_score_version": request["ultrafico_score_version"],
                # UltraFICO can raise a base score with positive bank data; it stays within FICO's 300-850.
                "score": min(850, base["score"] + rng.randint(0, 45)),
                "negative_reason_codes": [f"{rng.randint(1, 40):02d}" for _ in range(rng.randint(0, 4))],
                "positive_reason_codes": [f"{rng.randint(1, 40):02d}" for _ in range(rng.randint(0, 4))],
                "did_inquiries_adversely_affect_score": rng.random() < 0.2,
            }
        else:
            result["exclusion_code"] = None
            result["ultrafico_score"] = None
            result["error_reason"] = "base FICO score is outside the 300-850 range; no UltraFICO score was computed"
        results.append(result)
    return {
        "lender_application_id": fico["lender_application_id"],
        "ultrafico_score_results": results,
        "report_characteristics": _characteristics(identity, items, history_days),
    }


def _characteristics(identity: str, items: list[dict[str, Any]], history_days: int) -> dict[str, Any]:
    rng = _rng(f"characteristics|{identity}")
    accounts = [account for item in items for account in item["accounts"]]
    balance = rng.uniform(200, 20000)

    def average(months: int) -> float:
        return round(balance * rng.uniform(0.8, 1.2) / (1 + months / 24), 2)

    negative_days = rng.choice((0, 0, 0, 2, 5))
    return {
        "num_accounts": len(accounts),
        "avg_daily_balance_over_1_month": average(1),
        "avg_daily_balance_over_3_months": average(3),
        "avg_daily_balance_over_6_months": average(6),
        "avg_daily_balance_over_12_months": average(12),
        "days_since_earliest_tx": history_days,
        "days_since_most_recent_negative_ending_balance": rng.randint(30, history_days) if negative_days else None,
        "days_since_most_recent_insufficient_funds_fee_debit_tx": None,
        "tot_number_days_with_negative_balance_over_1_month": 0,
        "tot_number_days_with_negative_balance_over_3_months": min(negative_days, 1),
        "tot_number_days_with_negative_balance_over_6_months": negative_days,
        "tot_number_days_with_negative_balance_over_12_months": negative_days + rng.randint(0, 3),
        "days_since_most_recent_tx": 1,
        "days_with_tx_over_1_month": rng.randint(12, 30),
        "days_with_tx_over_3_months": rng.randint(40, 90),
        "days_with_tx_over_6_months": rng.randint(90, 180),
        "days_with_tx_over_12_months": rng.randint(180, 365),
        "tot_current_balances": round(balance, 2),
        "num_checking_accounts": sum(a["subtype"] == "checking" for a in accounts),
        "num_money_market_accounts": sum(a["subtype"] == "money market" for a in accounts),
        "num_savings_accounts": sum(a["subtype"] == "savings" for a in accounts),
    }
