"""A client in a real service: closing, bad base URLs, the user's event hooks, TLS failures, event loops, fork."""

from __future__ import annotations

import asyncio
import json
import logging
import os
import ssl
import subprocess
import sys
import textwrap
import warnings
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import anyio
import httpx
import pytest
import trustme

from plaid_partner_insights import (
    APIConnectionError,
    AsyncPartnerInsightsClient,
    ClientClosedError,
    ConfigurationError,
    EventHookError,
    PartnerInsightsClient,
    PartnerInsightsError,
)
from plaid_partner_insights._cli import main

from .conftest import FAST, full_response, plaid_error
from .faults import ScriptedServer, http_response, json_response

# Seconds of real waiting (deadlines, a fork in a subprocess): run first under pytest-xdist, yet in the quick loop.
pytestmark = pytest.mark.long_running

OK = http_response(200, json.dumps(full_response()), keep_alive=True)
SETTINGS: dict[str, Any] = {"client_id": "c", "secret": "s", "retry_policy": FAST}


# -- a closed client stays closed ----------------------------------------------------------------------------------


def test_a_closed_sync_client_refuses_calls_and_opens_nothing() -> None:
    with ScriptedServer(OK, keep_alive=True) as server:
        client = PartnerInsightsClient(base_url=server.url, **SETTINGS)
        copy = client.with_options(max_retries=0)
        with client:
            client.partner_insights.get(user_id="usr_1")
        with warnings.catch_warnings():
            warnings.simplefilter("error")  # a socket opened and left for the collector would warn
            for target in (client, copy):
                with pytest.raises(ClientClosedError, match="PartnerInsightsClient is closed"):
                    target.partner_insights.get(user_id="usr_1")
                with pytest.raises(ClientClosedError):
                    target.partner_insights.with_raw_response.get(user_id="usr_1")
        assert server.attempts == 1
        assert server.connections == 1


def test_a_closed_async_client_refuses_calls_and_opens_nothing() -> None:
    async def run() -> None:
        client = AsyncPartnerInsightsClient(base_url=server.url, **SETTINGS)
        async with client:
            await client.partner_insights.get(user_id="usr_1")
        for target in (client, client.with_options(timeout=5)):
            with pytest.raises(ClientClosedError, match="AsyncPartnerInsightsClient is closed"):
                await target.partner_insights.get(user_id="usr_1")

    with ScriptedServer(OK, keep_alive=True) as server:
        asyncio.run(run())
        assert server.attempts == 1


def test_closing_a_copy_leaves_the_original_open() -> None:
    with (
        ScriptedServer(OK, keep_alive=True) as server,
        PartnerInsightsClient(base_url=server.url, **SETTINGS) as client,
    ):
        client.with_options(max_retries=0).close()
        assert client.partner_insights.get(user_id="usr_1").request_id == full_response()["request_id"]


def test_a_closed_user_http_client_is_a_typed_error() -> None:
    with ScriptedServer(OK) as server:
        http = httpx.Client()
        http.close()
        client = PartnerInsightsClient(base_url=server.url, http_client=http, **SETTINGS)
        with pytest.raises(ClientClosedError, match="http_client given to PartnerInsightsClient is closed"):
            client.partner_insights.get(user_id="usr_1")

        async def run() -> None:
            http = httpx.AsyncClient()
            await http.aclose()
            client = AsyncPartnerInsightsClient(base_url=server.url, http_client=http, **SETTINGS)
            with pytest.raises(ClientClosedError, match="http_client given to AsyncPartnerInsightsClient is closed"):
                await client.partner_insights.get(user_id="usr_1")

        asyncio.run(run())
        assert server.attempts == 0


# -- bad base URLs ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("base_url", "problem"),
    [
        ("http://[::1", "is not a valid URL"),
        ("https://", "names no host"),
        ("http://:80", "names no host"),
        ("ftp://example.com", "must be an http:// or https:// URL"),
        ("example.com", "must be an http:// or https:// URL"),
        ("https://example.com/?x=1", "must not have a query or a fragment"),
    ],
)
@pytest.mark.parametrize("client_class", [PartnerInsightsClient, AsyncPartnerInsightsClient])
def test_a_bad_base_url_is_refused_when_the_client_is_made(
    client_class: type[PartnerInsightsClient | AsyncPartnerInsightsClient], base_url: str, problem: str
) -> None:
    with pytest.raises(ConfigurationError) as caught:
        client_class(base_url=base_url, client_id="c", secret="s")
    message = str(caught.value)
    assert message.startswith(f"base_url {problem}")
    assert message.endswith(f", got {base_url!r}")


# -- the user's event hooks ------------------------------------------------------------------------------------


class HookFailure(Exception):
    pass


