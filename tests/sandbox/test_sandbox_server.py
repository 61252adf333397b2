"""The sandbox as a program: the CLI subcommand, `EmulatorServer`'s life cycle and the optional-extra import."""

from __future__ import annotations

import os
import queue
import re
import signal
import socket
import subprocess
import sys
import threading
from pathlib import Path

import httpx
import pytest
import pytest_socket

from plaid_partner_insights.testing.emulator import DEMO_USER_ID, EmulatorError, EmulatorServer

ENDPOINT = "/cra/check_report/partner_insights/get"
URL_LINE = re.compile(r"http://127\.0\.0\.1:(\d+)")
CLI_ID, CLI_SECRET = "cli-canary-id-93b1", "cli-canary-secret-77c4"
ANY_CREDENTIALS = {"PLAID-CLIENT-ID": "a", "PLAID-SECRET": "b", "Plaid-Version": "2020-09-14"}


def cli_command(*args: str) -> list[str]:
    """The installed console script when there is one (as users run it), else the same entry point via -c."""
    script = Path(sys.executable).with_name("plaid-partner-insights")
    if script.exists():
        return [str(script), *args]
    return [sys.executable, "-c", "import sys; from plaid_partner_insights._cli import main; sys.exit(main())", *args]


def read_line(stream: object, timeout: float) -> str:
    lines: queue.Queue[str] = queue.Queue()
    threading.Thread(target=lambda: lines.put(stream.readline()), daemon=True).start()  # type: ignore[attr-defined]
    try:
        return lines.get(timeout=timeout)
    except queue.Empty:
        pytest.fail(f"no line within {timeout} s")


def test_cli_serves_until_ctrl_c_and_exits_130() -> None:
    process = subprocess.Popen(
        cli_command("emulator", "--port", "0", "--client-id", CLI_ID, "--secret", CLI_SECRET),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        # Ctrl-C as from a terminal (a test runner's worker may ignore SIGINT, and a child inherits that).
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
    )
    try:
        line = read_line(process.stdout, timeout=30)
        match = URL_LINE.search(line)
        assert match, line
        url = match.group(0)
        headers = {"PLAID-CLIENT-ID": CLI_ID, "PLAID-SECRET": CLI_SECRET, "Plaid-Version": "2020-09-14"}
        response = httpx.post(url + ENDPOINT, json={"user_id": DEMO_USER_ID}, headers=headers, timeout=10)
        assert response.status_code == 200, response.text
        assert response.json()["report"]["prism"]["cash_score"]["score"] >= 1
        refused = httpx.post(url + ENDPOINT, json={"user_id": DEMO_USER_ID}, headers={**headers, "PLAID-SECRET": "x"})
        assert refused.json()["error_code"] == "INVALID_API_KEYS"
        process.send_signal(signal.SIGINT)
        stdout, stderr = process.communicate(timeout=20)
    finally:
        if process.poll() is None:
            process.kill()
            process.communicate()
    assert process.returncode == 130, stderr  # 128 + SIGINT, as the README's exit codes say
    assert "Traceback" not in stderr
    assert stderr.splitlines()[-1] == "interrupted"
    output = line + stdout + stderr
    assert "POST /cra/check_report/partner_insights/get" in output  # the access log is on ...
    assert CLI_SECRET not in output
    assert CLI_ID not in output


def test_cli_new_client_switch() -> None:
    process = subprocess.Popen(
        cli_command("emulator", "--port", "0", "--new-client"), stdout=subprocess.PIPE, text=True
    )
    try:
        match = URL_LINE.search(read_line(process.stdout, timeout=30))
        assert match
        body = {"user_id": DEMO_USER_ID, "partner_insights": {"prism_versions": {"cashscore": "4"}}}
        response = httpx.post(match.group(0) + ENDPOINT, json=body, headers=ANY_CREDENTIALS)
        assert response.status_code == 400
        assert response.json()["error_code"] == "INVALID_FIELD"
    finally:
        process.terminate()
        process.communicate(timeout=20)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--client-id", "only-id"], "both --client-id and --secret"),
        (["--port", "70000"], "--port: expected a port number (0: any free port) from 0 to 65535, got '70000'"),
    ],
)
def test_cli_refuses_bad_arguments(args: list[str], message: str) -> None:
    result = subprocess.run(cli_command("emulator", *args), capture_output=True, text=True, timeout=30, check=False)
    assert result.returncode == 2
    assert message in result.stderr


