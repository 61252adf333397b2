"""`plaid-partner-insights listen`, the real console script: verified webhooks printed, forgeries refused with 400.

The keys come from a running emulator (`--base-url`); webhooks reach the listener over loopback, fired by the
emulator itself or POSTed by the test.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
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


@pytest.fixture
def listener(emulator: EmulatorServer) -> Iterator[tuple[str, subprocess.Popen[str]]]:
    """`listen --count 2` on a free port, with the emulator's keys; yields its URL once it listens."""
    process = subprocess.Popen(
        [script(), "listen", "--port", "0", "--count", "2", "--base-url", emulator.url],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=environment(),
    )
    assert process.stderr is not None
    first = process.stderr.readline()
    found = LISTENING.search(first)
    assert found is not None, first
    assert found.group(2) == emulator.url
    try:
        yield found.group(1), process
    finally:
        if process.poll() is None:
            process.kill()
        process.wait(10)


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
