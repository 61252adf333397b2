"""The pytest plugin (`pytest11` entry point), run the way a user runs it: pytest in a folder of their own.

Each test writes a user's test file (the first one is the README's example) into an empty temporary folder and
runs a separate pytest process there, which finds the `partner_insights_emulator` fixture only through the
installed entry point.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.plugin.readme_example import example_test_names, readme_example

pytestmark = pytest.mark.slow  # see tests/conftest.py: runs first under pytest-xdist

# Plugins of this dev environment that a user's project would not have; they only slow the child's startup.
UNRELATED_PLUGINS_OFF = ["-p", "no:schemathesis", "-p", "no:hypothesispytest", "-p", "no:typeguard", "-p", "no:anyio"]


def run_pytest(folder: Path, *args: str) -> subprocess.CompletedProcess[str]:
    # A clean environment for the child: no settings of this suite's own run leak in.
    env = {key: value for key, value in os.environ.items() if not key.startswith(("PYTEST_", "PLAID_"))}
    return subprocess.run(
        [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", *UNRELATED_PLUGINS_OFF, "-rs", *args],
        cwd=folder,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_readme_example_passes_from_a_users_folder(tmp_path: Path) -> None:
    example = readme_example()
    assert "partner_insights_emulator.fail_next(" in example
    (tmp_path / "test_my_integration.py").write_text(example)
    result = run_pytest(tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    assert f"{len(example_test_names(example))} passed" in result.stdout
    assert "skipped" not in result.stdout


def test_failures_are_used_in_order_and_leftovers_do_not_leak(tmp_path: Path) -> None:
    (tmp_path / "test_order.py").write_text(
        """
import pytest
from plaid_partner_insights import PlaidAPIError


def statuses(sandbox, count):
    seen = []
    with sandbox.client(max_retries=0) as client:
        for _ in range(count):
            try:
                client.partner_insights.get(user_id="usr_order")
                seen.append(200)
            except PlaidAPIError as error:
                seen.append((error.status_code, error.error_type, error.error_code))
    return seen


def test_queue(partner_insights_emulator):
    partner_insights_emulator.fail_next(1, status=503)
    partner_insights_emulator.fail_next(1, status=502, error_code="GATEWAY")
    assert statuses(partner_insights_emulator, 3) == [
        (503, "API_ERROR", "PLANNED_MAINTENANCE"), (502, "API_ERROR", "GATEWAY"), 200
    ]


def test_leaves_failures_behind(partner_insights_emulator):
    partner_insights_emulator.fail_next(5)


def test_starts_clean(partner_insights_emulator):
    assert statuses(partner_insights_emulator, 1) == [200]


def test_bad_arguments_name_the_problem(partner_insights_emulator):
    with pytest.raises(ValueError, match="status must be an HTTP error status"):
        partner_insights_emulator.fail_next(1, status=200)
    with pytest.raises(ValueError, match="count must be a non-negative integer"):
        partner_insights_emulator.fail_next(-1)


def test_secret_stays_out_of_repr(partner_insights_emulator):
    assert partner_insights_emulator.secret not in repr(partner_insights_emulator)
    assert partner_insights_emulator.url.startswith("http://127.0.0.1:")
"""
    )
    result = run_pytest(tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "5 passed" in result.stdout


def test_without_the_sandbox_extra_the_fixture_skips_with_the_reason(tmp_path: Path) -> None:
    # Hide uvicorn the way a missing install hides it: its import fails.
    (tmp_path / "conftest.py").write_text("import sys\nsys.modules['uvicorn'] = None\n")
    (tmp_path / "test_needs_sandbox.py").write_text(
        "def test_uses_it(partner_insights_emulator):\n    raise AssertionError('must not run')\n\n"
        "def test_unrelated():\n    assert True\n"
    )
    result = run_pytest(tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "1 passed, 1 skipped" in result.stdout
    assert 'pip install "plaid-partner-insights[sandbox]"' in result.stdout


def test_the_deprecated_fixture_name_still_works_with_a_warning(tmp_path: Path) -> None:
    (tmp_path / "test_old_name.py").write_text(
        "import pytest\n"
        "from plaid_partner_insights_pytest import PartnerInsightsEmulator\n\n"
        "def test_old_name(partner_insights_sandbox, partner_insights_emulator):\n"
        "    assert partner_insights_sandbox is partner_insights_emulator\n\n"
        "def test_old_class_name():\n"
        "    import plaid_partner_insights_pytest as plugin\n"
        "    with pytest.warns(DeprecationWarning, match='PartnerInsightsEmulator'):\n"
        "        assert plugin.PartnerInsightsSandbox is PartnerInsightsEmulator\n"
    )
    result = run_pytest(tmp_path, "-W", "default::DeprecationWarning")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "2 passed, 1 warning" in result.stdout
    assert "the partner_insights_sandbox fixture is now partner_insights_emulator" in result.stdout


def test_loading_the_plugin_imports_nothing_heavy() -> None:
    code = (
        "import sys, plaid_partner_insights_pytest;"
        "heavy = {'plaid_partner_insights', 'httpx', 'uvicorn', 'pydantic'} & set(sys.modules);"
        "assert not heavy, heavy"
    )
    subprocess.run([sys.executable, "-c", code], check=True, timeout=60)


@pytest.mark.parametrize("count", [0, 2])
def test_fault_queue_directly(count: int) -> None:
    from plaid_partner_insights.testing.emulator._faults import FaultQueue

    queue = FaultQueue()
    queue.add(count, status=429, retry_after=1.5)
    failures = [queue.take() for _ in range(count + 1)]
    assert failures[-1] is None
    for failure in failures[:-1]:
        assert failure is not None
        assert (failure.status, failure.error_type, failure.headers) == (
            429,
            "RATE_LIMIT_EXCEEDED",
            {"retry-after": "1.5"},
        )
