"""The `plaid-partner-insights` command, in-process (`main`) and as the installed console script."""

from __future__ import annotations

import io
import json
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from plaid_partner_insights._cli import main
from plaid_partner_insights.testing.emulator import DEMO_USER_ID, NOT_READY_USER_ID, WARNINGS_USER_ID

from .faults import RESET, ScriptedServer, http_response


def script() -> str:
    found = shutil.which("plaid-partner-insights", path=str(Path(sys.executable).parent))
    assert found is not None, "the console script is not installed (pip install -e '.[dev]')"
    return found


@pytest.fixture
def sandbox_env(local_sandbox: Any, monkeypatch: pytest.MonkeyPatch) -> Any:
    monkeypatch.setenv("PLAID_CLIENT_ID", local_sandbox.client_id)
    monkeypatch.setenv("PLAID_SECRET", local_sandbox.secret)
    return local_sandbox


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def one_error_line(err: str) -> str:
    lines = [line for line in err.splitlines() if line.strip()]
    assert len(lines) == 1, err
    assert "Traceback" not in err
    return lines[0]


def test_demo_console_script() -> None:
    done = subprocess.run([script(), "demo"], capture_output=True, text=True, timeout=60, check=False)
    assert done.returncode == 0, done.stderr
    assert DEMO_USER_ID in done.stdout
    for expected in ("request_id:", "Prism Data (status", "CashScore", "items:", "warnings:"):
        assert expected in done.stdout
    # The built-in emulator announces itself, and nothing else goes to stderr.
    assert re.fullmatch(r"note: using the built-in emulator at http://127\.0\.0\.1:\d+: [^\n]+fake data\n", done.stderr)


def test_get_json_matches_the_api(sandbox_env: Any, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, "get", "--base-url", sandbox_env.url, "--user-id", DEMO_USER_ID)
    assert code == 0, err
    data = json.loads(out)
    assert isinstance(data["request_id"], str)
    assert data["report"]["prism"]["status"]


def test_get_summary_reflects_the_response(sandbox_env: Any, capsys: pytest.CaptureFixture[str]) -> None:
    args = ["get", "--base-url", sandbox_env.url, "--user-id", WARNINGS_USER_ID, "--prism-version", "cashscore=4"]
    code, out, _ = run(capsys, *args)
    assert code == 0
    data = json.loads(out)
    code, summary, err = run(capsys, *args, "--summary")
    assert code == 0, err
    cash_score = data["report"]["prism"]["cash_score"]
    assert f"CashScore    v{cash_score['model_version']:<6} score {cash_score['score']}" in summary
    items = data["report"]["items"]
    assert f"items: {len(items)}, accounts: {sum(len(i['accounts']) for i in items)}" in summary
    assert f"warnings: {len(data['warnings'])}" in summary
    assert data["warnings"]
    assert data["warnings"][0]["warning_code"] in summary


