"""A deadline is private to its call: one shared client, many threads or tasks, one call timing out.

The server is a real keep-alive HTTP/1.1 server on 127.0.0.1 answering every call in 0.3 s, except those for users
named `usr_slow...`, which it answers in 5 s. Healthy calls run on the same connection pool as the slow one, many of
them waiting for their response headers on a reused connection when the slow call's deadline comes. Every healthy
call must succeed with exactly one request, and the slow call must still time out within `timeout` + 1 s.
"""

from __future__ import annotations

import asyncio
import json
import threading
import time
from collections import Counter
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import anyio
import pytest

from plaid_partner_insights import APITimeoutError, AsyncPartnerInsightsClient, PartnerInsightsClient

from .conftest import FAST, full_response

# Seconds of real waiting (deadlines, a fork in a subprocess): run first under pytest-xdist, yet in the quick loop.
pytestmark = pytest.mark.long_running

HEALTHY_SECONDS = 0.3
SLOW_SECONDS = 5.0
TIMEOUT = 2.0
WORKERS = 8


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    received: Counter[str]
    lock: threading.Lock
    stopping: threading.Event


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive: healthy calls reuse connections
    server: _Server

    def do_POST(self) -> None:
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        user = str(body.get("user_id"))
        with self.server.lock:
            self.server.received[user] += 1
        self.server.stopping.wait(SLOW_SECONDS if user.startswith("usr_slow") else HEALTHY_SECONDS)
        payload = json.dumps(full_response()).encode()
        try:
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)
        except OSError:  # the client gave up on this one: its deadline passed
            self.close_connection = True

    def log_message(self, format: str, *args: Any) -> None:
        pass


@pytest.fixture
def server() -> Iterator[_Server]:
    httpd = _Server(("127.0.0.1", 0), _Handler)
    httpd.received = Counter()
    httpd.lock = threading.Lock()
    httpd.stopping = threading.Event()
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield httpd
    finally:
        httpd.stopping.set()
        httpd.shutdown()
        httpd.server_close()


def _settings(httpd: _Server) -> dict[str, Any]:
    host, port = httpd.server_address[:2]
    return {
        "client_id": "c",
        "secret": "s",
        "base_url": f"http://{host!s}:{port}",
        "timeout": TIMEOUT,
        "retry_policy": FAST,
    }


def _healthy_user(worker: int, call: int) -> str:
    return f"usr_{worker}_{call}"


def _check_isolation(
    server: _Server,
    failures: list[BaseException],
    healthy_calls: list[tuple[str, float, float]],
    slow_outcome: list[tuple[BaseException | None, float, float]],
) -> None:
    assert failures == []
    assert len(slow_outcome) == 1
    error, started, ended = slow_outcome[0]
    assert isinstance(error, APITimeoutError)
    assert ended - started <= TIMEOUT + 1
    assert server.received["usr_slow"] == 1
    # Healthy calls were in flight on the same pool when the slow call's deadline came, and every one of them
    # succeeded with exactly one request.
    in_flight = [user for user, began, done in healthy_calls if began < ended - 0.05 and done > ended]
    assert len(in_flight) >= 1
    users = [user for user, _, _ in healthy_calls]
    assert {user: server.received[user] for user in users} == dict.fromkeys(users, 1)


def test_a_slow_call_timing_out_never_touches_the_threads_beside_it(server: _Server) -> None:
    failures: list[BaseException] = []
    healthy_calls: list[tuple[str, float, float]] = []
    slow_outcome: list[tuple[BaseException | None, float, float]] = []
    # Healthy calls keep coming until the slow call is over, however slow a loaded machine makes them.
    slow_finished = threading.Event()
    with PartnerInsightsClient(**_settings(server)) as client:

        def healthy(worker: int) -> None:
            call = 0
            while not slow_finished.is_set():
                user = _healthy_user(worker, call)
                call += 1
                started = time.monotonic()
                try:
                    client.partner_insights.get(user_id=user)
                except BaseException as exc:
                    failures.append(exc)
                healthy_calls.append((user, started, time.monotonic()))

        def slow() -> None:
            # A healthy call first, so that the slow one goes out on a reused keep-alive connection.
            client.partner_insights.get(user_id="usr_warm")
            started = time.monotonic()
            try:
                client.partner_insights.get(user_id="usr_slow", max_retries=0)
            except BaseException as exc:
                slow_outcome.append((exc, started, time.monotonic()))
            else:
                slow_outcome.append((None, started, time.monotonic()))
            slow_finished.set()

        threads = [threading.Thread(target=healthy, args=(n,)) for n in range(WORKERS - 1)]
        threads.append(threading.Thread(target=slow))
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()

    _check_isolation(server, failures, healthy_calls, slow_outcome)


