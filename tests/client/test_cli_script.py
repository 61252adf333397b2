"""The installed `plaid-partner-insights` console script never surprises: each case runs the real script.

Closed pipes and Ctrl-C end without a traceback; global flags work before and after the command; a blank user id
is refused before anything is sent; errors show their `causes`; PLAID_* settings are never answered with fake
data; a missing `sandbox` extra reads the same everywhere; `sandbox` takes its credentials from the environment.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import httpx
import pytest

from plaid_partner_insights import PartnerInsightsClient, PlaidAPIError
from plaid_partner_insights._client import ENVIRONMENT_VARIABLES
from plaid_partner_insights.testing.emulator import DATA_UNAVAILABLE_USER_ID, DEMO_USER_ID, RATE_LIMITED_USER_ID

from .faults import ScriptedServer, json_response

if TYPE_CHECKING:
    from tests.conftest import LocalSandbox

pytestmark = pytest.mark.slow  # see tests/conftest.py: runs first under pytest-xdist

ENDPOINT = "/cra/check_report/partner_insights/get"
ANNOUNCEMENT = re.compile(r"^note: using the built-in emulator at http://127\.0\.0\.1:\d+: .*fake data$", re.M)


def script() -> str:
    found = shutil.which("plaid-partner-insights", path=str(Path(sys.executable).parent))
    assert found is not None, "the console script is not installed (pip install -e '.[dev]')"
    return found


def clean_env(**extra: str) -> dict[str, str]:
    """The test environment without PLAID_* settings (which would steer the CLI), plus `extra`."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("PLAID_")}
    return {**env, **extra}


def cli(*args: str, env: dict[str, str] | None = None, timeout: float = 60) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [script(), *args], capture_output=True, text=True, timeout=timeout, check=False, env=env or clean_env()
    )


def assert_no_traceback(stderr: str) -> None:
    assert "Traceback" not in stderr, stderr
    assert "Exception ignored" not in stderr, stderr


@contextlib.contextmanager
def silent_listener() -> Iterator[socket.socket]:
    """A loopback port that takes connections (the kernel's backlog) but never answers."""
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen(8)
        yield listener


def connection_attempted(listener: socket.socket, wait: float) -> bool:
    listener.settimeout(wait)
    try:
        connection, _ = listener.accept()
    except TimeoutError:
        return False
    connection.close()
    return True


def url_of(listener: socket.socket) -> str:
    host, port = listener.getsockname()
    return f"http://{host}:{port}"


# -- closed pipe and Ctrl-C ----------------------------------------------------------------------------------------


