"""schemathesis against the sandbox: generated valid and invalid requests, every default check, zero failures.

Run twice: in-process against the ASGI app, and over loopback HTTP against the real server fixture.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from plaid_partner_insights_generated.client.api.partner_insights.get import PATH as INSIGHTS
from plaid_partner_insights_generated.client.api.webhook_verification_key.get import PATH as KEYS
from requests.structures import CaseInsensitiveDict
from schemathesis import Case, CheckContext, Response

from plaid_partner_insights.testing.emulator import EMULATOR_USERS, create_app
from plaid_partner_insights.testing.emulator._users import ERROR_TYPE_USER_PREFIX

if TYPE_CHECKING:
    from tests.conftest import LocalSandbox

# Run first under pytest-xdist (tests/conftest.py). Untraced (tests/untraced.py): the test's own thread runs
# schemathesis and Hypothesis; the sandbox runs in its server or ASGI thread, which stays measured.
pytestmark = [pytest.mark.slow, pytest.mark.untraced]

ROOT = Path(__file__).resolve().parents[2]
CONFIG = schemathesis.Config.from_path(ROOT / "schemathesis.toml")
ASGI_CLIENT_ID, ASGI_SECRET = "asgi-canary-id-4c1d", "asgi-canary-secret-e93a"

# Two loads of the same spec: one bound to the in-process app, one sent over HTTP. Each operation gets tests of its
# own, so that every test has its own node id (pytest-xdist runs only one of several items sharing one).
IN_PROCESS = schemathesis.openapi.from_path(ROOT / "spec" / "openapi.yaml", config=CONFIG)
APP = IN_PROCESS.app = create_app(client_id=ASGI_CLIENT_ID, secret=ASGI_SECRET)
OVER_HTTP = schemathesis.openapi.from_path(ROOT / "spec" / "openapi.yaml", config=CONFIG)

# Per run: 2 modes (valid, invalid) x 3 phases; each test alone generates well over 500 cases (counted below).
SETTINGS = settings(
    max_examples=500,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much, HealthCheck.data_too_large],
)
MIN_CASES_PER_RUN = 500
# The key endpoint's request has one field: fewer examples find all there is.
KEY_SETTINGS = settings(SETTINGS, max_examples=100)
MIN_KEY_CASES_PER_RUN = 100


def plaid_auth_enforced(client_id: str, secret: str, base_url: str | None) -> Callable[..., None]:
    """schemathesis's `ignored_auth` probes with Plaid's answers: no credentials -> 400 MISSING_FIELDS,
    a wrong secret -> 400 INVALID_API_KEYS. Run after every 2xx, like the built-in check."""

    def check(ctx: CheckContext, response: Response, case: Case[Any]) -> None:
        if not 200 <= response.status_code < 300:
            return
        assert isinstance(case.body, dict)  # a 2xx needs an object body
        body = {k: v for k, v in case.body.items() if k not in ("client_id", "secret")}
        for headers, expected in (
            ({}, ("INVALID_REQUEST", "MISSING_FIELDS")),
            (
                {"PLAID-CLIENT-ID": client_id, "PLAID-SECRET": secret + "-wrong", "Plaid-Version": "2020-09-14"},
                ("INVALID_INPUT", "INVALID_API_KEYS"),
            ),
        ):
            probe = case.derive(headers=CaseInsensitiveDict())
            probe.body = dict(body)
            answer = probe.call(base_url=base_url, headers=headers)
            error = answer.json()
            assert answer.status_code == 400, f"{headers.keys()}: {answer.status_code} {answer.text[:300]}"
            assert (error["error_type"], error["error_code"]) == expected, error

    check.__name__ = "plaid_auth_enforced"
    return check


def prepare(case: Case[Any], client_id: str, secret: str, key_id: str) -> None:
    """Fill in what the spec cannot say, so that valid-by-spec requests are valid for Plaid too.

    - The security schemes make schemathesis send the three headers with made-up values (and leave one out in
      negative cases): present ones get the real values; missing ones stay missing.
    - Credentials may also come in the body, which the spec's header-only security cannot say. Generated body
      credentials are random strings; non-empty ones get the real values (the server checks every credential
      it is given), and when a credential header is left out on purpose, the body ones go too, so that the
      request is as credential-less as the case means it to be.
    - "user_id or user_token is required" is a top-level anyOf the spec leaves out (the generators break on
      it), so an object body of the Partner Insights call carrying neither gets a user_id.
    - A key id is valid by the spec whatever its value, but only the sandbox's own are known: a generated
      non-empty `key_id` becomes `key_id`, one of them.
    - The emulator's special users are switches for tests that ask for an outcome (a 429, a 500, an error type), not
      inputs for the spec's oracle: Hypothesis mixes literals of loaded modules (such as `usr_sandbox_expired`)
      into what it generates, and a user identifier that names a special user becomes an ordinary one.
    """
    values = {"plaid-client-id": client_id, "plaid-secret": secret, "plaid-version": "2020-09-14"}
    headers = case.headers if case.headers is not None else {}
    for name in list(headers):
        if name.lower() in values:
            headers[name] = values[name.lower()]
    present = {name.lower() for name in headers}
    if not isinstance(case.body, dict):
        return
    if case.operation.path == KEYS:
        if isinstance(case.body.get("key_id"), str) and case.body["key_id"]:
            case.body["key_id"] = key_id
    elif "user_id" not in case.body and "user_token" not in case.body:
        case.body["user_id"] = "usr_schemathesis"
    for field in USER_FIELDS:
        if is_special_user(case.body.get(field)):
            case.body[field] = "usr_schemathesis"
    if not {"plaid-client-id", "plaid-secret"} <= present:
        case.body.pop("client_id", None)
        case.body.pop("secret", None)
    for field, value in (("client_id", client_id), ("secret", secret)):
        if isinstance(case.body.get(field), str) and case.body[field]:
            case.body[field] = value


USER_FIELDS = ("user_id", "user_token", "third_party_user_token")
SPECIAL_USER_IDS = frozenset(user.user_id for user in EMULATOR_USERS)


def is_special_user(value: object) -> bool:
    return isinstance(value, str) and (value in SPECIAL_USER_IDS or value.startswith(ERROR_TYPE_USER_PREFIX))


class Counter:
    """Cases sent, and how many got a 200 (so the run is known to exercise more than error paths)."""

    def __init__(self, label: str, minimum: int) -> None:
        self.label = label
        self.minimum = minimum
        self.cases = 0
        self.successes = 0

    def check(self) -> None:
        assert self.cases >= self.minimum, f"only {self.cases} {self.label} cases"
        assert self.successes >= self.minimum // 5, f"only {self.successes} {self.label} 200s"
        print(f"\nschemathesis {self.label}: {self.cases} cases, {self.successes} answered 200")


@pytest.fixture(scope="module")
def in_process_count() -> Iterator[Counter]:
    counter = Counter("in-process", MIN_CASES_PER_RUN)
    yield counter
    counter.check()


@pytest.fixture(scope="module")
def over_http_count() -> Iterator[Counter]:
    counter = Counter("loopback HTTP", MIN_CASES_PER_RUN)
    yield counter
    counter.check()


@pytest.fixture(scope="module")
def keys_in_process_count() -> Iterator[Counter]:
    counter = Counter("key endpoint in-process", MIN_KEY_CASES_PER_RUN)
    yield counter
    counter.check()


@pytest.fixture(scope="module")
def keys_over_http_count() -> Iterator[Counter]:
    counter = Counter("key endpoint loopback HTTP", MIN_KEY_CASES_PER_RUN)
    yield counter
    counter.check()


def in_process(case: Case[Any], counter: Counter) -> None:
    counter.cases += 1
    prepare(case, ASGI_CLIENT_ID, ASGI_SECRET, APP.webhook_signer.current_kid)
    response = case.call_and_validate(additional_checks=[plaid_auth_enforced(ASGI_CLIENT_ID, ASGI_SECRET, None)])
    counter.successes += response.status_code == 200


def over_http(case: Case[Any], sandbox: LocalSandbox, counter: Counter) -> None:
    counter.cases += 1
    prepare(case, sandbox.client_id, sandbox.secret, sandbox.webhook_key_id)
    response = case.call_and_validate(
        base_url=sandbox.url,
        additional_checks=[plaid_auth_enforced(sandbox.client_id, sandbox.secret, sandbox.url)],
    )
    counter.successes += response.status_code == 200


@IN_PROCESS.include(path=INSIGHTS).parametrize()
@SETTINGS
def test_in_process(case: Case[Any], in_process_count: Counter) -> None:
    in_process(case, in_process_count)


@OVER_HTTP.include(path=INSIGHTS).parametrize()
@SETTINGS
def test_over_loopback_http(case: Case[Any], local_sandbox: LocalSandbox, over_http_count: Counter) -> None:
    over_http(case, local_sandbox, over_http_count)


@IN_PROCESS.include(path=KEYS).parametrize()
@KEY_SETTINGS
def test_key_endpoint_in_process(case: Case[Any], keys_in_process_count: Counter) -> None:
    in_process(case, keys_in_process_count)


@OVER_HTTP.include(path=KEYS).parametrize()
@KEY_SETTINGS
def test_key_endpoint_over_loopback_http(
    case: Case[Any], local_sandbox: LocalSandbox, keys_over_http_count: Counter
) -> None:
    over_http(case, local_sandbox, keys_over_http_count)


def test_the_oracle_treats_special_users_as_ordinary_ones() -> None:
    assert len(SPECIAL_USER_IDS) > 5
    assert all(is_special_user(user_id) for user_id in SPECIAL_USER_IDS)
    assert is_special_user(f"{ERROR_TYPE_USER_PREFIX}TRANSFER_ERROR")
    assert not is_special_user("usr_schemathesis")
    assert not is_special_user(7)
