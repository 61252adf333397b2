"""`codegen.py diff` and `upstream` compare the key endpoint and the webhook bodies too, named in each line.

Documents are spec/openapi.yaml and edited copies of it; a document without those parts (Plaid's per-release
extracts of the endpoint alone) compares as before.
"""

from __future__ import annotations

import copy
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

from codegen import read_yaml
from specdiff import Document, compare_documents

pytestmark = pytest.mark.untraced  # coverage paused in the test's own thread: tests/untraced.py

ROOT = Path(__file__).resolve().parents[2]
SPEC = read_yaml((ROOT / "spec" / "openapi.yaml").read_text())
KEY_PATH = "/webhook_verification_key/get"


def document(content: dict[str, Any], name: str) -> Document:
    return Document(name, content, "0" * 64)


def lines(old: dict[str, Any], new: dict[str, Any]) -> list[str]:
    return [difference.line for difference in compare_documents(document(old, "old"), document(new, "new"))]


def edited() -> dict[str, Any]:
    changed: dict[str, Any] = copy.deepcopy(SPEC)
    schemas = changed["components"]["schemas"]
    schemas["CraCheckReportReadyWebhook"]["required"].remove("user_id")
    schemas["CraPartnerInsightsCompleteWebhook"]["properties"]["user_id"]["type"] = "integer"
    schemas["JWKPublicKey"]["properties"]["expired_at"]["nullable"] = False
    schemas["WebhookVerificationKeyGetRequest"]["properties"]["key_id"]["type"] = "integer"
    return changed


def test_changes_to_the_key_endpoint_and_webhooks_are_reported_and_classed() -> None:
    assert lines(SPEC, edited()) == [
        "breaking request POST /webhook_verification_key/get key_id: type changed from string to integer",
        "breaking response CraCheckReportReadyWebhook user_id: became optional",
        "breaking response CraPartnerInsightsCompleteWebhook user_id: type changed from string to integer",
        "non-breaking response POST /webhook_verification_key/get key.expired_at: no longer nullable",
    ]
    assert lines(edited(), SPEC) == [
        "breaking request POST /webhook_verification_key/get key_id: type changed from integer to string",
        "non-breaking response CraCheckReportReadyWebhook user_id: became required",
        "breaking response CraPartnerInsightsCompleteWebhook user_id: type changed from integer to string",
        "breaking response POST /webhook_verification_key/get key.expired_at: became nullable",
    ]


def test_a_webhook_is_recognised_by_its_mark_on_either_side() -> None:
    # Plaid's own document carries no x-webhook: the mark on our side is enough.
    unmarked = edited()
    for schema in unmarked["components"]["schemas"].values():
        schema.pop("x-webhook", None)
    assert "breaking response CraCheckReportReadyWebhook user_id: became optional" in lines(SPEC, unmarked)
    assert "non-breaking response CraCheckReportReadyWebhook user_id: became required" in lines(unmarked, SPEC)


@pytest.mark.parametrize("direction", ["ours-first", "theirs-first"])
def test_a_document_of_the_endpoint_alone_reads_as_before(direction: str) -> None:
    alone = copy.deepcopy(SPEC)
    del alone["paths"][KEY_PATH]
    schemas = alone["components"]["schemas"]
    for name in [name for name, schema in schemas.items() if "x-webhook" in schema]:
        del schemas[name]
    pair = (SPEC, alone) if direction == "ours-first" else (alone, SPEC)
    assert lines(*pair) == []
    assert lines(SPEC, SPEC) == []


def test_diff_command_names_the_part(tmp_path: Path) -> None:
    new = tmp_path / "new.yaml"
    new.write_text(yaml.safe_dump(edited(), sort_keys=False))
    done = subprocess.run(
        [sys.executable, "codegen.py", "diff", "spec/openapi.yaml", str(new)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 1, done.stderr
    assert "breaking response CraCheckReportReadyWebhook user_id: became optional" in done.stdout.splitlines()
