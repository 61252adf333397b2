"""The `plaid-partner-insights` command: `get`, `demo`, `emulator`, `sandbox-user` and `listen`."""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import sys
import typing
import warnings
from collections.abc import Iterator, Mapping

from . import _spec
from ._compat_argparse import SubParsers
from ._listen_command import add_listen_command
from ._version import __version__
from .testing._bootstrap_command import add_sandbox_user_command
from .testing.emulator._command import add_emulator_command

if typing.TYPE_CHECKING:
    from plaid_partner_insights_core._exceptions import PlaidAPIError

    from ._client import PartnerInsightsClient

EXIT_OK = 0
EXIT_ERROR = 1  # the API answered with an error, or no usable answer came back
EXIT_USAGE = 2  # bad flags or bad input, or the `sandbox` extra is missing; nothing was sent
EXIT_INTERRUPTED = 130  # Ctrl-C (128 + SIGINT), as shells report it
EXIT_BROKEN_PIPE = 141  # stdout closed by the reader (128 + SIGPIPE), as shells report it

_CREDENTIAL_FIELDS = ("client_id", "secret")
# Credentials the built-in emulator accepts (it takes any non-empty ones unless started with specific ones).
EMULATOR_CREDENTIALS = ("emulator-client", "emulator-secret")


class UsageError(Exception):
    """Bad command-line input: printed as one line, exit code 2."""


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> typing.NoReturn:
        # One line, not argparse's usage block: `plaid-partner-insights get: error: argument --user-tier: ...`.
        self.exit(EXIT_USAGE, f"{self.prog}: error: {message} (see --help)\n")


def _prism_version(value: str) -> tuple[str, str]:
    product, sep, version = value.partition("=")
    if not sep or not product.strip() or not version.strip():
        raise argparse.ArgumentTypeError(f"expected PRODUCT=VERSION (for example cashscore=4), got {value!r}")
    return product.strip(), version.strip()


def _positive_float(value: str) -> float:
    try:
        number = float(value)
    except ValueError:
        number = -1.0
    if not 0 < number < float("inf"):
        raise argparse.ArgumentTypeError(f"expected a positive number of seconds, got {value!r}")
    return number


def _non_negative_int(value: str) -> int:
    if not value.isdigit():
        raise argparse.ArgumentTypeError(f"expected an integer >= 0, got {value!r}")
    return int(value)


def _request_flag_fields() -> tuple[_spec.RequestOption, ...]:
    # Credentials come from the environment, never from flags (which other users can read in `ps`).
    return tuple(field for field in _spec.request_option_fields() if field.name not in _CREDENTIAL_FIELDS)


def _flag_help(description: str) -> str:
    """The first sentence of the spec's description, as argparse help (where `%` is special)."""
    return description.split(". ")[0].rstrip(".").replace("%", "%%")


def _add_global_options(parser: argparse.ArgumentParser, *, top_level: bool) -> None:
    """The options every command takes, before or after its name (`-v get` and `get -v` alike).

    On the subcommands they default to SUPPRESS, so an option given only before the command is not reset by the
    subcommand's own default.
    """

    def default(value: object) -> object:
        return value if top_level else argparse.SUPPRESS

    group = parser.add_argument_group("global options (before or after the command)")
    group.add_argument(
        "-v", "--verbose", action="store_true", default=default(False), help="log each HTTP attempt to stderr"
    )
    group.add_argument(
        "--env", choices=["sandbox", "production"], default=default(None), help="send to Plaid's sandbox or production"
    )
    group.add_argument(
        "--base-url",
        metavar="URL",
        default=default(None),
        help="send to a running emulator, e.g. http://127.0.0.1:8787",
    )
    group.add_argument(
        "--local", action="store_true", default=default(False), help="send to the built-in emulator (fake data)"
    )
    group.add_argument(
        "--timeout", type=_positive_float, metavar="SECONDS", default=default(None), help="timeout of each attempt"
    )
    group.add_argument(
        "--max-retries",
        type=_non_negative_int,
        metavar="N",
        default=default(None),
        help="retries on 429/5xx/network errors",
    )


# Global options that make no sense for a command: refused there rather than silently ignored.
_NOT_FOR = {
    "demo": ("env", "base_url"),  # always the built-in emulator
    "listen": ("local",),  # an emulator of its own would sign nothing that reaches this port
    "emulator": ("env", "base_url", "local", "timeout", "max_retries"),  # a server, not a client
    "sandbox": ("env", "base_url", "local", "timeout", "max_retries"),  # `emulator` by its deprecated name
}


