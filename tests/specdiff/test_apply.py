"""`codegen.py upstream --apply`, the spec edit: what upstream says, in our words, layout and conventions.

These run in-process on text (no regeneration); tests/specdiff/test_upstream_replay.py runs the whole command.
"""

from __future__ import annotations

import copy
import dataclasses
import difflib
import re
from pathlib import Path
from typing import Any

import pytest
import yaml
from packaging.version import Version

from specdiff import (
    ApplyError,
    Bump,
    Change,
    Deviation,
    Difference,
    Document,
    add_entry,
    apply_upstream,
    changelog_section,
    compare_documents,
    load,
    next_version,
    parse,
    read_record,
    recorded_text,
    required_bump,
    upstream_entry,
)
from specdiff._apply import enum_varname, parse_path
from specdiff._examples import fit_examples
from specdiff._roundtrip import dump_round_trip, load_round_trip
from specdiff._upstream import ended_deviations

# Seconds of regeneration: run first under pytest-xdist (tests/conftest.py); coverage paused in the test's own thread
# (tests/untraced.py).
pytestmark = [pytest.mark.slow, pytest.mark.untraced]

ROOT = Path(__file__).resolve().parents[2]
FIXTURES = Path(__file__).resolve().parent / "fixtures"
SPEC_TEXT = (ROOT / "spec" / "openapi.yaml").read_text()
RECORDED = read_record(ROOT / "spec" / "upstream.yaml")
# The record without its dated deviations (`until`): these tests apply releases older than the one such a deviation
# stands for, to see removals applied as a newer release's would be.
RECORD = dataclasses.replace(RECORDED, deviations=tuple(d for d in RECORDED.deviations if d.until is None))


def recorded_release() -> dict[str, Any]:
    """The release our spec follows, as its extract beside the spec: in step with the spec, a base for the next one."""
    content: dict[str, Any] = yaml.safe_load((ROOT / "spec" / "upstream-extract.yaml").read_text())
    return content


def next_release(step: int = 1) -> str:
    """A release number after the recorded one (before any dated deviation's end, so those still hold)."""
    date, number = RECORDED.version.split("_")
    parts = number.split(".")
    return f"{date}_{'.'.join([*parts[:-1], str(int(parts[-1]) + step)])}"


def extract(version: str) -> Document:
    return load(str(FIXTURES / "plaid-upstream" / f"2020-09-14_{version}.yaml"))


def in_memory(content: dict[str, Any], version: str) -> Document:
    content = copy.deepcopy(content)
    content["info"]["version"] = version
    return Document("in-memory", content, "1" * 64)


def unexplained(text: str, theirs: Document) -> list[str]:
    ours = parse("spec/openapi.yaml", text.encode())
    return [d.line for d in RECORD.unexplained(compare_documents(ours, theirs))]


def descriptions(text: str) -> list[str]:
    return [str(d) for d in re.findall(r"description: (.*)", text)]


@pytest.mark.parametrize("path", ["spec/openapi.yaml", "spec/upstream.yaml", "spec/sandbox-setup.yaml"])
def test_round_trip_writes_our_yaml_back_byte_for_byte(path: str) -> None:
    text = (ROOT / path).read_text()
    assert dump_round_trip(load_round_trip(text, path)) == text


def test_a_spec_in_step_is_left_byte_for_byte() -> None:
    applied = apply_upstream(SPEC_TEXT, load(str(ROOT / "spec" / "upstream-extract.yaml")), RECORDED, source="ours")
    assert (applied.differences, applied.new_elements, applied.text) == ([], [], SPEC_TEXT)


