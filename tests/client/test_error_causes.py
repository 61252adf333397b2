"""`PlaidAPIError` holds what its annotations say, `causes` included.

Plaid's spec leaves the entries of `causes` open (`items: {}`), so the generated `PlaidError` keeps them as JSON;
the exception offers the entries shaped like a `Cause` as parsed models and leaves the rest in `error.causes`.
"""

from __future__ import annotations

import typing
from typing import TYPE_CHECKING, Any

import pytest
import typeguard
from plaid_partner_insights_generated.client import models

from plaid_partner_insights import CheckReportError, PartnerInsightsClient, PlaidAPIError
from plaid_partner_insights.testing.emulator import DATA_UNAVAILABLE_USER_ID
from plaid_partner_insights_core import _exceptions
from plaid_partner_insights_core._response import ResponseInfo

from .conftest import plaid_error
from .faults import ScriptedServer, http_response, json_response

if TYPE_CHECKING:
    from tests.conftest import LocalSandbox

ITEM_CAUSE = {
    "item_id": "item_1",
    "error_type": "ITEM_ERROR",
    "error_code": "ITEM_LOGIN_REQUIRED",
    "error_message": "the login details of this Item have changed",
    "display_message": None,
}
# Entries the spec allows but that are not shaped like a `Cause`.
ODD_CAUSES: list[Any] = [{"item_id": "item_2"}, "ITEM_LOGIN_REQUIRED", None, [ITEM_CAUSE]]


def assert_matches_annotations(error: PlaidAPIError) -> None:
    """Every attribute `PlaidAPIError` annotates holds a value of that type (each item of a list checked)."""
    # The exceptions module imports these types for type checkers only (at run time it imports nothing generated).
    names = {**vars(_exceptions), **vars(models), "ResponseInfo": ResponseInfo}
    hints = typing.get_type_hints(PlaidAPIError, globalns=names)
    assert "causes" in hints
    for name, hint in hints.items():
        try:
            typeguard.check_type(
                getattr(error, name), hint, collection_check_strategy=typeguard.CollectionCheckStrategy.ALL_ITEMS
            )
        except typeguard.TypeCheckError as exc:
            raise AssertionError(f"PlaidAPIError.{name} does not match its annotation {hint}: {exc}") from None


def raised_by(server: ScriptedServer) -> PlaidAPIError:
    with (
        server,
        PartnerInsightsClient(client_id="id", secret="secret", base_url=server.url, max_retries=0) as client,
        pytest.raises(PlaidAPIError) as raised,
    ):
        client.partner_insights.get(user_id="usr_1")
    return raised.value


def test_the_sandbox_data_unavailable_error_matches_its_annotations(local_sandbox: LocalSandbox) -> None:
    with (
        PartnerInsightsClient(
            client_id=local_sandbox.client_id, secret=local_sandbox.secret, base_url=local_sandbox.url
        ) as client,
        pytest.raises(CheckReportError) as raised,
    ):
        client.partner_insights.get(user_id=DATA_UNAVAILABLE_USER_ID)
    error = raised.value
    assert error.error is not None
    received = error.error.to_dict()["causes"]
    assert received, "the sandbox user should come with causes"
    assert_matches_annotations(error)
    assert [cause.to_dict() for cause in error.causes] == received
    assert [str(cause.error_type) for cause in error.causes] == [cause["error_type"] for cause in received]


def test_entries_of_another_shape_stay_in_the_json_only() -> None:
    body = plaid_error("CHECK_REPORT_ERROR", "DATA_UNAVAILABLE", causes=[ODD_CAUSES[0], ITEM_CAUSE, *ODD_CAUSES[1:]])
    error = raised_by(ScriptedServer(json_response(400, body)))
    assert_matches_annotations(error)
    assert [cause.to_dict() for cause in error.causes] == [ITEM_CAUSE]
    assert error.causes[0].item_id == "item_1"
    assert error.causes[0].error_code == "ITEM_LOGIN_REQUIRED"
    assert error.error is not None
    assert error.error.causes == body["causes"]


@pytest.mark.parametrize(
    "reply",
    [
        json_response(400, plaid_error("INVALID_REQUEST", "MISSING_FIELDS")),
        http_response(502, "<html>bad gateway</html>", content_type="text/html"),
    ],
    ids=["no causes", "not a Plaid error"],
)
def test_errors_without_causes_match_their_annotations(reply: bytes) -> None:
    error = raised_by(ScriptedServer(reply))
    assert_matches_annotations(error)
    assert error.causes == []
