"""Every way a webhook can be forged or spoilt, refused with the right `reason`, keys fetched over loopback.

Each case builds a webhook (body bytes and headers) against the real local emulator, whose keys a fresh client
fetches from the emulator's `/webhook_verification_key/get` over a real socket, and checks the `reason` of the
`WebhookVerificationError`. The sync client runs the whole table, the async client too.
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import json
import time
import typing
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass

import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from plaid_partner_insights_generated.client.models import CraUserCheckReportReadyWebhook

from plaid_partner_insights import (
    AsyncPartnerInsightsClient,
    PartnerInsightsClient,
    PlaidServerError,
    WebhookVerificationError,
    WebhookVerificationReason,
)
from plaid_partner_insights._webhook_verification import MAX_TOKEN_LENGTH
from plaid_partner_insights.testing.emulator import EmulatorServer
from plaid_partner_insights.testing.emulator._signing import WebhookSigner, plaid_formatted
from plaid_partner_insights_core._exceptions import _WEBHOOK_REASON_TEXT
from tests.client.faults import ScriptedServer, json_response

CLIENT_ID, SECRET = "forgery-client", "forgery-secret"
NOW = 1_800_000_000
PAYLOAD = {
    "webhook_type": "CHECK_REPORT",
    "webhook_code": "USER_CHECK_REPORT_READY",
    "user_id": "usr_forgery",
    "environment": "sandbox",
    "successful_products": ["cra_base_report"],
    "failed_products": [],
    "item_ids": ["item-1"],
}
Webhook = tuple[bytes, dict[str, str]]


@pytest.fixture(scope="module")
def server() -> Iterator[EmulatorServer]:
    with EmulatorServer(port=0, client_id=CLIENT_ID, secret=SECRET) as running:
        yield running


def signed(signer: WebhookSigner, *, iat: int = NOW, body: bytes | None = None) -> Webhook:
    body = plaid_formatted(PAYLOAD) if body is None else body
    return body, {"Content-Type": "application/json", "Plaid-Verification": signer.token(body, iat=iat)}


def with_token(token: str, body: bytes | None = None) -> Webhook:
    return plaid_formatted(PAYLOAD) if body is None else body, {"Plaid-Verification": token}


def claims(body: bytes | None = None, **changes: object) -> dict[str, object]:
    body = plaid_formatted(PAYLOAD) if body is None else body
    return {"iat": NOW, "request_body_sha256": hashlib.sha256(body).hexdigest(), **changes}


def b64(data: Mapping[str, object] | bytes) -> str:
    raw = data if isinstance(data, bytes) else json.dumps(data).encode()
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


# -- the cases --------------------------------------------------------------------------------------------------


def no_header(signer: WebhookSigner) -> Webhook:
    body, _ = signed(signer)
    return body, {"Content-Type": "application/json"}


def empty_header(signer: WebhookSigner) -> Webhook:
    return with_token("")


def not_a_jwt(signer: WebhookSigner) -> Webhook:
    return with_token("this is not a token")


def oversized_header(signer: WebhookSigner) -> Webhook:
    # A valid token padded past the limit: refused by its size alone, before any parsing.
    return with_token(signer.token(plaid_formatted(PAYLOAD), iat=NOW) + "A" * MAX_TOKEN_LENGTH)


def header_not_json(signer: WebhookSigner) -> Webhook:
    return with_token(f"{b64(b'not json')}.{b64(claims())}.c2ln")


def payload_not_json(signer: WebhookSigner) -> Webhook:
    header = {"alg": "ES256", "kid": signer.current_kid, "typ": "JWT"}
    signing_input = f"{b64(header)}.{b64(b'not json')}"
    key = signer._keys[signer.current_kid].private_key
    signature = jwt.algorithms.ECAlgorithm(jwt.algorithms.ECAlgorithm.SHA256).sign(signing_input.encode(), key)
    return with_token(f"{signing_input}.{base64.urlsafe_b64encode(signature).rstrip(b'=').decode()}")


def iat_missing(signer: WebhookSigner) -> Webhook:
    values = claims()
    del values["iat"]
    return with_token(signer.encode(values))


def iat_not_a_number(signer: WebhookSigner) -> Webhook:
    return with_token(signer.encode(claims(iat=str(NOW))))


def hash_claim_missing(signer: WebhookSigner) -> Webhook:
    values = claims()
    del values["request_body_sha256"]
    return with_token(signer.encode(values))


def hash_claim_not_hex(signer: WebhookSigner) -> Webhook:
    return with_token(signer.encode(claims(request_body_sha256="z" * 64)))


def kid_missing(signer: WebhookSigner) -> Webhook:
    header = {"alg": "ES256", "typ": "JWT"}
    return with_token(f"{b64(header)}.{b64(claims())}.c2ln")


def alg_none(signer: WebhookSigner) -> Webhook:
    header = {"alg": "none", "kid": signer.current_kid, "typ": "JWT"}
    return with_token(f"{b64(header)}.{b64(claims())}.")


def alg_hs256_with_the_public_key(signer: WebhookSigner) -> Webhook:
    # The classic confusion: an HMAC "signed" with the public key, which a careless verifier would accept.
    jwk = signer.jwk(signer.current_kid)
    assert jwk is not None
    secret = json.dumps(jwk).encode()
    header = {"alg": "HS256", "kid": signer.current_kid, "typ": "JWT"}
    signing_input = f"{b64(header)}.{b64(claims())}"
    signature = jwt.algorithms.HMACAlgorithm(jwt.algorithms.HMACAlgorithm.SHA256).sign(signing_input.encode(), secret)
    return with_token(f"{signing_input}.{base64.urlsafe_b64encode(signature).rstrip(b'=').decode()}")


def alg_rs256(signer: WebhookSigner) -> Webhook:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    return with_token(jwt.encode(claims(), key, algorithm="RS256", headers={"kid": signer.current_kid}))


def alg_es384(signer: WebhookSigner) -> Webhook:
    key = ec.generate_private_key(ec.SECP384R1())
    return with_token(jwt.encode(claims(), key, algorithm="ES384", headers={"kid": signer.current_kid}))


def unknown_kid(signer: WebhookSigner) -> Webhook:
    return with_token(signer.encode(claims(), header={"kid": "no-such-key"}))


def another_key_same_kid(signer: WebhookSigner) -> Webhook:
    impostor = ec.generate_private_key(ec.SECP256R1())
    return with_token(jwt.encode(claims(), impostor, algorithm="ES256", headers={"kid": signer.current_kid}))


def signature_flipped(signer: WebhookSigner) -> Webhook:
    body, headers = signed(signer)
    head, payload, signature = headers["Plaid-Verification"].split(".")
    raw = bytearray(base64.urlsafe_b64decode(signature + "=="))
    raw[10] ^= 0x01
    return with_token(f"{head}.{payload}.{base64.urlsafe_b64encode(bytes(raw)).rstrip(b'=').decode()}", body)


def claims_swapped_under_a_signature(signer: WebhookSigner) -> Webhook:
    # The signature of one token over the claims of another (a fresher iat): the signature no longer matches.
    _, old = signed(signer, iat=NOW - 3600)
    _, fresh = signed(signer, iat=NOW)
    head, _, signature = old["Plaid-Verification"].split(".")
    return with_token(f"{head}.{fresh['Plaid-Verification'].split('.')[1]}.{signature}")


def body_reserialized_compactly(signer: WebhookSigner) -> Webhook:
    body, headers = signed(signer)
    return json.dumps(json.loads(body), separators=(",", ":")).encode(), headers


def body_reserialized_by_json_dumps(signer: WebhookSigner) -> Webhook:
    body, headers = signed(signer)
    return json.dumps(json.loads(body)).encode(), headers


def body_changed(signer: WebhookSigner) -> Webhook:
    body, headers = signed(signer)
    return body.replace(b"usr_forgery", b"usr_attacker"), headers


def body_with_a_trailing_newline(signer: WebhookSigner) -> Webhook:
    body, headers = signed(signer)
    return body + b"\n", headers


def too_old(signer: WebhookSigner) -> Webhook:
    return signed(signer, iat=NOW - 301)


def issued_in_future(signer: WebhookSigner) -> Webhook:
    return signed(signer, iat=NOW + 61)


@dataclass(frozen=True)
class Forgery:
    build: Callable[[WebhookSigner], Webhook]
    reason: WebhookVerificationReason


FORGERIES = [
    Forgery(no_header, "missing_header"),
    Forgery(empty_header, "missing_header"),
    Forgery(not_a_jwt, "malformed_token"),
    Forgery(oversized_header, "malformed_token"),
    Forgery(header_not_json, "malformed_token"),
    Forgery(payload_not_json, "malformed_token"),
    Forgery(iat_missing, "malformed_token"),
    Forgery(iat_not_a_number, "malformed_token"),
    Forgery(hash_claim_missing, "malformed_token"),
    Forgery(hash_claim_not_hex, "malformed_token"),
    Forgery(kid_missing, "malformed_token"),
    Forgery(alg_none, "unsupported_algorithm"),
    Forgery(alg_hs256_with_the_public_key, "unsupported_algorithm"),
    Forgery(alg_rs256, "unsupported_algorithm"),
    Forgery(alg_es384, "unsupported_algorithm"),
    Forgery(unknown_kid, "unknown_key"),
    Forgery(another_key_same_kid, "bad_signature"),
    Forgery(signature_flipped, "bad_signature"),
    Forgery(claims_swapped_under_a_signature, "bad_signature"),
    Forgery(body_reserialized_compactly, "body_mismatch"),
    Forgery(body_reserialized_by_json_dumps, "body_mismatch"),
    Forgery(body_changed, "body_mismatch"),
    Forgery(body_with_a_trailing_newline, "body_mismatch"),
    Forgery(too_old, "too_old"),
    Forgery(issued_in_future, "issued_in_future"),
]


def test_the_table_covers_every_reason() -> None:
    assert {forgery.reason for forgery in FORGERIES} == set(typing.get_args(WebhookVerificationReason)) - {
        "expired_key"  # needs a rotation: its own test below
    }


def client_for(server: EmulatorServer, **options: typing.Any) -> PartnerInsightsClient:
    return PartnerInsightsClient(client_id=CLIENT_ID, secret=SECRET, base_url=server.url, **options)


@pytest.mark.parametrize("forgery", FORGERIES, ids=lambda forgery: forgery.build.__name__)
def test_sync_client_refuses(server: EmulatorServer, forgery: Forgery) -> None:
    body, headers = forgery.build(server.app.webhook_signer)
    with client_for(server) as client, pytest.raises(WebhookVerificationError) as refused:
        client.webhooks.verify(body, headers, now=NOW)
    assert refused.value.reason == forgery.reason
    # The message is the reason's fixed text: nothing of the token, the body or the credentials.
    assert str(refused.value) == f"webhook refused ({forgery.reason}): {_WEBHOOK_REASON_TEXT[forgery.reason]}"


@pytest.mark.parametrize("forgery", FORGERIES, ids=lambda forgery: forgery.build.__name__)
def test_async_client_refuses(server: EmulatorServer, forgery: Forgery) -> None:
    body, headers = forgery.build(server.app.webhook_signer)

    async def verify() -> None:
        async with AsyncPartnerInsightsClient(client_id=CLIENT_ID, secret=SECRET, base_url=server.url) as client:
            await client.webhooks.verify(body, headers, now=NOW)

    with pytest.raises(WebhookVerificationError) as refused:
        asyncio.run(verify())
    assert refused.value.reason == forgery.reason


@pytest.mark.parametrize("name", ["plaid-verification", "PLAID-VERIFICATION", "Plaid-Verification"])
def test_the_header_name_is_matched_in_any_case(server: EmulatorServer, name: str) -> None:
    body, headers = signed(server.app.webhook_signer)
    with client_for(server) as client:
        event = client.webhooks.verify(body, {name: headers["Plaid-Verification"]}, now=NOW)
    assert isinstance(event, CraUserCheckReportReadyWebhook)
    assert event.to_dict() == PAYLOAD


def test_the_limits_of_max_age_and_leeway_are_inclusive(server: EmulatorServer) -> None:
    signer = server.app.webhook_signer
    with client_for(server) as client:
        for iat, options in ((NOW - 300, {}), (NOW + 60, {}), (NOW - 10, {"max_age": 10}), (NOW + 5, {"leeway": 5})):
            body, headers = signed(signer, iat=iat)
            assert client.webhooks.verify(body, headers, now=NOW, **options).to_dict() == PAYLOAD
        body, headers = signed(signer, iat=NOW - 11)
        with pytest.raises(WebhookVerificationError, match="too_old"):
            client.webhooks.verify(body, headers, now=NOW, max_age=10)
        body, headers = signed(signer, iat=NOW + 1)
        with pytest.raises(WebhookVerificationError, match="issued_in_future"):
            client.webhooks.verify(body, headers, now=NOW, leeway=0)


def test_the_clock_is_used_without_now(server: EmulatorServer) -> None:
    body, headers = signed(server.app.webhook_signer, iat=int(time.time()))
    with client_for(server) as client:
        assert client.webhooks.verify(body, headers).to_dict() == PAYLOAD
        with pytest.raises(WebhookVerificationError, match="too_old"):
            client.webhooks.verify(*signed(server.app.webhook_signer, iat=int(time.time()) - 3600))


def test_a_retired_key_is_refused() -> None:
    with EmulatorServer(port=0, client_id=CLIENT_ID, secret=SECRET) as server:
        signer = server.app.webhook_signer
        old_body, old_headers = signed(signer)
        new_kid = signer.rotate()
        new_body, new_headers = signed(signer)
        with client_for(server) as client:
            with pytest.raises(WebhookVerificationError) as refused:
                client.webhooks.verify(old_body, old_headers, now=NOW)
            assert refused.value.reason == "expired_key"
            assert client.webhooks.verify(new_body, new_headers, now=NOW).to_dict() == PAYLOAD
            assert jwt.get_unverified_header(new_headers["Plaid-Verification"])["kid"] == new_kid


def test_a_rotation_is_noticed_when_the_new_key_first_appears() -> None:
    """A key cached while live is fetched again when an unknown kid shows up; then its expiry counts."""
    with EmulatorServer(port=0, client_id=CLIENT_ID, secret=SECRET) as server:
        signer = server.app.webhook_signer
        old = signed(signer)
        with client_for(server) as client:
            client.webhooks.verify(*old, now=NOW)  # caches the old key, live
            signer.rotate()
            # Plaid's rule: a cached key with a null expired_at is used until a new kid makes the client look again.
            client.webhooks.verify(*old, now=NOW)
            client.webhooks.verify(*signed(signer), now=NOW)  # new kid: fetched, and the old key refreshed
            with pytest.raises(WebhookVerificationError) as refused:
                client.webhooks.verify(*old, now=NOW)
    assert refused.value.reason == "expired_key"


def test_key_endpoint_failure_is_the_clients_typed_error_and_is_not_cached() -> None:
    signer = WebhookSigner(clock=lambda: NOW)
    body, headers = signed(signer)
    failure = {
        "error_type": "API_ERROR",
        "error_code": "INTERNAL_SERVER_ERROR",
        "error_message": "unexpected failure",
        "display_message": None,
        "request_id": "req-500",
    }
    key = {"key": signer.jwk(signer.current_kid), "request_id": "req-200"}
    with (
        ScriptedServer(json_response(500, failure), json_response(200, key)) as keys,
        PartnerInsightsClient(client_id=CLIENT_ID, secret=SECRET, base_url=keys.url, max_retries=0) as client,
    ):
        with pytest.raises(PlaidServerError) as failed:
            client.webhooks.verify(body, headers, now=NOW)
        assert failed.value.status_code == 500
        assert client._webhook_keys.cached(signer.current_kid) is None
        # Not cached: the next verification asks again, and succeeds.
        assert client.webhooks.verify(body, headers, now=NOW).to_dict() == PAYLOAD
    assert [(request.path, request.json()) for request in keys.requests] == [
        ("/webhook_verification_key/get", {"key_id": signer.current_kid})
    ] * 2
    assert all(request.headers["plaid-client-id"] == CLIENT_ID for request in keys.requests)