def test_apply_makes_the_report_empty_and_keeps_everything_else() -> None:
    content = recorded_release()
    del content["components"]["schemas"]["PrismCashScore"]["properties"]["error_reason"]
    theirs = in_memory(content, next_release())
    ours = parse("ours", SPEC_TEXT.encode())
    before = [d.line for d in RECORDED.unexplained(compare_documents(ours, theirs), theirs.version)]
    assert before == ["breaking response report.prism.cash_score.error_reason: removed"]
    applied = apply_upstream(SPEC_TEXT, theirs, RECORDED, source="ours")
    assert [d.line for d in applied.differences] == before
    assert RECORDED.unexplained(compare_documents(parse("ours", applied.text.encode()), theirs), theirs.version) == []
    # Only removals here: every other line of ours, comments and descriptions included, is still there, in order.
    diff = list(difflib.unified_diff(SPEC_TEXT.splitlines(), applied.text.splitlines(), lineterm="", n=0))
    added = [line for line in diff[2:] if line.startswith("+")]
    removed = [line for line in diff[2:] if line.startswith("-") and not line.startswith("@@")]
    assert added == []
    assert any("error_reason" in line for line in removed)
    assert "# ----------------------------------------------------------------- response" in applied.text
    # Recorded deviations stay: prism_products (removed upstream) and our minLength on identifiers.
    spec = yaml.safe_load(applied.text)
    request = spec["components"]["schemas"]["CraCheckReportPartnerInsightsGetRequest"]["properties"]
    assert request["user_id"]["minLength"] == 1
    assert "prism_products" in spec["components"]["schemas"]["CraCheckReportPartnerInsightsGetOptions"]["properties"]
    assert applied.new_elements == []


def add_new_parts(content: dict[str, Any]) -> None:
    """Upstream adds: a response property with an inline enum, a request object, a nullable field."""
    schemas = content["components"]["schemas"]
    account = schemas["CraPartnerInsightsItemAccount"]["properties"]
    account["verification"] = {"type": "string", "enum": [2.5, "manual", None], "x-hidden-from-docs": True}
    schemas["CraCheckReportPartnerInsightsGetRequest"]["properties"]["consent"] = {
        "$ref": "#/components/schemas/CraConsent"
    }
    schemas["CraConsent"] = {
        "title": "CraConsent",
        "type": "object",
        "description": "Upstream's own words, which must not be copied.",
        "properties": {
            "given_at": {"type": "string", "format": "date-time"},
            "item_id": {"$ref": "#/components/schemas/ItemId"},
        },
        "required": ["given_at"],
    }
    schemas["PrismCashScore"]["properties"]["model_version"]["nullable"] = True


def test_new_parts_follow_our_conventions_and_are_listed() -> None:
    content = recorded_release()
    add_new_parts(content)
    theirs = in_memory(content, next_release())
    applied = apply_upstream(SPEC_TEXT, theirs, RECORDED, source="ours")
    assert RECORDED.unexplained(compare_documents(parse("ours", applied.text.encode()), theirs), theirs.version) == []
    placeholder = f"Added in Plaid's spec {theirs.version}; not yet described here."
    schemas = yaml.safe_load(applied.text)["components"]["schemas"]
    # An inline enum becomes a named schema with x-enum-varnames and string values; null makes it nullable.
    verification = schemas["CraPartnerInsightsItemAccount"]["properties"]["verification"]
    assert verification == {"allOf": [{"$ref": "#/components/schemas/Verification"}], "description": placeholder}
    enum = schemas["Verification"]
    assert (enum["enum"], enum["x-enum-varnames"], enum["nullable"]) == (["2.5", "manual"], ["V2_5", "MANUAL"], True)
    assert "'2.5'" in applied.text  # quoted as we write values that start with a digit
    # A new request object is closed, as ours are; upstream's words and marks are not copied.
    consent = schemas["CraConsent"]
    assert consent["additionalProperties"] is False
    assert consent["title"] == "CraConsent"
    assert consent["description"] == placeholder
    assert consent["properties"]["item_id"] == {"type": "string", "description": placeholder}  # ItemId inlined
    assert "Upstream's own words" not in applied.text
    assert "x-hidden-from-docs" not in applied.text
    assert schemas["PrismCashScore"]["properties"]["model_version"]["nullable"] is True
    assert applied.new_elements == [
        "components.schemas.CraConsent",
        "request consent",
        "components.schemas.Verification",
        "response report.items[].accounts[].verification",
    ]
    assert list(consent) == ["title", "type", "additionalProperties", "description", "required", "properties"]
    # Nothing of ours was lost: every description we had is still there.
    assert set(descriptions(SPEC_TEXT)) <= set(descriptions(applied.text))


def test_a_change_that_keeps_coming_back_is_refused_with_the_lines() -> None:
    # Two of our paths share PrismCashScoreMetadata; upstream gives only one of them a new required field.
    content = recorded_release()
    schemas = content["components"]["schemas"]
    schemas["Other"] = copy.deepcopy(schemas["PrismCashScoreMetadata"])
    schemas["Other"]["properties"]["extra"] = {"type": "integer"}
    schemas["Other"]["required"] = [*schemas["Other"]["required"], "extra"]
    schemas["PrismExtend"]["properties"]["metadata"] = {"$ref": "#/components/schemas/Other"}
    with pytest.raises(ApplyError, match=r"remain after \d+ rounds"):
        apply_upstream(SPEC_TEXT, in_memory(content, next_release()), RECORDED, source="ours")


