"""Whether a change breaks a client of this SDK: the one table every report line is classified by.

The judgement follows oasdiff's for API clients: a client sends requests and reads responses, so a change
that can make a request it sends today fail, or a response it reads today surprise it, is breaking. Two
facts about this endpoint and SDK refine it:

- Plaid rejects request fields it does not know, so removing a request field breaks a client that sends it.
- The SDK's response enums are open: a value it does not know parses (it keeps the raw text and
  `is_known` is False) instead of failing, so a response enum value added or removed is not breaking.
  oasdiff, which assumes closed enums, calls an added response value breaking; we do not.

Error bodies are responses too, so `error` lines follow the response column.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Final


class Change(StrEnum):
    """Every kind of difference the comparison reports."""

    PROPERTY_REMOVED = "property-removed"
    PROPERTY_ADDED = "property-added"
    REQUIRED_PROPERTY_ADDED = "required-property-added"
    BECAME_REQUIRED = "became-required"
    BECAME_OPTIONAL = "became-optional"
    BECAME_NULLABLE = "became-nullable"
    BECAME_NOT_NULLABLE = "became-not-nullable"
    TYPE_CHANGED = "type-changed"
    FORMAT_CHANGED = "format-changed"
    ENUM_VALUE_ADDED = "enum-value-added"
    ENUM_VALUE_REMOVED = "enum-value-removed"
    ENUM_ADDED = "enum-added"
    ENUM_REMOVED = "enum-removed"
    CONSTRAINT_TIGHTENED = "constraint-tightened"
    CONSTRAINT_LOOSENED = "constraint-loosened"
    VARIANTS_CHANGED = "variants-changed"
    BECAME_OPEN = "became-open"
    BECAME_CLOSED = "became-closed"
    DEPRECATED = "deprecated"
    UNDEPRECATED = "undeprecated"
    BODY_ADDED = "body-added"
    BODY_REMOVED = "body-removed"


@dataclass(frozen=True)
class Rule:
    """Whether a change breaks clients when it happens in a request body and in a response (or error) body."""

    request: bool
    response: bool
    why: str


BREAKING, NON_BREAKING = True, False

# fmt: off
RULES: Final[dict[Change, Rule]] = {
    #                               request       response
    Change.PROPERTY_REMOVED:   Rule(BREAKING,     BREAKING,     "Plaid refuses it if sent; readers lose it"),
    Change.PROPERTY_ADDED:     Rule(NON_BREAKING, NON_BREAKING, "optional to send; unknown fields are kept"),
    Change.REQUIRED_PROPERTY_ADDED:
                               Rule(BREAKING,     NON_BREAKING, "old requests lack it; a field always sent"),
    Change.BECAME_REQUIRED:    Rule(BREAKING,     NON_BREAKING, "old requests may omit it; now always sent"),
    Change.BECAME_OPTIONAL:    Rule(NON_BREAKING, BREAKING,     "may be omitted; readers may find it missing"),
    Change.BECAME_NULLABLE:    Rule(NON_BREAKING, BREAKING,     "null may be sent; readers may get null"),
    Change.BECAME_NOT_NULLABLE: Rule(BREAKING,    NON_BREAKING, "null is refused; readers no longer get it"),
    Change.TYPE_CHANGED:       Rule(BREAKING,     BREAKING,     "the value and its generated type change"),
    Change.FORMAT_CHANGED:     Rule(BREAKING,     BREAKING,     "the generated type (str, date) changes"),
    Change.ENUM_VALUE_ADDED:   Rule(NON_BREAKING, NON_BREAKING, "a new value to send; response enums are open"),
    Change.ENUM_VALUE_REMOVED: Rule(BREAKING,     NON_BREAKING, "refused if sent; response enums are open"),
    Change.ENUM_ADDED:         Rule(BREAKING,     BREAKING,     "other values refused; the type becomes an enum"),
    Change.ENUM_REMOVED:       Rule(NON_BREAKING, BREAKING,     "any text accepted; the type stops being an enum"),
    Change.CONSTRAINT_TIGHTENED: Rule(BREAKING,   NON_BREAKING, "valid values refused; responses get narrower"),
    Change.CONSTRAINT_LOOSENED: Rule(NON_BREAKING, BREAKING,    "more accepted; responses may pass a bound"),
    Change.VARIANTS_CHANGED:   Rule(BREAKING,     BREAKING,     "the shapes a value may take changed"),
    # Request objects are not compared on this: Plaid refuses unknown request fields whatever the spec says.
    Change.BECAME_OPEN:        Rule(NON_BREAKING, BREAKING,     "closed models meet fields they refuse"),
    Change.BECAME_CLOSED:      Rule(NON_BREAKING, NON_BREAKING, "responses promise no unknown fields"),
    Change.DEPRECATED:         Rule(NON_BREAKING, NON_BREAKING, "still works; a removal may follow"),
    Change.UNDEPRECATED:       Rule(NON_BREAKING, NON_BREAKING, "still works"),
    Change.BODY_ADDED:         Rule(BREAKING,     NON_BREAKING, "a body is now expected; a new body to read"),
    Change.BODY_REMOVED:       Rule(NON_BREAKING, BREAKING,     "nothing to send; nothing to read"),
}
# fmt: on


def is_breaking(change: Change, section: str) -> bool:
    """Classify one change in the `request`, `response` or `error` body."""
    rule = RULES[change]
    return rule.request if section == "request" else rule.response
