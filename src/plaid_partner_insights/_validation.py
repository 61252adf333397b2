"""Checks request fields against the generated request models before anything is sent.

The checker is derived once, on first use, from the tables the generated models publish (`Model.FIELDS`: JSON key,
type, required, nullable), so it follows the spec without a hand-written copy of it, and keys are JSON keys (a field
named `type` or `from` is checked as such). Request objects are closed: an unknown nested key is an error.
"""

from __future__ import annotations

import enum
import typing
from collections.abc import Callable, Mapping

from plaid_partner_insights_core._exceptions import RequestValidationError
from plaid_partner_insights_core._models import Model

__all__ = ["request_checker"]

_Check = Callable[[object, str], None]


def _fail(path: str, problem: str) -> typing.NoReturn:
    raise RequestValidationError(path, problem)


def _describe(value: object) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def _join(path: str, key: str) -> str:
    return f"{path}.{key}" if path else key


def _nullable(inner: _Check) -> _Check:
    def check_nullable(value: object, path: str) -> None:
        if value is not None:
            inner(value, path)

    return check_nullable


# Per JSON primitive: the Python types accepted, the ones refused although they are instances of those (a bool is an
# int), and its name in messages.
_PRIMITIVES: dict[object, tuple[tuple[type, ...], tuple[type, ...], str]] = {
    bool: ((bool,), (), "a boolean"),
    int: ((int,), (bool,), "an integer"),
    float: ((int, float), (bool,), "a number"),
    str: ((str,), (), "a string"),
}


def _check_primitive(accepted: tuple[type, ...], refused: tuple[type, ...], name: str) -> _Check:
    def check_primitive(value: object, path: str) -> None:
        if not isinstance(value, accepted) or isinstance(value, refused):
            _fail(path, f"expected {name}, got {_describe(value)}")

    return check_primitive


def _compile(tp: object, cache: dict[object, _Check]) -> _Check:
    """A check for one `Field.type`."""
    if typing.get_origin(tp) is list:
        (item_type,) = typing.get_args(tp)
        item = _compile(item_type, cache)

        def check_list(value: object, path: str) -> None:
            if not isinstance(value, list | tuple):
                _fail(path, f"expected a list, got {_describe(value)}")
            for index, element in enumerate(value):
                item(element, f"{path}[{index}]")

        return check_list
    if isinstance(tp, type) and issubclass(tp, enum.Enum):
        allowed = frozenset(member.value for member in tp)
        shown = ", ".join(repr(v) for v in sorted(allowed))

        def check_enum(value: object, path: str) -> None:
            if not isinstance(value, str) or value not in allowed:
                _fail(path, f"expected one of {shown}, got {_describe(value)}")

        return check_enum
    primitive = _PRIMITIVES.get(tp)
    if primitive is not None:
        return _check_primitive(*primitive)
    if isinstance(tp, type) and issubclass(tp, Model):
        return _compile_model(tp, cache)
    if tp is typing.Any:  # pragma: no cover - free-form objects are not part of the request schema

        def check_any(value: object, path: str) -> None:
            return None

        return check_any
    raise TypeError(f"unsupported request type {tp!r}")  # pragma: no cover


def _compile_model(cls: type[Model], cache: dict[object, _Check]) -> _Check:
    if cls in cache:
        return cache[cls]
    if cls.OPEN:  # pragma: no cover - every request object is closed in the spec
        raise TypeError(f"{cls.__name__} is an open object; the request checker expects closed ones")
    fields: dict[str, _Check] = {}
    required = [field.json_key for field in cls.FIELDS if field.required]

    def check_model(value: object, path: str) -> None:
        if not isinstance(value, Mapping):
            _fail(path, f"expected an object, got {_describe(value)}")
        for key in required:
            if key not in value:
                _fail(_join(path, key), "required field is missing")
        for key, item in value.items():
            check = fields.get(key)
            if check is None:
                _fail(_join(path, str(key)), f"unknown field (allowed: {', '.join(fields)})")
            check(item, _join(path, key))

    cache[cls] = check_model
    fields.update(_field_checks(cls, cache))
    return check_model


def _field_checks(cls: type[Model], cache: dict[object, _Check]) -> dict[str, _Check]:
    checks = {}
    for field in cls.FIELDS:
        check = _compile(field.type, cache)
        checks[field.json_key] = _nullable(check) if field.nullable else check
    return checks


_request_checkers: dict[type[Model], dict[str, _Check]] = {}


def request_checker(model: type[Model]) -> dict[str, _Check]:
    """Per top-level field (JSON key) of the request model, a `(value, path)` check raising
    `RequestValidationError`."""
    checks = _request_checkers.get(model)
    if checks is None:
        checks = _request_checkers[model] = _field_checks(model, {})
    return checks
