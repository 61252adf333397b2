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

from plaid_partner_insights._cli import COMMANDS, ExitCode, build_parser, main
from plaid_partner_insights._cli._arguments import GLOBAL_OPTIONS, Command
from plaid_partner_insights._cli._exit import exit_codes_text
from plaid_partner_insights._cli._target import EMULATOR_CREDENTIALS
from plaid_partner_insights.testing.emulator import (
    DEMO_USER_ID,
    NOT_READY_USER_ID,
    RATE_LIMITED_USER_ID,
    WARNINGS_USER_ID,
    EmulatorServer,
    SetupSettings,
)

from .faults import RESET, ScriptedServer, http_response, json_response

ROOT = Path(__file__).resolve().parents[2]


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
    from plaid_partner_insights._cli._report import summarize

    text: Any = summarize({"request_id": "r"})
    assert text.splitlines() == ["request_id: r", "no report in the response", "warnings: 0"]


# -- one package, shared options and exit codes ------------------------------------------------------------------


def listed_options(help_text: str) -> set[str]:
    """The option flags a --help shows in its option lists."""
    return set(re.findall(r"^ {2}(?:-\w, )?(--[\w-]+)", help_text, re.M))


@pytest.mark.parametrize("command", COMMANDS, ids=[command.name for command in COMMANDS])
def test_each_commands_help_lists_only_the_options_it_takes(
    command: Command, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = run(capsys, command.name, "--help")
    assert code == ExitCode.OK
    listed = listed_options(out)
    for option in GLOBAL_OPTIONS:
        flag = option.flags[-1]
        assert (flag in listed) == (option.dest in command.takes), f"{command.name} --help and {flag}"
    # Every global option listed is taken after the command name as well as before it; the others are refused.
    for option in GLOBAL_OPTIONS:
        value = [] if option.default is False else ["sandbox" if option.dest == "env" else "1"]
        args = build_parser().parse_known_args([command.name, option.flags[-1], *value])[0]
        if option.dest in command.takes:
            assert getattr(args, option.dest) not in (None, False)
        else:
            code, _, err = run(capsys, command.name, option.flags[-1], *value)
            assert code == ExitCode.USAGE
            assert one_error_line(err) == f"error: {option.flags[-1]} does not apply to `{command.name}`"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--env", "sandbox", "get", "--base-url", "http://127.0.0.1:9", "--user-id", "u"], "--env and --base-url"),
        (["get", "--local", "--env", "sandbox", "--user-id", "u"], "--env and --local"),
        (["demo", "--env", "sandbox"], "--env does not apply to `demo`"),
        (["--env", "sandbox", "demo"], "--env does not apply to `demo`"),
        (["--timeout", "3", "emulator"], "--timeout does not apply to `emulator`"),
        (["emulator", "--base-url", "http://127.0.0.1:9"], "--base-url does not apply to `emulator`"),
        (["listen", "--local"], "--local does not apply to `listen`"),
        (["--env", "production", "sandbox-user"], "--env production does not apply to `sandbox-user`"),
        (["sandbox-user", "--env", "production"], "argument --env: invalid choice: 'production'"),
    ],
)
def test_conflicting_or_inapplicable_global_flags_exit_2(
    capsys: pytest.CaptureFixture[str], args: list[str], message: str
) -> None:
    code, out, err = run(capsys, *args)
    assert code == ExitCode.USAGE
    assert out == ""
    assert message in one_error_line(err)


def test_the_readme_lists_the_exit_codes_of_the_one_table(capsys: pytest.CaptureFixture[str]) -> None:
    readme = " ".join((ROOT / "README.md").read_text().split())
    assert f"Exit codes: {exit_codes_text()}." in readme
    assert [code.value for code in ExitCode] == [0, 1, 2, 130, 141]
    _, out, _ = run(capsys, "--help")
    assert exit_codes_text() in " ".join(out.split())


