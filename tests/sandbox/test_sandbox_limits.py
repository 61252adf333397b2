"""The sandbox keeps serving when clients stall: a request not received in time gets 408 and is closed, others are
served meanwhile, and concurrency is bounded. Raw sockets on loopback play the misbehaving clients."""

from __future__ import annotations

import json
import socket
import time
from collections.abc import Iterator

import pytest

from plaid_partner_insights import PartnerInsightsClient, PlaidAPIError
from plaid_partner_insights._cli import build_parser
from plaid_partner_insights.testing.emulator import DEMO_USER_ID, EmulatorServer
from plaid_partner_insights.testing.emulator._limits import DEFAULT_MAX_CONNECTIONS, DEFAULT_REQUEST_TIMEOUT

TIMEOUT = 1.0
PATH = "/cra/check_report/partner_insights/get"


@pytest.fixture
def server() -> Iterator[EmulatorServer]:
    with EmulatorServer(port=0, request_timeout=TIMEOUT, max_connections=4) as running:
        yield running


def _connect(url: str) -> socket.socket:
    host, port = url.removeprefix("http://").split(":")
    sock = socket.create_connection((host, int(port)), timeout=10)
    return sock


def _read_until_closed(sock: socket.socket) -> bytes:
    data = b""
    while chunk := sock.recv(65536):
        data += chunk
    return data


def _get_demo(url: str) -> str:
    with PartnerInsightsClient(client_id="c", secret="s", base_url=url, max_retries=0, timeout=5) as client:
        return client.partner_insights.get(user_id=DEMO_USER_ID).request_id


def _head(content_length: int) -> bytes:
    return (
        f"POST {PATH} HTTP/1.1\r\nhost: x\r\ncontent-type: application/json\r\nplaid-version: 2020-09-14\r\n"
        f"content-length: {content_length}\r\n\r\n"
    ).encode()


@pytest.mark.parametrize(
    "partial",
    [b"POST /cra/check_report/partner_insights/get HTTP/1.1\r\nhost: x\r\n", _head(100) + b'{"user_id": '],
    ids=["headers stall", "body stall"],
)
def test_a_stalled_request_gets_408_in_time_while_others_are_served(server: EmulatorServer, partial: bytes) -> None:
    stalled = _connect(server.url)
    started = time.monotonic()
    stalled.sendall(partial)
    # Meanwhile, the sandbox answers others.
    assert _get_demo(server.url)
    reply = _read_until_closed(stalled)  # returns once the sandbox closes the connection
    elapsed = time.monotonic() - started
    stalled.close()
    assert elapsed <= TIMEOUT + 1
    head, _, body = reply.partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 408 ")
    error = json.loads(body)
    assert (error["error_type"], error["error_code"]) == ("INVALID_REQUEST", "REQUEST_TIMEOUT")
    assert error["request_id"]


def test_a_slow_app_is_not_cut_off_and_keep_alive_requests_each_get_a_deadline(server: EmulatorServer) -> None:
    body = json.dumps({"user_id": DEMO_USER_ID, "client_id": "c", "secret": "s"}).encode()
    with _connect(server.url) as sock:
        for _ in range(3):  # one connection, three requests spread over more than the timeout
            time.sleep(TIMEOUT * 0.6)
            sock.sendall(_head(len(body)) + body)
            head = b""
            while b"\r\n\r\n" not in head:
                head += sock.recv(65536)
            assert head.startswith(b"HTTP/1.1 200 ")
            length = int(head.lower().split(b"content-length: ")[1].split(b"\r\n")[0])
            rest = head.partition(b"\r\n\r\n")[2]
            while len(rest) < length:
                rest += sock.recv(65536)


def test_concurrency_is_bounded_and_recovers(server: EmulatorServer) -> None:
    stalled = [_connect(server.url) for _ in range(server.max_connections)]
    for sock in stalled:
        sock.sendall(b"POST / HTTP/1.1\r\n")
    time.sleep(0.2)
    with pytest.raises(PlaidAPIError) as caught:
        _get_demo(server.url)
    assert caught.value.status_code == 503  # refused at once, not queued
    for sock in stalled:
        _read_until_closed(sock)  # each stalled connection is closed at its deadline
        sock.close()
    assert _get_demo(server.url)


def test_the_defaults_are_30_seconds_and_256_connections() -> None:
    assert DEFAULT_REQUEST_TIMEOUT == 30.0
    assert DEFAULT_MAX_CONNECTIONS == 256
    server = EmulatorServer(port=0)
    assert (server.request_timeout, server.max_connections) == (30.0, 256)
    parser = build_parser()
    args = parser.parse_args(["emulator"])
    assert (args.request_timeout, args.max_connections) == (30.0, 256)
    args = parser.parse_args(["emulator", "--request-timeout", "1.5", "--max-connections", "8"])
    assert (args.request_timeout, args.max_connections) == (1.5, 8)


@pytest.mark.parametrize("settings", [{"request_timeout": 0}, {"max_connections": 0}])
def test_bad_limits_are_refused(settings: dict[str, float]) -> None:
    with pytest.raises(ValueError, match=next(iter(settings))):
        EmulatorServer(port=0, **settings)  # type: ignore[arg-type]
