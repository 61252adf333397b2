"""The generated models parse strictly and name a bad field by its JSON path; absent and null read as one None.

The wrong-type cases are derived by walking a rich report alongside its schema in `spec/openapi.yaml` (not the
generated code), so every declared property at every depth is tried, renamed ones (`type` -> `type_`) included.
"""

from __future__ import annotations

import copy
import datetime
import functools
import json
import pickle
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from codegen import read_yaml
from plaid_partner_insights import ResponseValidationError
from plaid_partner_insights.types import (
    Cause,
    CraCheckReportPartnerInsightsGetResponse,
    CraPartnerInsightsItemAccount,
    DepositoryAccountSubtype,
    PrismCashScore,
)

# The benchmark's rich report (three Items, eight accounts, eleven owners) is the body every case mutates.
ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from benchmarks.report import build_report  # noqa: E402

SPEC = read_yaml((ROOT / "spec" / "openapi.yaml").read_text())
SCHEMAS = SPEC["components"]["schemas"]
Response = CraCheckReportPartnerInsightsGetResponse


def resolve(schema: dict[str, Any]) -> tuple[dict[str, Any], bool]:
    """The schema behind `$ref` / `allOf: [$ref]`, and whether it is nullable."""
    nullable = bool(schema.get("nullable"))
    while True:
        if "$ref" in schema:
            schema = SCHEMAS[schema["$ref"].rsplit("/", 1)[1]]
        elif "allOf" in schema and len(schema["allOf"]) == 1:
            schema = schema["allOf"][0]
        else:
            return schema, nullable or bool(schema.get("nullable"))


def join(path: str, step: str) -> str:
    return step if not path else f"{path}{step}" if step.startswith("[") else f"{path}.{step}"


def wrong_value(schema: dict[str, Any]) -> object:
    """A JSON value of another type than `schema` declares."""
    kind = schema.get("type")
    if kind == "string":
        return 12345
    if kind in ("integer", "number", "boolean"):
        return "12345" if kind != "boolean" else 1
    if kind == "array":
        return {"not": "a list"}
    return ["not", "an", "object"]


def declared_values(
    value: Any, schema: dict[str, Any], path: str
) -> Iterator[tuple[str, list[str | int], dict[str, Any], bool]]:
    """(JSON path, location, schema, required) of every value present in `value` that the spec declares."""
    schema, _ = resolve(schema)
    if isinstance(value, dict):
        required = set(schema.get("required", []))
        for key, child in value.items():
            if key not in schema.get("properties", {}):
                continue  # unknown or free-form: anything goes
            child_schema = schema["properties"][key]
            yield join(path, key), [key], child_schema, key in required
            for sub_path, where, sub_schema, sub_required in declared_values(child, child_schema, join(path, key)):
                yield sub_path, [key, *where], sub_schema, sub_required
    elif isinstance(value, list):
        for index, child in enumerate(value):
            yield join(path, f"[{index}]"), [index], schema["items"], True
            for sub_path, where, sub_schema, sub_required in declared_values(
                child, schema["items"], join(path, f"[{index}]")
            ):
                yield sub_path, [index, *where], sub_schema, sub_required


@functools.cache
def built_report() -> dict[str, Any]:
    """Built once: completing it against the schema costs milliseconds, and there are over a thousand cases."""
    return build_report()


def report() -> dict[str, Any]:
    """A fresh copy of the report for a case to mutate."""
    return copy.deepcopy(built_report())


def place(body: dict[str, Any], where: list[str | int], value: object) -> None:
    target: Any = body
    for step in where[:-1]:
        target = target[step]
    target[where[-1]] = value


def first_account(parsed: CraCheckReportPartnerInsightsGetResponse) -> CraPartnerInsightsItemAccount:
    assert parsed.report is not None
    assert parsed.report.items is not None
    accounts = parsed.report.items[0].accounts
    assert accounts is not None
    return accounts[0]


def parse_error(body: dict[str, Any]) -> ResponseValidationError:
    with pytest.raises(ResponseValidationError) as caught:
        Response.from_dict(body)
    return caught.value


CASES = list(declared_values(built_report(), SCHEMAS["CraCheckReportPartnerInsightsGetResponse"], ""))


def test_the_walk_covers_deep_and_renamed_fields() -> None:
    paths = {path for path, *_ in CASES}
    assert len(paths) > 500
    assert "report.items[2].accounts[1].owners[0].emails[0].type" in paths
    assert "report.items[0].accounts[0].type" in paths


@pytest.mark.parametrize(("path", "where", "schema"), [(p, w, s) for p, w, s, _ in CASES], ids=[c[0] for c in CASES])
def test_a_wrong_type_anywhere_names_its_json_path(path: str, where: list[str | int], schema: dict[str, Any]) -> None:
    body = report()
    place(body, where, wrong_value(resolve(schema)[0]))
    error = parse_error(body)
    assert error.path == path
    assert f"response field {path!r} is invalid: expected " in str(error)


