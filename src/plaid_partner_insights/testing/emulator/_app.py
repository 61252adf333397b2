"""The emulator as a plain ASGI app: `POST /cra/check_report/partner_insights/get`, plus Plaid's setup flow.

The setup flow (`/user/create`, `/sandbox/public_token/create`, `/cra/check_report/create`, ...) lives in
`_setup.py`. No web framework: a few routes, a bounded body reader and JSON answers are all it needs. The app never logs
or echoes credentials; errors name fields, never their values.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

from plaid_partner_insights_generated import API_VERSION, typed_dicts
from plaid_partner_insights_generated.client.api.partner_insights.get import OPERATION
from plaid_partner_insights_generated.client.api.webhook_verification_key.get import PATH as KEY_ENDPOINT
from plaid_partner_insights_generated.testing import validation_models
from plaid_partner_insights_generated.testing.sandbox_setup_paths import CRA_CHECK_REPORT_CREATE

from ... import _spec
from ._admin import AdminAPI
from ._errors import (
    MEDIA_TYPE,
    REPORT_EXPIRED,
    REPORT_NOT_FOUND,
    REPORT_NOT_READY,
    PlaidFailure,
    data_unavailable,
    invalid_request,
    new_request_id,
)
from ._faults import Fault, FaultQueue, StatusFault, WireFault
from ._journal import Journal
from ._report import build_response
from ._setup import SETUP_ROUTES, SetupFlow, SetupSettings
from ._signing import WebhookSigner
from ._timing import NEW_CLIENT_CUTOFF
from ._users import ERROR_TYPE_USER_PREFIX, Outcome, outcome_for
from ._validation import parse_body, validate_model, validate_request
from ._wire import Answer, OpenFaults, Wire

__all__ = ["ENDPOINT", "MAX_BODY_BYTES", "EmulatorApp", "create_app"]

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]

ENDPOINT = OPERATION.path
MAX_BODY_BYTES = 1024 * 1024
# Every route of the emulator takes and answers JSON, the media type of the endpoint's request and response.
JSON_REQUEST, JSON_RESPONSE = OPERATION.content_type, MEDIA_TYPE.encode()
_logger = logging.getLogger("plaid_partner_insights.testing.emulator")

_UNKNOWN_KEY = PlaidFailure(
    400,
    "INVALID_INPUT",
    "INVALID_WEBHOOK_VERIFICATION_KEY_ID",
    "no webhook verification key of this emulator has this key_id",
)

_REPORT_ERRORS = {
    Outcome.PRODUCT_NOT_READY: REPORT_NOT_READY,
    Outcome.REPORT_EXPIRED: REPORT_EXPIRED,
    Outcome.REPORT_NOT_FOUND: REPORT_NOT_FOUND,
    Outcome.RATE_LIMITED: PlaidFailure(
        429,
        "RATE_LIMIT_EXCEEDED",
        "RATE_LIMIT",
        "too many requests were made for this user; wait before retrying",
        headers={"retry-after": "1"},
    ),
    Outcome.SERVER_ERROR: PlaidFailure(
        500,
        "API_ERROR",
        "INTERNAL_SERVER_ERROR",
        "an unexpected error occurred on the emulator (triggered by its server-error user)",
        display_message="Something went wrong. Please try again later.",
    ),
}


def _data_unavailable(identity: str) -> PlaidFailure:
    # A stable, Item-shaped id (built-in hash() is salted per process, so hashlib).
    return data_unavailable([hashlib.sha256(f"item|{identity}".encode()).hexdigest()[:37]])


# Statuses Plaid pairs with an error type; any other type comes with 400.
_ERROR_TYPE_STATUS = {"RATE_LIMIT_EXCEEDED": 429, "API_ERROR": 500}


def _error_type_failure(error_type: str) -> PlaidFailure:
    """The answer of an error-type user: that `error_type`, for any value the spec lists (new ones included)."""
    known = _spec.error_types()
    if error_type not in known:
        return PlaidFailure(
            400,
            "INVALID_INPUT",
            "INVALID_USER_ID",
            f"{ERROR_TYPE_USER_PREFIX}<ERROR_TYPE> takes an error_type of the spec ({len(known)} known), "
            f"not {error_type[:40]!r}",
        )
    return PlaidFailure(
        _ERROR_TYPE_STATUS.get(error_type, 400),
        error_type,
        "SANDBOX_SIMULATED_ERROR",
        f"a simulated {error_type} error (triggered by the emulator user {ERROR_TYPE_USER_PREFIX}{error_type})",
    )


class EmulatorApp:
    """The ASGI callable; `create_app` builds it."""

    def __init__(
        self,
        *,
        client_id: str | None,
        secret: str | None,
        new_client: bool,
        setup: SetupSettings | None = None,
        admin_api: bool = False,
    ) -> None:
        if (client_id is None) != (secret is None):
            raise ValueError("give both client_id and secret, or neither")
        if client_id == "" or secret == "":
            raise ValueError("client_id and secret must not be empty")
        self._client_id = client_id
        self._secret = secret
        self.new_client = new_client
        self.faults: FaultQueue = FaultQueue()
        self.journal: Journal = Journal((client_id or "", secret or ""))
        self._open_faults = OpenFaults()
        self.admin: AdminAPI | None = AdminAPI(self) if admin_api else None
        self.webhook_signer: WebhookSigner = WebhookSigner()
        self.setup: SetupFlow = SetupFlow(setup or SetupSettings(), self.webhook_signer)

    def reset(self) -> tuple[Fault, ...]:
        """Empty the fault queue and the journal, and close connections a fault still holds (a hang the client
        never gave up on); returns the faults no request used. The fixture and the admin API both reset here."""
        unused = self.faults.clear()
        self.journal.reset()
        self._open_faults.release_all()
        return unused

    def __repr__(self) -> str:
        # Never show the credentials, only whether they are checked.
        return f"EmulatorApp(checks_credentials={self._client_id is not None}, new_client={self.new_client})"

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "lifespan":
            await _lifespan(receive, send)
            return
        if scope["type"] != "http":
            return
        path, method, headers = scope["path"], scope["method"], _headers(scope)
        if self.admin is not None and self.admin.claims(path):
            try:
                raw_admin: bytes | None = await _read_body(receive, headers)
            except PlaidFailure:
                raw_admin = None
            await self.admin.handle(method, path, raw_admin, Wire(scope, receive, send))
            return
        entry = self.journal.received(method, path, headers)
        wire = Wire(scope, receive, send, on_status=lambda status: self.journal.answered(entry, status))
        request_id = new_request_id()
        try:
            raw = await _read_body(receive, headers)
        except PlaidFailure as too_large:
            await wire.respond(_encode(too_large.status, too_large.body(request_id), too_large.headers))
            return
        self.journal.body(entry, raw, headers)
        # Faults hit the SDK's endpoint only, so tests can still set up users while they are queued; taken after the
        # body is read, so the connection stays usable after a status fault.
        fault = self.faults.take() if path == ENDPOINT and method == "POST" else None
        if fault is not None:
            self.journal.faulted(entry, fault.name)
        if isinstance(fault, WireFault) and wire.can_fault:

            async def answer() -> Answer:
                return await self._answer(scope, headers, raw, request_id, None)

            with self._open_faults.holding(wire):
                await fault.kind.act(wire, answer, fault.seconds)
            return
        if isinstance(fault, WireFault):  # the app is served by some other ASGI server: no socket to act on
            failure = PlaidFailure(
                500,
                "API_ERROR",
                "INTERNAL_SERVER_ERROR",
                f"the queued wire fault {fault.name!r} needs the emulator's own server (EmulatorServer or serve)",
            )
            await wire.respond(_encode(failure.status, failure.body(request_id), failure.headers))
            return
        await wire.respond(await self._answer(scope, headers, raw, request_id, fault))

    async def _answer(
        self, scope: Scope, headers: dict[str, str], raw: bytes, request_id: str, fault: StatusFault | None
    ) -> Answer:
        try:
            if fault is not None:
                raise fault.failure()
            status, payload, extra = await self._handle(scope, headers, raw, request_id)
        except PlaidFailure as failure:
            status, payload, extra = failure.status, failure.body(request_id), failure.headers
        except Exception:
            # A bug in the emulator: answer like Plaid does for its own failures, and keep serving.
            _logger.exception("emulator request %s failed", request_id)
            crash = PlaidFailure(500, "API_ERROR", "INTERNAL_SERVER_ERROR", "an unexpected error occurred")
            status, payload, extra = crash.status, crash.body(request_id), crash.headers
        return _encode(status, payload, extra)

    async def _handle(
        self, scope: Scope, headers: dict[str, str], raw: bytes, request_id: str
    ) -> tuple[int, Any, dict[str, str]]:
        path = scope["path"]
        if path != ENDPOINT and path != KEY_ENDPOINT and path not in SETUP_ROUTES:
            raise PlaidFailure(404, "INVALID_REQUEST", "NOT_FOUND", "the requested path does not exist")
        if scope["method"] != "POST":
            raise PlaidFailure(
                405,
                "INVALID_REQUEST",
                "INVALID_HTTP_METHOD",
                f"{path} accepts only POST",
                headers={"allow": "POST"},
            )
        media_type = headers.get("content-type", "").split(";")[0].strip().lower()
        if media_type != JSON_REQUEST:
            raise invalid_request("INVALID_BODY", f"the request must have the Content-Type {JSON_REQUEST}")
        body = parse_body(raw)
        self._authenticate(body, headers)
        _check_api_version(headers)
        if path == KEY_ENDPOINT:
            return 200, self._verification_key(raw, body, request_id), {}
        if path != ENDPOINT:
            status, answer = await self.setup.handle(path, raw, body)
            return status, answer, {}
        validate_request(raw, body)
        identity = body.get("user_id") or body.get("user_token")
        if not identity:
            raise invalid_request(
                "MISSING_FIELDS",
                "the following required fields are missing: user_id (or user_token for older integrations)",
            )
        if self.new_client:
            _refuse_request_time_config(body)
        return 200, self._answer_report(identity, body, request_id), {}

    def _authenticate(self, body: dict[str, Any], headers: dict[str, str]) -> None:
        """Credentials from the body or, failing that, the headers; missing -> 400, wrong -> 400 (as Plaid)."""
        given = {}
        for field, header in (("client_id", "plaid-client-id"), ("secret", "plaid-secret")):
            value = body[field] if field in body else headers.get(header, "")
            if value == "":
                raise invalid_request(
                    "MISSING_FIELDS",
                    f"the following required fields are missing: {field} "
                    f"(send it in the {header.upper()} header or in the body)",
                )
            given[field] = value
        if self._client_id is None or self._secret is None:
            return  # Started without credentials: any non-empty pair is accepted (wrong types fail validation).
        expected = {"client_id": self._client_id, "secret": self._secret}
        if not all(
            isinstance(given[field], str) and hmac.compare_digest(given[field].encode(), expected[field].encode())
            for field in expected
        ):
            raise PlaidFailure(
                400,
                "INVALID_INPUT",
                "INVALID_API_KEYS",
                "invalid client_id or secret provided",
            )

    def _verification_key(self, raw: bytes, body: dict[str, Any], request_id: str) -> dict[str, Any]:
        request = validate_model(
            validation_models.WebhookVerificationKeyGetRequest,
            typed_dicts.WebhookVerificationKeyGetRequest,
            raw,
            body,
        )
        jwk = self.webhook_signer.jwk(request.key_id)
        if jwk is None:
            raise _UNKNOWN_KEY
        return {"key": jwk, "request_id": request_id}

    def _answer_report(self, identity: str, body: dict[str, Any], request_id: str) -> dict[str, Any]:
        not_readable = self.setup.report_failure(identity)  # users made through the setup flow
        if not_readable is not None:
            raise not_readable
        outcome = outcome_for(identity)
        if outcome is Outcome.DATA_UNAVAILABLE:
            raise _data_unavailable(identity)
        if outcome in _REPORT_ERRORS:
            raise _REPORT_ERRORS[outcome]
        if outcome is Outcome.ERROR_TYPE:
            raise _error_type_failure(identity.removeprefix(ERROR_TYPE_USER_PREFIX))
        return build_response(identity, outcome, body, request_id)


def create_app(
    *,
    client_id: str | None = None,
    secret: str | None = None,
    new_client: bool = False,
    setup: SetupSettings | None = None,
    admin_api: bool = False,
) -> EmulatorApp:
    """The emulator's ASGI app.

    With `client_id` and `secret`, requests must carry exactly those; without, any non-empty pair is accepted.
    `new_client=True` plays a client created on or after 2026-07-01, whose request-time `options` and
    `partner_insights` Plaid refuses. `setup` sets how long reports of the setup flow take and last.
    `admin_api=True` serves the journal, faults and reset over HTTP under `/__emulator/` (see `_admin`).
    """
    return EmulatorApp(client_id=client_id, secret=secret, new_client=new_client, setup=setup, admin_api=admin_api)


def _check_api_version(headers: dict[str, str]) -> None:
    """The spec makes `Plaid-Version` part of every request's security; the emulator speaks only `API_VERSION`."""
    version = headers.get("plaid-version", "")
    if version == "":
        raise invalid_request(
            "MISSING_FIELDS", f"the following required fields are missing: Plaid-Version header (send {API_VERSION})"
        )
    if version != API_VERSION:
        raise invalid_request(
            "INVALID_FIELD", f"invalid field(s): Plaid-Version header: this emulator speaks only {API_VERSION}"
        )


