"""The emulator's special users: each identifier triggers one documented outcome.

Kept free of third-party imports so the CLI and the README table can use it without the `sandbox` extra.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass

# What the emulator package exports from here (its own helpers, imported by name, are left out).
__all__ = [
    "DATA_UNAVAILABLE_USER_ID",
    "DEMO_USER_ID",
    "EMULATOR_USERS",
    "EXPIRED_USER_ID",
    "FICO_EXCLUDED_USER_ID",
    "NOT_READY_USER_ID",
    "NO_PRISM_USER_ID",
    "NO_REPORT_USER_ID",
    "PRISM_ERROR_USER_ID",
    "RATE_LIMITED_USER_ID",
    "SERVER_ERROR_USER_ID",
    "WARNINGS_USER_ID",
    "EmulatorUser",
    "Outcome",
]

DEMO_USER_ID = "usr_sandbox_demo"
NOT_READY_USER_ID = "usr_sandbox_not_ready"
EXPIRED_USER_ID = "usr_sandbox_expired"
NO_REPORT_USER_ID = "usr_sandbox_no_report"
DATA_UNAVAILABLE_USER_ID = "usr_sandbox_data_unavailable"
RATE_LIMITED_USER_ID = "usr_sandbox_rate_limited"
SERVER_ERROR_USER_ID = "usr_sandbox_server_error"
WARNINGS_USER_ID = "usr_sandbox_warnings"
NO_PRISM_USER_ID = "usr_sandbox_no_prism"
PRISM_ERROR_USER_ID = "usr_sandbox_prism_error"
FICO_EXCLUDED_USER_ID = "usr_sandbox_fico_excluded"
# `usr_sandbox_error_` + any `error_type` of the spec (`usr_sandbox_error_ITEM_ERROR`) answers that error type.
ERROR_TYPE_USER_PREFIX = "usr_sandbox_error_"


class Outcome(enum.Enum):
    """What the emulator answers for a user."""

    DEMO_REPORT = "demo_report"
    SEEDED_REPORT = "seeded_report"
    WARNINGS_REPORT = "warnings_report"
    NO_PRISM_REPORT = "no_prism_report"
    PRISM_ERROR_REPORT = "prism_error_report"
    FICO_EXCLUDED_REPORT = "fico_excluded_report"
    PRODUCT_NOT_READY = "product_not_ready"
    REPORT_EXPIRED = "report_expired"
    REPORT_NOT_FOUND = "report_not_found"
    DATA_UNAVAILABLE = "data_unavailable"
    RATE_LIMITED = "rate_limited"
    SERVER_ERROR = "server_error"
    ERROR_TYPE = "error_type"


# The outcomes answered with a 200 and a report.
REPORT_OUTCOMES = frozenset(
    {
        Outcome.DEMO_REPORT,
        Outcome.SEEDED_REPORT,
        Outcome.WARNINGS_REPORT,
        Outcome.NO_PRISM_REPORT,
        Outcome.PRISM_ERROR_REPORT,
        Outcome.FICO_EXCLUDED_REPORT,
    }
)


@dataclass(frozen=True)
class EmulatorUser:
    """One special user: its identifier (send it as `user_id` or `user_token`) and what it triggers."""

    user_id: str
    outcome: Outcome
    description: str


EMULATOR_USERS: tuple[EmulatorUser, ...] = (
    EmulatorUser(
        DEMO_USER_ID,
        Outcome.DEMO_REPORT,
        "200: every field of the response: every Prism product at its latest version, UltraFICO results (its "
        "report was created with a FICO configuration; `partner_insights.fico` replaces it), two Items with "
        "accounts and owners, and a `TRANSACTIONS_UNAVAILABLE` warning for the second Item",
    ),
    EmulatorUser(
        WARNINGS_USER_ID,
        Outcome.WARNINGS_REPORT,
        "200: a report whose `warnings` has `IDENTITY_UNAVAILABLE` for one Item (its accounts have no owners)",
    ),
    EmulatorUser(NO_PRISM_USER_ID, Outcome.NO_PRISM_REPORT, "200: a report without Prism data (`prism` omitted)"),
    EmulatorUser(
        PRISM_ERROR_USER_ID,
        Outcome.PRISM_ERROR_REPORT,
        "200: every Prism product was asked for and failed: `status` `FAILURE`, and each product has an "
        "`error_reason` and a null `score` (Insights: no `result`)",
    ),
    EmulatorUser(
        FICO_EXCLUDED_USER_ID,
        Outcome.FICO_EXCLUDED_REPORT,
        "200: every UltraFICO request failed: `ultrafico_score` null, `exclusion_code` `2` and an `error_reason` "
        "(FICO results even when `partner_insights.fico` is not sent)",
    ),
    EmulatorUser(NOT_READY_USER_ID, Outcome.PRODUCT_NOT_READY, "400 `CONSUMER_REPORT_ERROR` / `PRODUCT_NOT_READY`"),
    EmulatorUser(EXPIRED_USER_ID, Outcome.REPORT_EXPIRED, "400 `CONSUMER_REPORT_ERROR` / `CONSUMER_REPORT_EXPIRED`"),
    EmulatorUser(
        NO_REPORT_USER_ID, Outcome.REPORT_NOT_FOUND, "400 `CONSUMER_REPORT_ERROR` / `CONSUMER_REPORT_NOT_FOUND`"
    ),
    EmulatorUser(
        DATA_UNAVAILABLE_USER_ID,
        Outcome.DATA_UNAVAILABLE,
        "400 `CHECK_REPORT_ERROR` / `DATA_UNAVAILABLE`, `causes` naming an Item in `ITEM_LOGIN_REQUIRED`",
    ),
    EmulatorUser(
        RATE_LIMITED_USER_ID, Outcome.RATE_LIMITED, "429 `RATE_LIMIT_EXCEEDED` / `RATE_LIMIT`, `Retry-After: 1`"
    ),
    EmulatorUser(SERVER_ERROR_USER_ID, Outcome.SERVER_ERROR, "500 `API_ERROR` / `INTERNAL_SERVER_ERROR`"),
    EmulatorUser(
        f"{ERROR_TYPE_USER_PREFIX}<ERROR_TYPE>",
        Outcome.ERROR_TYPE,
        "that error type with code `SANDBOX_SIMULATED_ERROR` (status 400; 429 for `RATE_LIMIT_EXCEEDED`, 500 for "
        "`API_ERROR`), for any `error_type` the spec lists; others get 400 `INVALID_INPUT` / `INVALID_USER_ID`",
    ),
)

_BY_ID = {user.user_id: user.outcome for user in EMULATOR_USERS}


def outcome_for(identifier: str) -> Outcome:
    """The outcome for a `user_id` or `user_token`; any identifier not listed gets a seeded report."""
    if identifier.startswith(ERROR_TYPE_USER_PREFIX):
        return Outcome.ERROR_TYPE
    return _BY_ID.get(identifier, Outcome.SEEDED_REPORT)


def error_type_user(error_type: str) -> str:
    """The sandbox user whose every request fails with `error_type`: `usr_sandbox_error_ITEM_ERROR`."""
    return f"{ERROR_TYPE_USER_PREFIX}{error_type}"