@pytest.mark.parametrize(
    ("value", "name"),
    [
        ("4.1", "V4_1"),
        ("3_lite", "V3_LITE"),
        ("money market", "MONEY_MARKET"),
        ("10T", "V10T"),
        ("USER_ERROR", "USER_ERROR"),
    ],
)
def test_enum_varnames_are_named_as_ours_are(value: str, name: str) -> None:
    assert enum_varname(value) == name


def test_report_paths_are_read_step_by_step() -> None:
    assert parse_path("report.items[].accounts[].owners[].document_id") == [
        "report",
        "items",
        "[]",
        "accounts",
        "[]",
        "owners",
        "[]",
        "document_id",
    ]
    assert parse_path("(body)") == []
    assert parse_path("attributes{}.x") == ["attributes", "{}", "x"]


def test_the_record_keeps_its_comments_and_takes_the_hash() -> None:
    text = (ROOT / "spec" / "upstream.yaml").read_text()
    new = recorded_text(text, next_release(), "ab" * 32)
    changed = [(a, b) for a, b in zip(text.splitlines(), new.splitlines(), strict=True) if a != b]
    assert changed == [
        (f'version: "{RECORDED.version}"', f'version: "{next_release()}"'),
        (f"sha256: {RECORDED.sha256 or 'null'}", f"sha256: {'ab' * 32}"),
    ]


@pytest.mark.parametrize(
    ("previous", "breaking", "api_breaking", "bump", "expected"),
    [
        ("0.1.0", [True, False], False, Bump.BREAKING, "0.2.0"),
        ("1.4.2", [True], False, Bump.BREAKING, "2.0.0"),
        ("0.1.0", [False], False, Bump.PATCH, "0.1.1"),
        ("0.1.0", [False], True, Bump.BREAKING, "0.2.0"),  # a response enum value removed: the API lost a name
        ("0.1.0", [], False, Bump.NONE, None),
    ],
)
def test_one_policy_gives_the_bump(
    previous: str, breaking: list[bool], api_breaking: bool, bump: Bump, expected: str | None
) -> None:
    differences = [
        Difference(1, f"field{index}", "removed", "response", Change.PROPERTY_REMOVED, flag)
        for index, flag in enumerate(breaking)
    ]
    assert required_bump(differences, api_breaking=api_breaking) is bump
    assert next_version(Version(previous), bump) == (Version(expected) if expected else None)


def test_the_changelog_entry_lists_breaking_changes_first_under_the_new_version() -> None:
    content = recorded_release()
    del content["components"]["schemas"]["PrismCashScore"]["properties"]["error_reason"]
    content["components"]["schemas"]["Products"]["enum"].remove("protect_transactions")
    theirs = in_memory(content, next_release())
    applied = apply_upstream(SPEC_TEXT, theirs, RECORDED, source="ours")
    entry = upstream_entry(theirs.version, "2020-09-14_1.778.0", applied.differences)
    changelog = (ROOT / "CHANGELOG.md").read_text()
    text = add_entry(changelog, "0.2.0", entry)
    section = changelog_section(text, "0.2.0")
    assert section is not None
    upstream_block = section.split("\n### ")[0]
    bullets = [line for line in upstream_block.splitlines() if line.startswith("- ")]
    assert len(bullets) == len(applied.differences)
    assert bullets[0] == "- **Breaking:** response `report.prism.cash_score.error_reason`: removed"
    assert len(bullets) > 1
    assert f"`{theirs.version}` (was `2020-09-14_1.778.0`)" in section
    assert text.index("## [Unreleased]") < text.index("## [0.2.0]") < text.index("## [0.1.0]")
    assert changelog_section(text, "0.1.0") == changelog_section(changelog, "0.1.0")
    # A second release before the version is out goes into the same section, newest first.
    again = add_entry(text, "0.2.0", upstream_entry("2020-09-14_1.800.0", theirs.version, []))
    section = changelog_section(again, "0.2.0")
    assert section is not None
    assert section.index("1.800.0") < section.index(theirs.version)
    assert again.count("## [0.2.0]") == 1


