"""Every error type of the spec raises its own exception class: a named one, or a default one made for it."""

from __future__ import annotations

import pickle
from typing import TYPE_CHECKING

import pytest

from plaid_partner_insights import PartnerInsightsClient, PlaidAPIError, _spec, error_class_for
from plaid_partner_insights._exceptions import ERROR_TYPE_CLASSES, default_class_name
from plaid_partner_insights.testing.emulator._users import error_type_user

if TYPE_CHECKING:
    from tests.conftest import LocalSandbox


def test_named_classes_are_for_error_types_the_spec_lists() -> None:
    assert set(ERROR_TYPE_CLASSES) <= set(_spec.error_types())


def test_every_error_type_of_the_spec_has_its_own_class() -> None:
    classes = {error_type: error_class_for(error_type) for error_type in _spec.error_types()}
    assert len(set(classes.values())) == len(classes)
    assert set(classes) - set(ERROR_TYPE_CLASSES), "no error type gets a default class: that branch goes unchecked"
    for error_type, cls in classes.items():
        assert issubclass(cls, PlaidAPIError)
        assert cls is not PlaidAPIError
        assert cls is error_class_for(error_type)  # made once: `except` catches what `get()` raises
        if error_type not in ERROR_TYPE_CLASSES:
            assert cls.__name__ == default_class_name(error_type)
            assert cls.__module__ == "plaid_partner_insights"
    assert error_class_for("NOT_IN_THE_SPEC") is PlaidAPIError


def test_a_default_class_pickles_as_itself() -> None:
    default = next(t for t in _spec.error_types() if t not in ERROR_TYPE_CLASSES)
    cls = error_class_for(default)
    copy = pickle.loads(pickle.dumps(cls))  # noqa: S301 (our own bytes)
    assert copy is cls


@pytest.mark.parametrize("error_type", [t for t in _spec.error_types() if t not in ERROR_TYPE_CLASSES][:3])
def test_the_client_raises_the_default_class(local_sandbox: LocalSandbox, error_type: str) -> None:
    with (
        PartnerInsightsClient(
            client_id=local_sandbox.client_id, secret=local_sandbox.secret, base_url=local_sandbox.url
        ) as client,
        pytest.raises(error_class_for(error_type)) as raised,
    ):
        client.partner_insights.get(user_id=error_type_user(error_type))
    assert raised.value.error_type == error_type
    assert type(pickle.loads(pickle.dumps(raised.value))) is type(raised.value)  # noqa: S301 (our own bytes)
