"""Every error type of the spec raises its own exception class, generated from the spec, that mypy sees."""

from __future__ import annotations

import pickle
from typing import TYPE_CHECKING

import pytest
from plaid_partner_insights_generated.client import errors as generated_errors
from plaid_partner_insights_generated.client.models import PlaidErrorType

import plaid_partner_insights
from plaid_partner_insights import PartnerInsightsClient, PlaidAPIError, TransferError, _spec, error_class_for
from plaid_partner_insights.testing.emulator._users import error_type_user

if TYPE_CHECKING:
    from tests.conftest import LocalSandbox


def test_every_error_type_of_the_spec_has_its_own_generated_class() -> None:
    classes = {error_type: error_class_for(error_type) for error_type in _spec.error_types()}
    assert len(classes) == len(PlaidErrorType) > 30
    assert len(set(classes.values())) == len(classes)
    assert set(generated_errors.ERROR_CLASSES) == set(classes)
    for error_type, cls in classes.items():
        assert issubclass(cls, PlaidAPIError)
        assert cls is not PlaidAPIError
        assert cls.__doc__ is not None
        assert cls.__doc__.startswith(f"`{error_type}`: ")
        # Importable from the package, where reprs and pickle find it.
        assert cls.__module__ == "plaid_partner_insights"
        assert getattr(plaid_partner_insights, cls.__name__) is cls
        assert cls.__name__ in plaid_partner_insights.__all__
    assert error_class_for("NOT_IN_THE_SPEC") is PlaidAPIError


def test_a_class_is_named_after_its_type_and_documented_from_the_spec() -> None:
    assert error_class_for("TRANSFER_REFUND_ERROR").__name__ == "TransferRefundError"
    assert error_class_for("RATE_LIMIT_EXCEEDED").__name__ == "RateLimitExceededError"
    assert error_class_for("API_ERROR").__name__ == "PlaidServerError"  # the one renamed in the template
    assert error_class_for("TRANSFER_ERROR") is TransferError  # a class mypy sees, not one made at run time
    consumer = error_class_for("CONSUMER_REPORT_ERROR").__doc__
    assert consumer == "`CONSUMER_REPORT_ERROR`: the report is not ready yet, has expired or does not exist."


def test_a_class_pickles_as_itself() -> None:
    copy = pickle.loads(pickle.dumps(TransferError))  # noqa: S301 (our own bytes)
    assert copy is TransferError


@pytest.mark.parametrize("error_type", ["TRANSFER_ERROR", "CONSUMER_REPORT_ERROR", "API_ERROR"])
def test_the_client_raises_the_class_of_the_error_type(local_sandbox: LocalSandbox, error_type: str) -> None:
    with (
        PartnerInsightsClient(
            client_id=local_sandbox.client_id, secret=local_sandbox.secret, base_url=local_sandbox.url, max_retries=0
        ) as client,
        pytest.raises(error_class_for(error_type)) as raised,
    ):
        client.partner_insights.get(user_id=error_type_user(error_type))
    assert raised.value.error_type == error_type
    assert type(pickle.loads(pickle.dumps(raised.value))) is type(raised.value)  # noqa: S301 (our own bytes)