CHANGELOG_WITH_UNRELEASED = """\
# Changelog

## [Unreleased]

### Added

- A thing made since the last version.

### Fixed

- A fix made since the last version.

## [0.1.0] - 2026-01-01

### Added

- The first thing.
"""


def test_what_unreleased_held_moves_into_the_new_version() -> None:
    entry = upstream_entry("2020-09-14_1.800.0", "2020-09-14_1.778.0", [])
    text = add_entry(CHANGELOG_WITH_UNRELEASED, "0.1.1", entry)
    assert text.count("## [Unreleased]") == 1
    assert changelog_section(text, "Unreleased") == ""
    section = changelog_section(text, "0.1.1")
    assert section is not None
    assert re.findall(r"^### .*", section, re.MULTILINE) == [
        "### Plaid's spec 2020-09-14_1.800.0",
        "### Added",
        "### Fixed",
    ]
    assert "- A thing made since the last version." in section
    assert "- A fix made since the last version." in section
    assert changelog_section(text, "0.1.0") == "### Added\n\n- The first thing."
    assert text.index("## [Unreleased]") < text.index("## [0.1.1]") < text.index("## [0.1.0]")


def test_unreleased_joins_a_version_section_that_exists_heading_by_heading() -> None:
    first = add_entry(
        CHANGELOG_WITH_UNRELEASED, "0.1.1", upstream_entry("2020-09-14_1.800.0", "2020-09-14_1.778.0", [])
    )
    more = first.replace("## [Unreleased]\n", "## [Unreleased]\n\n### Added\n\n- Made after the first apply.\n")
    text = add_entry(more, "0.1.1", upstream_entry("2020-09-14_1.801.0", "2020-09-14_1.800.0", []))
    assert changelog_section(text, "Unreleased") == ""
    section = changelog_section(text, "0.1.1")
    assert section is not None
    headings = re.findall(r"^### .*", section, re.MULTILINE)
    assert headings == [
        "### Plaid's spec 2020-09-14_1.801.0",
        "### Plaid's spec 2020-09-14_1.800.0",
        "### Added",
        "### Fixed",
    ]
    added = section.split("### Added\n\n")[1].split("\n\n")[0]
    assert added == "- Made after the first apply.\n- A thing made since the last version."
    assert "\n\n## [0.1.0]" in text


def test_the_key_endpoint_and_webhook_bodies_are_applied_too() -> None:
    content = recorded_release()
    schemas = content["components"]["schemas"]
    # Upstream adds a property to the key endpoint's answer, drops one of a webhook body and a product value.
    schemas["JWKPublicKey"]["properties"]["x5c"] = {"type": "string"}
    del schemas["CraCheckReportFailedWebhook"]["properties"]["item_ids"]
    schemas["Products"]["enum"].remove("protect_transactions")
    theirs = in_memory(content, next_release())
    applied = apply_upstream(SPEC_TEXT, theirs, RECORDED, source="ours")
    lines = [d.line for d in applied.differences]
    assert "non-breaking response POST /webhook_verification_key/get key.x5c: added" in lines
    # Webhook bodies are read by clients: their differences are classified as responses, named by schema.
    assert "breaking response CraCheckReportFailedWebhook item_ids: removed" in lines
    assert (
        'non-breaking response CraUserCheckReportReadyWebhook failed_products[]: enum value "protect_transactions" '
        "removed" in lines
    )
    # A schema a webhook body uses is compared through it, not again on its own.
    assert not [line for line in lines if " Products" in line]
    result = yaml.safe_load(applied.text)["components"]["schemas"]
    assert "item_ids" not in result["CraCheckReportFailedWebhook"]["properties"]
    assert "protect_transactions" not in result["Products"]["enum"]
    assert "x5c" in result["JWKPublicKey"]["properties"]
    assert applied.new_elements == ["response POST /webhook_verification_key/get key.x5c"]
    # The differ, which compares the same parts, has nothing left to report.
    assert RECORDED.unexplained(compare_documents(parse("ours", applied.text.encode()), theirs), theirs.version) == []
    # Applied again, nothing is left anywhere: the endpoint, the key endpoint, the webhooks.
    again = apply_upstream(applied.text, theirs, RECORDED, source="ours")
    assert (again.differences, again.text) == ([], applied.text)