def test_calls_with_tiny_timeouts_never_touch_the_calls_beside_them(server: _Server) -> None:
    # One call in four cannot make it (its deadline is far below the server's time); the others all must. Those calls
    # get answers in seconds, not 0.3 s: on a loaded machine a thread kept off the CPU past its 0.05 s deadline could
    # find a whole 0.3 s answer waiting in its socket when it next ran, and an answer read whole is taken.
    outcomes: list[tuple[str, BaseException | None]] = []
    lock = threading.Lock()
    with PartnerInsightsClient(**_settings(server)) as client:

        def worker(number: int) -> None:
            for call in range(6):
                tiny = (number + call) % 4 == 0
                user = f"usr_slow_{number}_{call}" if tiny else _healthy_user(number, call)
                try:
                    if tiny:
                        client.partner_insights.get(user_id=user, timeout=0.05, max_retries=0)
                    else:
                        client.partner_insights.get(user_id=user)
                except BaseException as exc:
                    error: BaseException | None = exc
                else:
                    error = None
                with lock:
                    outcomes.append(("tiny" if tiny else "normal", error))
                    if not tiny:
                        healthy.append(user)

        healthy: list[str] = []
        threads = [threading.Thread(target=worker, args=(n,)) for n in range(WORKERS)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()

    normal = [error for kind, error in outcomes if kind == "normal"]
    tiny = [error for kind, error in outcomes if kind == "tiny"]
    assert len(normal) == 36
    assert len(tiny) == 12
    assert normal == [None] * 36
    assert [type(error) for error in tiny] == [APITimeoutError] * 12
    assert {user: server.received[user] for user in healthy} == dict.fromkeys(healthy, 1)


async def _slow_call_beside_healthy_tasks(
    settings: dict[str, Any],
) -> tuple[list[BaseException], list[tuple[str, float, float]], list[tuple[BaseException | None, float, float]]]:
    failures: list[BaseException] = []
    healthy_calls: list[tuple[str, float, float]] = []
    slow_outcome: list[tuple[BaseException | None, float, float]] = []
    slow_finished = anyio.Event()
    async with AsyncPartnerInsightsClient(**settings) as client:

        async def healthy(worker: int) -> None:
            call = 0
            while not slow_finished.is_set():
                user = _healthy_user(worker, call)
                call += 1
                started = time.monotonic()
                try:
                    await client.partner_insights.get(user_id=user)
                except Exception as exc:
                    failures.append(exc)
                healthy_calls.append((user, started, time.monotonic()))

        async def slow() -> None:
            await client.partner_insights.get(user_id="usr_warm")
            started = time.monotonic()
            try:
                await client.partner_insights.get(user_id="usr_slow", max_retries=0)
            except Exception as exc:
                slow_outcome.append((exc, started, time.monotonic()))
            else:
                slow_outcome.append((None, started, time.monotonic()))
            slow_finished.set()

        async with anyio.create_task_group() as group:
            for worker in range(WORKERS - 1):
                group.start_soon(healthy, worker)
            group.start_soon(slow)
    return failures, healthy_calls, slow_outcome


@pytest.mark.parametrize("backend", ["asyncio", "trio"])
def test_a_slow_task_timing_out_never_touches_the_tasks_beside_it(server: _Server, backend: str) -> None:
    settings = _settings(server)
    failures, healthy_calls, slow_outcome = anyio.run(_slow_call_beside_healthy_tasks, settings, backend=backend)
    _check_isolation(server, failures, healthy_calls, slow_outcome)


def test_asyncio_run_is_still_supported(server: _Server) -> None:
    # The async client under plain asyncio.run (no anyio entry point), as most services start it.
    async def run() -> str | None:
        async with AsyncPartnerInsightsClient(**_settings(server)) as client:
            response = await client.partner_insights.get(user_id="usr_plain")
            return response.request_id

    assert asyncio.run(run()) == full_response()["request_id"]
    assert server.received["usr_plain"] == 1
