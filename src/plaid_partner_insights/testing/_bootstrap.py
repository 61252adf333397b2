"""A user of Plaid's sandbox whose Consumer Report with Partner Insights is ready, made from nothing but API keys.

`bootstrap_sandbox_user` walks Plaid's sandbox setup flow (described, for test support, in
`spec/sandbox-setup.yaml`): create or reuse the user, give it a sandbox Item at First Platypus Bank with a credit
test persona, create a report with Partner Insights, and wait for it, polling with backoff or by webhook. It runs
the same against Plaid's sandbox and the local emulator, and backs `plaid-partner-insights sandbox-user` and the
contract suite.

Its failures are `SandboxBootstrapError`s, not `PartnerInsightsError`s: a setup problem is test tooling failing, and
`except PartnerInsightsError` around a production call must not catch it.
"""

from __future__ import annotations

import functools
import json
import queue
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import httpx
from plaid_partner_insights_generated import API_VERSION
from plaid_partner_insights_generated.client.api.partner_insights.get import PATH as REPORT_PATH
from plaid_partner_insights_generated.testing.sandbox_setup_paths import (
    CRA_CHECK_REPORT_CREATE,
    ITEM_PUBLIC_TOKEN_EXCHANGE,
    SANDBOX_PUBLIC_TOKEN_CREATE,
    USER_CREATE,
)

from plaid_partner_insights_core._config import ENVIRONMENTS
from plaid_partner_insights_core._exceptions import PartnerInsightsError, PlaidAPIError

from .. import testing as _testing
from .._client import PartnerInsightsClient
from .._tls import default_tls_context

__all__ = [
    "DEFAULT_CLIENT_USER_ID",
    "DEFAULT_PERSONA",
    "SANDBOX_INSTITUTION_ID",
]
__all__ += _testing.__all__  # the package exports those; they are defined here

SANDBOX_INSTITUTION_ID = "ins_109508"  # First Platypus Bank: no OAuth, so test personas take effect
DEFAULT_PERSONA = "user_credit_profile_good"
# Stable, so that later runs get the same user back (the current user API is idempotent per client_user_id).
DEFAULT_CLIENT_USER_ID = "plaid-partner-insights-sandbox-user"
# Where Plaid sends the report webhook when nobody listens; `.invalid` never resolves.
UNUSED_WEBHOOK = "https://plaid-partner-insights.invalid/check-report-webhook"
# A made-up person with every field a Consumer Report needs (Plaid's sandbox checks the shapes, not the person).
SANDBOX_IDENTITY: dict[str, Any] = {
    "name": {"given_name": "Avery", "family_name": "Okafor"},
    "date_of_birth": "1987-01-31",
    "emails": [{"data": "avery.okafor@example.com", "primary": True}],
    "phone_numbers": [{"data": "+13125551212", "primary": True}],
    "addresses": [
        {
            "street_1": "3200 W Armitage Ave",
            "city": "Chicago",
            "region": "IL",
            "postal_code": "60657",
            "country": "US",
            "primary": True,
        }
    ],
    "id_numbers": [{"value": "1234", "type": "us_ssn_last_4"}],
}
_ACCESS_FIX = (
    "these API keys cannot use Plaid Check: ask Plaid (Dashboard > Team Settings > Products, or your account "
    "manager) to enable Consumer Report (cra_base_report) with Partner Insights (cra_partner_insights) in Sandbox"
)


class SandboxBootstrapError(Exception):
    """The sandbox user could not be made ready. `step` names the call that failed; `fix` says what to do.

    The root of the setup flow's own hierarchy, apart from the client's `PartnerInsightsError`.
    """

    def __init__(self, message: str, *, step: str, fix: str, error_code: str | None = None) -> None:
        self.message = message
        self.step = step
        self.fix = fix
        self.error_code = error_code
        super().__init__(f"{step}: {message}. Fix: {fix}")

    def __reduce__(self) -> tuple[Any, ...]:
        # Keyword-only constructor: pickle rebuilds from the constructor arguments.
        rebuild = functools.partial(type(self), step=self.step, fix=self.fix, error_code=self.error_code)
        return (rebuild, (self.message,))


class ConsumerReportAccessError(SandboxBootstrapError):
    """The keys lack access to Plaid Check (Consumer Report) or Partner Insights."""


class SandboxReportFailedError(SandboxBootstrapError):
    """Plaid could not build the report (a FAILED webhook, or a `CHECK_REPORT_ERROR` when it is read)."""


