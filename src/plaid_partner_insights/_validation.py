"""Checks request fields against the generated request models, and locates a bad field in a response.

The request checker is derived once, on first use, from the attrs models openapi-python-client generated from the
spec (their type hints say which fields exist, which are required, and which enum values are allowed), so it follows
the spec without a hand-written copy of it. Request objects are closed: an unknown nested key is an error.
"""

from __future__ import annotations

import enum
import itertools
import types
import typing
from collections.abc import Callable, Mapping

from ._exceptions import RequestValidationError

__all__ = ["locate_parse_error", "request_checker"]

_Check = Callable[[object, str], None]


def _fail(path: str, problem: str) -> typing.NoReturn:
    raise RequestValidationError(path, problem)


def _describe(value: object) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def _join(path: str, key: str) -> str:
    return f"{path}.{key}" if path else key


def _compile(tp: object, unset_type: type, cache: dict[object, _Check]) -> _Check:
    origin = typing.get_origin(tp)
    if origin is typing.Union or origin is types.UnionType:
        members = [m for m in typing.get_args(tp) if m is not unset_type]
        nullable = type(None) in members
        members = [m for m in members if m is not type(None)]
        if len(members) != 1:  # pragma: no cover - the request schema has no such unions
            raise TypeError(f"unsupported request type {tp!r}")
        inner = _compile(members[0], unset_type, cache)
        if not nullable:
            return inner

        def check_nullable(value: object, path: str) -> None:
            if value is not None:
                inner(value, path)

        return check_nullable
    if origin is list:
        (item_type,) = typing.get_args(tp)
        item = _compile(item_type, unset_type, cache)

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
    if tp is bool:

        def check_bool(value: object, path: str) -> None:
            if not isinstance(value, bool):
                _fail(path, f"expected a boolean, got {_describe(value)}")

        return check_bool
    if tp is int:

        def check_int(value: object, path: str) -> None:
            if not isinstance(value, int) or isinstance(value, bool):
                _fail(path, f"expected an integer, got {_describe(value)}")

        return check_int
    if tp is float:

        def check_float(value: object, path: str) -> None:
            if not isinstance(value, int | float) or isinstance(value, bool):
                _fail(path, f"expected a number, got {_describe(value)}")

        return check_float
    if tp is str:

        def check_str(value: object, path: str) -> None:
            if not isinstance(value, str):
                _fail(path, f"expected a string, got {_describe(value)}")

        return check_str
    if isinstance(tp, type) and hasattr(tp, "__attrs_attrs__"):
        return _compile_model(tp, unset_type, cache)
    if tp is typing.Any:  # pragma: no cover - free-form objects are not part of the request schema

        def check_any(value: object, path: str) -> None:
            return None

        return check_any
    raise TypeError(f"unsupported request type {tp!r}")  # pragma: no cover


def _compile_model(cls: type, unset_type: type, cache: dict[object, _Check]) -> _Check:
    if cls in cache:
        return cache[cls]
    import attrs
    from plaid_partner_insights_generated.client import models

    hints = typing.get_type_hints(cls, localns=vars(models))
    fields: dict[str, _Check] = {}
    required: list[str] = []

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
    open_model = False
    for field in attrs.fields(cls):
        if not field.init:
            open_model = True  # additional_properties: an open object
            continue
        fields[field.name] = _compile(hints[field.name], unset_type, cache)
        if field.default is attrs.NOTHING:
            required.append(field.name)
    if open_model:  # pragma: no cover - every request object is closed in the spec
        raise TypeError(f"{cls.__name__} is an open object; the request checker expects closed ones")
    return check_model


_request_fields: dict[str, _Check] | None = None


def request_checker() -> dict[str, _Check]:
    """Per top-level request field, a function `(value, path)` that raises RequestValidationError."""
    global _request_fields
    if _request_fields is None:
        import attrs
        from plaid_partner_insights_generated.client import models
        from plaid_partner_insights_generated.client.types import Unset

        cls = models.CraCheckReportPartnerInsightsGetRequest
        hints = typing.get_type_hints(cls, localns=vars(models))
        cache: dict[object, _Check] = {}
        _request_fields = {f.name: _compile(hints[f.name], Unset, cache) for f in attrs.fields(cls) if f.init}
    return _request_fields


def _child_key(parent: Mapping[str, object], child: object) -> str | None:
    """Where `child` (the object a nested from_dict parses) sits in the parent frame's object."""
    source = parent["src_dict"]
    remaining = parent.get("d")
    if not isinstance(source, Mapping):
        return None
    candidates: list[str] = []
    if isinstance(remaining, Mapping):
        # The parent pops each key just before parsing its value: the last key consumed is the one being parsed.
        order = [f.name for f in getattr(parent.get("cls"), "__attrs_attrs__", ())]
        consumed = [key for key in source if key not in remaining]
        consumed.sort(key=lambda key: order.index(key) if key in order else -1)
        candidates = consumed[-1:]
    candidates += [key for key in source if key not in candidates]
    for key in candidates:
        value = source[key]
        if value is child:
            return f".{key}"
        if isinstance(value, list):
            for index, element in enumerate(value):
                if element is child:
                    return f".{key}[{index}]"
    return None


def locate_parse_error(exc: BaseException) -> str | None:
    """Best-effort JSON path of the field a generated `from_dict` failed on, from the exception's traceback.

    Each generated `from_dict` frame holds the object it parses (`src_dict`) and what it has not yet consumed (`d`):
    chaining the frames by object identity gives the path, and the failing key is the `KeyError` argument or, for
    other errors, the last key that frame consumed. Only called on failure, so it costs nothing on success.
    """
    frames: list[Mapping[str, object]] = []
    tb = exc.__traceback__
    while tb is not None:
        frame = tb.tb_frame
        if frame.f_code.co_name == "from_dict" and "src_dict" in frame.f_locals:
            frames.append(frame.f_locals)
        tb = tb.tb_next
    if not frames:
        return None
    path = ""
    for parent, child in itertools.pairwise(frames):
        step = _child_key(parent, child["src_dict"])
        if step is None:
            return None
        path += step
    innermost = frames[-1]
    source = innermost["src_dict"]
    if isinstance(exc, KeyError) and exc.args and isinstance(exc.args[0], str):
        return (path + "." + exc.args[0]).lstrip(".")
    remaining = innermost.get("d")
    if isinstance(source, Mapping) and isinstance(remaining, Mapping):
        consumed = [key for key in source if key not in remaining]
        cls = innermost.get("cls")
        order = [f.name for f in getattr(cls, "__attrs_attrs__", ())]
        consumed.sort(key=lambda key: order.index(key) if key in order else -1)
        if consumed:
            return (path + "." + str(consumed[-1])).lstrip(".")
    return path.lstrip(".") or None
