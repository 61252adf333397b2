"""`codegen.py diff` on Plaid's real history: every change between consecutive upstream releases, classified.

The expected lines in fixtures/expected-diffs.yaml were written by reading each pair of extracts side by side
(a plain text diff shows every edit; the lines keep those that change what a client sends or reads, and leave
out documentation-only edits such as `x-hidden-from-docs`, enum display hints and `$ref` rewritten as
`allOf`). The assertions below repeat the changes the issue names, so a wrong fixture cannot hide them.
"""

from __future__ import annotations

import copy
import itertools
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

from benchmarks.spec_diff import full_size_document, write_yaml
from specdiff import Document, compare_documents, load

# Run first under pytest-xdist (tests/conftest.py), with coverage paused (tests/untraced.py).
pytestmark = [pytest.mark.slow, pytest.mark.untraced]

ROOT = Path(__file__).resolve().parents[2]
FIXTURES = Path(__file__).resolve().parent / "fixtures"
EXTRACTS = sorted((FIXTURES / "plaid-upstream").glob("2020-09-14_*.yaml"))
EXPECTED: dict[str, list[str]] = yaml.safe_load((FIXTURES / "expected-diffs.yaml").read_text())
PAIRS = list(itertools.pairwise(EXTRACTS))


def version(path: Path) -> str:
    return path.stem.removeprefix("2020-09-14_")


def lines(old: Document, new: Document) -> list[str]:
    return [difference.line for difference in compare_documents(old, new)]


def test_every_consecutive_pair_has_expected_lines() -> None:
    assert len(EXTRACTS) == 18
    assert sorted(EXPECTED) == sorted(f"{version(a)} -> {version(b)}" for a, b in PAIRS)


@pytest.mark.parametrize(("old", "new"), PAIRS, ids=[f"{version(a)}->{version(b)}" for a, b in PAIRS])
def test_diff_finds_each_real_change_classified(old: Path, new: Path) -> None:
    assert lines(load(str(old)), load(str(new))) == EXPECTED[f"{version(old)} -> {version(new)}"]


@pytest.mark.parametrize(
    ("old", "new", "line"),
    [
        ("1.525.1", "1.556.0", "breaking response report.items[].accounts[].owners[].document_id: removed"),
        ("1.610.0", "1.627.0", "breaking response report.prism.cash_score.score: became nullable"),
        ("1.682.2", "1.688.0", "breaking request options.prism_products: removed"),
        ("1.682.2", "1.688.0", "breaking response report.prism: became nullable"),
        (
            "1.682.2",
            "1.688.0",
            'non-breaking request partner_insights.prism_versions.cashscore: enum value "4.1" added',
        ),
        ("1.556.0", "1.575.0", "non-breaking request user_token: became optional"),
        ("1.673.1", "1.674.0", 'non-breaking error error_type: enum value "IDENTITY_ERROR" removed'),
    ],
)
def test_the_changes_the_issue_names(old: str, new: str, line: str) -> None:
    assert line in EXPECTED[f"{old} -> {new}"]
    assert line in lines(load(extract(old)), load(extract(new)))


def test_user_id_changing_shape_only_is_no_change() -> None:
    # 1.664.0 wrote user_id as allOf [NewUserID, {}, {x-hidden-from-docs}], 1.667.0 moved the flag out,
    # 1.674.0 dropped the `{}`, 1.680.0 made it a plain $ref: the same field to a client each time.
    for old, new in [("1.664.0", "1.667.0"), ("1.673.1", "1.674.0"), ("1.674.0", "1.680.0")]:
        assert not [line for line in lines(load(extract(old)), load(extract(new))) if " user_id" in line]


def test_reversed_history_flips_the_classification() -> None:
    assert lines(load(extract("1.627.0")), load(extract("1.610.0"))) == [
        "non-breaking response report.prism.cash_score.score: no longer nullable",
        "non-breaking response report.prism.first_detect.score: no longer nullable",
    ]
    assert "non-breaking response report.items[].accounts[].owners[].document_id: added" in lines(
        load(extract("1.556.0")), load(extract("1.525.1"))
    )


def extract(upstream_version: str) -> str:
    return str(FIXTURES / "plaid-upstream" / f"2020-09-14_{upstream_version}.yaml")


def mutate_other_endpoints(document: dict[str, Any]) -> dict[str, Any]:
    """Change other operations' schemas in every way the comparison looks at."""
    mutated = copy.deepcopy(document)
    schemas = mutated["components"]["schemas"]
    del schemas["Other0CraPartnerInsights"]["properties"]["items"]
    schemas["Other1PlaidErrorType"]["enum"].append("SOMETHING_NEW_ERROR")
    schemas["Other2CraCheckReportPartnerInsightsGetRequest"]["required"] = ["user_id"]
    schemas["Other3PrismCashScore"]["properties"]["score"]["type"] = "string"
    mutated["paths"]["/other4/get"]["post"]["responses"]["200"]["content"]["application/json"]["schema"] = {
        "type": "string"
    }
    return mutated


def test_full_size_mutation_of_another_endpoint_changes_nothing() -> None:
    old = yaml.safe_load(Path(extract("1.688.0")).read_text())
    new = yaml.safe_load(Path(extract("1.697.4")).read_text())
    full_old, full_new = full_size_document(old), full_size_document(new)
    assert len(full_new["paths"]) > 20
    expected = EXPECTED["1.688.0 -> 1.697.4"]
    assert lines(in_memory(full_old), in_memory(full_new)) == expected
    assert lines(in_memory(full_old), in_memory(mutate_other_endpoints(full_new))) == expected
    assert lines(in_memory(full_new), in_memory(mutate_other_endpoints(full_new))) == []


def in_memory(content: dict[str, Any]) -> Document:
    return Document("in-memory", content, "0" * 64)


def test_cli_reads_a_full_size_file(tmp_path: Path) -> None:
    base = yaml.safe_load(Path(extract("1.697.4")).read_text())
    full = tmp_path / "2020-09-14.yml"
    # Plaid's published file is about 3 MB; the document stops at the first copy of the endpoint that reaches it.
    assert 3_000_000 <= write_yaml(full, mutate_other_endpoints(full_size_document(base))) < 3_100_000
    result = subprocess.run(
        [sys.executable, "codegen.py", "diff", extract("1.697.4"), str(full)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert (result.returncode, result.stdout, result.stderr) == (0, "", "")
