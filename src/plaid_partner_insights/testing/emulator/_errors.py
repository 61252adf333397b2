"""Plaid error bodies: every error the emulator answers is a complete `PlaidError` object."""

from __future__ import annotations

import secrets
import string
from typing import Any

from plaid_partner_insights_generated.client.api.partner_insights.get import OPERATION
from plaid_partner_insights_generated.testing.sandbox_setup_paths import CRA_CHECK_REPORT_CREATE

__all__ = [
    "ITEM_LOGIN_REQUIRED",
    "MEDIA_TYPE",
    "REPORT_EXPIRED",
    "REPORT_NOT_FOUND",
    "REPORT_NOT_READY",
    "EmulatorError",
    "PlaidFailure",
    "data_unavailable",
    "invalid_request",
    "item_errors",
    "new_request_id",
]

# The media type of every answer, errors included: the endpoint's response media type, as the spec gives it.
MEDIA_TYPE = OPERATION.accept

_REQUEST_ID_ALPHABET = string.ascii_letters + string.digits
# Plaid's documentation pages, one per error type; the anchor is the lower-cased error code.
_DOC_PAGES = {
    "INVALID_REQUEST": "invalid-request",
    "INVALID_INPUT": "invalid-input",
    "RATE_LIMIT_EXCEEDED": "rate-limit-exceeded",
    "API_ERROR": "api",
    "CONSUMER_REPORT_ERROR": "check-report",
    "CHECK_REPORT_ERROR": "check-report",
}


class EmulatorError(RuntimeError):
    """The local emulator could not start or stop."""


def new_request_id() -> str:
    """A fresh identifier shaped like Plaid's (15 letters and digits)."""
    return "".join(secrets.choice(_REQUEST_ID_ALPHABET) for _ in range(15))


class PlaidFailure(Exception):
    """An error answer: raised inside the app, turned into a status, headers and a `PlaidError` body."""

    def __init__(
        self,
        status: int,
        error_type: str,
        error_code: str,
        error_message: str,
        *,
        display_message: str | None = None,
        causes: list[dict[str, Any]] | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(f"{status} {error_type}/{error_code}: {error_message}")
        self.status = status
        self.error_type = error_type
        self.error_code = error_code
        self.error_message = error_message
        self.display_message = display_message
        self.causes = causes
        self.headers: dict[str, str] = headers or {}

    def body(self, request_id: str) -> dict[str, Any]:
        """The JSON body, with every `PlaidError` field Plaid fills in for a synchronous error."""
        page = _DOC_PAGES.get(self.error_type, "")
        body: dict[str, Any] = {
            "error_type": self.error_type,
            "error_code": self.error_code,
            "error_code_reason": None,
            "error_message": self.error_message,
            "display_message": self.display_message,
            "request_id": request_id,
            "causes": self.causes or [],
            "documentation_url": f"https://plaid.com/docs/errors/{page}/#{self.error_code.lower()}",
            "suggested_action": None,
        }
        return body


def invalid_request(code: str, message: str, status: int = 400) -> PlaidFailure:
    """An `INVALID_REQUEST` error (bad body, missing, unknown or invalid fields)."""
    return PlaidFailure(status, "INVALID_REQUEST", code, message)


# The states of a report that keep the endpoint from answering it; the demo users and the setup flow share them.
REPORT_NOT_READY = PlaidFailure(
    400,
    "CONSUMER_REPORT_ERROR",
    "PRODUCT_NOT_READY",
    "the consumer report is still being generated; wait for the CHECK_REPORT webhook saying it is ready and try again",
)
REPORT_EXPIRED = PlaidFailure(
    400,
    "CONSUMER_REPORT_ERROR",
    "CONSUMER_REPORT_EXPIRED",
    f"the consumer report has expired (reports can be fetched for 24 hours); call {CRA_CHECK_REPORT_CREATE} to "
    "generate a new one",
)
REPORT_NOT_FOUND = PlaidFailure(
    400,
    "CONSUMER_REPORT_ERROR",
    "CONSUMER_REPORT_NOT_FOUND",
    f"no consumer report exists for this user; call {CRA_CHECK_REPORT_CREATE} to generate one",
)

# The error of an Item the user can repair by signing in again through Link (update mode).
ITEM_LOGIN_REQUIRED = PlaidFailure(
    400,
    "ITEM_ERROR",
    "ITEM_LOGIN_REQUIRED",
    "the login details of this Item have changed (credentials, MFA or a required user action); the user must sign "
    "in again through Link (update mode)",
    display_message="Your login details have changed. Please sign in to your bank again.",
)


def item_errors(item_ids: list[str], failure: PlaidFailure = ITEM_LOGIN_REQUIRED) -> list[dict[str, Any]]:
    """Each Item with its error: the `causes` of a Plaid error, the `repairable_items` of a FAILED webhook."""
    return [
        {
            "item_id": item_id,
            "error_type": failure.error_type,
            "error_code": failure.error_code,
            "error_code_reason": None,
            "error_message": failure.error_message,
            "display_message": failure.display_message,
        }
        for item_id in item_ids
    ]


def data_unavailable(item_ids: list[str]) -> PlaidFailure:
    """No data could be had from the user's institutions, because of these Items (each needs a new login)."""
    return PlaidFailure(
        400,
        "CHECK_REPORT_ERROR",
        "DATA_UNAVAILABLE",
        "Plaid Check could not retrieve data from the user's institutions; resolve the errors in `causes`, then "
        f"call {CRA_CHECK_REPORT_CREATE} to generate a new report",
        causes=item_errors(item_ids),
    )
