"""The pytest fixture's webhook helpers: `signed_webhook` makes webhooks its clients accept, `rotate_webhook_key`
retires the signing key."""

from __future__ import annotations

import time
from typing import Any

import pytest
from plaid_partner_insights_generated.client.models import CraPartnerInsightsErrorWebhook

from plaid_partner_insights import WebhookVerificationError

PAYLOAD = {
    "webhook_type": "CRA_INSIGHTS",
    "webhook_code": "PARTNER_INSIGHTS_ERROR",
    "user_id": "usr_fixture",
    "environment": "sandbox",
}


def test_signed_webhook_is_accepted_by_the_fixtures_client(partner_insights_emulator: Any) -> None:
    body, headers = partner_insights_emulator.signed_webhook(PAYLOAD)
    with partner_insights_emulator.client() as client:
        event = client.webhooks.verify(body, headers)
    assert isinstance(event, CraPartnerInsightsErrorWebhook)
    assert event.user_id == "usr_fixture"
    assert set(headers) == {"Content-Type", "Plaid-Verification"}


def test_signed_webhook_takes_the_issue_time(partner_insights_emulator: Any) -> None:
    body, headers = partner_insights_emulator.signed_webhook(PAYLOAD, iat=int(time.time()) - 600)
    with partner_insights_emulator.client() as client, pytest.raises(WebhookVerificationError) as refused:
        client.webhooks.verify(body, headers)
    assert refused.value.reason == "too_old"
    with partner_insights_emulator.client() as client:
        assert client.webhooks.verify(body, headers, max_age=900).to_dict() == PAYLOAD


def test_rotate_webhook_key_retires_the_old_key(partner_insights_emulator: Any) -> None:
    old = partner_insights_emulator.signed_webhook(PAYLOAD)
    new_kid = partner_insights_emulator.rotate_webhook_key()
    new = partner_insights_emulator.signed_webhook(PAYLOAD)
    with partner_insights_emulator.client() as client:
        assert client.webhooks.verify(*new).to_dict() == PAYLOAD
        assert client._webhook_keys.cached(new_kid) is not None
        with pytest.raises(WebhookVerificationError) as refused:
            client.webhooks.verify(*old)
    assert refused.value.reason == "expired_key"
