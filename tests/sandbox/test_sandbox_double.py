"""The sandbox as a test double: wire faults on raw sockets, the journal's masking, and server mode's admin API.

The fixture's side (what a user's test sees) is in tests/plugin; here are the server's own guarantees, the admin API
driven over HTTP from another process as the README shows it with curl, and the README tied to `FAULT_KINDS`.
"""

from __future__ import annotations

import json
import re
import shlex
import socket
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import yaml

from plaid_partner_insights import APIConnectionError, PartnerInsightsClient, PlaidServerError
from plaid_partner_insights.testing.emulator import ADMIN_PREFIX, FAULT_KINDS, EmulatorServer, create_app
from plaid_partner_insights.testing.emulator._journal import MASK, SECRET_HEADERS, Journal
from tests.sandbox.test_sandbox_server import URL_LINE, cli_command, read_line

pytestmark = pytest.mark.slow  # a subprocess emulator and sockets: see tests/conftest.py

ROOT = Path(__file__).resolve().parents[2]
README = (ROOT / "README.md").read_text(encoding="utf-8")
ENDPOINT = "/cra/check_report/partner_insights/get"
CLIENT_ID, SECRET = "double-canary-id-4e1a", "double-canary-secret-9c27f0"
HEADERS = {"PLAID-CLIENT-ID": CLIENT_ID, "PLAID-SECRET": SECRET, "Plaid-Version": "2020-09-14"}


@pytest.fixture(scope="module")
def server() -> Iterator[EmulatorServer]:
    with EmulatorServer(port=0, client_id=CLIENT_ID, secret=SECRET, admin_api=True) as running:
        yield running


@pytest.fixture
def sandbox(server: EmulatorServer) -> EmulatorServer:
    server.app.faults.clear()
    server.app.journal.reset()
    return server


def send_request(url: str, body: bytes = b'{"user_id": "usr_raw"}') -> socket.socket:
    """A connection on a plain socket with one request to the endpoint sent on it."""
    host, port = url.removeprefix("http://").split(":")
    head = (
        f"POST {ENDPOINT} HTTP/1.1\r\nHost: {host}\r\nContent-Type: application/json\r\n"
        + "".join(f"{name}: {value}\r\n" for name, value in HEADERS.items())
        + f"Content-Length: {len(body)}\r\n\r\n"
    )
    sock = socket.create_connection((host, int(port)), timeout=10)
    sock.sendall(head.encode() + body)
    return sock


def read_until_closed(sock: socket.socket) -> bytes:
    received = b""
    while chunk := sock.recv(65536):
        received += chunk
    return received


def raw_exchange(url: str) -> bytes:
    """Send one request on a plain socket and read everything until the server closes."""
    with send_request(url) as sock:
        return read_until_closed(sock)


def test_readme_fault_table_is_the_fault_kinds_table() -> None:
    section = README.split("<!-- fault kinds:", 1)[1].split("\n\n", 1)[0]
    rows = re.findall(r"^\| `(\w+)` \| (.+) \|$", section, flags=re.MULTILINE)
    assert rows == [(kind.name, kind.description) for kind in FAULT_KINDS.values()]


def test_every_credential_header_of_the_spec_is_masked() -> None:
    spec = yaml.safe_load((ROOT / "spec" / "openapi.yaml").read_text(encoding="utf-8"))
    schemes = spec["components"]["securitySchemes"].values()
    headers = {scheme["name"].lower() for scheme in schemes if scheme["in"] == "header"} - {"plaid-version"}
    assert headers == {"plaid-client-id", "plaid-secret"}
    assert headers <= SECRET_HEADERS


