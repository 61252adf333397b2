"""plaid-python (Plaid's own SDK) reads the bodies of the webhooks the local emulator signs and sends.

Each CHECK_REPORT code is fired through `/sandbox/user/fire_webhook` to a loopback receiver; the exact bytes pass
our client's verification and plaid-python's strict model of the same name reads them. plaid-python is installed
only by the nox `tests` session; elsewhere this is skipped.
"""

from __future__ import annotations

import importlib
import json
import re
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from plaid_partner_insights_generated.webhooks import WEBHOOK_MODELS

from plaid_partner_insights import PartnerInsightsClient
from plaid_partner_insights.testing.emulator import EmulatorServer
from tests.sandbox.webhooks import WebhookReceiver

plaid = pytest.importorskip("plaid", reason="plaid-python is installed only by the nox `tests` session")

from plaid.model_utils import validate_and_convert_types  # noqa: E402

CLIENT_ID, SECRET = "peer-webhooks-client", "peer-webhooks-secret"
HEADERS = {"PLAID-CLIENT-ID": CLIENT_ID, "PLAID-SECRET": SECRET, "Plaid-Version": "2020-09-14"}
FIRED = [(webhook_type, code) for webhook_type, code in WEBHOOK_MODELS if webhook_type == "CHECK_REPORT"]


@pytest.fixture(scope="module")
def server() -> Iterator[EmulatorServer]:
    with EmulatorServer(port=0, client_id=CLIENT_ID, secret=SECRET) as running:
        yield running


def plaid_model(name: str) -> type:
    """plaid-python's class of a schema name: `CraCheckReportReadyWebhook` of `cra_check_report_ready_webhook`."""
    module = importlib.import_module("plaid.model." + re.sub(r"(?<!^)(?=[A-Z])", "_", name).lower())
    found: type = getattr(module, name)
    return found


def post(server: EmulatorServer, path: str, body: dict[str, Any]) -> dict[str, Any]:
    answer = httpx.post(server.url + path, json=body, headers=HEADERS)
    assert answer.status_code in (200, 201), answer.text
    data: dict[str, Any] = answer.json()
    return data


@pytest.mark.parametrize(("webhook_type", "code"), FIRED)
def test_plaid_python_reads_each_signed_webhook(server: EmulatorServer, webhook_type: str, code: str) -> None:
    user_id = str(post(server, "/user/create", {"client_user_id": f"peer-{code}"})["user_id"])
    public_token = post(
        server,
        "/sandbox/public_token/create",
        {"institution_id": "ins_109508", "initial_products": ["cra_base_report"], "user_id": user_id},
    )["public_token"]
    post(server, "/item/public_token/exchange", {"public_token": public_token})
    with WebhookReceiver() as receiver:
        fire = {"user_id": user_id, "webhook_type": webhook_type, "webhook_code": code, "webhook": receiver.url}
        post(server, "/sandbox/user/fire_webhook", fire)
        body, headers = receiver.raw.get(timeout=10)
    with PartnerInsightsClient(client_id=CLIENT_ID, secret=SECRET, base_url=server.url) as client:
        ours = client.webhooks.verify(body, headers)
    model = WEBHOOK_MODELS[webhook_type, code]
    assert type(ours) is model
    theirs = validate_and_convert_types(
        json.loads(body), (plaid_model(model.__name__),), ["webhook"], True, True, configuration=plaid.Configuration()
    )
    assert (theirs.webhook_type, theirs.webhook_code, theirs.user_id) == (webhook_type, code, user_id)
    assert str(theirs.environment) == "sandbox"
