"""The local emulator signs every webhook it sends, as Plaid does, and serves the keys; plaid-python reads the bodies.

Each webhook the setup flow sends (the report's READY or FAILED, and every code of `/sandbox/user/fire_webhook`) is
caught raw on a loopback receiver and verified with the client against the emulator's own key endpoint.
"""

from __future__ import annotations

import itertools
import json
from collections.abc import Iterator
from typing import Any

import httpx
import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import ec
from plaid_partner_insights_generated.client import models
from plaid_partner_insights_generated.webhooks import WEBHOOK_MODELS

from plaid_partner_insights import PartnerInsightsClient, PlaidAPIError, UnknownWebhook
from plaid_partner_insights.testing.emulator import EmulatorServer, SetupSettings
from plaid_partner_insights.testing.emulator._signing import _Key, plaid_formatted
from tests.sandbox.webhooks import WebhookReceiver

CLIENT_ID, SECRET = "signing-client", "signing-secret"
HEADERS = {"PLAID-CLIENT-ID": CLIENT_ID, "PLAID-SECRET": SECRET, "Plaid-Version": "2020-09-14"}
CLOCK = [0.0]
DELAY = 30.0
CHECK_REPORT_CODES = [code for webhook_type, code in WEBHOOK_MODELS if webhook_type == "CHECK_REPORT"]


@pytest.fixture(scope="module")
def server() -> Iterator[EmulatorServer]:
    settings = SetupSettings(report_delay=DELAY, clock=lambda: CLOCK[0])
    with EmulatorServer(port=0, client_id=CLIENT_ID, secret=SECRET, setup=settings) as running:
        yield running


@pytest.fixture
def client(server: EmulatorServer) -> Iterator[PartnerInsightsClient]:
    with PartnerInsightsClient(client_id=CLIENT_ID, secret=SECRET, base_url=server.url) as made:
        yield made


def post(server: EmulatorServer, path: str, body: dict[str, Any]) -> dict[str, Any]:
    answer = httpx.post(server.url + path, json=body, headers=HEADERS)
    assert answer.status_code in (200, 201), answer.text
    data: dict[str, Any] = answer.json()
    return data


def user_with_an_item(server: EmulatorServer, name: str) -> str:
    user_id = str(post(server, "/user/create", {"client_user_id": name})["user_id"])
    token = post(
        server,
        "/sandbox/public_token/create",
        {"institution_id": "ins_109508", "initial_products": ["cra_base_report"], "user_id": user_id},
    )["public_token"]
    post(server, "/item/public_token/exchange", {"public_token": token})
    return user_id


@pytest.mark.parametrize("code", CHECK_REPORT_CODES)
def test_fired_webhooks_are_signed_over_the_exact_bytes(
    server: EmulatorServer, client: PartnerInsightsClient, code: str
) -> None:
    user_id = user_with_an_item(server, f"signed-{code}")
    with WebhookReceiver() as receiver:
        fire = {"user_id": user_id, "webhook_type": "CHECK_REPORT", "webhook_code": code, "webhook": receiver.url}
        assert post(server, "/sandbox/user/fire_webhook", fire)["webhook_fired"] is True
        body, headers = receiver.raw.get(timeout=10)
    event = client.webhooks.verify(body, headers)
    assert isinstance(event, WEBHOOK_MODELS["CHECK_REPORT", code])
    assert (event.webhook_code, event.user_id) == (code, user_id)
    # Formatted as Plaid formats its bodies: a re-serialization would not hash the same.
    assert body == plaid_formatted(json.loads(body))
    assert body.startswith(b"{\n  ")
    assert not body.endswith(b"\n")
    token = {name.lower(): value for name, value in headers.items()}["plaid-verification"]
    assert jwt.get_unverified_header(token) == {
        "alg": "ES256",
        "kid": server.app.webhook_signer.current_kid,
        "typ": "JWT",
    }