def test_canary_uvicorn_reads_the_protocols_app_for_each_request(sandbox: EmulatorServer) -> None:
    """Wire faults rely on a uvicorn internal: `H11Protocol` takes `self.app` afresh for each request, so the
    per-connection wrapper set in `_protocol` hands the app its socket. If that changes, faults become 500s."""
    sandbox.app.faults.add_wire(1, "empty_response")
    answer = raw_exchange(sandbox.url)
    assert answer == b"", (
        "uvicorn no longer reads H11Protocol.app per request (or no longer passes the scope through): "
        f"testing/emulator/_protocol.py's _with_transport needs another way in; the emulator answered {answer[:60]!r}"
    )


def test_a_reset_is_a_tcp_reset(sandbox: EmulatorServer) -> None:
    sandbox.app.faults.add_wire(1, "connection_reset")
    with pytest.raises(ConnectionResetError):
        raw_exchange(sandbox.url)


@pytest.mark.parametrize(
    ("kind", "check"),
    [
        ("empty_response", lambda data: data == b""),
        ("malformed_response", lambda data: data.startswith(b"\x00\xff") and b"HTTP/1.1" not in data),
    ],
)
def test_faults_that_send_no_http(sandbox: EmulatorServer, kind: str, check: Any) -> None:
    sandbox.app.faults.add_wire(1, kind)
    assert check(raw_exchange(sandbox.url))


def test_a_truncated_body_stops_short_of_its_content_length(sandbox: EmulatorServer) -> None:
    sandbox.app.faults.add_wire(1, "truncated_body")
    head, _, body = raw_exchange(sandbox.url).partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 200 ")
    declared = int(re.search(rb"content-length: (\d+)", head, flags=re.IGNORECASE).group(1))  # type: ignore[union-attr]
    assert 0 < len(body) == declared // 2


def test_reset_ends_a_hang_the_client_never_gives_up_on(sandbox: EmulatorServer) -> None:
    sandbox.app.faults.add_wire(1, "hang")
    with send_request(sandbox.url) as sock:
        deadline = time.monotonic() + 10
        while [request.fault for request in sandbox.app.journal.requests] != ["hang"]:
            assert time.monotonic() < deadline, "the request never reached the emulator"
            time.sleep(0.01)
        started = time.monotonic()
        assert sandbox.app.reset() == ()
        assert read_until_closed(sock) == b""  # closed without an answer
        assert time.monotonic() - started < 5


def test_under_another_asgi_server_a_wire_fault_is_a_500_saying_why() -> None:
    import threading

    import uvicorn

    app = create_app()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=0, log_config=None, lifespan="on"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    try:
        deadline = time.monotonic() + 10
        while not server.started:
            assert thread.is_alive(), "uvicorn stopped during start-up"
            assert time.monotonic() < deadline, "uvicorn did not start within 10 s"
            time.sleep(0.01)
        port = server.servers[0].sockets[0].getsockname()[1]
        app.faults.add_wire(1, "connection_reset")
        answer = httpx.post(f"http://127.0.0.1:{port}{ENDPOINT}", json={"user_id": "u"}, headers=HEADERS, timeout=10)
        assert answer.status_code == 500
        assert "'connection_reset' needs the emulator's own server" in answer.json()["error_message"]
        assert [(r.fault, r.status_code) for r in app.journal.requests] == [("connection_reset", 500)]
    finally:
        server.should_exit = True
        thread.join(10)


def test_a_queued_fault_spares_the_setup_flow(sandbox: EmulatorServer) -> None:
    sandbox.app.faults.add_wire(1, "connection_reset")
    created = httpx.post(sandbox.url + "/user/create", json={"client_user_id": "double-1"}, headers=HEADERS)
    assert created.status_code in (200, 201)
    assert [fault.name for fault in sandbox.app.faults.pending] == ["connection_reset"]
    sandbox.app.faults.clear()


