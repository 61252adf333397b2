"""`plaid-partner-insights listen`, the real console script: verified webhooks printed, forgeries refused with 400.

The keys come from a running emulator (`--base-url`); webhooks reach the listener over loopback, fired by the
emulator itself or POSTed by the test.
"""

from __future__ import annotations

import contextlib
import http.client
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import time
import urllib.parse
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from plaid_partner_insights.testing.emulator import EmulatorServer

pytestmark = pytest.mark.slow  # see tests/conftest.py: runs first under pytest-xdist

CLIENT_ID, SECRET = "listen-client", "listen-secret"
HEADERS = {"PLAID-CLIENT-ID": CLIENT_ID, "PLAID-SECRET": SECRET, "Plaid-Version": "2020-09-14"}
LISTENING = re.compile(r"listening for webhooks on (http://127\.0\.0\.1:\d+/) \(keys from (\S+)\)")


def script() -> str:
    found = shutil.which("plaid-partner-insights", path=str(Path(sys.executable).parent))
    assert found is not None, "the console script is not installed (pip install -e '.[dev]')"
    return found


def environment() -> dict[str, str]:
    env = {name: value for name, value in os.environ.items() if not name.startswith("PLAID_")}
    return {**env, "PLAID_CLIENT_ID": CLIENT_ID, "PLAID_SECRET": SECRET}


@pytest.fixture(scope="module")
def emulator() -> Iterator[EmulatorServer]:
    with EmulatorServer(port=0, client_id=CLIENT_ID, secret=SECRET) as server:
        yield server


@contextlib.contextmanager
def listening(emulator: EmulatorServer, count: int) -> Iterator[tuple[str, subprocess.Popen[str]]]:
    """`listen --count COUNT` on a free port, with the emulator's keys; yields its URL once it listens.

    On every way out (test passed, failed, or never got the URL) the process is killed if still running, its pipes
    are closed and it is reaped, so nothing of it is left for a later test to trip over.
    """
    with subprocess.Popen(
        [script(), "listen", "--port", "0", "--count", str(count), "--base-url", emulator.url],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=environment(),
    ) as process:  # leaving it closes the pipes and waits for the process
        try:
            assert process.stderr is not None
            first = process.stderr.readline()
            found = LISTENING.search(first)
            assert found is not None, first
            assert found.group(2) == emulator.url
            yield found.group(1), process
        finally:
            process.kill()  # nothing to do once it has exited


@pytest.fixture
def listener(emulator: EmulatorServer) -> Iterator[tuple[str, subprocess.Popen[str]]]:
    """`listen --count 2`, see `listening`."""
    with listening(emulator, count=2) as running:
        yield running


def post(emulator: EmulatorServer, path: str, body: dict[str, Any]) -> dict[str, Any]:
    answer = httpx.post(emulator.url + path, json=body, headers=HEADERS)
    assert answer.status_code in (200, 201), answer.text
    data: dict[str, Any] = answer.json()
    return data


def test_prints_verified_webhooks_and_refuses_forgeries(
    emulator: EmulatorServer, listener: tuple[str, subprocess.Popen[str]]
) -> None:
    url, process = listener
    payload = {
        "webhook_type": "CRA_INSIGHTS",
        "webhook_code": "PARTNER_INSIGHTS_COMPLETE",
        "user_id": "usr_listen",
        "environment": "sandbox",
    }
    signed = emulator.app.webhook_signer.sign(payload)
    compact = json.dumps(payload, separators=(",", ":")).encode()
    assert httpx.post(url, content=compact, headers=signed.headers).status_code == 400
    assert httpx.post(url, content=signed.body).status_code == 400
    assert httpx.post(url, content=signed.body, headers=signed.headers).status_code == 200
    user_id = str(post(emulator, "/user/create", {"client_user_id": "listen-user"})["user_id"])
    fire = {"user_id": user_id, "webhook_type": "CHECK_REPORT", "webhook_code": "USER_CHECK_REPORT_FAILED"}
    assert post(emulator, "/sandbox/user/fire_webhook", {**fire, "webhook": url})["webhook_fired"] is True
    stdout, stderr = process.communicate(timeout=20)  # --count 2: it stops after the second verified webhook
    assert process.returncode == 0, stderr
    printed = [json.loads(line) for line in stdout.splitlines()]
    assert printed[0] == payload
    assert (printed[1]["webhook_code"], printed[1]["user_id"]) == ("USER_CHECK_REPORT_FAILED", user_id)
    assert len(printed) == 2
    assert stderr.splitlines() == [
        "refused: body_mismatch (from 127.0.0.1)",
        "refused: missing_header (from 127.0.0.1)",
    ]
    assert SECRET not in stdout + stderr
    assert signed.headers["Plaid-Verification"] not in stdout + stderr


def burst_webhook(emulator: EmulatorServer, user_id: str) -> tuple[bytes, dict[str, str]]:
    """A signed webhook for `user_id`: the body and the headers to POST it with."""
    payload = {
        "webhook_type": "CRA_INSIGHTS",
        "webhook_code": "PARTNER_INSIGHTS_COMPLETE",
        "user_id": user_id,
        "environment": "sandbox",
    }
    signed = emulator.app.webhook_signer.sign(payload)
    return signed.body, signed.headers


