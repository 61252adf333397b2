"""Keys are fetched once however many verifications want them at the same moment, in threads and in tasks.

The key server is a scripted loopback server that drips its answer over about half a second, so every
verification of the burst starts while the first fetch is still under way; it counts the requests it gets.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import json
import threading

import anyio
import pytest

from plaid_partner_insights import AsyncPartnerInsightsClient, PartnerInsightsClient, PlaidServerError
from plaid_partner_insights.testing.emulator._signing import WebhookSigner, plaid_formatted
from tests.client.faults import Drip, ScriptedServer, http_response, json_response

NOW = 1_800_000_000
BURST = 100
PAYLOAD = {"webhook_type": "CRA_INSIGHTS", "webhook_code": "PARTNER_INSIGHTS_COMPLETE", "user_id": "usr_burst"}
PAYLOAD["environment"] = "production"
FAILURE = {
    "error_type": "API_ERROR",
    "error_code": "INTERNAL_SERVER_ERROR",
    "error_message": "unexpected failure",
    "display_message": None,
    "request_id": "req-500",
}


def slow(status: int, data: object) -> Drip:
    """`data` as JSON, its body dripped a byte at a time for about half a second."""
    body = json.dumps(data).encode()
    whole = http_response(status, body)
    head = whole[: len(whole) - len(body)]
    return Drip(head, body, interval=0.5 / len(body))


def fresh_key(signer: WebhookSigner) -> bytes:
    return json_response(200, {"key": signer.jwk(signer.current_kid), "request_id": "req-key"})


def key_answer(signer: WebhookSigner) -> Drip:
    return slow(200, {"key": signer.jwk(signer.current_kid), "request_id": "req-key"})


def webhook(signer: WebhookSigner) -> tuple[bytes, dict[str, str]]:
    body = plaid_formatted(PAYLOAD)
    return body, {"Plaid-Verification": signer.token(body, iat=NOW)}


def client(url: str) -> PartnerInsightsClient:
    return PartnerInsightsClient(client_id="id", secret="secret", base_url=url, max_retries=0)


def burst_in_threads(url: str, body: bytes, headers: dict[str, str]) -> list[object]:
    """BURST verifications at once, one thread each; each result, or the exception it raised."""
    start = threading.Barrier(BURST)
    with client(url) as shared:

        def verify() -> object:
            start.wait()
            try:
                return shared.webhooks.verify(body, headers, now=NOW)
            except Exception as exc:
                return exc

        with concurrent.futures.ThreadPoolExecutor(BURST) as pool:
            return list(pool.map(lambda _: verify(), range(BURST)))


async def burst_in_tasks(url: str, body: bytes, headers: dict[str, str]) -> list[object]:
    """BURST verifications at once, one task each (asyncio or trio); each result, or the exception it raised."""
    results: list[object] = [None] * BURST
    async with AsyncPartnerInsightsClient(client_id="id", secret="secret", base_url=url, max_retries=0) as shared:

        async def verify(index: int) -> None:
            try:
                results[index] = await shared.webhooks.verify(body, headers, now=NOW)
            except Exception as exc:
                results[index] = exc

        async with anyio.create_task_group() as tasks:
            for index in range(BURST):
                tasks.start_soon(verify, index)
    return results


def test_threads_share_one_fetch_of_a_new_key() -> None:
    signer = WebhookSigner()
    with ScriptedServer(key_answer(signer)) as keys:
        results = burst_in_threads(keys.url, *webhook(signer))
    assert len(results) == BURST
    assert [type(result).__name__ for result in results] == ["CraPartnerInsightsCompleteWebhook"] * BURST
    assert keys.attempts == 1


@pytest.mark.parametrize("backend", ["asyncio", "trio"])
def test_tasks_share_one_fetch_of_a_new_key(backend: str) -> None:
    signer = WebhookSigner()
    with ScriptedServer(key_answer(signer)) as keys:
        results = anyio.run(burst_in_tasks, keys.url, *webhook(signer), backend=backend)
    assert [type(result).__name__ for result in results] == ["CraPartnerInsightsCompleteWebhook"] * BURST
    assert keys.attempts == 1


def test_threads_share_one_failed_fetch_and_it_is_not_cached() -> None:
    signer = WebhookSigner()
    with ScriptedServer(slow(500, FAILURE), fresh_key(signer)) as keys:
        results = burst_in_threads(keys.url, *webhook(signer))
        assert keys.attempts == 1
        assert {type(result) for result in results} == {PlaidServerError}
        again = burst_in_threads(keys.url, *webhook(signer))
    assert [type(result).__name__ for result in again] == ["CraPartnerInsightsCompleteWebhook"] * BURST
    assert keys.attempts == 2


@pytest.mark.parametrize("backend", ["asyncio", "trio"])
def test_tasks_share_one_failed_fetch_and_it_is_not_cached(backend: str) -> None:
    signer = WebhookSigner()
    with ScriptedServer(slow(500, FAILURE), fresh_key(signer)) as keys:
        results = anyio.run(burst_in_tasks, keys.url, *webhook(signer), backend=backend)
        assert keys.attempts == 1
        assert {type(result) for result in results} == {PlaidServerError}
        again = anyio.run(burst_in_tasks, keys.url, *webhook(signer), backend=backend)
    assert [type(result).__name__ for result in again] == ["CraPartnerInsightsCompleteWebhook"] * BURST
    assert keys.attempts == 2


def test_a_cancelled_fetch_leaves_the_waiters_to_fetch_again() -> None:
    signer = WebhookSigner()
    body, headers = webhook(signer)

    async def scenario(url: str) -> object:
        async with AsyncPartnerInsightsClient(client_id="id", secret="secret", base_url=url, max_retries=0) as shared:
            leader = asyncio.ensure_future(shared.webhooks.verify(body, headers, now=NOW))
            await asyncio.sleep(0.1)  # the leader's fetch is under way
            waiter = asyncio.ensure_future(shared.webhooks.verify(body, headers, now=NOW))
            await asyncio.sleep(0.05)
            leader.cancel()
            with pytest.raises(asyncio.CancelledError):
                await leader
            return await waiter

    with ScriptedServer(key_answer(signer)) as keys:
        result = asyncio.run(scenario(keys.url))
    assert type(result).__name__ == "CraPartnerInsightsCompleteWebhook"
    assert keys.attempts == 2