def test_the_journal_masks_a_secret_wherever_it_is_sent(sandbox: EmulatorServer) -> None:
    body = {"user_id": "usr_masked", "options": {"note": SECRET, "secret": "other"}, "client_id": CLIENT_ID}
    response = httpx.post(
        sandbox.url + ENDPOINT, json=body, headers={**HEADERS, "X-Api-Key": SECRET, "Authorization": "Basic abc"}
    )
    assert response.status_code == 400  # `options.note` is no field of the spec
    [request] = sandbox.app.journal.requests
    assert request.json == {"user_id": "usr_masked", "options": {"note": MASK, "secret": MASK}, "client_id": MASK}
    assert {name: request.headers[name] for name in ("x-api-key", "authorization", "plaid-secret")} == dict.fromkeys(
        ("x-api-key", "authorization", "plaid-secret"), MASK
    )
    assert SECRET not in repr(request)
    assert CLIENT_ID not in json.dumps(request.to_dict())


def test_the_journal_records_bodies_that_are_not_json_and_refused_paths(sandbox: EmulatorServer) -> None:
    assert httpx.post(sandbox.url + ENDPOINT, content=b"[" * 100_000, headers=HEADERS).status_code == 400
    assert httpx.get(sandbox.url + "/nowhere").status_code == 404
    recorded = [(r.method, r.path, r.json, r.status_code) for r in sandbox.app.journal.requests]
    assert recorded == [("POST", ENDPOINT, None, 400), ("GET", "/nowhere", None, 404)]


def test_credentials_a_request_presents_are_masked_wherever_it_repeats_them() -> None:
    journal = Journal()  # as in an emulator that accepts any credentials: no secret is known in advance
    headers = {"plaid-secret": "in-header-7f1", "x-echo": "in-body-2c9", "x-other": "in-header-7f1", "x-plain": "ok"}
    entry = journal.received("POST", ENDPOINT, headers)
    body = {"secret": "in-body-2c9", "note": "in-header-7f1", "items": [{"client_id": 5}], "user_id": "u"}
    journal.body(entry, json.dumps(body).encode(), headers)
    [request] = journal.requests
    assert request.headers == {"plaid-secret": MASK, "x-echo": MASK, "x-other": MASK, "x-plain": "ok"}
    assert request.json == {"secret": MASK, "note": MASK, "items": [{"client_id": MASK}], "user_id": "u"}


def test_a_full_journal_drops_the_oldest_and_counts_them() -> None:
    journal = Journal(max_entries=2)
    for path in ("/a", "/b", "/c"):
        journal.received("POST", path, {})
    assert ([r.path for r in journal.requests], journal.dropped) == (["/b", "/c"], 1)
    journal.reset()
    assert (journal.requests, journal.dropped) == ([], 0)


def test_the_admin_api_is_off_by_default() -> None:
    with EmulatorServer(port=0) as plain:
        answer = httpx.get(plain.url + ADMIN_PREFIX + "/requests")
        assert (answer.status_code, answer.json()["error_code"]) == (404, "NOT_FOUND")
        assert [r.path for r in plain.app.journal.requests] == [ADMIN_PREFIX + "/requests"]


@pytest.mark.parametrize(
    ("method", "path", "body", "status", "message"),
    [
        ("POST", "/fault_next", {"kind": "teapot"}, 400, "kind must be one of connection_reset, "),
        ("POST", "/fault_next", {"n": 1}, 400, "kind is required"),
        ("POST", "/fault_next", {"kind": "delay"}, 400, "'delay' needs seconds"),
        ("POST", "/fail_next", {"status": 200}, 400, "status must be an HTTP error status"),
        ("POST", "/fail_next", {"n": "2"}, 400, "n must be a non-negative integer, got '2'"),
        ("POST", "/fail_next", {"error_code": 5}, 400, "error_code must be a non-empty string"),
        ("POST", "/fail_next", {"stauts": 500}, 400, "unknown field(s) stauts; accepted: n, status,"),
        ("POST", "/fail_next", [1], 400, "the body must be a JSON object"),
        ("GET", "/fail_next", None, 405, "/__emulator/fail_next accepts only POST"),
        ("GET", "/journal", None, 404, "no admin route /__emulator/journal; there are GET /__emulator/requests,"),
    ],
)
def test_admin_errors_name_the_problem(
    sandbox: EmulatorServer, method: str, path: str, body: Any, status: int, message: str
) -> None:
    answer = httpx.request(method, sandbox.url + ADMIN_PREFIX + path, json=body)
    assert answer.status_code == status
    assert answer.json()["error"].startswith(message), answer.json()
    assert sandbox.app.faults.pending == ()
    assert sandbox.app.journal.requests == []  # admin requests are not journaled


