"""`plaid-partner-insights get`: one request, its fields from flags (one per top-level string field of the spec's
request) or a JSON file; prints the JSON response or a summary."""

from __future__ import annotations

import argparse
import json
import sys

from plaid_partner_insights_generated.client.api.partner_insights.get import PATH

from .. import _spec
from ._arguments import Parser
from ._exit import ExitCode, UsageError
from ._report import fetch, summarize
from ._target import client_for

__all__ = ["configure", "run"]

# Credentials come from the environment, never from flags (which other users can read in `ps`).
CREDENTIAL_FIELDS = ("client_id", "secret")
# The fields that name the user: one of them, never blank. Two name the user twice (the spec: exactly one).
USER_FIELDS = ("user_id", "user_token", "third_party_user_token")
_ONE_USER = ("user_id", "user_token")


def _request_flag_fields() -> tuple[_spec.RequestOption, ...]:
    return tuple(field for field in _spec.request_option_fields() if field.name not in CREDENTIAL_FIELDS)


def _flag(name: str) -> str:
    return f"--{name.replace('_', '-')}"


def _flag_help(description: str) -> str:
    """The first sentence of the spec's description, as argparse help (where `%` is special)."""
    return description.split(". ")[0].rstrip(".").replace("%", "%%")


def _prism_version(value: str) -> tuple[str, str]:
    product, sep, version = value.partition("=")
    if not sep or not product.strip() or not version.strip():
        raise argparse.ArgumentTypeError(f"expected PRODUCT=VERSION (for example cashscore=4), got {value!r}")
    return product.strip(), version.strip()


def configure(parser: Parser) -> None:
    parser.description = (
        f"Send {PATH}. --env sends to Plaid with PLAID_CLIENT_ID and PLAID_SECRET from the environment; --base-url "
        "to a running emulator; --local (the default when no PLAID_* variable is set) to the built-in emulator, "
        "started in this process, which answers fake data."
    )
    parser.add_argument("--json", metavar="FILE", dest="json_file", help="request body as a JSON object ('-': stdin)")
    for field in _request_flag_fields():
        parser.add_argument(_flag(field.name), choices=field.choices, help=_flag_help(field.description))
    parser.add_argument(
        "--prism-version",
        metavar="PRODUCT=VERSION",
        type=_prism_version,
        action="append",
        default=[],
        help="partner_insights.prism_versions entry, repeatable (e.g. cashscore=4 insights=4); products: "
        + ", ".join(product.request_key for product in _spec.prism_products()),
    )
    parser.add_argument("--summary", action="store_true", help="print a short human summary instead of the JSON")


def _read_json_file(name: str) -> dict[str, object]:
    label = "stdin" if name == "-" else name
    try:
        if name == "-":
            text = sys.stdin.read()
        else:
            with open(name, encoding="utf-8") as handle:
                text = handle.read()
    except (OSError, UnicodeDecodeError) as exc:
        reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else type(exc).__name__
        raise UsageError(f"--json: cannot read {label}: {reason}") from None
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise UsageError(
            f"--json: {label} is not valid JSON: {exc.msg} at line {exc.lineno} column {exc.colno}"
        ) from None
    if not isinstance(data, dict):
        raise UsageError(f"--json: {label} must hold a JSON object (the request body), not a {type(data).__name__}")
    return data


def _object(body: dict[str, object], path: str) -> dict[str, object]:
    """The object at a dotted path of the body (empty when absent); anything else there is refused."""
    node: dict[str, object] = body
    keys = path.split(".")
    for depth, key in enumerate(keys, 1):
        found = node.get(key)
        if found is None:
            return {}
        if not isinstance(found, dict):
            raise UsageError(f"{'.'.join(keys[:depth])}: expected an object")
        node = found
    return dict(node)


def request_from_args(args: argparse.Namespace) -> dict[str, object]:
    """The request body: the --json file, plus the flags. A flag never silently replaces what the file says."""
    from_file = _read_json_file(args.json_file) if args.json_file else {}
    where = f"in --json {'stdin' if args.json_file == '-' else args.json_file}"
    body = dict(from_file)
    for field in _request_flag_fields():
        value = getattr(args, field.name)
        if value is None:
            continue
        if field.name in from_file and from_file[field.name] != value:
            raise UsageError(f"{_flag(field.name)} {value!r} conflicts with {field.name} {where}: give one of them")
        body[field.name] = value
    if args.prism_version:
        versions = _object(body, "partner_insights.prism_versions")
        for product, version in args.prism_version:
            if versions.get(product, version) != version:
                raise UsageError(
                    f"--prism-version {product}={version} conflicts with partner_insights.prism_versions.{product} "
                    f"{where}: give one of them"
                )
            versions[product] = version
        body["partner_insights"] = {**_object(body, "partner_insights"), "prism_versions": versions}
    named = [name for name in _ONE_USER if name in body]
    if len(named) > 1:
        sources = [_flag(name) if getattr(args, name, None) is not None else f"{name} {where}" for name in named]
        raise UsageError(f"{' and '.join(sources)} both name the user: give one of them")
    if not any(key in body for key in USER_FIELDS):
        raise UsageError("give --user-id or --user-token (or a --json file with user_id or user_token)")
    for key in USER_FIELDS:
        value = body.get(key)
        if isinstance(value, str) and not value.strip():
            raise UsageError(f"{key} is {'empty' if not value else 'only whitespace'}: give the id of a user")
    return body


def run(args: argparse.Namespace) -> int:
    body = request_from_args(args)
    with client_for(args) as client:
        result = fetch(client, body)
    print(summarize(result) if args.summary else json.dumps(result, indent=2, ensure_ascii=False))
    return ExitCode.OK
