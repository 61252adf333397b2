"""The runtime the generated models stand on: their base class, the tables they publish, the checks they call.

Generated models subclass `Model`. `import plaid_partner_insights` does not load them: each generated operation
module (`OPERATION`) imports its models on first use, so the models cost nothing until a response is parsed.

Each generated model publishes `FIELDS`, one `Field` per property (JSON key, attribute, type, required, nullable), and
`OPEN` (whether the spec allows unknown properties); each generated operation module publishes its `Operation`. The
hand layer reads those tables, never the generator's private functions or attrs internals.

A generated `from_dict` is straight-line code that checks every value as it reads it and raises `ParseError`
(a `ResponseValidationError`) on the first wrong one. The path is not tracked while parsing, which would cost every
successful parse; each model's `from_dict` instead prepends its own step as the error passes through it
(`ParseError.within`), finding the list index by the identity of the object that failed.
"""

from __future__ import annotations

import datetime
import enum
import typing
from collections.abc import Mapping
from typing import Any, ClassVar, NamedTuple

from ._exceptions import ResponseValidationError

__all__ = [
    "Field",
    "Model",
    "Operation",
    "ParseError",
    "mismatch",
    "missing",
    "not_object",
    "parse_date",
    "parse_datetime",
    "parse_enum",
]

_EnumT = typing.TypeVar("_EnumT", bound=enum.Enum)


class Field(NamedTuple):
    """One property of a generated model, as the spec declares it."""

    json_key: str
    """The key in the JSON object (`type`)."""
    attribute: str
    """The Python attribute holding its value (`type_`: a JSON key may be a Python keyword)."""
    type: Any
    """`str`, `int`, `float`, `bool`, `datetime.date`, `datetime.datetime`, a generated enum or model class,
    `list[...]` of one of those, or `typing.Any` for a free-form value."""
    required: bool
    """Whether the spec requires the key to be present."""
    nullable: bool
    """Whether the spec allows `null`."""


_ResponseT_co = typing.TypeVar("_ResponseT_co", bound="Model", covariant=True)


@typing.final
class Operation(typing.Generic[_ResponseT_co]):
    """One API operation, as the spec declares it; each generated operation module publishes one as `OPERATION`.

    The base client sends every operation from this alone: it holds no code of its own for any of them.
    """

    __slots__ = (
        "_load_models",
        "accept",
        "api_version",
        "content_type",
        "method",
        "name",
        "path",
        "request_model",
        "response_model",
    )

    def __init__(
        self,
        *,
        name: str,
        method: str,
        path: str,
        content_type: str,
        accept: str,
        api_version: str,
        request_model: str,
        response_model: str,
        load_models: typing.Callable[[], tuple[type[Model], type[_ResponseT_co]]],
    ) -> None:
        self.name: str = name
        """How the operation is called, `resource.method` (`partner_insights.get`)."""
        self.method: str = method
        """The HTTP method, upper case."""
        self.path: str = path
        """The URL path, relative to the server."""
        self.content_type: str = content_type
        """The request body's media type."""
        self.accept: str = accept
        """The media type of the success response."""
        self.api_version: str = api_version
        """The Plaid API version the spec describes, sent as `Plaid-Version`."""
        self.request_model: str = request_model
        """The class name of the request body's generated model."""
        self.response_model: str = response_model
        """The class name of the generated model of the success response."""
        # Imports the models on first use only: `import plaid_partner_insights` does not pay for them.
        self._load_models = load_models

    @property
    def request_type(self) -> type[Model]:
        """The generated model of the request body."""
        return self._load_models()[0]

    @property
    def response_type(self) -> type[_ResponseT_co]:
        """The generated model of the success response."""
        return self._load_models()[1]

    def __repr__(self) -> str:
        return f"<Operation {self.name}: {self.method} {self.path}>"


class ParseError(ResponseValidationError):
    """What a generated `from_dict` raises: a `ResponseValidationError` that knows where in the JSON it happened."""

    problem: str
    culprit: object
    is_missing: bool

    @classmethod
    def create(cls, problem: str, path: str | None, culprit: object, *, is_missing: bool = False) -> ParseError:
        if is_missing:
            message = f"response is missing required field {path!r}"
        elif path is None:
            message = f"response {problem}"
        else:
            message = f"response field {path!r} {problem}"
        error = cls(message, path=path)
        error.problem = problem
        error.culprit = culprit
        error.is_missing = is_missing
        return error

    def within(self, key: str, container: Mapping[str, Any]) -> ParseError:
        """The same error, one level up: `container[key]` holds (or is a list holding) the object that failed."""
        step = key
        value = container.get(key)
        if value is not self.culprit and isinstance(value, list):
            for index, item in enumerate(value):
                if item is self.culprit:
                    step = f"{key}[{index}]"
                    break
        path = step if self.path is None else f"{step}.{self.path}"
        return ParseError.create(self.problem, path, container, is_missing=self.is_missing)


