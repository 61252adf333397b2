"""A user's test file for the `partner_insights_emulator` fixture as a test double: journal, wire faults, strictness.

Written as a user of the installed package writes it: it imports only the package, its pytest plugin and pytest.
Not collected from here (no `test_` prefix): `tests/plugin/test_pytest_plugin.py` and `nox -s build` (the latter
with only the wheel, its `sandbox` extra and pytest installed) save it into an empty folder and run it there.
"""

from __future__ import annotations

import asyncio
import time

import pytest

from plaid_partner_insights import APIConnectionError, APITimeoutError, PlaidServerError
from plaid_partner_insights.testing.emulator import FAULT_KINDS
from plaid_partner_insights_pytest import PartnerInsightsEmulator

ENDPOINT = "/cra/check_report/partner_insights/get"
TIMEOUT = 1.5  # the deadline of a faulted attempt: hang, delay and slow_body outlast it; busy machines send in time
SLACK = 4.0  # how much later than the deadline the error may come on a loaded machine (well below a delay)
# For each fault kind: the seconds it is given, what this client raises, and the status the journal records
# (None: no status line went out, or the client gave up before the delayed answer).
EXPECTED = {
    "connection_reset": (None, APIConnectionError, None),
    "empty_response": (None, APIConnectionError, None),
    "malformed_response": (None, APIConnectionError, None),
    "truncated_body": (None, APIConnectionError, 200),
    "delay": (10.0, APITimeoutError, None),
    "slow_body": (10.0, APITimeoutError, 200),
    "hang": (None, APITimeoutError, None),
}


def test_every_fault_kind_is_tested() -> None:
    assert sorted(EXPECTED) == sorted(FAULT_KINDS)


@pytest.mark.parametrize("kind", sorted(EXPECTED))
def test_fault_raises_within_the_timeout_and_a_retry_succeeds(
    partner_insights_emulator: PartnerInsightsEmulator, kind: str
) -> None:
    seconds, error, journal_status = EXPECTED[kind]
    partner_insights_emulator.fault_next(1, kind, seconds=seconds)
    with partner_insights_emulator.client(max_retries=0, timeout=TIMEOUT) as client:
        started = time.monotonic()
        with pytest.raises(APIConnectionError) as raised:
            client.partner_insights.get(user_id="usr_faults")
        elapsed = time.monotonic() - started
        retried = client.partner_insights.get(user_id="usr_faults", timeout=30)  # no fault: any machine is in time
    assert type(raised.value) is error
    assert elapsed < TIMEOUT + SLACK
    assert retried.request_id
    journal = [(request.fault, request.status_code) for request in partner_insights_emulator.requests]
    assert journal == [(kind, journal_status), (None, 200)]


def test_a_fault_leaves_the_clients_own_retry_to_succeed(partner_insights_emulator: PartnerInsightsEmulator) -> None:
    partner_insights_emulator.fault_next(1, "connection_reset")
    with partner_insights_emulator.client(max_retries=1) as client:
        response = client.partner_insights.get(user_id="usr_faults")
    assert response.request_id
    assert [request.fault for request in partner_insights_emulator.requests] == ["connection_reset", None]


def test_a_delay_shorter_than_the_timeout_is_only_slow(partner_insights_emulator: PartnerInsightsEmulator) -> None:
    partner_insights_emulator.fault_next(1, "delay", seconds=0.2)
    partner_insights_emulator.fault_next(1, "slow_body", seconds=0.2)
    with partner_insights_emulator.client(max_retries=0, timeout=5) as client:
        started = time.monotonic()
        client.partner_insights.get(user_id="usr_slow")
        client.partner_insights.get(user_id="usr_slow")
        assert time.monotonic() - started >= 0.4
    journal = [(r.fault, r.status_code) for r in partner_insights_emulator.requests]
    assert journal == [("delay", 200), ("slow_body", 200)]


def test_the_async_client_gives_up_on_a_hang(partner_insights_emulator: PartnerInsightsEmulator) -> None:
    partner_insights_emulator.fault_next(1, "hang")

    async def fetch_twice() -> str:
        async with partner_insights_emulator.async_client(max_retries=0, timeout=TIMEOUT) as client:
            with pytest.raises(APITimeoutError):
                await client.partner_insights.get(user_id="usr_async")
            return (await client.partner_insights.get(user_id="usr_async", timeout=30)).request_id

    assert asyncio.run(fetch_twice())
    assert [request.fault for request in partner_insights_emulator.requests] == ["hang", None]


