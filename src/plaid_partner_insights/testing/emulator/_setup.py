"""The setup flow Plaid's sandbox offers, served statefully: users, Items, reports that become ready, webhooks.

`/user/create` -> `/sandbox/public_token/create` (-> `/item/public_token/exchange`) -> `/cra/check_report/create`,
then `/cra/check_report/partner_insights/get` answers `PRODUCT_NOT_READY` for `report_delay` seconds, 200 until
`report_lifetime` has passed, then `CONSUMER_REPORT_EXPIRED`; the READY webhook is POSTed when the report is ready.
Request bodies are validated with the models generated from `spec/sandbox-setup.yaml`. State lives in memory, for
the life of the app.

Which user API a user is on: `/user/create` with `consumer_report_user_identity` (and no `with_upgraded_user`)
plays the older API (a `user_token`, unprefixed `user_id`, `CHECK_REPORT_READY`); anything else the current one.
"""

from __future__ import annotations

import asyncio
import logging
import secrets
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import httpx
import pydantic
from plaid_partner_insights_generated.testing import sandbox_setup_models as models
from plaid_partner_insights_generated.testing import sandbox_setup_typed_dicts as typed_dicts
from plaid_partner_insights_generated.testing.sandbox_setup_paths import (
    CRA_CHECK_REPORT_CREATE,
    ITEM_PUBLIC_TOKEN_EXCHANGE,
    SANDBOX_PUBLIC_TOKEN_CREATE,
    SANDBOX_USER_FIRE_WEBHOOK,
    USER_CREATE,
)
from plaid_partner_insights_generated.webhooks import WEBHOOK_MODELS

from ..._tls import default_tls_context
from ._errors import (
    REPORT_EXPIRED,
    REPORT_NOT_FOUND,
    REPORT_NOT_READY,
    PlaidFailure,
    data_unavailable,
    invalid_request,
    item_errors,
    new_request_id,
)
from ._signing import WebhookSigner
from ._timing import DEFAULT_REPORT_DELAY, DEFAULT_REPORT_LIFETIME
from ._validation import validate_model

__all__ = [
    "SETUP_ROUTES",
    "SetupFlow",
    "SetupSettings",
    "WebhookDelivery",
]

WEBHOOK_TIMEOUT = 10.0
_CLOCK_STEP = 0.05
_logger = logging.getLogger("plaid_partner_insights.testing.emulator")

_USER_NOT_FOUND = PlaidFailure(
    400,
    "USER_ERROR",
    "USER_NOT_FOUND",
    f"no user exists for this user_id in this environment; create one with {USER_CREATE}",
)
_NO_ACCOUNTS = PlaidFailure(
    400,
    "CHECK_REPORT_ERROR",
    "NO_ACCOUNTS",
    f"the user has no Items with usable accounts; add one (e.g. {SANDBOX_PUBLIC_TOKEN_CREATE}) and create a new report",
)


@dataclass(frozen=True)
class SetupSettings:
    """How the setup flow behaves: seconds until a report is ready, how long it can be read, and more.

    `consumer_report_access=False` plays keys without Plaid Check: Items with `cra_*` products are refused with
    `INVALID_PRODUCT`. `clock` (seconds, monotonic) lets tests move time forward instead of waiting.
    """

    report_delay: float = DEFAULT_REPORT_DELAY
    report_lifetime: float = DEFAULT_REPORT_LIFETIME
    consumer_report_access: bool = True
    clock: Callable[[], float] = time.monotonic

    def __post_init__(self) -> None:
        for name in ("report_delay", "report_lifetime"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int | float) or not value >= 0:
                raise ValueError(f"{name} must be a non-negative number of seconds, got {value!r}")


@dataclass(frozen=True)
class WebhookDelivery:
    """One webhook the emulator POSTed: where, what, and the receiver's status (None when unreachable)."""

    url: str
    body: dict[str, Any]
    status: int | None


@dataclass
class _Report:
    ready_at: float
    expires_at: float
    products: list[str]
    item_ids: list[str]

    @property
    def failed(self) -> bool:
        return not self.item_ids


