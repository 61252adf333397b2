"""The request TypedDicts are public under names of their own (`plaid_partner_insights.types`), one `...Params` per
operation and one `...Param` per object inside a request, never colliding with a response model's name."""

from __future__ import annotations

from pathlib import Path

import typing_extensions
from plaid_partner_insights_generated import params, typed_dicts
from plaid_partner_insights_generated.client import models

from plaid_partner_insights import types

OPERATIONS = Path(__file__).resolve().parent.parent / "generated" / "plaid_partner_insights_generated" / "client/api"


def test_every_operation_has_its_params_and_every_name_is_its_own() -> None:
    operations = sorted(path for path in OPERATIONS.glob("*/*.py") if path.name != "__init__.py")
    top_level = [name for name in params.__all__ if name.endswith("Params")]
    assert len(operations) >= 2
    assert len(top_level) == len(operations)
    assert set(params.__all__).isdisjoint(models.__all__)
    for name in params.__all__:
        assert name.endswith(("Param", "Params")), name
        value = getattr(types, name)
        assert typing_extensions.is_typeddict(value), name
        assert value is getattr(typed_dicts, value.__name__)


def test_the_params_of_an_operation_are_its_request_body() -> None:
    assert types.PartnerInsightsGetParams is typed_dicts.CraCheckReportPartnerInsightsGetRequest
    assert types.PrismVersionsParam is typed_dicts.PrismVersions
    assert "user_id" in types.PartnerInsightsGetParams.__annotations__