class SandboxReportTimeoutError(SandboxBootstrapError):
    """The report was not ready within the time allowed."""


@dataclass(frozen=True)
class BootstrappedUser:
    """A user whose report is ready: send `user_id` (or, on the older user API, `user_token`) to the endpoint."""

    user_id: str
    user_token: str | None
    client_user_id: str
    reused_report: bool
    seconds_waited: float

    @property
    def identity(self) -> dict[str, str]:
        """The keyword arguments that name this user to `client.partner_insights.get`."""
        return {"user_token": self.user_token} if self.user_token else {"user_id": self.user_id}


def bootstrap_sandbox_user(
    *,
    client_id: str,
    secret: str,
    base_url: str | None = None,
    client_user_id: str = DEFAULT_CLIENT_USER_ID,
    persona: str = DEFAULT_PERSONA,
    timeout: float = 300.0,
    webhook: str | None = None,
    listen: tuple[str, int] | None = None,
    progress: Callable[[str], None] | None = None,
) -> BootstrappedUser:
    """Make (or reuse) a sandbox user whose Consumer Report with Partner Insights is ready, and return it.

    - `base_url`: the local emulator (`http://127.0.0.1:8787`); default Plaid's sandbox.
    - `client_user_id`: your stable id for the user; the same id gives back the same user, and a report that is
      still readable is reused instead of creating a new one.
    - `timeout`: seconds to wait for the report, polling with backoff.
    - `webhook`: a URL Plaid can reach that ends at a port of this machine; the function listens on `listen`
      (default: the URL's host and port) and waits for the report webhook instead of polling.

    Raises `SandboxBootstrapError` subclasses whose message names the failed step and the fix.
    """
    if not client_id or not secret:
        raise SandboxBootstrapError(
            "no API keys", step="setup", fix="set PLAID_CLIENT_ID and PLAID_SECRET (your sandbox keys)"
        )
    say = progress or (lambda _: None)
    url = (base_url or ENVIRONMENTS["sandbox"]).rstrip("/")
    started = time.monotonic()
    headers = {"PLAID-CLIENT-ID": client_id, "PLAID-SECRET": secret, "Plaid-Version": API_VERSION}
    with (
        httpx.Client(
            base_url=url, headers=headers, timeout=30.0, follow_redirects=False, verify=default_tls_context()
        ) as http,
        PartnerInsightsClient(client_id=client_id, secret=secret, base_url=url, max_retries=2) as client,
    ):
        flow = _Flow(http, client, say)
        user_id, user_token, created = flow.create_user(client_user_id)
        identity = {"user_token": user_token} if user_token else {"user_id": user_id}
        if not created:
            state = flow.report_state(identity)
            if state == "ready":
                say(f"user {user_id} already has a readable report")
                return BootstrappedUser(user_id, user_token, client_user_id, True, 0.0)
            if state == "pending":
                say(f"user {user_id} has a report in progress; waiting for it")
                flow.poll(identity, started + timeout)
                return BootstrappedUser(user_id, user_token, client_user_id, True, time.monotonic() - started)
        flow.create_item(identity, persona)
        with _receiver(webhook, listen) as received:
            flow.create_report(identity, webhook or UNUSED_WEBHOOK)
            if received is not None:
                flow.await_webhook(received, user_id, started + timeout)
            flow.poll(identity, started + timeout)
    return BootstrappedUser(user_id, user_token, client_user_id, False, time.monotonic() - started)


