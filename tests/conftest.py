"""Suite-wide fixtures: loopback-only networking, one real local emulator, and the spec as JSON Schema.

The sandbox runs with fixed canary credentials, so any test can search captured output for them.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import pytest_socket
import yaml

from plaid_partner_insights.testing.emulator import EmulatorServer
from tests import determinism

determinism.load_profile()

# Fails a run with two tests of one node id, or one that ran fewer tests than it collected; pauses coverage in the
# own thread of a test marked `untraced`.
pytest_plugins = ["tests.suite_guard", "tests.untraced"]

ROOT = Path(__file__).resolve().parent.parent
SPEC_PATH = ROOT / "spec" / "openapi.yaml"
CANARY_CLIENT_ID = "canary-client-id-5b7e21c9"
CANARY_SECRET = "canary-secret-0d4f8a63e1"
LOOPBACK_HOSTS = ["127.0.0.1", "localhost", "::1"]
_RESOLVED: dict[str, set[str]] = {}


def pytest_report_header() -> str:
    return determinism.describe()


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Files marked `slow` or `long_running` run first.

    Spread over workers (`--dist loadfile`, as `nox -s tests` runs), each worker takes the next whole file in
    this order, so the long files start early instead of leaving one worker busy alone at the end. The sort is
    stable: each file's tests stay together and in their order.
    """
    items.sort(key=lambda item: not any(item.get_closest_marker(name) for name in ("slow", "long_running")))


def real_sandbox_credentials() -> dict[str, str] | None:
    """PLAID_* keys for Plaid's real sandbox, or None when the contract run against it is not asked for.

    The keys alone are enough: without PLAID_SANDBOX_USER_ID the contract suite bootstraps its own user.
    """
    env = {name: os.environ.get(name, "") for name in ("PLAID_CLIENT_ID", "PLAID_SECRET")}
    if not (env["PLAID_CLIENT_ID"] and env["PLAID_SECRET"]):
        return None
    return env


@pytest.fixture(autouse=True)
def _loopback_only() -> None:
    """No test reaches beyond loopback, unless the contract run against Plaid's real sandbox is active.

    Function-scoped on purpose: pytest-socket lifts every restriction in its own teardown after each test,
    so a session-wide call would protect only the first test.
    """
    if real_sandbox_credentials() is None:
        pytest_socket.socket_allow_hosts(LOOPBACK_HOSTS, allow_unix_socket=True, resolution_cache=_RESOLVED)


@dataclass(frozen=True)
class LocalSandbox:
    """A running local emulator: its base URL and the (canary) credentials it accepts."""

    url: str
    client_id: str
    secret: str
    webhook_key_id: str  # the key id it signs webhooks with (nothing rotates it)

    @property
    def endpoint(self) -> str:
        return f"{self.url}/cra/check_report/partner_insights/get"

    @property
    def headers(self) -> dict[str, str]:
        return {"PLAID-CLIENT-ID": self.client_id, "PLAID-SECRET": self.secret, "Plaid-Version": "2020-09-14"}


@pytest.fixture(scope="session")
def local_sandbox() -> Iterator[LocalSandbox]:
    """The real sandbox server (uvicorn, 127.0.0.1, a free port) for the whole session."""
    with EmulatorServer(port=0, client_id=CANARY_CLIENT_ID, secret=CANARY_SECRET) as server:
        yield LocalSandbox(server.url, CANARY_CLIENT_ID, CANARY_SECRET, server.app.webhook_signer.current_kid)


def openapi_to_json_schema(node: Any) -> Any:
    """An OpenAPI 3.0 schema as JSON Schema: `nullable` becomes `anyOf [..., null]`, refs point at `definitions`."""
    if isinstance(node, list):
        return [openapi_to_json_schema(item) for item in node]
    if not isinstance(node, dict):
        return node
    converted: dict[str, Any] = {}
    for key, value in node.items():
        if key == "$ref":
            converted[key] = value.replace("#/components/schemas/", "#/definitions/")
        elif key in ("properties", "definitions"):
            converted[key] = {name: openapi_to_json_schema(sub) for name, sub in value.items()}
        elif key in ("nullable", "example", "deprecated") or key.startswith("x-"):
            continue
        else:
            converted[key] = openapi_to_json_schema(value)
    if node.get("nullable") is True:
        return {"anyOf": [converted, {"type": "null"}]}
    return converted


@pytest.fixture(scope="session")
def spec() -> dict[str, Any]:
    loaded: dict[str, Any] = yaml.safe_load(SPEC_PATH.read_text())
    return loaded


def component_validator(spec: dict[str, Any], name: str) -> jsonschema.Draft7Validator:
    """A draft 7 validator, formats included, for one component of the spec.

    Its schema is checked against the metaschema here, once: `jsonschema.validate` checks it again at every call,
    which cost more than the validation itself.
    """
    definitions = {key: openapi_to_json_schema(value) for key, value in spec["components"]["schemas"].items()}
    schema = {
        "$schema": "http://json-schema.org/draft-07/schema#",
        "definitions": definitions,
        # Under allOf rather than a bare root `$ref`, whose sibling keywords draft 7 would ignore.
        "allOf": [{"$ref": f"#/definitions/{name}"}],
    }
    jsonschema.Draft7Validator.check_schema(schema)
    return jsonschema.Draft7Validator(schema, format_checker=jsonschema.Draft7Validator.FORMAT_CHECKER)


@pytest.fixture(scope="session")
def response_validator(spec: dict[str, Any]) -> jsonschema.Draft7Validator:
    """Validates a 200 response body."""
    return component_validator(spec, "CraCheckReportPartnerInsightsGetResponse")


@pytest.fixture(scope="session")
def error_validator(spec: dict[str, Any]) -> jsonschema.Draft7Validator:
    """Validates an error body (`PlaidError`)."""
    return component_validator(spec, "PlaidError")
