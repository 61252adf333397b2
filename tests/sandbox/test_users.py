"""The sandbox users: the README's table is the users module's, and the error-type users cover every error type."""

from __future__ import annotations

import re
from pathlib import Path
from typing import TYPE_CHECKING

import httpx
import pytest

from plaid_partner_insights import _spec
from plaid_partner_insights.testing.emulator import EMULATOR_USERS
from plaid_partner_insights.testing.emulator._users import error_type_user

if TYPE_CHECKING:
    from tests.conftest import LocalSandbox

README = Path(__file__).resolve().parents[2] / "README.md"


def test_readme_user_table_is_the_users_module() -> None:
    rows = re.findall(r"^\| `(usr_[^`]+)` \| (.+) \|$", README.read_text(), flags=re.MULTILINE)
    assert rows == [(user.user_id, user.description) for user in EMULATOR_USERS]


@pytest.mark.parametrize(
    ("error_type", "status"), [("ITEM_ERROR", 400), ("API_ERROR", 500), (_spec.error_types()[-1], 400)]
)
def test_error_type_users_answer_their_error_type(local_sandbox: LocalSandbox, error_type: str, status: int) -> None:
    response = httpx.post(
        local_sandbox.endpoint, json={"user_id": error_type_user(error_type)}, headers=local_sandbox.headers
    )
    assert response.status_code == status
    assert response.json()["error_type"] == error_type


def test_an_error_type_the_spec_does_not_list_is_refused(local_sandbox: LocalSandbox) -> None:
    response = httpx.post(
        local_sandbox.endpoint, json={"user_id": error_type_user("NOT_A_TYPE")}, headers=local_sandbox.headers
    )
    assert response.status_code == 400
    assert (response.json()["error_type"], response.json()["error_code"]) == ("INVALID_INPUT", "INVALID_USER_ID")
    assert "NOT_A_TYPE" in response.json()["error_message"]
