"""`plaid-partner-insights sandbox-user` and `bootstrap_sandbox_user` against the local emulator, over loopback.

The command runs as a user runs it (a subprocess of the installed console script); the sandbox is the real
server. The real-sandbox variant is the contract suite's, which bootstraps its own user when only keys are set.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from plaid_partner_insights import PartnerInsightsClient
from plaid_partner_insights.testing import (
    ConsumerReportAccessError,
    SandboxBootstrapError,
    SandboxReportTimeoutError,
    bootstrap_sandbox_user,
)
from plaid_partner_insights.testing.emulator import EmulatorServer, SetupSettings

pytestmark = pytest.mark.slow  # see tests/conftest.py: runs first under pytest-xdist

CLI = str(Path(sys.executable).with_name("plaid-partner-insights"))
CLIENT_ID, SECRET = "bootstrap-canary-id-71c2", "bootstrap-canary-secret-e04b9"
ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def server() -> Iterator[EmulatorServer]:
    with EmulatorServer(
        port=0, client_id=CLIENT_ID, secret=SECRET, setup=SetupSettings(report_delay=0.3, report_lifetime=600)
    ) as server:
        yield server


def run_cli(*args: str, keys: tuple[str, str] | None = (CLIENT_ID, SECRET)) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PLAID_")}
    if keys:
        env |= {"PLAID_CLIENT_ID": keys[0], "PLAID_SECRET": keys[1]}
    return subprocess.run([CLI, "sandbox-user", *args], env=env, capture_output=True, text=True, timeout=120)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def assert_no_secrets(result: subprocess.CompletedProcess[str]) -> None:
    for value in (CLIENT_ID, SECRET):
        assert value not in result.stdout + result.stderr


def test_prints_a_user_whose_report_fetches_then_reuses_it(server: EmulatorServer) -> None:
    first = run_cli("--base-url", server.url, "--client-user-id", "cli-user-1")
    assert first.returncode == 0, first.stderr
    user_id = first.stdout.strip()
    assert user_id.startswith("usr_")
    assert "created user" in first.stderr
    assert "the report is ready" in first.stderr
    assert_no_secrets(first)
    with PartnerInsightsClient(client_id=CLIENT_ID, secret=SECRET, base_url=server.url) as client:
        assert client.partner_insights.get(user_id=user_id).to_dict()["report"]["prism"]
    again = run_cli("--base-url", server.url, "--client-user-id", "cli-user-1", "--quiet")
    assert (again.returncode, again.stdout.strip(), again.stderr) == (0, user_id, "")


def test_waits_for_the_webhook_on_a_loopback_receiver(server: EmulatorServer) -> None:
    port = free_port()
    result = run_cli(
        "--base-url", server.url, "--client-user-id", "cli-webhook", "--webhook", f"http://127.0.0.1:{port}/hook"
    )
    assert result.returncode == 0, result.stderr
    assert "received webhook USER_CHECK_REPORT_READY" in result.stderr
    delivered = [d for d in server.app.setup.deliveries if d.url == f"http://127.0.0.1:{port}/hook"]
    assert [d.status for d in delivered] == [200]
    assert delivered[0].body["user_id"] == result.stdout.strip()


def test_wrong_keys_fail_with_the_fix_and_no_secret(server: EmulatorServer) -> None:
    result = run_cli("--base-url", server.url, keys=(CLIENT_ID, "not-the-secret-93f1"))
    assert result.returncode == 1
    assert "/user/create: INVALID_API_KEYS" in result.stderr
    assert "Fix: PLAID_CLIENT_ID / PLAID_SECRET must be your *sandbox* keys" in result.stderr
    assert "not-the-secret-93f1" not in result.stderr + result.stdout
    assert "Traceback" not in result.stderr


def test_env_sandbox_needs_keys_and_listen_needs_webhook() -> None:
    no_keys = run_cli("--env", "sandbox", keys=None)
    assert no_keys.returncode == 2
    assert no_keys.stderr.strip() == "error: environment variable PLAID_CLIENT_ID is not set"
    listen = run_cli("--base-url", "http://127.0.0.1:9", "--listen", "127.0.0.1:9999")
    assert (listen.returncode, listen.stderr.strip()) == (
        2,
        "error: --listen needs --webhook",
    )
    bad_wait = run_cli("--base-url", "http://127.0.0.1:9", "--wait", "0")
    assert bad_wait.returncode == 2
    assert "--wait" in bad_wait.stderr
    production = run_cli("--env", "production")
    assert production.returncode == 2
    assert "argument --env: invalid choice: 'production'" in production.stderr


def test_keys_without_consumer_report_access_get_the_typed_explanation() -> None:
    settings = SetupSettings(consumer_report_access=False)
    with EmulatorServer(port=0, setup=settings) as server, pytest.raises(ConsumerReportAccessError) as raised:
        bootstrap_sandbox_user(client_id="any", secret="any", base_url=server.url)
    error = raised.value
    assert (error.step, error.error_code) == ("/sandbox/public_token/create", "INVALID_PRODUCT")
    assert "enable Consumer Report" in error.fix
    assert isinstance(error, SandboxBootstrapError)


def test_a_report_that_is_not_ready_in_time_is_a_typed_timeout() -> None:
    with EmulatorServer(port=0, setup=SetupSettings(report_delay=60)) as server:
        with pytest.raises(SandboxReportTimeoutError) as raised:
            bootstrap_sandbox_user(client_id="any", secret="any", base_url=server.url, timeout=1.0)
        assert raised.value.error_code == "PRODUCT_NOT_READY"
        assert "--wait" in raised.value.fix
        # The next run finds the pending report instead of creating another one.
        lines: list[str] = []
        with pytest.raises(SandboxReportTimeoutError):
            bootstrap_sandbox_user(
                client_id="any", secret="any", base_url=server.url, timeout=0.5, progress=lines.append
            )
        assert any("has a report in progress" in line for line in lines)


def test_a_readable_report_is_reused_and_an_expired_one_replaced() -> None:
    now = [0.0]
    settings = SetupSettings(report_delay=0, report_lifetime=100, clock=lambda: now[0])
    with EmulatorServer(port=0, setup=settings) as server:
        first = bootstrap_sandbox_user(client_id="any", secret="any", base_url=server.url, timeout=10)
        reused = bootstrap_sandbox_user(client_id="any", secret="any", base_url=server.url, timeout=10)
        now[0] += 100
        replaced = bootstrap_sandbox_user(client_id="any", secret="any", base_url=server.url, timeout=10)
    assert first.user_id == reused.user_id == replaced.user_id
    assert (first.reused_report, reused.reused_report, replaced.reused_report) == (False, True, False)


def test_contract_suite_bootstraps_its_own_user_from_keys_alone(server: EmulatorServer) -> None:
    """`nox -s contract` with only PLAID_CLIENT_ID/PLAID_SECRET: here aimed at the local emulator by PLAID_BASE_URL."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PLAID_", "PYTEST_"))}
    env |= {"PLAID_CLIENT_ID": CLIENT_ID, "PLAID_SECRET": SECRET, "PLAID_BASE_URL": server.url}
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "-q",
            "-p",
            "no:cacheprovider",
            "tests/contract",
            "-k",
            "plaid and spec",
            "-rs",
        ],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=180,
    )
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-2000:]
    assert "passed" in result.stdout
    assert "skipped" not in result.stdout.splitlines()[-1]
    assert SECRET not in result.stdout