def test_the_report_says_when_the_file_changed_under_the_recorded_version(capsys: pytest.CaptureFixture[str]) -> None:
    from specdiff._cli import _upstream

    # The extract of the recorded release is not the file whose hash is recorded (the whole of upstream's file).
    theirs = load(str(ROOT / "spec" / "upstream-extract.yaml"))
    assert RECORDED.sha256 is not None
    assert (theirs.version, theirs.sha256 != RECORDED.sha256) == (RECORDED.version, True)
    assert _upstream(theirs, RECORDED, record=False) == 0  # nothing differs for the client
    expected = f"has the recorded version but another hash than the recorded {RECORDED.sha256[:12]}"
    assert expected in capsys.readouterr().err
    assert _upstream(theirs, dataclasses.replace(RECORDED, sha256=theirs.sha256), record=False) == 0
    assert "another hash" not in capsys.readouterr().err


def test_a_result_that_does_not_validate_changes_nothing(tmp_path: Path) -> None:
    from specdiff._regenerate import Checkout, apply_release

    checkout = Checkout(tmp_path)
    for name in ("spec", "setup", "record", "version_file", "changelog"):
        getattr(checkout, name).parent.mkdir(parents=True, exist_ok=True)
        getattr(checkout, name).write_bytes(getattr(Checkout(ROOT), name).read_bytes())
    before = {path: path.read_bytes() for path in tmp_path.rglob("*") if path.is_file()}
    content = recorded_release()
    # OpenAPI 3.1's way of saying nullable, in a 3.0 document: copied as upstream wrote it, it cannot validate.
    content["components"]["schemas"]["PrismCashScore"]["properties"]["band"] = {"type": ["string", "null"]}
    with pytest.raises(ApplyError, match=r"the applied spec does not pass: spec/openapi\.yaml is not a valid OpenAPI"):
        apply_release(checkout, in_memory(content, next_release()), log=lambda _: None)
    assert {path: path.read_bytes() for path in tmp_path.rglob("*") if path.is_file()} == before


def media_examples(text: str) -> dict[str, Any]:
    """Every named example of the spec's operations and shared responses, by `<where> <name>`."""
    spec = yaml.safe_load(text)
    found: dict[str, Any] = {}
    holders = [(f"{path} {verb}", op) for path, item in spec["paths"].items() for verb, op in item.items()]
    for where, operation in holders:
        bodies = [("request", operation.get("requestBody", {}))]
        bodies += [(status, response) for status, response in operation["responses"].items()]
        for label, body in bodies:
            for media in body.get("content", {}).values():
                for name, example in media.get("examples", {}).items():
                    found[f"{where} {label} {name}"] = example["value"]
    for name, response in spec["components"]["responses"].items():
        for media in response.get("content", {}).values():
            for example_name, example in media.get("examples", {}).items():
                found[f"{name} {example_name}"] = example["value"]
    return found


def test_examples_are_adjusted_to_what_upstream_changed_and_listed() -> None:
    content = recorded_release()
    schemas = content["components"]["schemas"]
    # A version value our request example sends, a property our report example shows, an enum value it uses for
    # a required property, and a new required (nullable) property, all gone or new upstream.
    schemas["PrismCashScoreVersion"]["enum"] = [v for v in schemas["PrismCashScoreVersion"]["enum"] if v != 4.1]
    del schemas["CraPartnerInsightsItemAccount"]["properties"]["official_name"]
    schemas["CraPartnerInsightsItemAccount"]["required"].remove("official_name")
    schemas["DepositoryAccountSubtype"]["enum"].remove("checking")
    schemas["PrismCashScore"]["properties"]["percentile"] = {"type": "integer", "nullable": True}
    schemas["PrismCashScore"]["required"].append("percentile")
    applied = apply_upstream(SPEC_TEXT, in_memory(content, next_release()), RECORDED, source="ours")
    before, after = media_examples(SPEC_TEXT), media_examples(applied.text)
    operation = "/cra/check_report/partner_insights/get post"
    expected = copy.deepcopy(before)
    del expected[f"{operation} request userId"]["partner_insights"]["prism_versions"]["cashscore"]
    report = expected[f"{operation} 200 fullReport"]["report"]
    account = report["items"][0]["accounts"][0]
    del account["official_name"]
    account["subtype"] = "savings"  # required and not nullable: the first value left, as a placeholder
    report["prism"]["cash_score"]["percentile"] = None
    assert after == expected
    where = "POST /cra/check_report/partner_insights/get"
    assert applied.example_changes == [
        f"{where} request example userId: `partner_insights.prism_versions.cashscore` removed: '4.1' is not one of "
        "its values",
        f"{where} 200 example fullReport: `report.items[0].accounts[0].official_name` removed: the schema no longer "
        "has it",
        f"{where} 200 example fullReport: `report.items[0].accounts[0].subtype` set to 'savings', a placeholder: "
        "'checking' is not one of its values",
        f"{where} 200 example fullReport: `report.prism.cash_score.percentile` added with a placeholder value "
        "(None): the schema now requires it",
    ]
    # Nothing is left for the same pass to change: every example fits the applied spec.
    assert fit_examples(load_round_trip(applied.text, "applied")) == []