def _check_global_options(args: argparse.Namespace) -> None:
    targets = [f"--{name.replace('_', '-')}" for name in ("env", "base_url", "local") if getattr(args, name)]
    if len(targets) > 1:
        raise UsageError(f"{' and '.join(targets)} exclude each other: give one")
    for name in _NOT_FOR.get(args.command, ()):
        if getattr(args, name) not in (None, False):
            raise UsageError(f"--{name.replace('_', '-')} does not apply to `{args.command}`")


def _build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="plaid-partner-insights", description=__doc__)
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    _add_global_options(parser, top_level=True)
    commands = parser.add_subparsers(dest="command", required=True)

    get = commands.add_parser(
        "get",
        help="fetch a Partner Insights report and print it as JSON (or a summary)",
        description=(
            "Send /cra/check_report/partner_insights/get. --env sends to Plaid with PLAID_CLIENT_ID and PLAID_SECRET "
            "from the environment; --base-url to a running emulator; --local (the default when no PLAID_* variable "
            "is set) to the built-in emulator, started in this process, which answers fake data."
        ),
    )
    get.add_argument("--json", metavar="FILE", dest="json_file", help="request body as a JSON object ('-': stdin)")
    for field in _request_flag_fields():  # one flag per top-level string field of the spec's request
        get.add_argument(f"--{field.name.replace('_', '-')}", choices=field.choices, help=_flag_help(field.description))
    get.add_argument(
        "--prism-version",
        metavar="PRODUCT=VERSION",
        type=_prism_version,
        action="append",
        default=[],
        help="partner_insights.prism_versions entry, repeatable (e.g. cashscore=4 insights=4); products: "
        + ", ".join(product.request_key for product in _spec.prism_products()),
    )
    get.add_argument("--summary", action="store_true", help="print a short human summary instead of the JSON")
    get.set_defaults(run=_run_get)

    demo = commands.add_parser(
        "demo", help="start the local emulator, fetch a report through the client, print a summary"
    )
    demo.set_defaults(run=_run_demo)

    add_emulator_command(typing.cast("SubParsers", commands))  # sets `run`
    add_sandbox_user_command(typing.cast("SubParsers", commands))
    add_listen_command(typing.cast("SubParsers", commands))
    for command in dict.fromkeys(commands.choices.values()):  # an alias maps to its command's own parser
        _add_global_options(command, top_level=False)
    return parser


def main(argv: list[str] | None = None) -> int:
    """The console script. Never ends in a traceback: Ctrl-C exits 130, a closed stdout (`| head`) 141."""
    try:
        code = _main(argv)
        sys.stdout.flush()  # a reader that went away shows up here, not in the interpreter's exit flush
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return EXIT_INTERRUPTED
    except BrokenPipeError:
        # Point stdout at /dev/null so the interpreter's final flush of the unwritten rest cannot fail again.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)
        return EXIT_BROKEN_PIPE
    return code


def _main(argv: list[str] | None) -> int:
    parser = _build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:  # --help, --version, or a usage error already printed on one line
        return exc.code if isinstance(exc.code, int) else EXIT_USAGE
    restore_logging = _verbose_logging() if args.verbose else None
    try:
        _check_global_options(args)
        return int(args.run(args))
    except UsageError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    finally:
        if restore_logging is not None:
            restore_logging()


def _verbose_logging() -> typing.Callable[[], None]:
    """Log this library's DEBUG lines (one per HTTP attempt) to stderr; returns the undo."""
    import logging

    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("%(name)s %(levelname)s %(message)s"))
    logger = logging.getLogger("plaid_partner_insights")
    level = logger.level
    logger.addHandler(handler)
    logger.setLevel(logging.DEBUG)

    def restore() -> None:
        logger.removeHandler(handler)
        logger.setLevel(level)

    return restore


# -- get ---------------------------------------------------------------------------------------------------------


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


def _request_from_args(args: argparse.Namespace) -> dict[str, object]:
    body: dict[str, object] = _read_json_file(args.json_file) if args.json_file else {}
    for field in _request_flag_fields():
        value = getattr(args, field.name)
        if value is not None:
            body[field.name] = value
    if args.prism_version:
        partner_insights = body.get("partner_insights")
        if partner_insights is None:
            partner_insights = {}
        if not isinstance(partner_insights, dict):
            raise UsageError("partner_insights: expected an object")
        versions = partner_insights.get("prism_versions") or {}
        if not isinstance(versions, dict):
            raise UsageError("partner_insights.prism_versions: expected an object")
        versions = {**versions, **dict(args.prism_version)}
        body["partner_insights"] = {**partner_insights, "prism_versions": versions}
    if not any(key in body for key in _USER_FIELDS):
        raise UsageError("give --user-id or --user-token (or a --json file with user_id or user_token)")
    for key in _USER_FIELDS:
        value = body.get(key)
        if isinstance(value, str) and not value.strip():
            raise UsageError(f"{key} is {'empty' if not value else 'only whitespace'}: give the id of a user")
    return body