def test_faults_and_failures_queue_together_in_order(partner_insights_emulator: PartnerInsightsEmulator) -> None:
    partner_insights_emulator.fail_next(1, status=500)
    partner_insights_emulator.fault_next(1, "empty_response")
    partner_insights_emulator.fail_next(1, status=503)
    assert partner_insights_emulator.pending_faults == [
        "fail_next(status=500, API_ERROR/INTERNAL_SERVER_ERROR)",
        "fault_next('empty_response')",
        "fail_next(status=503, API_ERROR/PLANNED_MAINTENANCE)",
    ]
    outcomes: list[object] = []
    with partner_insights_emulator.client(max_retries=0) as client:
        for _ in range(4):
            try:
                outcomes.append(client.partner_insights.get(user_id="usr_order").request_id and "report")
            except PlaidServerError as failure:
                outcomes.append(failure.status_code)
            except APIConnectionError:
                outcomes.append("no answer")
    assert outcomes == [500, "no answer", 503, "report"]
    assert partner_insights_emulator.pending_faults == []


def test_the_journal_shows_what_my_code_sent(partner_insights_emulator: PartnerInsightsEmulator) -> None:
    with partner_insights_emulator.client() as client:
        client.partner_insights.get(user_id="usr_journal", partner_insights={"prism_versions": {"cashscore": "4"}})
    [request] = partner_insights_emulator.requests
    assert (request.method, request.path, request.status_code, request.fault) == ("POST", ENDPOINT, 200, None)
    assert request.json["user_id"] == "usr_journal"
    assert "user_token" not in request.json
    assert request.json["partner_insights"]["prism_versions"] == {"cashscore": "4"}
    assert request.headers["plaid-version"] == "2020-09-14"
    assert request.headers["plaid-client-id"] == request.headers["plaid-secret"] == "***"
    assert partner_insights_emulator.secret not in repr(request)
    assert request.received_at.tzinfo is not None


def test_a_secret_sent_in_the_body_is_masked_too(partner_insights_emulator: PartnerInsightsEmulator) -> None:
    import httpx

    emulator = partner_insights_emulator
    body = {"client_id": emulator.client_id, "secret": emulator.secret, "user_id": "u"}
    response = httpx.post(
        partner_insights_emulator.url + ENDPOINT, json=body, headers={"Plaid-Version": "2020-09-14"}, timeout=10
    )
    assert response.status_code == 200
    [request] = partner_insights_emulator.requests
    assert request.json == {"client_id": "***", "secret": "***", "user_id": "u"}


def test_each_test_starts_with_an_empty_journal(partner_insights_emulator: PartnerInsightsEmulator) -> None:
    assert partner_insights_emulator.requests == []
    assert partner_insights_emulator.pending_faults == []


@pytest.mark.partner_insights_emulator(allow_unused_faults=True)
def test_may_leave_a_fault_unused_when_marked(partner_insights_emulator: PartnerInsightsEmulator) -> None:
    partner_insights_emulator.fault_next(2, "hang")
    assert partner_insights_emulator.pending_faults == ["fault_next('hang')"] * 2


def test_reset_clears_faults_and_the_journal(partner_insights_emulator: PartnerInsightsEmulator) -> None:
    with partner_insights_emulator.client() as client:
        client.partner_insights.get(user_id="usr_reset")
    partner_insights_emulator.fault_next(1, "hang")
    assert (len(partner_insights_emulator.requests), len(partner_insights_emulator.pending_faults)) == (1, 1)
    partner_insights_emulator.reset()
    assert partner_insights_emulator.pending_faults == []
    assert partner_insights_emulator.requests == []


def test_bad_fault_arguments_name_the_problem(partner_insights_emulator: PartnerInsightsEmulator) -> None:
    with pytest.raises(ValueError, match="kind must be one of connection_reset, "):
        partner_insights_emulator.fault_next(1, "timeout")
    with pytest.raises(ValueError, match="'delay' needs seconds"):
        partner_insights_emulator.fault_next(1, "delay")
    with pytest.raises(ValueError, match="seconds is only for delay and slow_body, not 'hang'"):
        partner_insights_emulator.fault_next(1, "hang", seconds=1)
    with pytest.raises(ValueError, match="n must be a non-negative integer"):
        partner_insights_emulator.fault_next(-1, "hang")
    assert partner_insights_emulator.pending_faults == []
