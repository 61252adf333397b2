"""Canary credentials: after a batch of real traffic (successes, errors, retries, faults, CLI runs), the client id
and secret appear in no log record, exception message or repr, client repr, or CLI output."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from typing import Any

import httpx
import pytest

from plaid_partner_insights import (
    AsyncPartnerInsightsClient,
    ConfigurationError,
    PartnerInsightsClient,
    PartnerInsightsError,
    RetryPolicy,
)
from plaid_partner_insights._cli import main
from plaid_partner_insights.testing.emulator import (
    DEMO_USER_ID,
    NOT_READY_USER_ID,
    RATE_LIMITED_USER_ID,
    SERVER_ERROR_USER_ID,
)

from .conftest import full_response
from .faults import RESET, Reply, ScriptedServer, Stall, http_response, json_response

FAST = RetryPolicy(backoff_initial=0.01, backoff_max=0.02, retry_after_max=0.05)


def exception_texts(exc: BaseException) -> list[str]:
    """str/repr of the exception, everything it carries, and every exception chained to it."""
    texts: list[str] = []
    seen: set[int] = set()
    pending: list[BaseException | None] = [exc]
    while pending:
        current = pending.pop()
        if current is None or id(current) in seen:
            continue
        seen.add(id(current))
        texts += [str(current), repr(current), repr(current.args), repr(vars(current))]
        # Requests (an httpx error's `request`) show no headers in their repr: look at the headers themselves.
        texts += [repr(dict(value.headers)) for value in vars(current).values() if isinstance(value, httpx.Request)]
        texts += [repr(note) for note in getattr(current, "__notes__", [])]
        pending += [current.__cause__, current.__context__]
    return texts


def test_canaries_never_leak(
    local_sandbox: Any,
    caplog: pytest.LogCaptureFixture,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    client_id, secret = local_sandbox.client_id, local_sandbox.secret
    caplog.set_level(logging.DEBUG)  # the root logger: ours, httpx, httpcore, uvicorn
    texts: list[str] = []

    def attempt(action: Callable[[], Any]) -> None:
        try:
            action()
        except (PartnerInsightsError, TypeError) as exc:
            texts.extend(exception_texts(exc))

    settings: dict[str, Any] = {"client_id": client_id, "secret": secret, "retry_policy": FAST}
    with PartnerInsightsClient(base_url=local_sandbox.url, **settings) as client:
        texts.append(repr(client))
        texts.append(repr(client.partner_insights.get(user_id=DEMO_USER_ID)))
        for user in (NOT_READY_USER_ID, RATE_LIMITED_USER_ID, SERVER_ERROR_USER_ID, "usr_unknown_canary_test"):
            attempt(lambda user=user: client.partner_insights.get(user_id=user))  # type: ignore[misc]
        attempt(lambda: client.partner_insights.get(user_id=DEMO_USER_ID, secret=secret + "x"))  # bad secret
        attempt(lambda: client.partner_insights.get(user_id=DEMO_USER_ID, secret=secret + "\n"))  # not header-safe
        attempt(lambda: client.partner_insights.get(user_idd=DEMO_USER_ID))  # type: ignore[call-arg]
        attempt(lambda: client.partner_insights.get(user_id=DEMO_USER_ID, user_tier="gold"))  # type: ignore[arg-type]

    async def async_traffic() -> None:
        async with AsyncPartnerInsightsClient(base_url=local_sandbox.url, **settings) as client:
            texts.append(repr(client))
            await client.partner_insights.get(user_id=DEMO_USER_ID)
            try:
                await client.partner_insights.get(user_id=SERVER_ERROR_USER_ID)
            except PartnerInsightsError as exc:
                texts.extend(exception_texts(exc))

    asyncio.run(async_traffic())

    faults = ScriptedServer(
        RESET,
        json_response(503, {"error_type": "API_ERROR", "error_code": "X", "error_message": "unavailable"}),
        json_response(200, full_response()),
        Stall(5),
        http_response(502, "<html>bad gateway</html>", content_type="text/html"),
        http_response(200, '{"request_id": "cut'),
    )
    with faults:
        with PartnerInsightsClient(base_url=faults.url, timeout=0.2, **settings) as client:
            client.partner_insights.get(user_id="u")  # reset, 503, then 200
            for _ in range(3):  # stall (timeout), HTML 502, truncated 200
                attempt(lambda: client.partner_insights.get(user_id="u", max_retries=0))
        monkeypatch.setenv("PLAID_CLIENT_ID", client_id)
        monkeypatch.setenv("PLAID_SECRET", secret)
        assert main(["-v", "get", "--base-url", faults.url, "--user-id", "u", "--max-retries", "0"]) == 1
    # Positive control: the canaries did go over the wire, in headers only.
    assert all(r.headers["plaid-secret"] == secret for r in faults.requests)
    assert all(secret.encode() not in r.body and client_id.encode() not in r.body for r in faults.requests)

    for argv in (
        ["-v", "get", "--base-url", local_sandbox.url, "--user-id", DEMO_USER_ID, "--summary"],
        ["-v", "get", "--base-url", local_sandbox.url, "--user-id", DEMO_USER_ID],
        ["-v", "get", "--base-url", local_sandbox.url, "--user-id", NOT_READY_USER_ID],
        ["get", "--base-url", local_sandbox.url, "--user-id", DEMO_USER_ID, "--user-tier", "gold"],
    ):
        main(argv)

    for bad_secret in (secret + "\n", secret + "\u00e9"):
        try:
            PartnerInsightsClient(client_id=client_id, secret=bad_secret)
        except ConfigurationError as exc:
            texts.extend(exception_texts(exc))

    out, err = capsys.readouterr()
    texts += [out, err, caplog.text]
    for record in caplog.records:
        texts += [record.getMessage(), repr(record.args), repr(vars(record))]
    assert len(caplog.records) > 20  # DEBUG lines of every attempt were captured
    assert any(record.name == "plaid_partner_insights" for record in caplog.records)
    everything = "\n".join(texts)
    assert len(everything) > 10_000
    for canary in (client_id, secret):
        assert canary not in everything


def test_canaries_never_leak_from_hostile_responses(mode: str, caplog: pytest.LogCaptureFixture) -> None:
    """Redirects, oversized and undecodable bodies, deadlines, Retry-After past the cap: every exception raised,
    with everything it carries and everything chained to it, is free of the credentials."""
    import gzip

    from .faults import Drip

    client_id, secret = "canary-client-id-7c1e", "canary-secret-93fd"
    caplog.set_level(logging.DEBUG)
    deep = b"[" * 100_000 + b"]" * 100_000
    replies: list[Reply] = [
        http_response(307, "", headers={"Location": "http://127.0.0.1:9/elsewhere"}),
        http_response(200, b"x" * 4096),  # past max_response_bytes
        http_response(200, b"not gzip", headers={"Content-Encoding": "gzip"}),
        http_response(200, gzip.compress(b"{" * 10)[:12], headers={"Content-Encoding": "gzip"}),
        http_response(200, deep),
        http_response(400, deep),
        json_response(429, {"error_type": "RATE_LIMIT_EXCEEDED", "error_code": "X"}, {"Retry-After": "99999"}),
        Drip(b"", json_response(200, full_response()), 0.2),
        RESET,  # httpx's error, chained, carried the request and its headers
    ]
    texts: list[str] = []
    settings: dict[str, Any] = {"client_id": client_id, "secret": secret, "retry_policy": FAST, "timeout": 0.5}
    for reply in replies:
        with ScriptedServer(reply) as server:
            try:
                if mode == "sync":
                    with PartnerInsightsClient(base_url=server.url, max_response_bytes=1024, **settings) as client:
                        texts.append(repr(client))
                        client.partner_insights.get(user_id="u", max_retries=0)
                else:

                    async def run(url: str = server.url) -> None:
                        async with AsyncPartnerInsightsClient(base_url=url, max_response_bytes=1024, **settings) as c:
                            texts.append(repr(c))
                            await c.partner_insights.get(user_id="u", max_retries=0)

                    asyncio.run(run())
            except PartnerInsightsError as exc:
                texts.extend(exception_texts(exc))
            else:
                pytest.fail(f"no error for {reply!r:.80}")
        assert server.requests[0].headers["plaid-secret"] == secret  # positive control: sent, in the header
    for record in caplog.records:
        texts += [record.getMessage(), repr(record.args), repr(vars(record))]
    everything = "\n".join(texts)
    assert everything.count("Error") >= len(replies)
    for canary in (client_id, secret):
        assert canary not in everything