def test_an_example_that_cannot_be_made_to_fit_is_dropped_and_listed() -> None:
    content = recorded_release()
    # A bound our example of the key endpoint's request breaks, on a property the request requires.
    content["components"]["schemas"]["WebhookVerificationKeyGetRequest"]["properties"]["key_id"]["maxLength"] = 8
    applied = apply_upstream(SPEC_TEXT, in_memory(content, next_release()), RECORDED, source="ours")
    assert "/webhook_verification_key/get post request keyId" in media_examples(SPEC_TEXT)
    after = media_examples(applied.text)
    assert "/webhook_verification_key/get post request keyId" not in after
    (line,) = [line for line in applied.example_changes if "keyId" in line]
    assert line.startswith("POST /webhook_verification_key/get request example keyId: dropped (`key_id`: ")
    assert line.endswith("is too long); write a new one")
    # The media type had no other example, so it has no `examples` left; the others are kept.
    request = yaml.safe_load(applied.text)["paths"]["/webhook_verification_key/get"]["post"]["requestBody"]
    assert "examples" not in request["content"]["application/json"]
    assert "/webhook_verification_key/get post 200 currentKey" in after


def test_enum_values_that_stay_are_written_as_they_were() -> None:
    content = recorded_release()
    content["components"]["schemas"]["Products"]["enum"].remove("protect_transactions")
    applied = apply_upstream(SPEC_TEXT, in_memory(content, next_release()), RECORDED, source="ours")
    diff = list(difflib.unified_diff(SPEC_TEXT.splitlines(), applied.text.splitlines(), lineterm="", n=0))
    removed = [line[1:] for line in diff if line.startswith("-") and not line.startswith("---")]
    added = [line[1:] for line in diff if line.startswith("+") and not line.startswith("+++")]
    # The value and its constant name go; every other value stays as it was written (ours are quoted).
    assert (removed, added) == (["        - 'protect_transactions'", "        - PROTECT_TRANSACTIONS"], [])


def test_a_dated_deviation_holds_before_its_release_and_ends_with_it(tmp_path: Path) -> None:
    # Upstream drops two error types; we know (say, from a later release's SDK) that the second is still there.
    content = recorded_release()
    error_types = content["components"]["schemas"]["PlaidErrorType"]["enum"]
    dropped, known = str(error_types.pop(0)), str(error_types.pop(0))
    until = next_release(5)
    dated = Deviation("known-later", "reason", (f'non-breaking *error_type: enum value "{known}" removed',), until)
    record = dataclasses.replace(RECORD, deviations=(*RECORD.deviations, dated))
    before = apply_upstream(SPEC_TEXT, in_memory(content, next_release()), record, source="ours")
    lines = [d.line for d in before.differences]
    assert f'non-breaking error error_type: enum value "{dropped}" removed' in lines
    assert not [line for line in lines if known in line]
    ours = yaml.safe_load(before.text)["components"]["schemas"]["PlaidErrorType"]
    assert (dropped in ours["enum"], known in ours["enum"]) == (False, True)
    assert len(ours["x-enum-varnames"]) == len(ours["enum"])
    # From its release on, upstream is taken at its word, and the record drops the deviation.
    at_end = apply_upstream(SPEC_TEXT, in_memory(content, until), record, source="ours")
    assert f'non-breaking error error_type: enum value "{known}" removed' in [d.line for d in at_end.differences]
    assert known not in yaml.safe_load(at_end.text)["components"]["schemas"]["PlaidErrorType"]["enum"]
    assert ended_deviations(record, until) == ["known-later"]
    assert ended_deviations(record, next_release()) == []
    text = (ROOT / "spec" / "upstream.yaml").read_text()
    dated_names = [d.name for d in RECORDED.deviations if d.until is not None]
    (tmp_path / "upstream.yaml").write_text(recorded_text(text, "2099-01-01_1.0.0", "ab" * 32))
    later = (tmp_path / "upstream.yaml").read_text()
    assert [d.name for d in read_record(tmp_path / "upstream.yaml").deviations] == [
        d.name for d in RECORDED.deviations if d.name not in dated_names
    ]
    assert "# Each deviation: why we differ" in later  # the comments stay


