"""The sandbox's special users: each identifier triggers one documented outcome.

Kept free of third-party imports so the CLI and the README table can use it without the `sandbox` extra.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass

__all__ = [
    "DATA_UNAVAILABLE_USER_ID",
    "DEMO_USER_ID",
    "EXPIRED_USER_ID",
    "NOT_READY_USER_ID",
    "NO_PRISM_USER_ID",
    "NO_REPORT_USER_ID",
    "RATE_LIMITED_USER_ID",
    "SANDBOX_USERS",
    "SERVER_ERROR_USER_ID",
    "WARNINGS_USER_ID",
    "Outcome",
    "SandboxUser",
    "outcome_for",
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


class Outcome(enum.Enum):
    """What the sandbox answers for a user."""

    DEMO_REPORT = "demo_report"
    SEEDED_REPORT = "seeded_report"
    WARNINGS_REPORT = "warnings_report"
    NO_PRISM_REPORT = "no_prism_report"
    PRODUCT_NOT_READY = "product_not_ready"
    REPORT_EXPIRED = "report_expired"
    REPORT_NOT_FOUND = "report_not_found"
    DATA_UNAVAILABLE = "data_unavailable"
    RATE_LIMITED = "rate_limited"
    SERVER_ERROR = "server_error"


@dataclass(frozen=True)
class SandboxUser:
    """One special user: its identifier (send it as `user_id` or `user_token`) and what it triggers."""

    user_id: str
    outcome: Outcome
    description: str


SANDBOX_USERS: tuple[SandboxUser, ...] = (
    SandboxUser(DEMO_USER_ID, Outcome.DEMO_REPORT, "200: full report, every Prism product, 2 Items, FICO if asked"),
    SandboxUser(WARNINGS_USER_ID, Outcome.WARNINGS_REPORT, "200: report with an `IDENTITY_UNAVAILABLE` warning"),
    SandboxUser(NO_PRISM_USER_ID, Outcome.NO_PRISM_REPORT, "200: report without Prism data (`prism` omitted)"),
    SandboxUser(NOT_READY_USER_ID, Outcome.PRODUCT_NOT_READY, "400 `CONSUMER_REPORT_ERROR` / `PRODUCT_NOT_READY`"),
    SandboxUser(EXPIRED_USER_ID, Outcome.REPORT_EXPIRED, "400 `CONSUMER_REPORT_ERROR` / `CONSUMER_REPORT_EXPIRED`"),
    SandboxUser(
        NO_REPORT_USER_ID, Outcome.REPORT_NOT_FOUND, "400 `CONSUMER_REPORT_ERROR` / `CONSUMER_REPORT_NOT_FOUND`"
    ),
    SandboxUser(
        DATA_UNAVAILABLE_USER_ID,
        Outcome.DATA_UNAVAILABLE,
        "400 `CHECK_REPORT_ERROR` / `DATA_UNAVAILABLE`, `causes` naming an Item in `ITEM_LOGIN_REQUIRED`",
    ),
    SandboxUser(
        RATE_LIMITED_USER_ID, Outcome.RATE_LIMITED, "429 `RATE_LIMIT_EXCEEDED` / `RATE_LIMIT`, `Retry-After: 1`"
    ),
    SandboxUser(SERVER_ERROR_USER_ID, Outcome.SERVER_ERROR, "500 `API_ERROR` / `INTERNAL_SERVER_ERROR`"),
)

_BY_ID = {user.user_id: user.outcome for user in SANDBOX_USERS}


def outcome_for(identifier: str) -> Outcome:
    """The outcome for a `user_id` or `user_token`; any identifier not listed gets a seeded report."""
    return _BY_ID.get(identifier, Outcome.SEEDED_REPORT)