def _refuse_request_time_config(body: dict[str, Any]) -> None:
    for field in ("partner_insights", "options"):
        if body.get(field) is not None:
            raise invalid_request(
                "INVALID_FIELD",
                f"{field} is not accepted for clients created on or after {NEW_CLIENT_CUTOFF}; configure Partner "
                f"Insights (Prism versions, UltraFICO) when calling {CRA_CHECK_REPORT_CREATE} instead",
            )


def _headers(scope: Scope) -> dict[str, str]:
    return {name.decode("latin-1").lower(): value.decode("latin-1") for name, value in scope["headers"]}


async def _read_body(receive: Receive, headers: dict[str, str]) -> bytes:
    """The body, refused with 413 as soon as it is known to exceed `MAX_BODY_BYTES`."""
    too_large = PlaidFailure(
        413, "INVALID_REQUEST", "INVALID_BODY", f"the request body is larger than {MAX_BODY_BYTES} bytes"
    )
    declared = headers.get("content-length", "")
    if declared.isdigit() and int(declared) > MAX_BODY_BYTES:
        raise too_large
    chunks: list[bytes] = []
    size = 0
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            break
        chunk = message.get("body", b"")
        size += len(chunk)
        if size > MAX_BODY_BYTES:
            raise too_large
        chunks.append(chunk)
        if not message.get("more_body", False):
            break
    return b"".join(chunks)


def _encode(status: int, payload: Any, headers: dict[str, str]) -> Answer:
    data = json.dumps(payload, separators=(",", ":")).encode()
    raw_headers = [(b"content-type", JSON_RESPONSE), (b"content-length", str(len(data)).encode())]
    raw_headers += [(name.encode(), value.encode()) for name, value in headers.items()]
    return Answer(status, data, raw_headers)


async def _lifespan(receive: Receive, send: Send) -> None:
    while True:
        message = await receive()
        if message["type"] == "lifespan.startup":
            await send({"type": "lifespan.startup.complete"})
        elif message["type"] == "lifespan.shutdown":
            await send({"type": "lifespan.shutdown.complete"})
            return