@pytest.mark.parametrize("args", [["demo"], ["get", "--local", "--user-id", DEMO_USER_ID]])
def test_a_closed_stdout_ends_quietly(args: list[str]) -> None:
    """`plaid-partner-insights demo | head -1`: the reader is gone before the output comes."""
    process = subprocess.Popen([script(), *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=clean_env())
    assert process.stdout is not None
    process.stdout.close()  # nothing will ever read: every write gets EPIPE
    _, stderr = process.communicate(timeout=60)
    text = stderr.decode()
    assert_no_traceback(text)
    assert process.returncode == 141, text


def test_head_reads_one_line_through_a_real_pipe() -> None:
    done = subprocess.run(  # noqa: S602 (the shell's own pipe is the point; the command is ours)
        f"'{script()}' demo | head -1",
        shell=True,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
        env=clean_env(),
    )
    assert done.returncode == 0
    assert DEMO_USER_ID in done.stdout
    assert len(done.stdout.splitlines()) == 1
    assert_no_traceback(done.stderr)


def test_ctrl_c_while_waiting_for_an_answer_exits_130() -> None:
    with silent_listener() as listener:
        process = subprocess.Popen(
            [script(), "get", "--base-url", url_of(listener), "--user-id", DEMO_USER_ID],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=clean_env(),
            # As from a terminal: Ctrl-C handled by default (a test runner's worker may have SIGINT ignored, and a
            # child inherits that).
            preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
        )
        try:
            assert connection_attempted(listener, wait=30), "the request never came"
            time.sleep(0.2)  # the request is written; the client now waits for a response that never comes
            process.send_signal(signal.SIGINT)
            # Promptly: the read the call is blocked on must not hold the exit until its timeout.
            stdout, stderr = process.communicate(timeout=20)
        finally:
            if process.poll() is None:
                process.kill()
                process.communicate()
    assert process.returncode == 130, stderr
    assert stdout == ""
    assert stderr.strip() == "interrupted"


# -- global flags --------------------------------------------------------------------------------------------------


def attempts(stderr: str) -> int:
    """DEBUG lines of -v, one per HTTP attempt."""
    return sum(1 for line in stderr.splitlines() if line.startswith("plaid_partner_insights DEBUG"))


@pytest.mark.parametrize("where", ["before", "after"])
def test_global_flags_before_or_after_the_command(local_sandbox: LocalSandbox, where: str) -> None:
    flags = ["-v", "--base-url", local_sandbox.url, "--timeout", "20", "--max-retries", "0"]
    command = ["get", "--user-id", RATE_LIMITED_USER_ID]
    args = [*flags, *command] if where == "before" else [*command, *flags]
    done = cli(*args, env=clean_env(PLAID_CLIENT_ID=local_sandbox.client_id, PLAID_SECRET=local_sandbox.secret))
    assert done.returncode == 1, done.stderr
    assert "RATE_LIMIT_EXCEEDED/RATE_LIMIT" in done.stderr  # --base-url: our sandbox answered
    assert attempts(done.stderr) == 1  # -v logged, and --max-retries 0 meant no retry of the 429


def test_timeout_after_the_command_applies() -> None:
    with silent_listener() as listener:
        start = time.monotonic()
        done = cli(
            "get", "--user-id", DEMO_USER_ID, "--base-url", url_of(listener), "--timeout", "0.5", "--max-retries", "0"
        )
        elapsed = time.monotonic() - start
    assert done.returncode == 1, done.stderr
    assert "timed out" in done.stderr.lower(), done.stderr
    assert elapsed < 30  # the default read timeout is 60 s
    assert_no_traceback(done.stderr)


@pytest.mark.parametrize("where", ["before", "after"])
def test_env_before_or_after_the_command_reads_the_credentials(where: str) -> None:
    args = (
        ["--env", "production", "get", "--user-id", "u"]
        if where == "before"
        else ["get", "--user-id", "u", "--env", "production"]
    )
    done = cli(*args, env=clean_env(PLAID_SECRET="whatever"))
    assert done.returncode == 2
    assert done.stderr.strip() == "error: environment variable PLAID_CLIENT_ID is not set"


def test_verbose_after_demo_logs_attempts() -> None:
    done = cli("demo", "-v")
    assert done.returncode == 0, done.stderr
    assert attempts(done.stderr) == 1


# -- blank ids -----------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("flags", "field"),
    [
        (["--user-id", ""], "user_id is empty"),
        (["--user-id", "   "], "user_id is only whitespace"),
        (["--user-token", "\t"], "user_token is only whitespace"),
    ],
)
def test_a_blank_id_exits_2_and_sends_nothing(flags: list[str], field: str) -> None:
    with silent_listener() as listener:
        done = cli("get", "--base-url", url_of(listener), "--max-retries", "0", "--timeout", "5", *flags)
        assert not connection_attempted(listener, wait=0.2), "a request was sent"
    assert done.returncode == 2
    assert done.stderr.startswith(f"error: {field}")
    assert done.stdout == ""


def test_a_blank_id_in_a_json_file_exits_2(tmp_path: Path) -> None:
    body = tmp_path / "body.json"
    body.write_text(json.dumps({"user_id": " "}))
    with silent_listener() as listener:
        done = cli("get", "--base-url", url_of(listener), "--json", str(body))
        assert not connection_attempted(listener, wait=0.2), "a request was sent"
    assert done.returncode == 2
    assert "user_id is only whitespace" in done.stderr


