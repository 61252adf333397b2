"""Deterministic Partner Insights answers, driven by the response schema of the spec.

Two layers. Hand-written rules build the parts whose meaning matters: Prism scores and reason codes, model
versions echoing the request, UltraFICO results echoing the score requests, dates, names, Items and accounts.
Then `complete` walks the response schema and fills every property the rules left out with a value synthesized
from its schema (type, format, enum, nullable, array items), drops what the schema no longer has, and replaces a
rule's value whose type the schema changed. So a property added to the spec tomorrow is in the answers after
`python codegen.py`, with no edit here.

Every random choice comes from `random.Random` seeded with strings (stable across runs and machines), so the
same user and request always give the same answer, apart from `request_id`.
"""

from __future__ import annotations

import datetime as dt
import random
import uuid
from collections.abc import Mapping
from typing import Any, Final

from ... import _spec
from ._users import Outcome

__all__ = ["OMIT", "Attributes", "build_response", "complete", "requested_versions"]


class _Omit:
    def __repr__(self) -> str:
        return "OMIT"


#: A rule's way to leave an optional property out on purpose (an `error_reason` on success); `complete` then
#: does not synthesize it. A required property is synthesized anyway.
OMIT: Final = _Omit()
_MISSING: Final = object()


class Attributes(dict[str, Any]):
    """A JSON object whose keys are content, not schema properties (Prism Insights attributes): `complete` keeps
    them all, and still fills in any property the schema declares."""


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
# The UltraFICO configuration a report was "created" with (at /cra/check_report/create), for the users whose
# report has FICO results even when the request sends no `partner_insights.fico`.
_CREATION_FICO: Final[Mapping[str, Any]] = {
    "fico_lender_id": "lender-sandbox",
    "lender_application_id": "app-sandbox-0001",
    "ultrafico_score_requests": [
        {
            "ultrafico_score_version": "1.0",
            "request_correlation_id": "corr-experian",
            "base_fico_score": {"bureau": "EXPERIAN", "score": 688, "base_fico_score_version": "10T"},
        },
        {
            "ultrafico_score_version": "1.0",
            "request_correlation_id": "corr-equifax",
            "fico_scoring_request_id": "fsr-sandbox-0002",
            "base_fico_score": {"bureau": "EQUIFAX", "score": 702, "base_fico_score_version": "10T"},
        },
    ],
}
_FICO_EXCLUSION_CODE = "2"
# FICO returns at most four reason codes of each kind; the deprecated single-code fields mirror the arrays.
_FICO_REASON_SLOTS = 4


def _rng(seed: str) -> random.Random:
    # Seeded, reproducible fake data is the point here; nothing secret comes from it.
    return random.Random(seed)  # noqa: S311


# -- the schema walk -------------------------------------------------------------------------------------------


def complete(value: Any, schema_name: str, seed: str) -> Any:
    """`value` (JSON built by rules, possibly partial) made to fit the named component schema of the spec.

    Missing properties are synthesized (optional ones too, unless the rule put `OMIT` there), properties the
    schema does not have are dropped (except in free-form objects), and a value of the wrong type or outside its
    enum is replaced. Deterministic for a given `seed`.
    """
    return _complete(value, _spec.schema(schema_name), seed, schema_name)


def _complete(value: Any, node: dict[str, Any], seed: str, where: str) -> Any:
    target, nullable = _spec.resolve(node)
    if value is None and nullable:
        return None
    kind = target.get("type")
    if kind == "object" or "properties" in target:
        properties: dict[str, Any] = target.get("properties", {})
        if not isinstance(value, dict):
            value = {}
        if not properties:  # a free-form map: the rule's keys are the content
            return value
        required = set(target.get("required", ()))
        # Otherwise a key the schema does not have (any more) is dropped, unless the rule says its keys are content.
        result = (
            {key: item for key, item in value.items() if key not in properties} if isinstance(value, Attributes) else {}
        )
        for name, prop in properties.items():
            given = value.get(name, _MISSING)
            if given is OMIT:
                if name not in required:
                    continue
                given = _MISSING
            if given is _MISSING:
                result[name] = _synthesize(prop, seed, f"{where}.{name}")
            else:
                result[name] = _complete(given, prop, seed, f"{where}.{name}")
        return result
    if kind == "array":
        items: dict[str, Any] = target.get("items") or {}
        if not isinstance(value, list):
            return _synthesize(node, seed, where)
        return [_complete(item, items, seed, f"{where}[{index}]") for index, item in enumerate(value)]
    if _fits(value, target):
        return value
    return _synthesize(node, seed, where)