# The fields that name the user; an empty or blank one is refused before anything is sent.
_USER_FIELDS = ("user_id", "user_token", "third_party_user_token")


def _client_options(args: argparse.Namespace) -> dict[str, typing.Any]:
    options: dict[str, typing.Any] = {}
    if args.timeout is not None:
        options["timeout"] = args.timeout
    if args.max_retries is not None:
        options["max_retries"] = args.max_retries
    return options


def _refuse_fake_data_by_surprise(args: argparse.Namespace) -> None:
    """With PLAID_* settings in the environment, `get` never falls back to the built-in emulator unasked.

    Someone with PLAID_ENV=production exported expects Plaid's answer; fake data then would be a silent lie.
    """
    from ._client import ENVIRONMENT_VARIABLES

    if args.env or args.base_url or args.local:
        return
    present = [name for name in ENVIRONMENT_VARIABLES if os.environ.get(name, "").strip()]
    if present:
        raise UsageError(
            f"{', '.join(present)} {'is' if len(present) == 1 else 'are'} set but no target was given: "
            "pass --env sandbox|production to send to Plaid with them, --base-url URL for a running emulator, "
            "or --local for the built-in emulator's fake data"
        )


@contextlib.contextmanager
def _client_for(args: argparse.Namespace) -> Iterator[PartnerInsightsClient]:
    from plaid_partner_insights_core._exceptions import ConfigurationError

    from ._client import PartnerInsightsClient, _env_settings

    _refuse_fake_data_by_surprise(args)
    options = _client_options(args)
    # Anything but --env talks to an emulator: real credentials from the environment if set, else placeholders.
    client_id = os.environ.get("PLAID_CLIENT_ID") or EMULATOR_CREDENTIALS[0]
    secret = os.environ.get("PLAID_SECRET") or EMULATOR_CREDENTIALS[1]
    try:
        if args.env:
            settings = _env_settings()
            settings.pop("base_url", None)
            settings["environment"] = args.env
            client = PartnerInsightsClient(**settings, **options)
        elif args.base_url:
            client = PartnerInsightsClient(client_id=client_id, secret=secret, base_url=args.base_url, **options)
        else:
            client = None
    except ConfigurationError as exc:
        raise UsageError(str(exc)) from None
    if client is not None:
        with client:
            yield client
        return
    with (
        _local_emulator() as url,
        PartnerInsightsClient(client_id=client_id, secret=secret, base_url=url, **options) as client,
    ):
        yield client


@contextlib.contextmanager
def _local_emulator() -> Iterator[str]:
    """The built-in emulator on a free loopback port, announced on stderr: its answers are fake data."""
    try:
        from .testing.emulator import EmulatorServer
    except ImportError as exc:
        raise UsageError(str(exc)) from None  # the emulator package's own message names the extra to install
    with EmulatorServer(port=0) as server:
        print(f"note: using the built-in emulator at {server.url}: its answers are fake data", file=sys.stderr)
        yield server.url


def _fetch(client: PartnerInsightsClient, body: Mapping[str, object]) -> dict[str, typing.Any] | int:
    """The response as a dict, or an exit code after printing one error line."""
    from plaid_partner_insights_core._exceptions import PartnerInsightsError, PlaidAPIError, RequestValidationError

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", DeprecationWarning)
        try:
            response = client.partner_insights.get(**typing.cast(typing.Any, body))
        except TypeError as exc:  # an unknown request field
            print(
                f"error: {exc}".replace("get() got an unexpected keyword argument", "unknown request field"),
                file=sys.stderr,
            )
            return EXIT_USAGE
        except RequestValidationError as exc:
            print(f"error: invalid request field {exc}", file=sys.stderr)
            return EXIT_USAGE
        except PlaidAPIError as exc:
            print(f"error: {format_api_error(exc)}", file=sys.stderr)
            for line in format_causes(exc):
                print(f"  cause: {line}", file=sys.stderr)
            return EXIT_ERROR
        except PartnerInsightsError as exc:
            print(f"error: {exc}", file=sys.stderr)
            return EXIT_ERROR
        finally:
            for warning in caught:
                print(f"warning: {warning.message}", file=sys.stderr)
    return response.to_dict()


def format_api_error(exc: typing.Any) -> str:
    """`ERROR_TYPE/ERROR_CODE: message (request_id=...)`, one line."""
    if exc.error_type is None:
        head = f"HTTP {exc.status_code}: response is not a Plaid error: {exc.body_excerpt!r}"
    else:
        head = f"{exc.error_type}/{exc.error_code}: {exc.error_message}"
    head = " ".join(head.split())
    return f"{head} (request_id={exc.request_id})" if exc.request_id else f"{head} (HTTP {exc.status_code})"