class _Flow:
    """The calls of the setup flow, each turning Plaid's errors into a typed, explained failure."""

    def __init__(self, http: httpx.Client, client: PartnerInsightsClient, say: Callable[[str], None]) -> None:
        self._http = http
        self._client = client
        self._say = say

    def create_user(self, client_user_id: str) -> tuple[str, str | None, bool]:
        body: dict[str, Any] = {"client_user_id": client_user_id, "identity": SANDBOX_IDENTITY}
        try:
            status, answer = self._post(USER_CREATE, body, required=("user_id",))
        except SandboxBootstrapError as exc:
            if exc.error_code in {"INVALID_API_KEYS", "INVALID_USER_IDENTITY_DATA"} or exc.error_code is None:
                raise
            # The older user API refuses a second /user/create for a client_user_id (the code it uses is not
            # documented), so such clients get a new user per run.
            fresh = f"{client_user_id}-{uuid.uuid4().hex[:8]}"
            self._say(f"{USER_CREATE} refused {client_user_id!r} ({exc.error_code}); trying {fresh!r}")
            status, answer = self._post(USER_CREATE, {**body, "client_user_id": fresh}, required=("user_id",))
        created = status == 201 or "user_token" in answer
        self._say(f"{'created' if created else 'reusing'} user {answer['user_id']}")
        return str(answer["user_id"]), answer.get("user_token"), created

    def create_item(self, identity: dict[str, str], persona: str) -> None:
        body = {
            "institution_id": SANDBOX_INSTITUTION_ID,
            "initial_products": ["cra_base_report", "cra_partner_insights"],
            "options": {"override_username": persona, "override_password": "pass_good"},
            **identity,
        }
        _, answer = self._post(SANDBOX_PUBLIC_TOKEN_CREATE, body, required=("public_token",))
        # Not needed for Plaid Check in the Link flow; harmless here, and it settles the Item either way.
        _, exchanged = self._post(
            ITEM_PUBLIC_TOKEN_EXCHANGE, {"public_token": answer["public_token"]}, required=("item_id",)
        )
        self._say(f"created sandbox Item {exchanged['item_id']} at {SANDBOX_INSTITUTION_ID} as {persona}")

    def create_report(self, identity: dict[str, str], webhook: str) -> None:
        body = {
            **identity,
            "webhook": webhook,
            "days_requested": 365,
            "consumer_report_permissible_purpose": "ACCOUNT_REVIEW_CREDIT",
            "products": ["cra_partner_insights"],
        }
        self._post(CRA_CHECK_REPORT_CREATE, body, required=())
        self._say("requested a Consumer Report with Partner Insights")

    def report_state(self, identity: dict[str, str]) -> str:
        """`ready`, `pending`, or `missing` (none, expired, or failed: a new one is needed)."""
        try:
            self._client.partner_insights.get(**identity)  # type: ignore[arg-type]
        except PlaidAPIError as error:
            if error.error_code == "PRODUCT_NOT_READY":
                return "pending"
            if error.error_type in {"CONSUMER_REPORT_ERROR", "CHECK_REPORT_ERROR"}:
                return "missing"
            raise _explain(REPORT_PATH, error.error_code, str(error)) from None
        except PartnerInsightsError as error:
            raise _no_answer(REPORT_PATH, error) from error
        return "ready"

    def poll(self, identity: dict[str, str], deadline: float) -> None:
        """Read the report until it answers 200, backing off from 0.5 s to 10 s between tries."""
        delay = 0.5
        while True:
            try:
                self._client.partner_insights.get(**identity)  # type: ignore[arg-type]
            except PlaidAPIError as error:
                if error.error_code != "PRODUCT_NOT_READY":
                    raise _explain(REPORT_PATH, error.error_code, str(error)) from None
            except PartnerInsightsError as error:
                raise _no_answer(REPORT_PATH, error) from error
            else:
                self._say("the report is ready")
                return
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise SandboxReportTimeoutError(
                    "the report was still not ready (PRODUCT_NOT_READY)",
                    step="waiting for the report",
                    fix="run again later with the same client_user_id (it reuses the user), or wait longer (--wait)",
                    error_code="PRODUCT_NOT_READY",
                )
            time.sleep(min(delay, remaining))
            delay = min(delay * 2, 10.0)

    def await_webhook(self, received: queue.Queue[dict[str, Any]], user_id: str, deadline: float) -> None:
        while True:
            remaining = deadline - time.monotonic()
            try:
                body = received.get(timeout=max(remaining, 0.0)) if remaining > 0 else received.get_nowait()
            except queue.Empty:
                raise SandboxReportTimeoutError(
                    "no CHECK_REPORT webhook arrived",
                    step="waiting for the webhook",
                    fix="check that the webhook URL reaches this machine's listening port, or leave out --webhook "
                    "to poll instead",
                ) from None
            code = str(body.get("webhook_code", ""))
            if body.get("webhook_type") != "CHECK_REPORT" or body.get("user_id") != user_id:
                continue
            self._say(f"received webhook {code}")
            if code.endswith("_FAILED"):
                raise SandboxReportFailedError(
                    f"Plaid could not build the report ({code})",
                    step="waiting for the webhook",
                    fix="the user's Items have errors: run again to add a fresh sandbox Item and a new report",
                    error_code=code,
                )
            if code.endswith("_READY"):
                return

    def _post(self, path: str, body: dict[str, Any], *, required: tuple[str, ...]) -> tuple[int, dict[str, Any]]:
        try:
            response = self._http.post(path, json=body)
        except httpx.HTTPError as exc:
            raise SandboxBootstrapError(
                f"no answer ({type(exc).__name__})",
                step=path,
                fix="check the network, and --base-url if you gave one",
            ) from None
        try:
            answer = response.json()
        except ValueError:
            answer = None
        if not isinstance(answer, dict):
            raise SandboxBootstrapError(
                f"HTTP {response.status_code} with a body that is not a JSON object",
                step=path,
                fix="is the base URL a Plaid API (or this library's emulator)?",
            )
        if response.status_code >= 400 or "error_code" in answer:
            raise _explain(path, answer.get("error_code"), str(answer.get("error_message", "")))
        missing = [name for name in required if not isinstance(answer.get(name), str)]
        if missing:
            raise SandboxBootstrapError(
                f"the answer lacks {', '.join(missing)}", step=path, fix="is the base URL a Plaid API?"
            )
        return response.status_code, answer