def wait_until_refused(netloc: str, within: float) -> None:
    """Return once the listener has closed its socket (a new connection is refused); fail after `within` seconds."""
    host, port = netloc.rsplit(":", 1)
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        try:
            socket.create_connection((host, int(port)), timeout=within).close()
        except ConnectionRefusedError:
            return
        time.sleep(0.02)
    pytest.fail(f"the listener still accepted connections {within} s after its last --count webhook")


def test_count_stops_only_after_answering_every_delivery_it_took_in(emulator: EmulatorServer) -> None:
    """Deliveries that arrive together around the --count stop: none dropped, exactly COUNT printed.

    Every connection is open before any request is sent, so all reach the listener before it can stop: COUNT are
    answered 200 and printed, the others 503 (never a reset connection, never a 200 for a webhook not printed). One
    of them sends the end of its body only after the listener closed its socket: it is answered all the same, and
    the command exits only then.
    """
    count, extra = 4, 3
    bodies = {f"usr_burst_{index}": burst_webhook(emulator, f"usr_burst_{index}") for index in range(count + extra)}
    late_body, late_headers = burst_webhook(emulator, "usr_burst_late")
    with listening(emulator, count=count) as (url, process), contextlib.ExitStack() as closing:
        netloc = urllib.parse.urlsplit(url).netloc
        connections = {user_id: http.client.HTTPConnection(netloc, timeout=20) for user_id in [*bodies, "late"]}
        for connection in connections.values():
            closing.callback(connection.close)
            connection.connect()
        slow = connections.pop("late")
        slow.putrequest("POST", "/")
        for name, value in {**late_headers, "Content-Length": str(len(late_body))}.items():
            slow.putheader(name, value)
        slow.endheaders(message_body=late_body[:10])
        for user_id, connection in connections.items():
            body, headers = bodies[user_id]
            connection.request("POST", "/", body=body, headers=headers)
        statuses = {user_id: connection.getresponse().status for user_id, connection in connections.items()}
        wait_until_refused(netloc, within=10)
        slow.send(late_body[10:])
        late_status = slow.getresponse().status
        stdout, stderr = process.communicate(timeout=20)
    assert process.returncode == 0, stderr
    assert sorted(statuses.values()) == [200] * count + [503] * extra
    assert late_status == 503
    printed = [json.loads(line)["user_id"] for line in stdout.splitlines()]
    assert sorted(printed) == sorted(user_id for user_id, status in statuses.items() if status == 200)
    assert len(stderr.splitlines()) == extra + 1
    assert all(f"--count {count} already reached, answered 503" in line for line in stderr.splitlines())


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        ([], "listen needs the keys' source: --env sandbox|production, or --base-url URL of an emulator"),
        (["--local"], "--local does not apply to `listen`"),
        (
            ["--port", "70000", "--base-url", "http://127.0.0.1:9"],
            "expected a port number (0: any free port) from 0 to 65535",
        ),
    ],
    ids=["no-key-source", "local", "bad-port"],
)
def test_usage_errors_exit_2(args: list[str], expected: str) -> None:
    done = subprocess.run(
        [script(), "listen", *args], capture_output=True, text=True, env=environment(), timeout=60, check=False
    )
    assert done.returncode == 2
    assert expected in done.stderr
    assert "Traceback" not in done.stderr


def test_a_connection_still_queued_when_serving_stops_is_answered(
    emulator: EmulatorServer, capsys: pytest.CaptureFixture[str]
) -> None:
    """The listener's own server, in-process: a delivery the kernel queued but serving never took in is answered
    (not reset) when the server closes after its stop."""
    from plaid_partner_insights import PartnerInsightsClient
    from plaid_partner_insights._cli._listen import _Receiver, _Server

    body, headers = burst_webhook(emulator, "usr_queued")
    with PartnerInsightsClient(client_id=CLIENT_ID, secret=SECRET, base_url=emulator.url) as client:
        receiver = _Receiver(client, max_age=300, count=None)
        with _Server(("127.0.0.1", 0), receiver.handler()) as server:
            host, port = server.server_address[:2]
            connection = http.client.HTTPConnection(str(host), port, timeout=20)
            connection.request("POST", "/", body=body, headers=headers)  # waits in the kernel's queue
            server.take_queued_connections()
        with contextlib.closing(connection):
            assert connection.getresponse().status == 200
    assert json.loads(capsys.readouterr().out)["user_id"] == "usr_queued"


def test_a_closed_stdout_answers_503_and_exits_141_without_a_traceback(emulator: EmulatorServer) -> None:
    """`listen | head -1`: once the reader has gone, a webhook cannot be shown, so it is not taken (503: the sender
    delivers it again) and the command stops as any console script does on a closed stdout."""
    with listening(emulator, count=5) as (url, process):
        assert process.stdout is not None
        assert process.stderr is not None
        first_body, first_headers = burst_webhook(emulator, "usr_head_1")
        assert httpx.post(url, content=first_body, headers=first_headers).status_code == 200
        assert json.loads(process.stdout.readline())["user_id"] == "usr_head_1"
        process.stdout.close()  # what `head -1` does after its line
        body, headers = burst_webhook(emulator, "usr_head_2")
        assert httpx.post(url, content=body, headers=headers).status_code == 503
        assert process.wait(timeout=20) == 141
        stderr = process.stderr.read()
    assert "not taken: stdout was closed, answered 503 (from 127.0.0.1)" in stderr
    assert "Traceback" not in stderr, stderr