@pytest.mark.parametrize(
    ("body", "flags", "message"),
    [
        ({"user_id": "usr_a"}, ["--user-token", "tok"], "user_id in --json {file} and --user-token both name the user"),
        ({"user_token": "tok"}, ["--user-id", "usr_a"], "--user-id and user_token in --json {file} both name the user"),
        ({"user_id": "usr_a", "user_token": "tok"}, [], "user_id in --json {file} and user_token in --json {file}"),
        ({}, ["--user-id", "usr_a", "--user-token", "tok"], "--user-id and --user-token both name the user"),
        ({"user_id": "usr_a"}, ["--user-id", "usr_b"], "--user-id 'usr_b' conflicts with user_id in --json {file}"),
        (
            {"user_id": "usr_a", "partner_insights": {"prism_versions": {"cashscore": "3"}}},
            ["--prism-version", "cashscore=4"],
            "--prism-version cashscore=4 conflicts with partner_insights.prism_versions.cashscore in --json {file}",
        ),
    ],
)
def test_json_with_a_conflicting_flag_exits_2_naming_both_and_sends_nothing(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, body: dict[str, Any], flags: list[str], message: str
) -> None:
    request = tmp_path / "request.json"
    request.write_text(json.dumps(body))
    with ScriptedServer(RESET) as server:
        code, out, err = run(capsys, "get", "--base-url", server.url, "--json", str(request), *flags)
        assert server.attempts == 0
    assert code == ExitCode.USAGE
    assert out == ""
    assert message.format(file=request) in one_error_line(err)


def test_a_flag_that_repeats_the_json_file_is_no_conflict(
    sandbox_env: Any, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    request = tmp_path / "request.json"
    request.write_text(
        json.dumps({"user_id": DEMO_USER_ID, "partner_insights": {"prism_versions": {"cashscore": "4"}}})
    )
    code, out, err = run(
        capsys,
        "get",
        "--base-url",
        sandbox_env.url,
        "--json",
        str(request),
        "--user-id",
        DEMO_USER_ID,
        "--prism-version",
        "cashscore=4",
    )
    assert code == ExitCode.OK, err
    assert json.loads(out)["report"]["prism"]["cash_score"]["model_version"] == "4"


def test_a_rate_limited_call_says_when_to_retry(sandbox_env: Any, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(
        capsys, "get", "--base-url", sandbox_env.url, "--user-id", RATE_LIMITED_USER_ID, "--max-retries", "0"
    )
    assert code == ExitCode.FAILED
    line = one_error_line(err)
    assert line.startswith("error: RATE_LIMIT_EXCEEDED/RATE_LIMIT: ")
    assert line.endswith("; retry after 1 s (Retry-After)")


def test_a_429_without_retry_after_says_to_retry_later(capsys: pytest.CaptureFixture[str]) -> None:
    body = {
        "error_type": "RATE_LIMIT_EXCEEDED",
        "error_code": "RATE_LIMIT",
        "error_message": "slow down",
        "display_message": None,
        "request_id": "req_429",
    }
    with ScriptedServer(json_response(429, body)) as server:
        code, _, err = run(capsys, "get", "--base-url", server.url, "--user-id", "u", "--max-retries", "0")
    assert code == ExitCode.FAILED
    assert one_error_line(err) == (
        "error: RATE_LIMIT_EXCEEDED/RATE_LIMIT: slow down (request_id=req_429); "
        "retry later, with backoff (the answer named no Retry-After)"
    )


@pytest.mark.parametrize("command", ["get", "sandbox-user"])
def test_commands_send_the_one_pair_of_placeholder_credentials_to_an_emulator(
    command: str, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Without PLAID_CLIENT_ID / PLAID_SECRET, `get` and `sandbox-user` send EMULATOR_CREDENTIALS to an emulator
    (this one accepts only them)."""
    monkeypatch.delenv("PLAID_CLIENT_ID", raising=False)
    monkeypatch.delenv("PLAID_SECRET", raising=False)
    client_id, secret = EMULATOR_CREDENTIALS
    settings = SetupSettings(report_delay=0)
    with EmulatorServer(port=0, client_id=client_id, secret=secret, setup=settings) as server:
        extra = ["--user-id", DEMO_USER_ID, "--summary"] if command == "get" else ["--quiet", "--wait", "20"]
        code, out, err = run(capsys, command, "--base-url", server.url, *extra)
    assert code == ExitCode.OK, err
    assert out.strip()
    assert secret not in out + err


def test_a_commands_options_are_added_only_when_argparse_parses_that_command() -> None:
    """`Parser` adds a command's options in its `parse_known_args`, which argparse calls on the chosen command's
    parser. Were a Python's argparse to stop doing so, every command's options would go unknown: this says why."""
    from plaid_partner_insights._cli._arguments import Parser

    configured: list[str] = []

    def configure(name: str) -> Any:
        def add(parser: Parser) -> None:
            configured.append(name)
            parser.add_argument("--flag")

        return add

    parser = Parser(prog="p")
    subparsers = parser.add_subparsers(dest="command", required=True)
    for name in ("one", "two"):
        subparsers.add_parser(name, configure=configure(name))
    assert configured == []
    args = parser.parse_args(["two", "--flag", "x"])
    assert (args.command, args.flag) == ("two", "x")
    assert configured == ["two"], f"Python {sys.version}: argparse no longer parses a command via parse_known_args"
