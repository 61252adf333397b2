"""`mypy --strict` accepts the typed usage example and rejects wrong request fields, values and settings."""

from __future__ import annotations

import importlib.util
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from plaid_partner_insights.testing.emulator import DATA_UNAVAILABLE_USER_ID, DEMO_USER_ID, NOT_READY_USER_ID

pytestmark = pytest.mark.slow  # see tests/conftest.py: runs first under pytest-xdist

HERE = Path(__file__).parent
ROOT = HERE.parent.parent

BAD_USAGE = """\
from plaid_partner_insights import PartnerInsightsClient

client = PartnerInsightsClient(client_id="c", secret="s")
client.partner_insights.get(user_idd="usr_1")  # E: unknown field
client.partner_insights.get(user_id=1)  # E: wrong type
client.partner_insights.get(user_id="u", user_tier="gold")  # E: unknown enum value
client.partner_insights.get(user_id="u", partner_insights={"prism_versions": {"cashscore": "9"}})  # E: bad version
client.partner_insights.get(user_id="u", partner_insights={"prism_versions": {"cashcow": "4"}})  # E: bad product
client.partner_insights.get(user_id="u", options={"prism_products": ["everything"]})  # E: bad product group
client.partner_insights.get(user_id="u", max_retries="2")  # E: wrong option type
PartnerInsightsClient(client_id="c", secret="s", environment="development")  # E: unknown environment
ok = client.partner_insights.get(user_id="u", partner_insights={"prism_versions": {"cashscore": "4.1"}})
ok.request_id.upper()
ok.no_such_attribute  # E: unknown response attribute
"""


def run_mypy(path: Path, cache: Path) -> tuple[int, str]:
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "mypy",
            "--strict",
            "--config-file",
            str(cache / "mypy.ini"),
            "--cache-dir",
            str(cache / "cache"),
            "--no-error-summary",
            "--hide-error-context",
            str(path),
        ],
        capture_output=True,
        text=True,
        cwd=ROOT,
        check=False,
    )
    return done.returncode, done.stdout + done.stderr


@pytest.fixture(scope="module")
def mypy_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    directory = tmp_path_factory.mktemp("mypy")
    # Only --strict: not the project's relaxed settings for tests.
    (directory / "mypy.ini").write_text("[mypy]\npython_version = 3.11\n")
    return directory


def test_usage_example_passes_mypy_strict(mypy_dir: Path) -> None:
    code, output = run_mypy(HERE / "usage.py", mypy_dir)
    assert code == 0, output


def test_wrong_fields_and_values_fail_mypy_strict(mypy_dir: Path) -> None:
    bad = mypy_dir / "bad_usage.py"
    bad.write_text(BAD_USAGE)
    code, output = run_mypy(bad, mypy_dir)
    assert code == 1, output
    expected = {number for number, line in enumerate(BAD_USAGE.splitlines(), start=1) if "# E:" in line}
    reported = {int(m.group(1)) for m in re.finditer(r"bad_usage\.py:(\d+): error:", output)}
    assert reported == expected, output


def test_usage_example_runs(local_sandbox: Any) -> None:
    spec = importlib.util.spec_from_file_location("typed_usage_example", HERE / "usage.py")
    assert spec is not None
    assert spec.loader is not None
    usage = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(usage)
    sync_score, async_score = usage.fetch_both(
        local_sandbox.url, local_sandbox.client_id, local_sandbox.secret, DEMO_USER_ID
    )
    assert isinstance(sync_score, int)
    assert sync_score == async_score
    message, score = usage.fetch(local_sandbox.url, local_sandbox.client_id, local_sandbox.secret, NOT_READY_USER_ID)
    assert message == "not ready: PRODUCT_NOT_READY"
    assert score is None
    message, _ = usage.fetch(local_sandbox.url, local_sandbox.client_id, local_sandbox.secret, DATA_UNAVAILABLE_USER_ID)
    assert re.fullmatch(r"400 CHECK_REPORT_ERROR/DATA_UNAVAILABLE \S+ items=\S+", message), message
