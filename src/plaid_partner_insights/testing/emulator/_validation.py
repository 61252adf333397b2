"""Request validation with the models generated from the spec, turned into Plaid errors naming the field."""

from __future__ import annotations

import functools
import types
import typing
from collections.abc import Mapping, Sequence
from typing import Any

import pydantic
import pydantic_core
import typing_extensions
from plaid_partner_insights_generated import typed_dicts
from plaid_partner_insights_generated.testing.validation_models import CraCheckReportPartnerInsightsGetRequest

from ._errors import PlaidFailure, invalid_request

__all__ = ["format_path", "parse_body", "validate_model", "validate_request"]

# Enough to name the problem without echoing a hostile body back in full.
_MAX_LISTED = 10
_MAX_PATH = 120


def format_path(loc: Sequence[int | str]) -> str:
    """`('a', 'b', 0, 'c')` -> `a.b[0].c`, the way the error messages name a field."""
    path = ""
    for part in loc:
        if isinstance(part, int):
            path += f"[{part}]"
        else:
            path += f".{part}" if path else str(part)
    return path or "(body)"


def parse_body(raw: bytes) -> dict[str, Any]:
    """The body as a JSON object, or `INVALID_BODY` (malformed, too deep, NaN, not an object)."""
    try:
        # pydantic-core's parser has a nesting limit, so hostile depth is an error, not a RecursionError.
        value = pydantic_core.from_json(raw, allow_inf_nan=False)
    except ValueError:
        raise invalid_request("INVALID_BODY", "the request body is not valid JSON") from None
    if not isinstance(value, dict):
        raise invalid_request("INVALID_BODY", "the request body must be a JSON object")
    return value


def _listed(paths: list[str]) -> str:
    # Unknown keys come from the client and may be huge: name each briefly.
    paths = [path if len(path) <= _MAX_PATH else path[: _MAX_PATH - 3] + "..." for path in paths]
    shown = ", ".join(paths[:_MAX_LISTED])
    return shown if len(paths) <= _MAX_LISTED else f"{shown} and {len(paths) - _MAX_LISTED} more"


def validate_request(raw: bytes, body: Mapping[str, Any]) -> None:
    """Validate strictly against the generated request model; raise the Plaid error Plaid would send.

    Strict mode, because lax pydantic would accept `"7"` for an integer or `1` for a string, which the spec
    does not. Explicit nulls are checked separately (`_check_nulls`): the pydantic models give every optional
    field a `None` default, so they cannot tell a nullable field from a merely optional one.
    """
    try:
        CraCheckReportPartnerInsightsGetRequest.model_validate_json(raw, strict=True)
    except pydantic.ValidationError as exc:
        raise _to_failure(exc.errors(include_input=False, include_url=False)) from None
    null_paths = list(_check_nulls(body, typed_dicts.CraCheckReportPartnerInsightsGetRequest, ()))
    if null_paths:
        raise invalid_request("INVALID_FIELD", f"invalid field(s): {_listed(null_paths)}: must not be null")


def validate_model(model: type[pydantic.BaseModel], typed_dict: type, raw: bytes, body: Mapping[str, Any]) -> Any:
    """A body validated strictly against a generated model and its TypedDict (for nulls), as `validate_request`."""
    try:
        validated = model.model_validate_json(raw, strict=True)
    except pydantic.ValidationError as exc:
        raise _to_failure(exc.errors(include_input=False, include_url=False)) from None
    null_paths = list(_check_nulls(body, typed_dict, ()))
    if null_paths:
        raise invalid_request("INVALID_FIELD", f"invalid field(s): {_listed(null_paths)}: must not be null")
    return validated


def _to_failure(errors: Sequence[Mapping[str, Any]]) -> PlaidFailure:
    unknown = [format_path(e["loc"]) for e in errors if e["type"] == "extra_forbidden"]
    if unknown:
        return invalid_request(
            "UNKNOWN_FIELDS", f"the following fields are not recognized by this endpoint: {_listed(unknown)}"
        )
    missing = [format_path(e["loc"]) for e in errors if e["type"] == "missing"]
    if missing:
        return invalid_request("MISSING_FIELDS", f"the following required fields are missing: {_listed(missing)}")
    problems = [f"{format_path(e['loc'])}: {e['msg']}" for e in errors]
    return invalid_request("INVALID_FIELD", f"invalid field(s): {'; '.join(problems[:_MAX_LISTED])}")


@functools.cache
def _hints(typed_dict: type) -> dict[str, Any]:
    return typing.get_type_hints(typed_dict)


def _check_nulls(value: Any, hint: Any, loc: tuple[int | str, ...]) -> typing.Iterator[str]:
    """Paths of explicit nulls where the spec does not allow null, read from the generated TypedDicts.

    Runs only after pydantic accepted the body, so the shapes are known to match the hints.
    """
    if value is None:
        if not _allows_none(hint):
            yield format_path(loc)
        return
    target = _non_none(hint)
    # typing.is_typeddict misses the generated TypedDicts, which come from typing_extensions.
    if isinstance(value, dict) and typing_extensions.is_typeddict(target):
        hints = _hints(target)
        for key, item in value.items():
            if key in hints:
                yield from _check_nulls(item, hints[key], (*loc, key))
    elif isinstance(value, list) and typing.get_origin(target) is list:
        (item_hint,) = typing.get_args(target)
        for index, item in enumerate(value):
            yield from _check_nulls(item, item_hint, (*loc, index))


def _union_args(hint: Any) -> tuple[Any, ...]:
    if typing.get_origin(hint) in (typing.Union, types.UnionType):
        return typing.get_args(hint)
    return (hint,)


def _allows_none(hint: Any) -> bool:
    return type(None) in _union_args(hint) or hint is Any


def _non_none(hint: Any) -> Any:
    args = [arg for arg in _union_args(hint) if arg is not type(None)]
    return args[0] if len(args) == 1 else hint