def _fits(value: Any, target: dict[str, Any]) -> bool:
    kind = target.get("type")
    if kind is None:
        return True
    fits = {
        "string": isinstance(value, str),
        "integer": isinstance(value, int) and not isinstance(value, bool),
        "number": isinstance(value, int | float) and not isinstance(value, bool),
        "boolean": isinstance(value, bool),
    }.get(str(kind), False)
    return fits and ("enum" not in target or value in target["enum"])


def _synthesize(node: dict[str, Any], seed: str, where: str) -> Any:
    """A value for a property no rule covers, from its schema alone (never null, so it shows)."""
    target, _ = _spec.resolve(node)
    rng = _rng(f"{seed}|{where}")
    kind = target.get("type")
    if kind == "object" or "properties" in target:
        return _complete({}, target, seed, where)
    if kind == "array":
        items = target.get("items") or {}
        if not items:  # entries of unknown shape: an empty list says "none" without inventing a shape
            return []
        count = min(2, int(target.get("maxItems", 2)))
        return [_synthesize(items, seed, f"{where}[{index}]") for index in range(count)]
    example = node.get("example", target.get("example"))
    if example is not None and _fits(example, target):
        return example
    if "enum" in target:
        return rng.choice(list(target["enum"]))
    if kind == "string":
        if target.get("format") == "date":
            return (_EPOCH.date() - dt.timedelta(days=rng.randrange(1, 400))).isoformat()
        if target.get("format") == "date-time":
            return (_EPOCH - dt.timedelta(minutes=rng.randrange(1, 60 * 24 * 30))).strftime("%Y-%m-%dT%H:%M:%SZ")
        name = where.rsplit(".", 1)[-1].split("[", 1)[0]
        return f"{name}-{_plaid_id(rng, 8).lower()}"
    if kind == "integer":
        return rng.randint(0, 365)
    if kind == "number":
        return round(rng.uniform(0, 5000), 2)
    if kind == "boolean":
        return rng.random() < 0.5
    return {}


# -- the rules -------------------------------------------------------------------------------------------------


def requested_versions(outcome: Outcome, body: Mapping[str, Any]) -> dict[str, str]:
    """The Prism versions to run, by request key: the report's creation-time set, overridden by the request.

    The demo user's report (and the Prism-error user's) was "created" with every product at its latest version;
    others with the products
    Plaid runs by default. The deprecated `options.prism_versions` counts like `partner_insights.prism_versions`;
    when both name a product, `partner_insights` wins. A null version means "not specified".
    """
    demo = outcome in (Outcome.DEMO_REPORT, Outcome.PRISM_ERROR_REPORT)
    versions = {
        product.request_key: _spec.latest_version(product.versions) if demo else product.default_version
        for product in _spec.prism_products()
        if (demo and product.versions) or product.default_version is not None
    }
    for holder in (body.get("options"), body.get("partner_insights")):
        chosen = (holder or {}).get("prism_versions") or {}
        versions.update({product: version for product, version in chosen.items() if version is not None})
    return {product: version for product, version in versions.items() if version is not None}