def format_causes(exc: PlaidAPIError) -> list[str]:
    """One line per entry of the error's `causes`, in the order received: `item ITEM_ID: ERROR_TYPE/ERROR_CODE:
    message`, or the entry's JSON when it is not shaped like a `Cause` (the spec leaves the entries' shape open)."""
    from plaid_partner_insights_generated.client.models import Cause

    from plaid_partner_insights_core._exceptions import ResponseValidationError

    received = exc.error.causes if exc.error is not None else None
    lines = []
    for entry in received or []:
        try:
            cause = Cause.from_dict(entry)
        except ResponseValidationError:
            text = json.dumps(entry, ensure_ascii=False)
        else:
            text = f"item {cause.item_id}: {cause.error_type}/{cause.error_code}: {cause.error_message}"
        lines.append(" ".join(text.split()))
    return lines


def _run_get(args: argparse.Namespace) -> int:
    body = _request_from_args(args)
    with _client_for(args) as client:
        result = _fetch(client, body)
    if isinstance(result, int):
        return result
    print(summarize(result) if args.summary else json.dumps(result, indent=2, ensure_ascii=False))
    return EXIT_OK


# -- demo --------------------------------------------------------------------------------------------------------


def _run_demo(args: argparse.Namespace) -> int:
    from ._client import PartnerInsightsClient

    with _local_emulator() as url:
        from .testing.emulator import DEMO_USER_ID

        print(f"Fetching the report of the emulator's user {DEMO_USER_ID} through the client.\n")
        with PartnerInsightsClient(
            client_id=EMULATOR_CREDENTIALS[0],
            secret=EMULATOR_CREDENTIALS[1],
            base_url=url,
            **_client_options(args),
        ) as client:
            result = _fetch(client, {"user_id": DEMO_USER_ID})
    if isinstance(result, int):
        return result
    print(summarize(result))
    return EXIT_OK


# -- summary -----------------------------------------------------------------------------------------------------


def _get(mapping: object, *keys: str) -> typing.Any:
    for key in keys:
        if not isinstance(mapping, dict):
            return None
        mapping = mapping.get(key)
    return mapping


def summarize(response: Mapping[str, typing.Any]) -> str:
    """A few lines for humans: Prism scores, FICO scores, how many Items and accounts, warnings."""
    lines = [f"request_id: {response.get('request_id')}"]
    report = response.get("report")
    if not isinstance(report, dict):
        lines.append("no report in the response")
    else:
        lines.append(f"report_id: {report.get('report_id', '-')}  generated: {report.get('generated_time', '-')}")
        prism = report.get("prism")
        if isinstance(prism, dict):
            lines.append(f"Prism Data (status {prism.get('status')}):")
            # Every product in the answer, known to the spec or not; the spec gives the display names.
            labels = {product.report_key: product.label for product in _spec.prism_products()}
            for key, product in prism.items():
                if not isinstance(product, dict):
                    continue
                label = labels.get(key, key)
                version = product.get("model_version", product.get("version", "?"))
                if "result" in product:
                    result = product.get("result")
                    detail = f"{len(result)} attributes" if isinstance(result, dict) else "no attributes"
                elif "score" not in product and product.get("error_reason"):
                    detail = "no result"
                else:
                    score = product.get("score")
                    detail = f"score {score}" if score is not None else "no score"
                if product.get("error_reason"):
                    detail += f" (error: {product['error_reason']})"
                lines.append(f"  {label:<12} v{version:<6} {detail}")
        else:
            lines.append("Prism Data: none")
        fico = report.get("fico")
        if isinstance(fico, dict):
            lines.append(f"UltraFICO (application {fico.get('lender_application_id')}):")
            for result in fico.get("ultrafico_score_results") or []:
                score = _get(result, "ultrafico_score", "score")
                if score is not None:
                    lines.append(
                        f"  score {score} (version {_get(result, 'ultrafico_score', 'ultrafico_score_version')})"
                    )
                else:
                    lines.append(
                        f"  no score ({result.get('error_reason') or result.get('exclusion_code') or 'unknown'})"
                    )
        items = report.get("items") or []
        accounts = sum(len(item.get("accounts") or []) for item in items if isinstance(item, dict))
        lines.append(f"items: {len(items)}, accounts: {accounts}")
    warnings_list = response.get("warnings") or []
    lines.append(f"warnings: {len(warnings_list)}")
    for warning in warnings_list:
        cause = warning.get("cause") if isinstance(warning, dict) else None
        why = f" ({cause.get('error_type')}/{cause.get('error_code')})" if isinstance(cause, dict) else ""
        lines.append(f"  {_get(warning, 'warning_code')}{why}")
    return "\n".join(lines)