def _raise_for_status(response: httpx.Response) -> None:
    response.raise_for_status()


def _failing_hook(request: httpx.Request) -> None:
    raise HookFailure("the hook said no")


@pytest.mark.parametrize("mode", ["sync", "async"])
def test_an_exception_from_a_users_event_hook_is_an_event_hook_error(mode: str) -> None:
    error_reply = json_response(400, plaid_error("INVALID_INPUT", "INVALID_FIELD"))
    with ScriptedServer(error_reply, OK) as server:
        if mode == "sync":
            with httpx.Client(event_hooks={"response": [_raise_for_status]}) as http:
                client = PartnerInsightsClient(base_url=server.url, http_client=http, **SETTINGS)
                with pytest.raises(EventHookError) as status_failure:
                    client.partner_insights.get(user_id="usr_1")
            with httpx.Client(event_hooks={"request": [_failing_hook]}) as http:
                client = PartnerInsightsClient(base_url=server.url, http_client=http, **SETTINGS)
                with pytest.raises(EventHookError) as own_failure:
                    client.partner_insights.get(user_id="usr_1")
        else:

            async def araise_for_status(response: httpx.Response) -> None:
                response.raise_for_status()

            async def afailing_hook(request: httpx.Request) -> None:
                raise HookFailure("the hook said no")

            async def run() -> tuple[pytest.ExceptionInfo[EventHookError], pytest.ExceptionInfo[EventHookError]]:
                async with httpx.AsyncClient(event_hooks={"response": [araise_for_status]}) as http:
                    client = AsyncPartnerInsightsClient(base_url=server.url, http_client=http, **SETTINGS)
                    with pytest.raises(EventHookError) as status_failure:
                        await client.partner_insights.get(user_id="usr_1")
                async with httpx.AsyncClient(event_hooks={"request": [afailing_hook]}) as http:
                    client = AsyncPartnerInsightsClient(base_url=server.url, http_client=http, **SETTINGS)
                    with pytest.raises(EventHookError) as own_failure:
                        await client.partner_insights.get(user_id="usr_1")
                return status_failure, own_failure

            status_failure, own_failure = asyncio.run(run())
        assert server.attempts == 1  # neither is retried; the request hook failed before anything was sent
    assert isinstance(status_failure.value, PartnerInsightsError)
    assert "raised HTTPStatusError: Client error '400 Bad Request'" in str(status_failure.value)
    assert status_failure.value.__cause__ is None  # httpx's error holds the request, and so the credentials
    assert status_failure.value.__context__ is None
    assert "raised HookFailure: the hook said no" in str(own_failure.value)
    assert isinstance(own_failure.value.__cause__, HookFailure)


# -- TLS -------------------------------------------------------------------------------------------------------


@pytest.fixture
def tls_server() -> Iterator[str]:
    """An HTTPS server on 127.0.0.1 whose certificate comes from a CA the client does not trust."""
    authority = trustme.CA()
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    authority.issue_cert("127.0.0.1").configure_cert(context)
    with ScriptedServer(OK, tls=context) as server:
        yield server.url.replace("http://", "https://")


def test_a_certificate_that_does_not_verify_says_so(tls_server: str, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG, logger="plaid_partner_insights")
    with (
        PartnerInsightsClient(base_url=tls_server, max_retries=0, **SETTINGS) as client,
        pytest.raises(APIConnectionError) as caught,
    ):
        client.partner_insights.get(user_id="usr_1")
    message = str(caught.value)
    assert message.startswith("connection failed: TLS certificate verification failed: ")
    assert "certificate" in message.removeprefix("connection failed: TLS certificate verification failed: ")
    assert [record for record in caplog.records if "TLS certificate verification failed" in record.getMessage()]


def test_the_cli_names_a_certificate_failure(tls_server: str, capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["get", "--base-url", tls_server, "--user-id", "u", "--max-retries", "0"])
    err = capsys.readouterr().err
    assert code == 1
    assert err.startswith("error: connection failed: TLS certificate verification failed: ")