# -- causes --------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("mode", [[], ["--summary"]])
def test_errors_print_their_causes(local_sandbox: LocalSandbox, mode: list[str]) -> None:
    with (
        PartnerInsightsClient(
            client_id=local_sandbox.client_id, secret=local_sandbox.secret, base_url=local_sandbox.url, max_retries=0
        ) as client,
        pytest.raises(PlaidAPIError) as raised,
    ):
        client.partner_insights.get(user_id=DATA_UNAVAILABLE_USER_ID)
    assert raised.value.error is not None
    causes = raised.value.error.to_dict()["causes"]  # the JSON received
    assert causes, "the sandbox user should come with causes"
    done = cli(
        "get",
        "--base-url",
        local_sandbox.url,
        "--user-id",
        DATA_UNAVAILABLE_USER_ID,
        *mode,
        env=clean_env(PLAID_CLIENT_ID=local_sandbox.client_id, PLAID_SECRET=local_sandbox.secret),
    )
    assert done.returncode == 1
    assert done.stdout == ""
    lines = done.stderr.splitlines()
    assert lines[0].startswith("error: CHECK_REPORT_ERROR/DATA_UNAVAILABLE")
    assert lines[1:] == [
        f"  cause: item {cause['item_id']}: {cause['error_type']}/{cause['error_code']}: {cause['error_message']}"
        for cause in causes
    ]


def test_causes_of_another_shape_are_printed_as_received() -> None:
    causes: list[object] = [
        {"item_id": "item_2"},
        {
            "item_id": "item_1",
            "error_type": "ITEM_ERROR",
            "error_code": "NO_ACCOUNTS",
            "error_message": "none left",
            "display_message": None,
        },
        "ITEM_LOGIN_REQUIRED",
    ]
    body = {
        "error_type": "CHECK_REPORT_ERROR",
        "error_code": "DATA_UNAVAILABLE",
        "error_message": "no data",
        "display_message": None,
        "request_id": "req_1",
        "causes": causes,
    }
    with ScriptedServer(json_response(400, body)) as server:
        done = cli(
            "get",
            "--base-url",
            server.url,
            "--user-id",
            "usr_1",
            env=clean_env(PLAID_CLIENT_ID="id", PLAID_SECRET="secret"),
        )
    assert done.returncode == 1
    assert done.stderr.splitlines()[1:] == [
        '  cause: {"item_id": "item_2"}',
        "  cause: item item_1: ITEM_ERROR/NO_ACCOUNTS: none left",
        '  cause: "ITEM_LOGIN_REQUIRED"',
    ]


# -- PLAID_* settings and the built-in emulator ---------------------------------------------------------------------


@pytest.mark.parametrize("variable", ENVIRONMENT_VARIABLES)
def test_plaid_settings_are_never_answered_with_fake_data(variable: str) -> None:
    values = {"PLAID_ENV": "production", "PLAID_BASE_URL": "http://127.0.0.1:9"}
    value = values.get(variable, "canary-credential-52ac")
    done = cli("get", "--user-id", DEMO_USER_ID, env=clean_env(**{variable: value}))
    assert done.returncode == 2
    assert done.stdout == ""
    assert variable in done.stderr
    assert "--local" in done.stderr
    assert "canary-credential-52ac" not in done.stderr  # names, never values
    assert not ANNOUNCEMENT.search(done.stderr)


def test_local_asks_for_the_built_in_sandbox_and_it_announces_itself() -> None:
    done = cli("get", "--local", "--user-id", DEMO_USER_ID, env=clean_env(PLAID_ENV="production"))
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["report"]
    assert ANNOUNCEMENT.fullmatch(done.stderr.strip())


def test_the_default_target_announces_the_built_in_sandbox() -> None:
    done = cli("get", "--user-id", DEMO_USER_ID, "--summary")
    assert done.returncode == 0, done.stderr
    assert ANNOUNCEMENT.fullmatch(done.stderr.strip())