def _describe(value: object) -> str:
    if value is None:
        return "null"
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def mismatch(expected: str, value: object) -> ParseError:
    """`value` is not of the type the spec declares (`expected` says which, for example "a string")."""
    return ParseError.create(f"is invalid: expected {expected}, got {_describe(value)}", None, value)


def not_object(value: object) -> ParseError:
    """A model was given something other than a JSON object."""
    return ParseError.create(f"is invalid: expected an object, got {_describe(value)}", None, value)


def missing(key: str, container: Mapping[str, Any]) -> ParseError:
    """A required key is absent from `container`."""
    return ParseError.create("is missing", key, container, is_missing=True)


def parse_enum(cls: type[_EnumT], value: object) -> _EnumT:
    """An enum member for a value not found among the known ones: the generated open enums keep unknown strings."""
    if not isinstance(value, str):
        return _raise(mismatch(f"a string ({cls.__name__})", value))
    return cls(value)


def parse_date(value: object) -> datetime.date:
    """A `format: date` string (`2024-05-31`)."""
    if value.__class__ is str and len(value) == 10:
        try:
            return datetime.date.fromisoformat(value)
        except ValueError:
            pass
    return _raise(mismatch("a date (YYYY-MM-DD)", value))


def parse_datetime(value: object) -> datetime.datetime:
    """A `format: date-time` string (RFC 3339: `2024-05-31T12:00:00Z`, with an offset or `Z`)."""
    if value.__class__ is str and len(value) >= 20 and value[10] in "Tt":
        try:
            parsed = datetime.datetime.fromisoformat(value)
        except ValueError:
            pass
        else:
            if parsed.tzinfo is not None:
                return parsed
    return _raise(mismatch("a date-time (RFC 3339, with an offset)", value))


def _raise(error: ParseError) -> typing.NoReturn:
    raise error


class Model:
    """Base of every generated model.

    Attributes are the spec's properties; an optional or nullable one is `None` when absent or null. `to_dict()`
    gives back the JSON the model was parsed from: absent stays absent, null stays null, unknown keys are kept
    (`additional_properties`), and values changed since are written from the attributes.
    """

    __slots__ = ("_extra", "_json")

    FIELDS: ClassVar[tuple[Field, ...]] = ()
    """One `Field` per property, in the order the spec declares them (set by the generated module)."""
    OPEN: ClassVar[bool] = True
    """Whether the spec allows properties it does not name (`additionalProperties`)."""

    _json: Mapping[str, Any]
    _extra: dict[str, Any]

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> typing.Self:
        """Parse and check a JSON object; raises `ResponseValidationError` naming the first bad field."""
        raise NotImplementedError  # pragma: no cover - every generated model defines it

    def _source(self) -> Mapping[str, Any] | None:
        try:
            return self._json
        except AttributeError:  # built by hand, not parsed
            return None

    @property
    def additional_properties(self) -> dict[str, Any]:
        """Properties the spec does not name, as received (Plaid adds fields without notice)."""
        try:
            return self._extra
        except AttributeError:
            pass
        known = {field.json_key for field in self.FIELDS}
        source = self._source() or {}
        self._extra = {key: value for key, value in source.items() if key not in known}
        return self._extra

    @additional_properties.setter
    def additional_properties(self, value: Mapping[str, Any]) -> None:
        self._extra = dict(value)

    @property
    def additional_keys(self) -> list[str]:
        return list(self.additional_properties)

    def __getitem__(self, key: str) -> Any:
        return self.additional_properties[key]

    def __setitem__(self, key: str, value: Any) -> None:
        self.additional_properties[key] = value

    def __delitem__(self, key: str) -> None:
        del self.additional_properties[key]

    def __contains__(self, key: str) -> bool:
        return key in self.additional_properties

    def to_dict(self) -> dict[str, Any]:
        """The JSON object: the one received, with any attribute changed since written from its new value."""
        source = self._source()
        result: dict[str, Any] = {}
        for field in self.FIELDS:
            value = getattr(self, field.attribute)
            received = source.get(field.json_key) if source is not None else None
            if value is None:
                if field.required or (source is not None and field.json_key in source and received is None):
                    result[field.json_key] = None
                continue
            result[field.json_key] = _to_json(value, received)
        result.update(self.additional_properties)
        return result


def _to_json(value: object, received: object) -> object:
    if isinstance(value, Model):
        return value.to_dict()
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, datetime.datetime):
        # Keep the text received (`Z`, fractions) when it still says the same instant.
        if isinstance(received, str):
            try:
                if datetime.datetime.fromisoformat(received) == value:
                    return received
            except ValueError:
                pass
        return value.isoformat()
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, list):
        items = received if isinstance(received, list) and len(received) == len(value) else [None] * len(value)
        return [_to_json(item, original) for item, original in zip(value, items, strict=True)]
    return value