def build_response(identity: str, outcome: Outcome, body: Mapping[str, Any], request_id: str) -> dict[str, Any]:
    """The whole 200 body for a user whose report exists, completed against the response schema."""
    rng = _rng(f"report|{identity}")
    generated = _EPOCH + dt.timedelta(minutes=rng.randrange(60 * 24 * 28))
    demo = outcome is Outcome.DEMO_REPORT
    person = _person(rng, demo=demo)
    item_count = 2 if outcome in (Outcome.DEMO_REPORT, Outcome.WARNINGS_REPORT) else rng.randint(1, 2)
    institutions = [_INSTITUTIONS[0], _INSTITUTIONS[3]] if demo else rng.sample(_INSTITUTIONS, item_count)
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
        warnings.append(_warning(items[1]["item_id"], "IDENTITY_UNAVAILABLE", "PRODUCTS_NOT_SUPPORTED"))
    if demo:
        # No transactions came back for the second Item: its accounts have no date range, and a warning says why.
        for account in items[1]["accounts"]:
            account["metadata"] = {"start_date": None, "end_date": None}
        warnings.append(_warning(items[1]["item_id"], "TRANSACTIONS_UNAVAILABLE", "ITEM_LOGIN_REQUIRED"))
    report: dict[str, Any] = {
        "report_id": str(uuid.UUID(int=rng.getrandbits(128), version=4)),
        "generated_time": generated.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "client_report_id": f"loan-app-{identity[-12:]}" if demo else None,
        "items": items,
        "prism": OMIT,
        "fico": OMIT,
    }
    if outcome is not Outcome.NO_PRISM_REPORT:
        report["prism"] = _prism(
            identity, requested_versions(outcome, body), history_days, failed=outcome is Outcome.PRISM_ERROR_REPORT
        )
    fico = (body.get("partner_insights") or {}).get("fico")
    if fico is None and outcome in (Outcome.DEMO_REPORT, Outcome.FICO_EXCLUDED_REPORT):
        fico = _CREATION_FICO
    if fico is not None:
        excluded = outcome is Outcome.FICO_EXCLUDED_REPORT
        report["fico"] = _fico(identity, fico, items, history_days, excluded=excluded)
    answer = {"request_id": request_id, "report": report, "warnings": warnings}
    completed: dict[str, Any] = complete(answer, _spec.RESPONSE_SCHEMA, f"{identity}|{outcome.value}")
    return completed


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


_WARNING_CAUSES = {
    "PRODUCTS_NOT_SUPPORTED": "the institution does not provide identity data for this Item",
    "ITEM_LOGIN_REQUIRED": "the login details of this Item have changed and the user must sign in again",
}