def test_cli_reports_a_busy_port() -> None:
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        result = subprocess.run(
            cli_command("emulator", "--port", str(port)), capture_output=True, text=True, timeout=30, check=False
        )
    assert result.returncode == 1
    assert f"cannot listen on 127.0.0.1:{port}" in result.stderr


def test_server_starts_serves_and_stops() -> None:
    server = EmulatorServer(port=0)
    with pytest.raises(EmulatorError, match="not running"):
        _ = server.url
    with server:
        url = server.url
        assert URL_LINE.fullmatch(url)
        assert any(thread.name == f"plaid-emulator {url}" for thread in threading.enumerate())
        response = httpx.post(url + ENDPOINT, json={"user_id": DEMO_USER_ID}, headers=ANY_CREDENTIALS)
        assert response.status_code == 200
    with pytest.raises(httpx.ConnectError):
        httpx.post(url + ENDPOINT, json={}, timeout=2)
    assert not any(thread.name == f"plaid-emulator {url}" for thread in threading.enumerate())


def test_server_startup_failure_is_a_clear_error() -> None:
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        with pytest.raises(EmulatorError, match=f"cannot listen on 127.0.0.1:{port}"), EmulatorServer(port=port):
            pass


def test_half_given_credentials_are_refused() -> None:
    with pytest.raises(ValueError, match="both client_id and secret"):
        EmulatorServer(port=0, client_id="only-id")


def test_the_cli_imports_test_tooling_only_for_the_commands_that_use_it() -> None:
    """`get` and `listen` (their --help, and a run refused for missing keys) load nothing of the test tooling;
    `emulator --help` then does, but not the server."""
    code = (
        "import contextlib, io, sys\n"
        "from plaid_partner_insights._cli import main\n"
        "def tooling():\n"
        "    return sorted(m for m in sys.modules if m.startswith(('plaid_partner_insights.testing', 'uvicorn')))\n"
        "with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):\n"
        "    codes = [main(['get', '--help']), main(['listen', '--help']), main(['get', '--env', 'sandbox', '-v'])]\n"
        "    assert codes == [0, 0, 2], codes\n"
        "    assert tooling() == [], tooling()\n"
        "    assert main(['emulator', '--help']) == 0\n"
        "assert 'plaid_partner_insights.testing.emulator._users' in tooling(), tooling()\n"
        "assert not [m for m in tooling() if m.endswith('._app') or m == 'uvicorn'], tooling()\n"
    )
    env = {name: value for name, value in os.environ.items() if not name.startswith("PLAID_")}
    subprocess.run([sys.executable, "-c", code], check=True, timeout=60, env=env)


def test_missing_extra_gives_install_hint() -> None:
    code = (
        "import sys; sys.modules['uvicorn'] = None\n"
        "try:\n    from plaid_partner_insights.testing.emulator import EmulatorServer\n"
        "except ImportError as exc:\n    print(exc)\nelse:\n    raise SystemExit('imported without uvicorn')\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60)
    assert 'pip install "plaid-partner-insights[sandbox]"' in result.stdout


@pytest.mark.skipif(
    bool(os.environ.get("PLAID_CLIENT_ID") and os.environ.get("PLAID_SECRET")), reason="real-sandbox run: network open"
)
def test_the_suite_cannot_leave_loopback() -> None:
    blocked = pytest.raises(pytest_socket.SocketConnectBlockedError)
    # The socket is the test's to close: pytest-socket's refusal is no OSError, on which create_connection() would
    # have closed it, and the garbage collector's ResourceWarning failed whichever test ran when it came.
    outside = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    with outside, pytest.warns(UserWarning, match="192.0.2.1"), blocked:  # pytest-socket warns, then refuses
        outside.connect(("192.0.2.1", 443))  # TEST-NET-1: never routable anyway