@dataclass
class _User:
    user_id: str
    client_user_id: str
    user_token: str | None  # only on the older user API
    item_ids: list[str] = field(default_factory=list)
    report: _Report | None = None

    @property
    def legacy(self) -> bool:
        return self.user_token is not None


class SetupFlow:
    """The setup endpoints and their state, shared by every request the app serves."""

    def __init__(self, settings: SetupSettings, signer: WebhookSigner) -> None:
        self.settings = settings
        self._signer = signer
        self._clock = settings.clock
        self._lock = threading.Lock()
        self._users: dict[str, _User] = {}
        self._by_client_user_id: dict[str, _User] = {}
        self._by_token: dict[str, _User] = {}
        self._public_tokens: dict[str, str] = {}  # public_token -> item_id, each usable once
        self._item_owner: dict[str, _User | None] = {}
        self._tasks: set[asyncio.Task[None]] = set()
        self.deliveries: list[WebhookDelivery] = []

    async def handle(self, path: str, raw: bytes, body: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        """Answer one setup request whose body is already parsed and authenticated."""
        route = SETUP_ROUTES[path]
        request = validate_model(route.model, route.typed_dict, raw, body)
        status, answer = await route.handler(self, request, body)
        return int(status), dict(answer)

    # ------------------------------------------------------------------------------------------------ endpoints

    async def _user_create(self, request: Any, body: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        legacy = request.consumer_report_user_identity is not None and not request.with_upgraded_user
        with self._lock:
            existing = self._by_client_user_id.get(request.client_user_id)
            if existing is not None:
                if legacy or existing.legacy:
                    raise invalid_request(
                        "INVALID_FIELD",
                        "invalid field(s): client_user_id: a user already exists for this client_user_id "
                        f"(the older user API allows one {USER_CREATE} per client_user_id)",
                    )
                return 200, {"user_id": existing.user_id, "request_id": new_request_id()}
            if legacy:
                user = _User(uuid.uuid4().hex[:24], request.client_user_id, f"user-sandbox-{uuid.uuid4()}")
            else:
                user = _User(f"usr_{secrets.token_urlsafe(10)}", request.client_user_id, None)
            self._users[user.user_id] = user
            self._by_client_user_id[user.client_user_id] = user
            answer = {"user_id": user.user_id, "request_id": new_request_id()}
            if user.user_token is not None:
                self._by_token[user.user_token] = user
                answer["user_token"] = user.user_token
        return 201, answer

    async def _public_token_create(self, request: Any, body: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        if not request.institution_id.startswith("ins_"):
            raise PlaidFailure(
                400, "INVALID_INPUT", "INVALID_INSTITUTION", "invalid institution_id: sandbox ids look like ins_109508"
            )
        products = [product.value for product in request.initial_products]
        refused = [product for product in products if product.startswith("cra_")]
        if refused and not self.settings.consumer_report_access:
            raise PlaidFailure(
                400,
                "INVALID_INPUT",
                "INVALID_PRODUCT",
                f"client is not authorized to access the following products: {refused}",
            )
        with self._lock:
            owner = self._find_user(body) if body.get("user_id") or body.get("user_token") else None
            if owner is None and any(product.startswith("cra_") for product in products):
                raise invalid_request(
                    "MISSING_FIELDS",
                    "the following required fields are missing: user_id (or user_token): "
                    "Plaid Check (cra_*) products need the user the Item belongs to",
                )
            item_id = secrets.token_urlsafe(27)
            public_token = f"public-sandbox-{uuid.uuid4()}"
            self._item_owner[item_id] = owner
            self._public_tokens[public_token] = item_id
            if owner is not None:
                owner.item_ids.append(item_id)
        return 200, {"public_token": public_token, "request_id": new_request_id()}

    async def _public_token_exchange(self, request: Any, body: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        with self._lock:
            item_id = self._public_tokens.pop(request.public_token, None)
        if item_id is None:
            raise PlaidFailure(
                400,
                "INVALID_INPUT",
                "INVALID_PUBLIC_TOKEN",
                "provided public token is invalid or was already exchanged",
            )
        answer = {"access_token": f"access-sandbox-{uuid.uuid4()}", "item_id": item_id}
        return 200, {**answer, "request_id": new_request_id()}

    async def _check_report_create(self, request: Any, body: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        webhook = _webhook_url(request.webhook)
        products = ["cra_base_report", *(product.value for product in request.products or [])]
        now = self._clock()
        with self._lock:
            user = self._find_user(body, required=True)
            assert user is not None
            ready_at = now + self.settings.report_delay
            user.report = report = _Report(
                ready_at, ready_at + self.settings.report_lifetime, list(dict.fromkeys(products)), list(user.item_ids)
            )
        task = asyncio.get_running_loop().create_task(self._announce(user, report, webhook))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
        return 200, {"request_id": new_request_id()}

    async def _fire_webhook(self, request: Any, body: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        webhook = _webhook_url(request.webhook)
        with self._lock:
            user = self._find_user(body, required=True)
            assert user is not None
        code = request.webhook_code.value
        if code.endswith("READY"):
            payload = _ready_body(user, code, ["cra_base_report"], user.item_ids)
        elif user.item_ids:
            # A failure the user can repair, so a receiver's repair path can be exercised: every Item needs a login.
            payload = _failed_body(
                user, code, data_unavailable(user.item_ids), ["cra_base_report"], user.item_ids, user.item_ids
            )
        else:
            payload = _failed_body(user, code, _NO_ACCOUNTS, ["cra_base_report"], [], [])
        status = await self._deliver(webhook, payload)
        return 200, {"webhook_fired": status is not None, "request_id": new_request_id()}

    # ------------------------------------------------------------------------------------------------ reports

    def report_failure(self, identity: str) -> PlaidFailure | None:
        """For a user made through `/user/create`, why its report cannot be read now (None: it can).

        Raises nothing for other identifiers (the emulator's fixed users and seeded ids): the caller answers those.
        """
        with self._lock:
            user = self._users.get(identity) or self._by_token.get(identity)
            if user is None:
                return None
            report = user.report
        if report is None:
            return REPORT_NOT_FOUND
        now = self._clock()
        if now < report.ready_at:
            return REPORT_NOT_READY
        if report.failed:
            return _NO_ACCOUNTS
        if now >= report.expires_at:
            return REPORT_EXPIRED
        return None

    async def _announce(self, user: _User, report: _Report, webhook: str) -> None:
        # In short steps, reading the clock each time: a test's clock may jump forward instead of ticking.
        while (remaining := report.ready_at - self._clock()) > 0:
            await asyncio.sleep(min(remaining, _CLOCK_STEP))
        if user.report is not report:
            return  # a newer report replaced this one; it announces itself
        if report.failed:
            code = "CHECK_REPORT_FAILED" if user.legacy else "USER_CHECK_REPORT_FAILED"
            # No Items, so none to repair.
            payload = _failed_body(user, code, _NO_ACCOUNTS, report.products, report.item_ids, [])
        else:
            code = "CHECK_REPORT_READY" if user.legacy else "USER_CHECK_REPORT_READY"
            payload = _ready_body(user, code, report.products, report.item_ids)
        await self._deliver(webhook, payload)

    async def _deliver(self, url: str, payload: dict[str, Any]) -> int | None:
        """POST one webhook, signed; a receiver that cannot be reached is logged, never an error of the request."""
        status: int | None = None
        signed = self._signer.sign(payload)
        try:
            async with httpx.AsyncClient(
                timeout=WEBHOOK_TIMEOUT, follow_redirects=False, verify=default_tls_context()
            ) as client:
                status = (await client.post(url, content=signed.body, headers=signed.headers)).status_code
        except Exception as exc:  # any failure (e.g. a host's socket policy) is the receiver's, never the request's
            _logger.warning("emulator webhook %s to %s not delivered: %s", payload["webhook_code"], url, exc)
        self.deliveries.append(WebhookDelivery(url, payload, status))
        return status

    def _find_user(self, body: dict[str, Any], *, required: bool = False) -> _User | None:
        token, user_id = body.get("user_token"), body.get("user_id")
        if token:
            user = self._by_token.get(token)
            if user is None:
                raise PlaidFailure(400, "INVALID_INPUT", "INVALID_USER_TOKEN", "the provided user_token is invalid")
            return user
        if user_id:
            user = self._users.get(user_id)
            if user is None:
                if not user_id.startswith("usr_"):
                    raise PlaidFailure(
                        400,
                        "INVALID_INPUT",
                        "INVALID_USER_ID",
                        "the user_id is not a Plaid user id (they start with usr_); "
                        f"use the user_id {USER_CREATE} returned, not your client_user_id",
                    )
                raise _USER_NOT_FOUND
            return user
        if required:
            raise invalid_request(
                "MISSING_FIELDS", "the following required fields are missing: user_id (or user_token)"
            )
        return None


@dataclass(frozen=True)
class _Route:
    model: type[pydantic.BaseModel]
    typed_dict: type
    handler: Callable[[SetupFlow, Any, dict[str, Any]], Any]


SETUP_ROUTES: dict[str, _Route] = {
    USER_CREATE: _Route(models.UserCreateRequest, typed_dicts.UserCreateRequest, SetupFlow._user_create),
    SANDBOX_PUBLIC_TOKEN_CREATE: _Route(
        models.SandboxPublicTokenCreateRequest,
        typed_dicts.SandboxPublicTokenCreateRequest,
        SetupFlow._public_token_create,
    ),
    ITEM_PUBLIC_TOKEN_EXCHANGE: _Route(
        models.ItemPublicTokenExchangeRequest,
        typed_dicts.ItemPublicTokenExchangeRequest,
        SetupFlow._public_token_exchange,
    ),
    CRA_CHECK_REPORT_CREATE: _Route(
        models.CraCheckReportCreateRequest, typed_dicts.CraCheckReportCreateRequest, SetupFlow._check_report_create
    ),
    SANDBOX_USER_FIRE_WEBHOOK: _Route(
        models.SandboxUserFireWebhookRequest, typed_dicts.SandboxUserFireWebhookRequest, SetupFlow._fire_webhook
    ),
}


def _webhook_url(url: str) -> str:
    try:
        parsed = httpx.URL(url) if url.startswith(("http://", "https://")) else None
    except httpx.InvalidURL:
        parsed = None
    if parsed is None or not parsed.host:
        raise invalid_request("INVALID_FIELD", "invalid field(s): webhook: must be an http:// or https:// URL")
    return url


def _ready_body(user: _User, code: str, products: list[str], item_ids: list[str]) -> dict[str, Any]:
    """A READY webhook body: every product was built."""
    return _checked_webhook(
        {**_webhook_head(user, code, item_ids), "successful_products": list(products), "failed_products": []}
    )


def _failed_body(
    user: _User,
    code: str,
    failure: PlaidFailure,
    products: list[str],
    item_ids: list[str],
    repairable_item_ids: list[str],
) -> dict[str, Any]:
    """A FAILED webhook body: why (`error`, a Plaid error body), which products, and the Items the user can repair."""
    repairable = item_errors(repairable_item_ids)
    return _checked_webhook(
        {
            **_webhook_head(user, code, item_ids),
            "error": {**failure.body(new_request_id()), "status": failure.status},
            "repairable_items": repairable,
            "failed_products": list(products),
        }
    )


def _webhook_head(user: _User, code: str, item_ids: list[str]) -> dict[str, Any]:
    return {
        "webhook_type": "CHECK_REPORT",
        "webhook_code": code,
        "user_id": user.user_id,
        "environment": "sandbox",
        "item_ids": list(item_ids),
    }


def _checked_webhook(payload: dict[str, Any]) -> dict[str, Any]:
    """The body, once the generated model of its code accepts it (a mismatch with the spec is an emulator bug)."""
    WEBHOOK_MODELS[payload["webhook_type"], payload["webhook_code"]].from_dict(payload)
    return payload
