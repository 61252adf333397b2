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

from tests.plugin.readme_example import DOUBLE_EXAMPLE, example_test_names, readme_example

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


@pytest.mark.partner_insights_emulator(allow_unused_faults=True)
def test_leaves_failures_behind(partner_insights_emulator):
    partner_insights_emulator.fail_next(5)


def test_starts_clean(partner_insights_emulator):
    assert statuses(partner_insights_emulator, 1) == [200]


def test_bad_arguments_name_the_problem(partner_insights_emulator):
    with pytest.raises(ValueError, match="status must be an HTTP error status"):
        partner_insights_emulator.fail_next(1, status=200)
    with pytest.raises(ValueError, match="n must be a non-negative integer"):
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
    from plaid_partner_insights.testing.emulator._faults import FaultQueue, StatusFault

    queue = FaultQueue()
    queue.add(count, status=429, retry_after=1.5)
    faults = [queue.take() for _ in range(count + 1)]
    assert faults[-1] is None
    assert len(faults[:-1]) == count
    for fault in faults[:-1]:
        assert isinstance(fault, StatusFault)
        failure = fault.failure()
        assert (failure.status, failure.error_type, failure.headers) == (
            429,
            "RATE_LIMIT_EXCEEDED",
            {"retry-after": "1.5"},
        )


def test_the_users_double_file_passes_from_a_users_folder_under_xdist(tmp_path: Path) -> None:
    """Each pytest-xdist worker gets a server of its own; the file's tests pass however they are spread."""
    source = DOUBLE_EXAMPLE.read_text(encoding="utf-8")
    (tmp_path / "test_emulator_double.py").write_text(source)
    result = run_pytest(tmp_path, "-n", "2")
    assert result.returncode == 0, result.stdout + result.stderr
    assert f"{len(example_test_names(source)) + 6} passed" in result.stdout  # the parametrized test runs 7 times


def test_unused_faults_fail_at_teardown_unless_the_marker_allows_them(tmp_path: Path) -> None:
    (tmp_path / "test_strict.py").write_text(
        """
import pytest


def test_leaves_faults(partner_insights_emulator):
    partner_insights_emulator.fail_next(1, status=503)
    partner_insights_emulator.fault_next(2, "delay", seconds=0.5)


@pytest.mark.partner_insights_emulator(allow_unused_faults=True)
def test_allowed_to_leave_faults(partner_insights_emulator):
    partner_insights_emulator.fault_next(1, "hang")


def test_next_test_starts_clean(partner_insights_emulator):
    assert partner_insights_emulator.pending_faults == []


@pytest.mark.partner_insights_emulator(allow_unused=True)
def test_misspelt_marker(partner_insights_emulator):
    pass


def test_fails_before_using_its_faults(partner_insights_emulator):
    partner_insights_emulator.fault_next(1, "hang")
    raise AssertionError("the code under test broke first")


def test_starts_clean_after_a_failure(partner_insights_emulator):
    assert partner_insights_emulator.pending_faults == []
"""
    )
    result = run_pytest(tmp_path, "-p", "no:randomly")
    assert result.returncode == 1, result.stdout + result.stderr
    assert "1 failed, 4 passed, 2 errors" in result.stdout, result.stdout
    assert "ERROR at teardown of test_fails_before_using_its_faults" not in result.stdout
    teardown = result.stdout.split("ERROR at teardown of test_leaves_faults", 1)[1]
    assert teardown.split("\n")[1].startswith(
        "partner_insights_emulator: 3 queued fault(s) never used: "
        "fail_next(status=503, API_ERROR/PLANNED_MAINTENANCE), 2 x fault_next('delay', seconds=0.5)."
    )
    assert "@pytest.mark.partner_insights_emulator takes only the keyword(s) allow_unused_faults; got allow_unused" in (
        result.stdout
    )


def test_isolation_holds_for_pytest_asyncio_tests(tmp_path: Path) -> None:
    (tmp_path / "test_async.py").write_text(
        """
import pytest


@pytest.mark.asyncio
@pytest.mark.parametrize("round", range(3))
async def test_each_starts_empty_and_uses_its_fault(partner_insights_emulator, round):
    assert partner_insights_emulator.requests == []
    partner_insights_emulator.fault_next(1, "empty_response")
    async with partner_insights_emulator.async_client(max_retries=1) as client:
        await client.partner_insights.get(user_id=f"usr_async_{round}")
    assert [(r.json["user_id"], r.fault) for r in partner_insights_emulator.requests] == [
        (f"usr_async_{round}", "empty_response"), (f"usr_async_{round}", None)
    ]
"""
    )
    result = run_pytest(tmp_path, "-p", "asyncio", "-o", "asyncio_default_fixture_loop_scope=function")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "3 passed" in result.stdout