@pytest.mark.parametrize(
    ("path", "where"), [(p, w) for p, w, s, required in CASES if not resolve(s)[1]], ids=lambda v: str(v)
)
def test_null_where_the_spec_does_not_allow_it_names_its_json_path(path: str, where: list[str | int]) -> None:
    body = report()
    place(body, where, None)
    error = parse_error(body)
    assert error.path == path
    assert str(error).endswith(", got null")


@pytest.mark.parametrize("path", [p for p, w, s, required in CASES if required and isinstance(w[-1], str)])
def test_a_missing_required_field_names_its_json_path(path: str) -> None:
    where = next(w for p, w, *_ in CASES if p == path)
    body = report()
    target: Any = body
    for step in where[:-1]:
        target = target[step]
    del target[where[-1]]
    error = parse_error(body)
    assert error.path == path
    assert str(error) == f"response is missing required field {path!r}"


def test_the_issue_examples() -> None:
    body = report()
    body["request_id"] = 123
    assert parse_error(body).path == "request_id"
    body = report()
    body["report"]["items"][0]["accounts"][0]["type"] = ["depository"]
    assert parse_error(body).path == "report.items[0].accounts[0].type"
    body = report()
    body["report"]["items"][0]["accounts"][0]["owners"][0]["emails"][0]["type"] = 7
    assert parse_error(body).path == "report.items[0].accounts[0].owners[0].emails[0].type"
    body = report()
    body["report"]["items"] = "none"
    assert parse_error(body).path == "report.items"
    body = report()
    body["report"]["prism"]["cash_score"]["score"] = "high"
    assert parse_error(body).path == "report.prism.cash_score.score"


@pytest.mark.parametrize(
    ("value", "accepted"),
    [(True, False), (1.5, False), ("734", False), (734, True), (None, True)],
)
def test_integers_are_integers_not_booleans_floats_or_strings(value: object, accepted: bool) -> None:
    body = {"version": 4, "score": value}
    if accepted:
        assert PrismCashScore.from_dict(body).score == value
    else:
        with pytest.raises(ResponseValidationError, match="expected an integer"):
            PrismCashScore.from_dict(body)


def test_dates_and_date_times_are_checked_and_parsed() -> None:
    body = report()
    parsed = Response.from_dict(body)
    assert parsed.report is not None
    assert isinstance(parsed.report.generated_time, datetime.datetime)
    for bad in ("2026-13-01T00:00:00Z", "2026-08-06", "2026-08-06T09:13:00", "yesterday"):
        body = report()
        body["report"]["generated_time"] = bad
        assert parse_error(body).path == "report.generated_time"
    body = report()
    account = body["report"]["items"][0]["accounts"][0]
    account["metadata"]["start_date"] = "2026-02-30"
    assert parse_error(body).path == "report.items[0].accounts[0].metadata.start_date"


def test_unknown_fields_and_enum_values_parse_and_round_trip() -> None:
    body = report()
    account = body["report"]["items"][0]["accounts"][0]
    account["subtype"] = "crypto vault"
    account["brand_new_field"] = {"nested": [1, None]}
    body["report"]["extra"] = None
    parsed = Response.from_dict(copy.deepcopy(body))
    first = first_account(parsed)
    assert isinstance(first.subtype, DepositoryAccountSubtype)
    assert not first.subtype.is_known
    assert first.additional_properties == {"brand_new_field": {"nested": [1, None]}}
    assert first["brand_new_field"] == {"nested": [1, None]}
    assert parsed.to_dict() == body


def test_absent_and_null_both_read_as_none_and_to_dict_keeps_which() -> None:
    absent: dict[str, object] = {"item_id": "it_1", "error_type": "ITEM_ERROR", "error_code": "X", "error_message": "m"}
    absent["display_message"] = None  # required and nullable
    nulled = dict(absent, status=None, suggested_action=None)  # optional and nullable
    for body in (absent, nulled):
        parsed = Cause.from_dict(body)
        assert parsed.status is None
        assert parsed.suggested_action is None
        assert parsed.display_message is None
        assert json.dumps(parsed.to_dict()) == json.dumps(body)
    assert Cause.from_dict(dict(absent, status=400)).status == 400


def test_to_dict_writes_changed_attributes() -> None:
    body = report()
    parsed = Response.from_dict(body)
    first_account(parsed).name = "Renamed"
    first_account(parsed).account_id = None
    out = parsed.to_dict()
    assert out["report"]["items"][0]["accounts"][0]["name"] == "Renamed"
    assert "account_id" not in out["report"]["items"][0]["accounts"][0]


def test_models_pickle_and_copy_with_what_they_received() -> None:
    body = report()
    body["report"]["unknown"] = 1
    parsed = Response.from_dict(body)
    pickled = pickle.loads(pickle.dumps(parsed))  # noqa: S301 - our own object
    for clone in (pickled, copy.deepcopy(parsed), copy.copy(parsed)):
        assert clone == parsed
        assert clone.to_dict() == body


def test_a_parse_error_pickles() -> None:
    body = report()
    body["request_id"] = 1
    error = parse_error(body)
    clone = pickle.loads(pickle.dumps(error))  # noqa: S301 - our own object
    assert isinstance(clone, ResponseValidationError)
    assert (clone.path, str(clone)) == (error.path, str(error))