def _no_answer(step: str, error: PartnerInsightsError) -> SandboxBootstrapError:
    """A client failure other than a Plaid error (connection, timeout, a malformed answer) in the setup flow."""
    return SandboxBootstrapError(f"no usable answer ({error})", step=step, fix="check the network and the base URL")


def _explain(step: str, code: Any, message: str) -> SandboxBootstrapError:
    """A Plaid error of the setup flow as a typed failure saying what to do."""
    code = code if isinstance(code, str) else None
    detail = f"{code}: {message}" if code else message or "unknown error"
    if code in {"INVALID_PRODUCT", "PRODUCTS_NOT_SUPPORTED", "PRODUCT_NOT_ENABLED", "INVALID_PRODUCTS"} or (
        code == "UNAUTHORIZED_ENVIRONMENT"
    ):
        return ConsumerReportAccessError(detail, step=step, fix=_ACCESS_FIX, error_code=code)
    if code == "INVALID_API_KEYS":
        return SandboxBootstrapError(
            detail, step=step, fix="PLAID_CLIENT_ID / PLAID_SECRET must be your *sandbox* keys", error_code=code
        )
    if code in {"DATA_UNAVAILABLE", "NO_ACCOUNTS", "INSUFFICIENT_TRANSACTION_DATA", "CONSUMER_REPORT_EXPIRED"}:
        return SandboxReportFailedError(
            detail, step=step, fix="run again: it adds a fresh sandbox Item and creates a new report", error_code=code
        )
    return SandboxBootstrapError(
        detail, step=step, fix="see Plaid's error reference for this code and run again", error_code=code
    )


@contextmanager
def _receiver(webhook: str | None, listen: tuple[str, int] | None) -> Iterator[queue.Queue[dict[str, Any]] | None]:
    """Listen for webhooks while the block runs; yields the queue their JSON bodies arrive on (None: not asked)."""
    if webhook is None:
        yield None
        return
    if listen is None:
        parsed = httpx.URL(webhook)
        listen = (parsed.host or "127.0.0.1", parsed.port or (443 if parsed.scheme == "https" else 80))
    import http.server  # only the --webhook mode needs it

    received: queue.Queue[dict[str, Any]] = queue.Queue()

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            length = int(self.headers.get("content-length") or 0)
            try:
                body = json.loads(self.rfile.read(min(length, 1024 * 1024)))
            except ValueError:
                body = None
            self.send_response(200 if isinstance(body, dict) else 400)
            self.send_header("content-length", "0")
            self.end_headers()
            if isinstance(body, dict):
                received.put(body)

        def log_message(self, format: str, *args: Any) -> None:
            pass  # no access log on the user's terminal

    try:
        server = http.server.ThreadingHTTPServer(listen, Handler)
    except OSError as exc:
        raise SandboxBootstrapError(
            f"cannot listen on {listen[0]}:{listen[1]} ({exc.strerror or exc})",
            step="webhook receiver",
            fix="pass a free --listen HOST:PORT that the --webhook URL forwards to",
        ) from None
    thread = threading.Thread(target=server.serve_forever, name="sandbox-user webhook receiver", daemon=True)
    thread.start()
    try:
        yield received
    finally:
        server.shutdown()
        server.server_close()
        thread.join(5)