@pytest.mark.parametrize("client_class", [PartnerInsightsClient, AsyncPartnerInsightsClient])
def test_the_shared_tls_context_follows_the_trust_settings_of_the_environment(
    client_class: type[PartnerInsightsClient | AsyncPartnerInsightsClient],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Clients share one TLS context (`_tls.default_tls_context`); a CA named by SSL_CERT_FILE, as httpx honours it,
    # must reach the next client made, and leave with it.
    authority = trustme.CA()
    server_context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    authority.issue_cert("127.0.0.1").configure_cert(server_context)
    bundle = tmp_path / "ca.pem"
    authority.cert_pem.write_to_path(str(bundle))

    def call(base_url: str) -> str | None:
        if client_class is PartnerInsightsClient:
            with PartnerInsightsClient(base_url=base_url, max_retries=0, **SETTINGS) as client:
                return client.partner_insights.get(user_id="usr_1").request_id

        async def run() -> str | None:
            async with AsyncPartnerInsightsClient(base_url=base_url, max_retries=0, **SETTINGS) as client:
                return (await client.partner_insights.get(user_id="usr_1")).request_id

        return asyncio.run(run())

    with ScriptedServer(OK, OK, OK, tls=server_context) as server:
        url = server.url.replace("http://", "https://")
        with pytest.raises(APIConnectionError, match="TLS certificate verification failed"):
            call(url)
        monkeypatch.setenv("SSL_CERT_FILE", str(bundle))
        assert call(url) == full_response()["request_id"]
        monkeypatch.delenv("SSL_CERT_FILE")
        with pytest.raises(APIConnectionError, match="TLS certificate verification failed"):
            call(url)


def test_a_refused_connection_still_reads_as_one() -> None:
    with ScriptedServer(OK) as server:
        url = server.url
    with (
        PartnerInsightsClient(base_url=url, max_retries=0, **SETTINGS) as client,
        pytest.raises(APIConnectionError, match=r"^connection failed: ConnectError \("),
    ):
        client.partner_insights.get(user_id="usr_1")


# -- event loops -------------------------------------------------------------------------------------------------


def test_an_async_client_used_from_a_second_event_loop_is_a_typed_error() -> None:
    # `Connection: close`: the first loop leaves no connection in the pool for the collector to find unclosed.
    with ScriptedServer(http_response(200, json.dumps(full_response()))) as server:
        client = AsyncPartnerInsightsClient(base_url=server.url, **SETTINGS)

        async def call() -> str | None:
            return (await client.partner_insights.get(user_id="usr_1")).request_id

        assert asyncio.run(call()) == full_response()["request_id"]
        with pytest.raises(ConfigurationError, match="first used in another event loop"):
            asyncio.run(call())
        with pytest.raises(ConfigurationError, match="first used in another event loop"):
            anyio.run(call, backend="trio")
        assert server.attempts == 1


# -- no background thread: fork stays safe -------------------------------------------------------------------


# In a process of its own, which has no thread but its main one until the client makes one: a test process has
# other tests' servers coming and going.
_THREADS_AFTER_CALLS = """
import asyncio, sys, threading
from plaid_partner_insights import AsyncPartnerInsightsClient, PartnerInsightsClient
url = sys.argv[1]
with PartnerInsightsClient(base_url=url, client_id="c", secret="s", timeout=5) as client:
    client.partner_insights.get(user_id="usr_1")
    sync_threads = threading.active_count()
async def run():
    async with AsyncPartnerInsightsClient(base_url=url, client_id="c", secret="s", timeout=5) as client:
        await client.partner_insights.get(user_id="usr_2")
        return threading.active_count()
print(sync_threads, asyncio.run(run()))
"""


def test_calls_with_a_deadline_start_no_thread() -> None:
    with ScriptedServer(OK, keep_alive=True) as server:
        done = subprocess.run(
            [sys.executable, "-c", _THREADS_AFTER_CALLS, server.url],
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
        assert server.attempts == 2
    assert done.returncode == 0, done.stderr
    assert done.stdout == "1 1\n"  # the main thread alone, after a sync call and during an async one


@pytest.mark.skipif(not hasattr(os, "fork"), reason="no fork() on this platform")
def test_fork_after_calls_does_not_warn() -> None:
    # Python 3.12+ warns at fork() when the process has other threads (gunicorn's prefork workers and
    # multiprocessing's fork pools do exactly this after the app has warmed up). The child process runs only the
    # client, under -W error, so a thread the client left behind would fail it on 3.12+.
    with ScriptedServer(OK, keep_alive=True) as server:
        program = textwrap.dedent(
            f"""
            import os
            from plaid_partner_insights import PartnerInsightsClient
            with PartnerInsightsClient(base_url={server.url!r}, client_id="c", secret="s", timeout=5) as client:
                client.partner_insights.get(user_id="usr_1")
                pid = os.fork()
                if pid == 0:
                    os._exit(0)
                _, status = os.waitpid(pid, 0)
                assert os.waitstatus_to_exitcode(status) == 0
                client.partner_insights.get(user_id="usr_2")
            print("forked")
            """
        )
        done = subprocess.run(
            [sys.executable, "-W", "error", "-c", program], capture_output=True, text=True, timeout=60, check=False
        )
        assert server.attempts == 2
    assert done.returncode == 0, done.stderr
    assert done.stdout == "forked\n"
