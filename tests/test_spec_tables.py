"""The few tables the hand-written layer still writes out are tied to the spec, so a spec change that drops a name
they use fails here instead of leaving a stale entry behind. Products, versions, CLI flags and the report's shape
are derived from the spec and need no such check (see `plaid_partner_insights._spec`)."""

from __future__ import annotations

import pytest

from plaid_partner_insights import _spec
from plaid_partner_insights._cli import _get
from plaid_partner_insights.testing.emulator import _app, _errors

# Request fields the hand-written code reads by name: the user identifiers (CLI and sandbox), credentials (kept out
# of the CLI's flags), the request-time configuration (refused for new clients) and the deprecated `options`.
NAMED_REQUEST_PATHS = [
    "user_id",
    "user_token",
    "third_party_user_token",
    "client_id",
    "secret",
    "partner_insights",
    "partner_insights.prism_versions",
    "partner_insights.fico",
    "options",
    "options.prism_versions",
]


@pytest.mark.parametrize(
    ("table", "keys"),
    [
        ("sandbox._errors._DOC_PAGES", set(_errors._DOC_PAGES)),
        ("sandbox._app._ERROR_TYPE_STATUS", set(_app._ERROR_TYPE_STATUS)),
    ],
)
def test_error_type_tables_name_only_error_types_of_the_spec(table: str, keys: set[str]) -> None:
    assert keys - set(_spec.error_types()) == set(), table


def test_request_fields_named_by_hand_are_in_the_spec() -> None:
    paths = set(_spec.property_paths(_spec.REQUEST_SCHEMA))
    assert [path for path in NAMED_REQUEST_PATHS if path not in paths] == []
    assert set(_get.CREDENTIAL_FIELDS) <= paths