def _warning(item_id: str, warning_code: str, error_code: str) -> dict[str, Any]:
    return {
        "warning_type": "CHECK_REPORT_WARNING",
        "warning_code": warning_code,
        "cause": {
            "item_id": item_id,
            "error_type": "ITEM_ERROR",
            "error_code": error_code,
            "error_code_reason": None,
            "error_message": _WARNING_CAUSES[error_code],
            "display_message": None,
            # The request that generated the report, during which the Item failed.
            "request_id": _plaid_id(_rng(f"warning|{item_id}"), 15),
            "causes": [],
            "status": None,
            "documentation_url": f"https://plaid.com/docs/errors/item/#{error_code.lower()}",
            "suggested_action": None,
            # Set only for NO_ACCOUNTS errors; Plaid sends them empty otherwise.
            "required_account_subtypes": [],
            "provided_account_subtypes": [],
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


def _major(version: str) -> int:
    digits = version.split(".")[0].split("_")[0]
    return int(digits) if digits.isdigit() else 1


def _prism(identity: str, versions: Mapping[str, str], history_days: int, *, failed: bool) -> dict[str, Any]:
    """One result per product asked for, shaped by its schema: attributes (`result`) or a score."""
    results = _spec.schema("CraPartnerInsightsPrism")["properties"]
    prism: dict[str, Any] = {"status": "FAILURE" if failed else "SUCCESS"}
    for product in _spec.prism_products():
        if product.request_key not in versions:
            prism[product.report_key] = OMIT
            continue
        version = versions[product.request_key]
        rng = _rng(f"prism|{identity}|{product.request_key}|{version}")
        fields = _spec.resolve(results[product.report_key])[0].get("properties", {})
        # `version` is the deprecated whole-number form of `model_version`; the schema says which products have it.
        result: dict[str, Any] = {"model_version": version, "version": _major(version), "error_reason": OMIT}
        if failed:
            result["error_reason"] = f"Prism {product.label} {version} could not be computed from this user's data"
            result.update(score=None, result=OMIT, reason_codes=OMIT, metadata=OMIT)
        elif "result" in fields:
            result["result"] = _insights(rng, version)
        else:
            # Reason codes read like Prism's: product initials, major version, a number (CS04012).
            initials = "".join(c for c in product.label if c.isupper()) or product.label[:2].upper()
            initials = initials if len(initials) > 1 else product.label[:2].upper()
            result["score"] = rng.randint(1, 999)
            result["reason_codes"] = [
                f"{initials}{_major(version):02d}{rng.randint(1, 60):03d}" for _ in range(rng.randint(1, 3))
            ]
            result["metadata"] = _metadata(rng, history_days)
        prism[product.report_key] = result
    return prism


def _insights(rng: random.Random, version: str) -> Attributes:
    result = Attributes(
        {
            "l6m_cumbal_acc": rng.randint(0, 6),
            "l3m_avg_daily_bal": round(rng.uniform(-500, 25000), 2),
            "l1m_nsf_cnt": rng.choice((0, 0, 0, 1, 2)),
            "l12m_income_total": round(rng.uniform(8000, 180000), 2),
            "primary_income_source": rng.choice(_INCOME_SOURCES),
            "l3m_loan_payment_cnt": rng.randint(0, 9),
        }
    )
    if version != "3":
        result["income_stability_idx"] = round(rng.uniform(0, 1), 3)
        result["l6m_gig_income_share"] = round(rng.uniform(0, 1), 3)
    if version == "4.1":
        result["l1m_bnpl_payment_cnt"] = rng.randint(0, 5)
    return result


def _reason_slots(prefix: str, codes: list[str]) -> dict[str, str | None]:
    """The deprecated `reason_code_1..4`-style fields Plaid still sends beside the arrays."""
    return {f"{prefix}{n}": codes[n - 1] if n <= len(codes) else None for n in range(1, _FICO_REASON_SLOTS + 1)}


def _fico(
    identity: str, fico: Mapping[str, Any], items: list[dict[str, Any]], history_days: int, *, excluded: bool
) -> dict[str, Any]:
    results = []
    for index, request in enumerate(fico["ultrafico_score_requests"]):
        base = request["base_fico_score"]
        rng = _rng(f"fico|{identity}|{fico['lender_application_id']}|{index}|{base['score']}")
        result: dict[str, Any] = {
            # Both identifiers are echoed as sent; FICO assigns one when the lender sent none.
            "request_correlation_id": request.get("request_correlation_id", OMIT),
            "fico_scoring_request_id": request.get("fico_scoring_request_id", f"fsr-{_plaid_id(rng, 12).lower()}"),
            "error_reason": OMIT,
        }
        if excluded:
            result["exclusion_code"] = _FICO_EXCLUSION_CODE
            result["ultrafico_score"] = None
            result["error_reason"] = "the consumer was excluded from UltraFICO scoring: too little bank account data"
        elif 300 <= base["score"] <= 850:
            negative = [f"{rng.randint(1, 40):02d}" for _ in range(rng.randint(1, _FICO_REASON_SLOTS))]
            positive = [f"{rng.randint(1, 40):02d}" for _ in range(rng.randint(1, _FICO_REASON_SLOTS))]
            result["exclusion_code"] = "0"
            result["ultrafico_score"] = {
                "ultrafico_score_version": request["ultrafico_score_version"],
                # UltraFICO can raise a base score with positive bank data; it stays within FICO's 300-850.
                "score": min(850, base["score"] + rng.randint(0, 45)),
                "negative_reason_codes": negative,
                "positive_reason_codes": positive,
                **_reason_slots("reason_code_", negative),
                **_reason_slots("positive_reason_code_", positive),
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
