"""`mypy --strict` accepts the typed usage example and every ```python block of README.md as written, and rejects wrong
request fields, values and settings. One mypy run checks them all."""

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


README = ROOT / "README.md"


def python_blocks() -> list[tuple[int, str]]:
    """(line number, code) of each ```python block of README.md."""
    text = README.read_text()
    return [
        (text.count("\n", 0, match.start()) + 2, match.group(1))
        for match in re.finditer(r"^```python\n(.*?)^```$", text, flags=re.DOTALL | re.MULTILINE)
    ]


def block_name(line: int) -> str:
    return f"readme_line_{line}.py"


@pytest.fixture(scope="module")
def mypy_report(tmp_path_factory: pytest.TempPathFactory) -> str:
    """The suite's one `mypy --strict` run: the typed usage example, the wrong usage and every README block, each a
    file of its own, so the library is started and analysed once for all of them."""
    directory = tmp_path_factory.mktemp("mypy")
    # Only --strict: not the project's relaxed settings for tests.
    (directory / "mypy.ini").write_text("[mypy]\npython_version = 3.11\n")
    (directory / "bad_usage.py").write_text(BAD_USAGE)
    files = [str(HERE / "usage.py"), str(directory / "bad_usage.py")]
    for line, code in python_blocks():
        (directory / block_name(line)).write_text(code)
        files.append(str(directory / block_name(line)))
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "mypy",
            "--strict",
            "--config-file",
            str(directory / "mypy.ini"),
            "--cache-dir",
            str(directory / "cache"),
            "--no-error-summary",
            "--hide-error-context",
            *files,
        ],
        capture_output=True,
        text=True,
        cwd=ROOT,
        check=False,
    )
    assert done.returncode in (0, 1), f"mypy did not run:\n{done.stdout}{done.stderr}"
    return done.stdout + done.stderr


def reports_on(report: str, file_name: str) -> list[str]:
    return [line for line in report.splitlines() if re.match(rf"(.*[/\\])?{re.escape(file_name)}:\d+:", line)]


def test_usage_example_passes_mypy_strict(mypy_report: str) -> None:
    assert reports_on(mypy_report, "usage.py") == [], mypy_report


def test_wrong_fields_and_values_fail_mypy_strict(mypy_report: str) -> None:
    expected = {number for number, line in enumerate(BAD_USAGE.splitlines(), start=1) if "# E:" in line}
    reported = {int(m.group(1)) for m in re.finditer(r"bad_usage\.py:(\d+): error:", mypy_report)}
    assert reported == expected, mypy_report


def test_readme_has_python_blocks() -> None:
    assert python_blocks(), "README.md has no ```python block: the test below would check nothing"


@pytest.mark.parametrize(
    ("line", "code"), python_blocks(), ids=lambda value: f"line{value}" if isinstance(value, int) else ""
)
def test_readme_python_block_passes_mypy_strict(mypy_report: str, line: int, code: str) -> None:
    assert code.strip()
    assert reports_on(mypy_report, block_name(line)) == [], f"README.md line {line}:\n{mypy_report}"


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
