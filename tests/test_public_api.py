"""The public API is exactly what `plaid_partner_insights.__all__` lists: complete, sorted, importable, cheap."""

from __future__ import annotations

import subprocess
import sys
import types

import plaid_partner_insights
from tests.loaded_modules import modules_loaded_by, within


def _ruff_sort_key(name: str) -> tuple[int, str]:
    # RUF022's "isort-style" order: SCREAMING_CASE, then CamelCase, then everything else; each alphabetical.
    kind = 0 if name.isupper() and len(name) > 1 else 1 if name[:1].isupper() else 2
    return kind, name


def test_all_is_sorted_and_unique() -> None:
    """The hand-written names, sorted, then the generated error classes (one per error type of the spec), sorted."""
    from plaid_partner_insights_generated.client import errors

    names = plaid_partner_insights.__all__
    assert len(names) == len(set(names))
    hand_written, generated = names[: -len(errors.__all__)], names[-len(errors.__all__) :]
    assert generated == errors.__all__
    assert len(generated) > 30
    assert hand_written == sorted(hand_written, key=_ruff_sort_key)
    assert generated == sorted(generated, key=_ruff_sort_key)


def test_all_is_complete() -> None:
    public = {
        name
        for name, value in vars(plaid_partner_insights).items()
        if not name.startswith("_") and not isinstance(value, types.ModuleType)
    }
    assert public == set(plaid_partner_insights.__all__) - {"__version__"}


def test_every_name_resolves_and_shows_the_public_module() -> None:
    values = {name: getattr(plaid_partner_insights, name) for name in plaid_partner_insights.__all__}
    ours = {name: value.__module__ for name, value in values.items() if isinstance(value, type)}
    ours = {name: module for name, module in ours.items() if module.split(".")[0] == "plaid_partner_insights"}
    assert len(ours) >= 10
    assert {name: module for name, module in ours.items() if module != "plaid_partner_insights"} == {}


def test_issue_names_are_exported() -> None:
    for name in (
        "PartnerInsightsClient",
        "AsyncPartnerInsightsClient",
        "PartnerInsightsError",
        "PlaidAPIError",
        "APIConnectionError",
        "APITimeoutError",
        "ResponseValidationError",
        "migrate_options",
    ):
        assert name in plaid_partner_insights.__all__


def test_exception_hierarchy() -> None:
    p = plaid_partner_insights
    exceptions = {name: getattr(p, name) for name in p.__all__}
    exceptions = {name: value for name, value in exceptions.items() if isinstance(value, type)}
    exceptions = {name: value for name, value in exceptions.items() if issubclass(value, Exception)}
    assert len(exceptions) >= 5
    assert [name for name, value in exceptions.items() if not issubclass(value, p.PartnerInsightsError)] == []
    for family in (p.InvalidRequestError, p.RateLimitExceededError, p.PlaidServerError, p.ConsumerReportError):
        assert issubclass(family, p.PlaidAPIError)
    assert issubclass(p.APITimeoutError, p.APIConnectionError)


def test_import_is_light() -> None:
    """`import plaid_partner_insights` loads no test tooling, CLI, pydantic, typing_extensions, asyncio or models."""
    heavy = (
        *("uvicorn", "pydantic", "typing_extensions", "asyncio", "http.server", "argparse"),
        *("plaid_partner_insights.testing", "plaid_partner_insights.sandbox", "plaid_partner_insights._cli"),
        *("plaid_partner_insights_generated.client.models", "plaid_partner_insights_generated.testing"),
    )
    assert within(modules_loaded_by("import plaid_partner_insights"), heavy) == []


def test_types_exports_every_schema_of_the_spec_under_its_name() -> None:
    """`plaid_partner_insights.types` has a model or enum for each schema in the spec, and every generated one."""
    import enum
    from pathlib import Path

    import yaml
    from plaid_partner_insights_generated.client import models

    from plaid_partner_insights import types as public_types
    from plaid_partner_insights.types import Model

    spec = yaml.safe_load((Path(__file__).resolve().parent.parent / "spec" / "openapi.yaml").read_text())
    schema_names = set(spec["components"]["schemas"])
    assert len(schema_names) > 40
    for name in sorted(schema_names | set(models.__all__)):
        value = getattr(public_types, name, None)
        assert isinstance(value, type), f"plaid_partner_insights.types lacks {name}"
        assert issubclass(value, Model | enum.Enum), name
        assert value is getattr(models, name)


def test_the_packages_import_in_any_order() -> None:
    """One direction of dependency: core <- generated <- plaid_partner_insights, so any first import works."""
    for first, second in (
        ("plaid_partner_insights_generated.client.models", "plaid_partner_insights"),
        ("plaid_partner_insights.types", "plaid_partner_insights_generated.client.api.partner_insights"),
        ("plaid_partner_insights_generated.client.api.partner_insights", "plaid_partner_insights.types"),
        ("plaid_partner_insights_generated.client.errors", "plaid_partner_insights"),
        ("plaid_partner_insights_generated.client.client", "plaid_partner_insights"),
    ):
        code = f"import {first}, {second}; from plaid_partner_insights.types import PrismCashScore; print('ok')"
        done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=False)
        assert done.stdout.strip() == "ok", (first, second, done.stderr)
