"""The request checker reads the generated `FIELDS` tables: keys are JSON keys, whatever the Python attribute is."""

from __future__ import annotations

import pytest

from plaid_partner_insights import RequestValidationError
from plaid_partner_insights._validation import _compile
from plaid_partner_insights.types import Field, Model


class Window(Model):
    """A request object whose JSON keys are Python keywords or builtins, as a future spec may have."""

    __slots__ = ()
    OPEN = False
    FIELDS = (
        Field("from", "from_", str, True, False),
        Field("type", "type_", int, False, True),
    )


def check(value: object) -> None:
    _compile(Window, {})(value, "window")


def test_json_keys_are_accepted_and_checked() -> None:
    check({"from": "2026-01-01", "type": 3})
    check({"from": "2026-01-01", "type": None})
    with pytest.raises(RequestValidationError, match=r"window\.type"):
        check({"from": "2026-01-01", "type": "3"})
    with pytest.raises(RequestValidationError, match=r"window\.from.*missing"):
        check({"type": 3})


def test_attribute_names_are_not_json_keys() -> None:
    with pytest.raises(RequestValidationError, match=r"window\.from_.*unknown field"):
        check({"from": "2026-01-01", "from_": "2026-01-01"})
