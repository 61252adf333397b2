"""Across the documented sandbox users, the sandbox's answers hold every property path of the response schema.

The paths come from walking the spec (`_spec.property_paths`), so a property added to the spec is checked here
as soon as it is regenerated, and the test names any path no answer covers.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

import httpx
import pytest

from plaid_partner_insights import _spec
from plaid_partner_insights.testing.emulator import DEMO_USER_ID, EMULATOR_USERS

if TYPE_CHECKING:
    from tests.conftest import LocalSandbox

# An UltraFICO request FICO can score, one it cannot (base score out of range), and one without a correlation id.
FICO_REQUEST = {
    "fico_lender_id": "lender-1",
    "lender_application_id": "app-coverage",
    "ultrafico_score_requests": [
        {
            "ultrafico_score_version": "1.0",
            "request_correlation_id": f"corr-{score}",
            "base_fico_score": {"bureau": "TRANSUNION", "score": score, "base_fico_score_version": "9"},
        }
        for score in (640, 9000)
    ],
}


@pytest.fixture(scope="module")
def answers(local_sandbox: LocalSandbox) -> dict[str, dict[str, Any]]:
    """Every 200 answer of the documented users (and a seeded one), with and without a FICO request."""
    users = [user.user_id for user in EMULATOR_USERS if "<" not in user.user_id] + ["usr_any_other_user"]
    found = {}
    with httpx.Client(base_url=local_sandbox.url, headers=local_sandbox.headers, timeout=10) as http:
        for user in users:
            for extra in ({}, {"partner_insights": {"fico": FICO_REQUEST}}):
                response = http.post(local_sandbox.endpoint, json={"user_id": user, **extra})
                if response.status_code == 200:
                    found[f"{user} {'with' if extra else 'without'} fico"] = response.json()
    return found


def test_every_response_path_appears_in_some_answer(answers: dict[str, dict[str, Any]]) -> None:
    covered = set().union(*(_spec.json_paths(answer) for answer in answers.values()))
    expected = _spec.property_paths()
    assert len(expected) > 150
    missing = [path for path in expected if path not in covered]
    assert not missing, f"no sandbox answer holds these response paths: {missing}"
    unknown = covered - set(expected) - {path for path in covered if path.startswith("report.prism.insights.result.")}
    assert not unknown, f"answers hold paths the schema does not have: {sorted(unknown)}"


def test_the_demo_user_alone_shows_every_path_but_the_failure_ones(answers: dict[str, dict[str, Any]]) -> None:
    """An optional property added to the spec shows in the demo report; only failure fields are left to others."""
    demo = _spec.json_paths(answers[f"{DEMO_USER_ID} without fico"])
    missing = [path for path in _spec.property_paths() if path not in demo]
    assert all(path.endswith(".error_reason") for path in missing), missing


def test_failure_shapes_are_there(answers: dict[str, dict[str, Any]]) -> None:
    prism = answers["usr_sandbox_prism_error without fico"]["report"]["prism"]
    failed = [product for product in prism.values() if isinstance(product, dict)]
    assert len(failed) == len(_spec.prism_products())
    assert all(product["error_reason"] for product in failed)
    assert all(product.get("score") is None and "result" not in product for product in failed)
    results = answers["usr_sandbox_fico_excluded without fico"]["report"]["fico"]["ultrafico_score_results"]
    assert results
    for result in results:
        assert result["ultrafico_score"] is None
        assert result["error_reason"]
        assert result["exclusion_code"] not in (None, "0")


def test_the_client_tests_and_the_benchmark_use_every_path() -> None:
    """FULL_RESPONSE (client tests) and the benchmark report are completed by the same builder: nothing missing."""
    root = str(Path(__file__).resolve().parents[2])  # benchmarks/ is a folder of the checkout, not a package
    if root not in sys.path:
        sys.path.insert(0, root)
    from benchmarks.report import build_report
    from tests.client.conftest import FULL_RESPONSE

    for name, body in (("FULL_RESPONSE", FULL_RESPONSE), ("benchmarks/report.py", build_report())):
        missing = [path for path in _spec.property_paths() if path not in _spec.json_paths(body)]
        assert all(path.endswith(".error_reason") for path in missing), (name, missing)


ROOT = Path(__file__).resolve().parents[2]


def upstream_paths(document: dict[str, Any]) -> set[str]:
    """The response property paths of one of Plaid's own spec files (its `allOf` merges included)."""
    schemas = document["components"]["schemas"]

    def properties(node: dict[str, Any], seen: tuple[str, ...]) -> tuple[dict[str, Any], tuple[str, ...]]:
        if "$ref" in node:
            name = node["$ref"].rsplit("/", 1)[1]
            return properties(schemas[name], (*seen, name)) if name not in seen else ({}, seen)
        merged = dict(node.get("properties", {}))
        for part in node.get("allOf", ()):
            merged.update(properties(part, seen)[0])
        if node.get("type") == "array" and isinstance(node.get("items"), dict):
            return {"[]": node["items"]}, seen
        return merged, seen

    def walk(node: dict[str, Any], path: str, seen: tuple[str, ...]) -> set[str]:
        found = set()
        props, inside = properties(node, seen)
        for key, prop in props.items():
            child = f"{path}[]" if key == "[]" else f"{path}.{key}" if path else key
            found |= ({child} if key != "[]" else set()) | walk(prop, child, inside)
        return found

    return walk(schemas["CraCheckReportPartnerInsightsGetResponse"], "", ())


def test_every_path_of_plaids_own_response_schema_appears(answers: dict[str, dict[str, Any]]) -> None:
    import yaml

    # The release of Plaid's spec ours follows, as `codegen.py upstream --apply` keeps it beside the spec.
    name = "spec/upstream-extract.yaml"
    expected = upstream_paths(yaml.safe_load((ROOT / name).read_text()))
    assert len(expected) > 150
    covered = set().union(*(_spec.json_paths(answer) for answer in answers.values()))
    missing = sorted(expected - covered)
    assert not missing, f"Plaid's {name} has response paths no sandbox answer holds: {missing}"