def readme_curl_calls() -> list[tuple[str, str, Any]]:
    """The server-mode curl lines of the README: (method, path, JSON body or None), in order."""
    block = README.split("### Journal and faults over HTTP", 1)[1].split("```sh\n", 1)[1].split("```", 1)[0]
    calls = []
    for line in block.splitlines():
        if not line.startswith("curl "):
            continue
        words = shlex.split(line.split("#", 1)[0])
        method = words[words.index("-X") + 1] if "-X" in words else "GET"
        data = json.loads(words[words.index("-d") + 1]) if "-d" in words else None
        url = next(word for word in words if word.startswith("localhost:8787/"))
        calls.append((method, url.removeprefix("localhost:8787"), data))
    return calls


def test_server_mode_admin_api_over_http_as_the_readme_shows() -> None:
    """The README's curl calls, sent from this process to `plaid-partner-insights sandbox --admin-api` in another."""
    calls = readme_curl_calls()
    assert [(method, path) for method, path, _ in calls] == [
        ("POST", "/__emulator/fault_next"),
        ("POST", "/__emulator/fail_next"),
        ("GET", "/__emulator/faults"),
        ("GET", "/__emulator/requests"),
        ("POST", "/__emulator/reset"),
    ]
    process = subprocess.Popen(
        cli_command("emulator", "--port", "0", "--admin-api", "--client-id", CLIENT_ID, "--secret", SECRET),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        line = read_line(process.stdout, timeout=30)
        match = URL_LINE.search(line)
        assert match, line
        url = match.group(0)
        assert f"admin API under {url}/__emulator/" in line

        def admin(index: int) -> Any:
            method, path, data = calls[index]
            answer = httpx.request(method, url + path, json=data, timeout=10)
            assert answer.status_code == 200, answer.text
            return answer.json()

        admin(0)
        admin(1)
        queued = admin(2)
        assert [fault["kind"] for fault in queued["pending"]] == ["connection_reset", "fail_next"]
        assert [kind["kind"] for kind in queued["kinds"]] == list(FAULT_KINDS)
        with PartnerInsightsClient(client_id=CLIENT_ID, secret=SECRET, base_url=url, max_retries=0) as client:
            with pytest.raises(APIConnectionError):
                client.partner_insights.get(user_id="usr_server_mode")
            with pytest.raises(PlaidServerError) as failed:
                client.partner_insights.get(user_id="usr_server_mode")
            assert failed.value.status_code == 503
            assert client.partner_insights.get(user_id="usr_server_mode").request_id
        journal = admin(3)
        assert journal["dropped"] == 0
        entries = [(r["path"], r["json"]["user_id"], r["fault"], r["status_code"]) for r in journal["requests"]]
        assert entries == [
            (ENDPOINT, "usr_server_mode", "connection_reset", None),
            (ENDPOINT, "usr_server_mode", "fail_next", 503),
            (ENDPOINT, "usr_server_mode", None, 200),
        ]
        assert SECRET not in json.dumps(journal)
        assert CLIENT_ID not in json.dumps(journal)
        httpx.post(url + "/__emulator/fault_next", json={"kind": "delay", "seconds": 1.5}, timeout=10)
        assert admin(4) == {"unused_faults": [{"kind": "delay", "seconds": 1.5}]}
        assert admin(3)["requests"] == []
        assert admin(2)["pending"] == []
    finally:
        process.terminate()
        process.communicate(timeout=30)
