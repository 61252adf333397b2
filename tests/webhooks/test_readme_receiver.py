"""The README's webhook receiver, run as written: a report is created on the local emulator, the emulator POSTs its
signed READY webhook to the receiver (Starlette under uvicorn, on loopback), and the receiver fetches the report.
Forgeries sent to the same receiver get 400 and fetch nothing."""

from __future__ import annotations

import importlib.util
import json
import re
import socket
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

import httpx
import pytest
import uvicorn

from plaid_partner_insights.testing.emulator import EmulatorServer, SetupSettings

README = Path(__file__).resolve().parents[2] / "README.md"
CLIENT_ID, SECRET = "receiver-client", "receiver-secret"
HEADERS = {"PLAID-CLIENT-ID": CLIENT_ID, "PLAID-SECRET": SECRET, "Plaid-Version": "2020-09-14"}


def receiver_source() -> str:
    blocks = re.findall(r"^```python\n(.*?)^```$", README.read_text(), flags=re.DOTALL | re.MULTILINE)
    receivers = [block for block in blocks if "client.webhooks.verify(" in block and "Starlette(" in block]
    assert len(receivers) == 1, "README.md must hold exactly one Starlette webhook receiver"
    return str(receivers[0])


@pytest.fixture
def emulator() -> Iterator[EmulatorServer]:
    with EmulatorServer(port=0, client_id=CLIENT_ID, secret=SECRET, setup=SetupSettings(report_delay=0.3)) as server:
        yield server


@pytest.fixture
def receiver(
    emulator: EmulatorServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[tuple[str, ModuleType]]:
    """The README's module, imported with the environment pointing at the emulator, served by uvicorn."""
    monkeypatch.setenv("PLAID_CLIENT_ID", CLIENT_ID)
    monkeypatch.setenv("PLAID_SECRET", SECRET)
    monkeypatch.setenv("PLAID_BASE_URL", emulator.url)
    monkeypatch.delenv("PLAID_ENV", raising=False)
    path = tmp_path / "receiver.py"
    path.write_text(receiver_source())
    spec = importlib.util.spec_from_file_location("readme_receiver", path)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    sock = socket.create_server(("127.0.0.1", 0))
    server = uvicorn.Server(uvicorn.Config(module.app, lifespan="on", log_config=None, log_level="warning"))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started:
        assert thread.is_alive(), "the receiver stopped during startup"
        assert time.monotonic() < deadline, "the receiver did not start within 10 s"
        time.sleep(0.01)
    try:
        yield f"http://127.0.0.1:{sock.getsockname()[1]}/plaid/webhook", module
    finally:
        server.should_exit = True
        thread.join(10)
        sock.close()
        sys.modules.pop("readme_receiver", None)


def post(emulator: EmulatorServer, path: str, body: dict[str, Any]) -> dict[str, Any]:
    answer = httpx.post(emulator.url + path, json=body, headers=HEADERS)
    assert answer.status_code in (200, 201), answer.text
    data: dict[str, Any] = answer.json()
    return data


def test_ready_webhook_is_verified_and_the_report_fetched(
    emulator: EmulatorServer, receiver: tuple[str, ModuleType]
) -> None:
    url, module = receiver
    user_id = str(post(emulator, "/user/create", {"client_user_id": "readme-receiver"})["user_id"])
    public_token = post(
        emulator,
        "/sandbox/public_token/create",
        {"institution_id": "ins_109508", "initial_products": ["cra_base_report"], "user_id": user_id},
    )["public_token"]
    post(emulator, "/item/public_token/exchange", {"public_token": public_token})
    post(
        emulator,
        "/cra/check_report/create",
        {
            "user_id": user_id,
            "webhook": url,
            "days_requested": 365,
            "consumer_report_permissible_purpose": "ACCOUNT_REVIEW_CREDIT",
            "products": ["cra_partner_insights"],
        },
    )
    delivered = emulator.app.setup.deliveries
    deadline = time.monotonic() + 10
    # The emulator records the delivery once the receiver has answered, after it stored the report.
    while not delivered:
        assert time.monotonic() < deadline, "no webhook was delivered within 10 s"
        time.sleep(0.05)
    assert module.reports[user_id].report is not None
    assert [(d.url, d.body["webhook_code"], d.status) for d in delivered] == [(url, "USER_CHECK_REPORT_READY", 200)]


def test_forgeries_get_400_and_fetch_nothing(emulator: EmulatorServer, receiver: tuple[str, ModuleType]) -> None:
    url, module = receiver
    payload = {
        "webhook_type": "CHECK_REPORT",
        "webhook_code": "USER_CHECK_REPORT_READY",
        "user_id": "usr_sandbox_demo",
        "environment": "sandbox",
    }
    signed = emulator.app.webhook_signer.sign(payload)
    compact = json.dumps(payload, separators=(",", ":")).encode()
    unsigned = httpx.post(url, content=signed.body, headers={"Content-Type": "application/json"})
    reserialized = httpx.post(url, content=compact, headers=signed.headers)
    assert (unsigned.status_code, reserialized.status_code) == (400, 400)
    assert module.reports == {}
    genuine = httpx.post(url, content=signed.body, headers=signed.headers)
    assert genuine.status_code == 200
    assert list(module.reports) == ["usr_sandbox_demo"]