def test_the_report_webhook_is_signed_and_a_rotation_is_served(
    server: EmulatorServer, client: PartnerInsightsClient
) -> None:
    user_id = user_with_an_item(server, "signed-report")
    with WebhookReceiver() as receiver:
        post(
            server,
            "/cra/check_report/create",
            {
                "user_id": user_id,
                "webhook": receiver.url,
                "days_requested": 365,
                "consumer_report_permissible_purpose": "ACCOUNT_REVIEW_CREDIT",
            },
        )
        CLOCK[0] += DELAY
        body, headers = receiver.raw.get(timeout=10)
    old_kid = server.app.webhook_signer.current_kid
    assert isinstance(client.webhooks.verify(body, headers), models.CraUserCheckReportReadyWebhook)

    new_kid = server.app.webhook_signer.rotate()
    served = client.webhook_verification_key.get(key_id=old_kid).key
    assert served.kid == old_kid
    assert served.expired_at is not None
    assert served.expired_at >= served.created_at
    fresh = client.webhook_verification_key.get(key_id=new_kid).key
    assert (fresh.kid, fresh.expired_at, fresh.alg, fresh.crv, fresh.kty, fresh.use) == (
        new_kid,
        None,
        "ES256",
        "P-256",
        "EC",
        "sig",
    )


def test_an_unknown_key_id_is_plaids_error(client: PartnerInsightsClient) -> None:
    with pytest.raises(PlaidAPIError) as refused:
        client.webhook_verification_key.get(key_id="not-a-key")
    assert (refused.value.status_code, refused.value.error_type, refused.value.error_code) == (
        400,
        "INVALID_INPUT",
        "INVALID_WEBHOOK_VERIFICATION_KEY_ID",
    )


def test_the_key_endpoint_checks_credentials_and_fields(server: EmulatorServer) -> None:
    wrong = httpx.post(
        server.url + "/webhook_verification_key/get", json={"key_id": "x"}, headers={**HEADERS, "PLAID-SECRET": "no"}
    )
    assert (wrong.status_code, wrong.json()["error_code"]) == (400, "INVALID_API_KEYS")
    missing = httpx.post(server.url + "/webhook_verification_key/get", json={}, headers=HEADERS)
    assert (missing.status_code, missing.json()["error_code"]) == (400, "MISSING_FIELDS")
    unknown = httpx.post(server.url + "/webhook_verification_key/get", json={"key_id": "x", "k": 1}, headers=HEADERS)
    assert (unknown.status_code, unknown.json()["error_code"]) == (400, "UNKNOWN_FIELDS")


def test_signed_webhooks_of_a_type_the_spec_does_not_know_are_unknown_webhooks(
    server: EmulatorServer, client: PartnerInsightsClient
) -> None:
    payload = {"webhook_type": "CHECK_REPORT", "webhook_code": "SOMETHING_NEW", "user_id": "usr_1", "extra": [1]}
    signed = server.app.webhook_signer.sign(payload)
    event = client.webhooks.verify(signed.body, signed.headers)
    assert isinstance(event, UnknownWebhook)
    assert (event.webhook_type, event.webhook_code, event.to_dict()) == ("CHECK_REPORT", "SOMETHING_NEW", payload)


def test_a_served_key_whose_coordinate_starts_with_a_zero_byte_keeps_all_32_bytes() -> None:
    # A P-256 JWK's `x` and `y` are 32 bytes each, leading zeros included (RFC 7518); one key in 128 has a coordinate
    # below 2**248, which PyJWT before 2.10 wrote short and then refused to read back.
    def short_coordinate(scalar: int) -> bool:
        numbers = ec.derive_private_key(scalar, ec.SECP256R1()).public_key().public_numbers()
        return min(numbers.x, numbers.y) < 2**248

    scalar = next(n for n in itertools.count(1) if short_coordinate(n))
    key = _Key("kid-short", ec.derive_private_key(scalar, ec.SECP256R1()), created_at=0)
    jwk = key.jwk()
    assert [len(jwt.utils.base64url_decode(jwk[name])) for name in ("x", "y")] == [32, 32]
    served = jwt.PyJWK(jwk, algorithm="ES256").key
    assert served.public_numbers() == key.private_key.public_key().public_numbers()