def test_get_default_uses_the_built_in_sandbox(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("PLAID_CLIENT_ID", raising=False)
    monkeypatch.delenv("PLAID_SECRET", raising=False)
    code, out, err = run(capsys, "get", "--user-id", DEMO_USER_ID, "--summary")
    assert code == 0, err
    assert "CashScore" in out


def test_json_file_and_flags(sandbox_env: Any, capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    request = tmp_path / "request.json"
    request.write_text(json.dumps({"user_id": DEMO_USER_ID, "partner_insights": {"prism_versions": {"insights": "4"}}}))
    code, out, err = run(
        capsys, "get", "--base-url", sandbox_env.url, "--json", str(request), "--prism-version", "cashscore=4"
    )
    assert code == 0, err
    prism = json.loads(out)["report"]["prism"]
    assert prism["cash_score"]["model_version"] == "4"
    assert prism["insights"]["model_version"] == "4"


def test_json_from_stdin_with_deprecated_options(
    sandbox_env: Any, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    body = {"user_id": DEMO_USER_ID, "options": {"prism_products": ["scores"]}}
    monkeypatch.setattr(sys, "stdin", io.StringIO(json.dumps(body)))
    code, out, err = run(capsys, "get", "--base-url", sandbox_env.url, "--json", "-")
    assert code == 0
    assert json.loads(out)["request_id"]
    assert err.count("warning: ") == 2
    assert "prism_products" in err


def test_api_error_is_one_line_with_code_and_request_id(sandbox_env: Any, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, "get", "--base-url", sandbox_env.url, "--user-id", NOT_READY_USER_ID)
    assert code == 1
    assert out == ""
    line = one_error_line(err)
    assert line.startswith("error: CONSUMER_REPORT_ERROR/PRODUCT_NOT_READY: ")
    assert line.endswith(")")
    assert "(request_id=" in line


def test_html_502_and_connection_failures_are_one_line(capsys: pytest.CaptureFixture[str]) -> None:
    with ScriptedServer(http_response(502, "<html>bad gateway</html>", content_type="text/html")) as server:
        code, _, err = run(capsys, "get", "--base-url", server.url, "--user-id", "u", "--max-retries", "0")
    assert code == 1
    assert one_error_line(err).startswith("error: HTTP 502: response is not a Plaid error: '<html>bad gateway</html>'")
    with ScriptedServer(RESET) as server:
        code, _, err = run(capsys, "get", "--base-url", server.url, "--user-id", "u", "--max-retries", "1")
        assert server.attempts == 2
    assert code == 1
    assert one_error_line(err).startswith("error: connection failed")


@pytest.mark.parametrize(
    ("argv", "expected"),
    [
        (["get", "--user-id", "u", "--prism-version", "cashscore"], "--prism-version: expected PRODUCT=VERSION"),
        (["get", "--user-id", "u", "--prism-version", "cashscore=9"], "partner_insights.prism_versions.cashscore"),
        (["get", "--user-id", "u", "--prism-version", "cashcow=4"], "partner_insights.prism_versions.cashcow"),
        (["get", "--user-id", "u", "--user-tier", "gold"], "--user-tier"),
        (["get", "--user-id", "u", "--timeout", "-3"], "--timeout"),
        (["get", "--user-id", "u", "--max-retries", "many"], "--max-retries"),
        (["get"], "--user-id"),
        (["get", "--json", "/nonexistent/request.json"], "--json: cannot read /nonexistent/request.json"),
    ],
)
def test_bad_input_exits_2_with_one_line(
    sandbox_env: Any, capsys: pytest.CaptureFixture[str], argv: list[str], expected: str
) -> None:
    code, out, err = run(capsys, *argv[:1], "--base-url", sandbox_env.url, *argv[1:])
    assert code == 2
    assert out == ""
    assert expected in one_error_line(err)


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        ('{"user_id": "u",', "is not valid JSON: Expecting"),
        ("[1, 2]", "must hold a JSON object"),
        ('{"user_id": "u", "usr_tier": "free"}', "unknown request field 'usr_tier'"),
        ('{"user_id": 7}', "invalid request field user_id: expected a string"),
    ],
)
def test_bad_json_file_exits_2_naming_the_problem(
    sandbox_env: Any, capsys: pytest.CaptureFixture[str], tmp_path: Path, content: str, expected: str
) -> None:
    request = tmp_path / "request.json"
    request.write_text(content)
    code, out, err = run(capsys, "get", "--base-url", sandbox_env.url, "--json", str(request))
    assert code == 2
    assert out == ""
    assert expected in one_error_line(err)


def test_env_without_credentials_exits_2(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("PLAID_CLIENT_ID", raising=False)
    monkeypatch.setenv("PLAID_SECRET", "whatever")
    code, _, err = run(capsys, "get", "--env", "production", "--user-id", "u")
    assert code == 2
    assert "PLAID_CLIENT_ID is not set" in one_error_line(err)


def test_summary_handles_a_minimal_response() -> None:
    from plaid_partner_insights._cli import summarize

    text: Any = summarize({"request_id": "r"})
    assert text.splitlines() == ["request_id: r", "no report in the response", "warnings: 0"]