# -- a missing sandbox extra ---------------------------------------------------------------------------------------


@pytest.fixture
def without_uvicorn(tmp_path: Path) -> dict[str, str]:
    """An environment in which `import uvicorn` fails as it does when the extra is not installed."""
    (tmp_path / "uvicorn.py").write_text("raise ModuleNotFoundError(\"No module named 'uvicorn'\", name='uvicorn')\n")
    return clean_env(PYTHONPATH=str(tmp_path))


def test_a_missing_extra_reads_the_same_everywhere(without_uvicorn: dict[str, str]) -> None:
    results = [
        cli(*args, env=without_uvicorn)
        for args in (["demo"], ["get", "--user-id", DEMO_USER_ID], ["emulator", "--port", "0"])
    ]
    for done in results:
        assert_no_traceback(done.stderr)
        assert done.stdout == ""
    assert {done.returncode for done in results} == {2}
    messages = {done.stderr for done in results}
    assert len(messages) == 1, messages
    (message,) = messages
    assert message.startswith("error: ")
    assert 'pip install "plaid-partner-insights[sandbox]"' in message
    assert message.count("\n") == 1


# -- emulator credentials from the environment ---------------------------------------------------------------------


def test_emulator_takes_its_credentials_from_the_environment_and_exits_130_on_ctrl_c() -> None:
    client_id, secret = "env-canary-id-6f20", "env-canary-secret-1b9d"
    process = subprocess.Popen(
        [script(), "emulator", "--port", "0"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=clean_env(PLAID_EMULATOR_CLIENT_ID=client_id, PLAID_EMULATOR_SECRET=secret),
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),  # Ctrl-C as from a terminal
    )
    try:
        assert process.stdout is not None
        match = re.search(r"http://127\.0\.0\.1:\d+", process.stdout.readline())
        assert match
        headers = {"PLAID-CLIENT-ID": client_id, "PLAID-SECRET": secret, "Plaid-Version": "2020-09-14"}
        accepted = httpx.post(match.group(0) + ENDPOINT, json={"user_id": DEMO_USER_ID}, headers=headers, timeout=10)
        refused = httpx.post(
            match.group(0) + ENDPOINT, json={"user_id": DEMO_USER_ID}, headers={**headers, "PLAID-SECRET": "other"}
        )
        process.send_signal(signal.SIGINT)
        stdout, stderr = process.communicate(timeout=20)
    finally:
        if process.poll() is None:
            process.kill()
            process.communicate()
    assert accepted.status_code == 200, accepted.text
    assert refused.json()["error_code"] == "INVALID_API_KEYS"
    assert process.returncode == 130, stderr  # as the README's exit codes say, for every command
    assert_no_traceback(stderr)
    assert stderr.splitlines()[-1] == "interrupted"
    assert secret not in stdout + stderr


def test_emulator_refuses_half_the_credentials_from_the_environment() -> None:
    done = cli("emulator", "--port", "0", env=clean_env(PLAID_EMULATOR_CLIENT_ID="only-the-id"))
    assert done.returncode == 2
    assert "PLAID_EMULATOR_SECRET" in done.stderr
    assert "deprecated" not in done.stderr


def test_the_deprecated_sandbox_command_and_variables_still_work_with_a_note() -> None:
    done = cli("sandbox", "--port", "0", env=clean_env(PLAID_SANDBOX_CLIENT_ID="only-the-id"))
    assert done.returncode == 2
    lines = done.stderr.splitlines()
    assert lines[0] == "note: `sandbox` is deprecated (it goes in 0.2): use `emulator`"
    assert lines[1] == "note: $PLAID_SANDBOX_CLIENT_ID is deprecated (it goes in 0.2): set $PLAID_EMULATOR_CLIENT_ID"
    # The old client id was read: only the secret is missing.
    assert lines[2].startswith("error: give both --client-id and --secret")
    assert len(lines) == 3
