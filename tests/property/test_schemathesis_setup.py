"""schemathesis over spec/sandbox-setup.yaml against the local emulator's setup flow, over loopback HTTP.

Valid and invalid requests for every setup endpoint; every default check (status codes, response schemas,
negative data rejected, no 5xx). Derandomized and small, so the run is the same each time and takes seconds.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis import Case, CheckContext, Response
from schemathesis.specs.openapi.checks import positive_data_acceptance

from plaid_partner_insights.testing.emulator import EmulatorServer, SetupSettings
from tests.sandbox.webhooks import WebhookReceiver

# Run first under pytest-xdist (tests/conftest.py). Untraced (tests/untraced.py): the test's own thread runs
# schemathesis and Hypothesis; the sandbox runs in its server or ASGI thread, which stays measured.
pytestmark = [pytest.mark.slow, pytest.mark.untraced]

ROOT = Path(__file__).resolve().parents[2]
SETUP_SPEC = schemathesis.openapi.from_path(
    ROOT / "spec" / "sandbox-setup.yaml", config=schemathesis.Config.from_path(ROOT / "schemathesis.toml")
)
CLIENT_ID, SECRET = "setup-schemathesis-id", "setup-schemathesis-secret"
SETTINGS = settings(
    max_examples=15,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much, HealthCheck.data_too_large],
)


@dataclass
class Target:
    url: str
    user_id: str
    webhook: str
    statuses: dict[str, set[int]]


# Operations whose generated requests must reach both a success and a Plaid error (the exchange's random tokens
# never succeed; the Item call's random institutions and users rarely do).
BOTH_OUTCOMES = ("/user/create", "/cra/check_report/create", "/sandbox/user/fire_webhook")


@pytest.fixture(scope="module")
def target() -> Iterator[Target]:
    """A sandbox with one real user (so generated requests can reach 200) and a webhook receiver."""
    headers = {"PLAID-CLIENT-ID": CLIENT_ID, "PLAID-SECRET": SECRET, "Plaid-Version": "2020-09-14"}
    with (
        EmulatorServer(port=0, client_id=CLIENT_ID, secret=SECRET, setup=SetupSettings(report_delay=0)) as server,
        WebhookReceiver() as receiver,
    ):
        user = httpx.post(f"{server.url}/user/create", json={"client_user_id": "schemathesis"}, headers=headers)
        statuses: dict[str, set[int]] = {}
        yield Target(server.url, user.json()["user_id"], receiver.url, statuses)
    # Checked per fixture instance: under xdist a module fixture may be rebuilt between the parametrized tests.
    for operation in set(statuses) & set(BOTH_OUTCOMES):
        assert any(200 <= status < 300 for status in statuses[operation]), (operation, statuses[operation])
        assert 400 in statuses[operation], (operation, statuses[operation])


def prepare(case: Case[Any], target: Target) -> None:
    """Real credentials in the headers schemathesis sends; generated user ids and webhooks made real."""
    values = {"plaid-client-id": CLIENT_ID, "plaid-secret": SECRET, "plaid-version": "2020-09-14"}
    headers = case.headers if case.headers is not None else {}
    for name in list(headers):
        if name.lower() in values:
            headers[name] = values[name.lower()]
    if not isinstance(case.body, dict):
        return
    for field in ("client_id", "secret"):
        if case.body.get(field) == "":
            del case.body[field]  # an empty body credential stands for none; the headers carry the real ones
    if not {"plaid-client-id", "plaid-secret"} <= {name.lower() for name in headers}:
        # A credential header left out on purpose: the body must not make up for it.
        case.body.pop("client_id", None)
        case.body.pop("secret", None)
    for field, value in (("client_id", CLIENT_ID), ("secret", SECRET)):
        if isinstance(case.body.get(field), str) and case.body[field]:  # a generated credential becomes the real one
            case.body[field] = value
    if isinstance(case.body.get("user_id"), str) or case.operation.path in (
        "/cra/check_report/create",
        "/sandbox/user/fire_webhook",
    ):
        if isinstance(case.body.get("user_token"), str):
            del case.body["user_token"]  # no user of the older API here; a non-string one stays, to be refused
        case.body.setdefault("user_id", target.user_id)
        if isinstance(case.body["user_id"], str):
            case.body["user_id"] = target.user_id
    if isinstance(case.body.get("webhook"), str):
        case.body["webhook"] = target.webhook


# A schema-valid request the flow's rules still refuse, always with Plaid's 400 and one of these codes: a user the
# sandbox does not know, a spent public token, a made-up institution, Plaid Check products without a user, a repeated
# client_user_id on the older user API, a webhook that is no URL. Any other refusal of valid data fails the run.
FLOW_RULES = {
    "USER_NOT_FOUND",
    "INVALID_USER_ID",
    "INVALID_USER_TOKEN",
    "INVALID_PUBLIC_TOKEN",
    "INVALID_INSTITUTION",
    "MISSING_FIELDS",
    "INVALID_FIELD",
}


def valid_data_refused_only_by_flow_rules(ctx: CheckContext, response: Response, case: Case[Any]) -> None:
    """schemathesis's positive_data_acceptance, knowing that the setup flow is stateful."""
    if case.meta is None or not case.meta.generation.mode.is_positive or response.status_code < 400:
        return
    assert response.status_code == 400, f"valid data answered {response.status_code}: {response.text[:300]}"
    code = response.json()["error_code"]
    assert code in FLOW_RULES, f"valid data refused with {code}: {response.text[:300]}"
    if code in ("MISSING_FIELDS", "INVALID_FIELD"):  # only the flow's own rules, never the schema's
        message = response.json()["error_message"]
        assert "user_id" in message or "client_user_id" in message or "webhook" in message, message


def conformance_test(path: str) -> Callable[..., Any]:
    """The schemathesis test of one setup operation, to be bound to a module name of its own.

    One function per operation because pytest 9.2 builds an item's node id from the function it comes from:
    the items `SETUP_SPEC.parametrize()` made of one function all had the same id, and pytest-xdist, which hands
    out items by id, ran the first operation's alone.
    """

    @SETUP_SPEC.include(path=path).parametrize()
    @SETTINGS
    def test(case: Case[Any], target: Target) -> None:
        prepare(case, target)
        response = case.call_and_validate(
            base_url=target.url,
            excluded_checks=[positive_data_acceptance],
            additional_checks=[valid_data_refused_only_by_flow_rules],
        )
        target.statuses.setdefault(case.operation.path, set()).add(response.status_code)

    test_of_path: Callable[..., Any] = test
    return test_of_path


for _path in SETUP_SPEC.raw_schema["paths"]:
    globals()[f"test_setup_flow_conforms_{_path.strip('/').replace('/', '_')}"] = conformance_test(_path)