def test_the_extract_is_the_part_of_upstream_the_comparison_reads_without_its_words() -> None:
    from specdiff._extract import upstream_extract

    theirs = load(str(FIXTURES / "plaid-upstream-loop" / "2020-09-14_1.688.0.yaml"))
    theirs = dataclasses.replace(theirs, content={**theirs.content, "paths": {**theirs.content["paths"], "/other": {}}})
    text = upstream_extract(theirs, yaml.safe_load(SPEC_TEXT))
    assert text.splitlines()[2] == f"# Its sha256: {theirs.sha256}"
    extract = parse("extract", text.encode())
    assert extract.version == theirs.version
    assert set(extract.content["paths"]) == {"/cra/check_report/partner_insights/get", "/webhook_verification_key/get"}
    assert compare_documents(extract, theirs) == []
    assert compare_documents(load(str(ROOT / "spec" / "openapi.yaml")), extract) == compare_documents(
        load(str(ROOT / "spec" / "openapi.yaml")), theirs
    )
    # Upstream's words are left out.
    assert not re.search(r"^\s*(description|summary|example): ", text.split("\n", 4)[4], re.MULTILINE)


def test_the_setup_specs_copies_take_the_applied_shape_and_keep_their_words() -> None:
    from specdiff._setup_copies import shape, sync_setup_copies

    setup_text = (ROOT / "spec" / "sandbox-setup.yaml").read_text()
    assert sync_setup_copies(setup_text, SPEC_TEXT) == (setup_text, [])
    content = yaml.safe_load((ROOT / "spec" / "upstream-extract.yaml").read_text())
    fico = content["components"]["schemas"]["CraPartnerInsightsBaseFicoScore"]["properties"]
    del fico["reason_codes"]
    fico["reason_code_1"]["deprecated"] = False
    content["components"]["schemas"]["PrismCashScoreVersion"]["enum"].insert(0, "5")
    # A release after the recorded one, before the dated deviation's end (it covers what we know of later ones).
    applied = apply_upstream(SPEC_TEXT, in_memory(content, "2020-09-14_1.697.5"), RECORDED, source="ours")
    new_text, changed = sync_setup_copies(setup_text, applied.text)
    assert changed == ["PrismCashScoreVersion", "CraPartnerInsightsBaseFicoScore"]
    copies = yaml.safe_load(new_text)["components"]["schemas"]
    originals = yaml.safe_load(applied.text)["components"]["schemas"]
    # An enum's constant names go with its values (the generators need one per value).
    for key in ("enum", "x-enum-varnames"):
        assert copies["PrismCashScoreVersion"][key] == originals["PrismCashScoreVersion"][key]
    assert copies["PrismCashScoreVersion"]["x-enum-varnames"][0] == "V5"
    assert shape(copies["CraPartnerInsightsBaseFicoScore"]) == shape(originals["CraPartnerInsightsBaseFicoScore"])
    assert "reason_codes" not in copies["CraPartnerInsightsBaseFicoScore"]["properties"]
    before = yaml.safe_load(setup_text)["components"]["schemas"]
    for key in ("title", "description", "additionalProperties"):
        assert copies["CraPartnerInsightsBaseFicoScore"][key] == before["CraPartnerInsightsBaseFicoScore"][key]
    # Only that schema's lines changed.
    diff = [
        line
        for line in difflib.unified_diff(setup_text.splitlines(), new_text.splitlines(), lineterm="", n=0)
        if line.startswith(("-", "+")) and not line.startswith(("---", "+++"))
    ]
    assert diff
    assert {line[1:].strip() for line in diff} <= {
        "- '5'",
        "- V5",
        "reason_codes:",
        "type: array",
        "maxItems: 4",
        "description: Up to four reason codes for the base score, most important first.",
        "items:",
        "type: string",
        "deprecated: true",
    }
