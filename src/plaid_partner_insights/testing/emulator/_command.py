"""The `plaid-partner-insights emulator` subcommand; importable without the `sandbox` extra."""

from __future__ import annotations

import argparse
import os
import sys
import typing

from ..._compat_argparse import SubParsers
from ._limits import DEFAULT_MAX_CONNECTIONS, DEFAULT_REQUEST_TIMEOUT
from ._timing import DEFAULT_REPORT_DELAY, DEFAULT_REPORT_LIFETIME

__all__ = ["CLIENT_ID_VARIABLE", "SECRET_VARIABLE", "add_emulator_command", "run_emulator_command"]

# The credentials the server accepts may come from the environment, so that the secret stays out of `ps`.
CLIENT_ID_VARIABLE = "PLAID_EMULATOR_CLIENT_ID"
SECRET_VARIABLE = "PLAID_EMULATOR_SECRET"  # noqa: S105 (a variable name, not a secret)
# 0.1.0's names, read (with a note on stderr) when the new ones are unset; they go in 0.2.
_DEPRECATED_VARIABLES = {CLIENT_ID_VARIABLE: "PLAID_SANDBOX_CLIENT_ID", SECRET_VARIABLE: "PLAID_SANDBOX_SECRET"}
DEPRECATED_COMMAND = "sandbox"


def _port(text: str) -> int:
    try:
        port = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a port number: {text!r}") from None
    if not 0 <= port <= 65535:
        raise argparse.ArgumentTypeError(f"port must be 0-65535 (0 picks a free port), got {port}")
    return port


def _seconds(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number of seconds: {text!r}") from None
    if not value >= 0:
        raise argparse.ArgumentTypeError(f"must be 0 seconds or more, got {text}")
    return value


def _positive(kind: type[float] | type[int]) -> typing.Callable[[str], float]:
    def parse(text: str) -> float:
        try:
            value = kind(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"not a number: {text!r}") from None
        if not 0 < value < float("inf"):
            raise argparse.ArgumentTypeError(f"must be > 0, got {text!r}")
        return value

    return parse


def add_emulator_command(subparsers: SubParsers) -> None:
    """Register `emulator` (and its deprecated name `sandbox`) on the CLI's subparsers."""
    from ._users import EMULATOR_USERS

    users = "\n".join(f"  {user.user_id:32} {user.description.replace('`', '')}" for user in EMULATOR_USERS)
    parser = subparsers.add_parser(
        "emulator",
        aliases=[DEPRECATED_COMMAND],
        help="serve the local emulator of Plaid's API until interrupted (`sandbox`: its deprecated name)",
        description="Serve a local emulator of Plaid's API for /cra/check_report/partner_insights/get and print its "
        "URL. Any other user_id or user_token gets a report seeded from it.",
        epilog=f"the emulator's users (send as user_id or user_token):\n{users}",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--host", default="127.0.0.1", help="address to listen on (default: 127.0.0.1)")
    parser.add_argument(
        "--port", type=_port, default=8787, help="port to listen on; 0 picks a free one (default: 8787)"
    )
    parser.add_argument(
        "--client-id",
        default=None,
        help=f"accept only this client id (default: ${CLIENT_ID_VARIABLE}, else any non-empty one)",
    )
    parser.add_argument(
        "--secret",
        default=None,
        help=f"accept only this secret, with --client-id (default: ${SECRET_VARIABLE}; the environment keeps it out "
        "of `ps`)",
    )
    parser.add_argument(
        "--new-client",
        action="store_true",
        help="play a client created on or after 2026-07-01: request-time options and partner_insights are refused",
    )
    parser.add_argument(
        "--report-delay",
        type=_seconds,
        default=DEFAULT_REPORT_DELAY,
        help="seconds a report of the setup flow (/cra/check_report/create) stays PRODUCT_NOT_READY "
        f"(default: {DEFAULT_REPORT_DELAY:g})",
    )
    parser.add_argument(
        "--report-lifetime",
        type=_seconds,
        default=DEFAULT_REPORT_LIFETIME,
        help="seconds a ready report can be read before CONSUMER_REPORT_EXPIRED "
        f"(default: {DEFAULT_REPORT_LIFETIME:g}, 24 h)",
    )
    parser.add_argument(
        "--request-timeout",
        type=_positive(float),
        default=DEFAULT_REQUEST_TIMEOUT,
        metavar="SECONDS",
        help="answer 408 to a client that has not sent its whole request by then (default: %(default)g)",
    )
    parser.add_argument(
        "--max-connections",
        type=_positive(int),
        default=DEFAULT_MAX_CONNECTIONS,
        metavar="N",
        help="answer 503 to requests past this many open connections (default: %(default)d)",
    )
    parser.add_argument(
        "--admin-api",
        action="store_true",
        help="serve the request journal, queued faults and reset over HTTP under /__emulator/ (see the README); "
        "anyone who can reach the port can use it",
    )
    parser.set_defaults(run=run_emulator_command)


def _from_environment(name: str) -> str | None:
    value = os.environ.get(name)
    if not value and os.environ.get(_DEPRECATED_VARIABLES[name]):
        value = os.environ[_DEPRECATED_VARIABLES[name]]
        print(f"note: ${_DEPRECATED_VARIABLES[name]} is deprecated (it goes in 0.2): set ${name}", file=sys.stderr)
    return value or None


def run_emulator_command(args: argparse.Namespace) -> int:
    """Serve until interrupted; exit status 0 on Ctrl-C, 2 on bad arguments, 1 if the server cannot start."""
    prog = f"plaid-partner-insights {args.command}"
    if args.command == DEPRECATED_COMMAND:
        print(f"note: `{DEPRECATED_COMMAND}` is deprecated (it goes in 0.2): use `emulator`", file=sys.stderr)
    if args.client_id is None:
        args.client_id = _from_environment(CLIENT_ID_VARIABLE)
    if args.secret is None:
        args.secret = _from_environment(SECRET_VARIABLE)
    if (args.client_id is None) != (args.secret is None):
        print(
            f"{prog}: give both --client-id and --secret, or neither (or ${CLIENT_ID_VARIABLE} and ${SECRET_VARIABLE})",
            file=sys.stderr,
        )
        return 2
    if args.client_id == "" or args.secret == "":
        print(f"{prog}: --client-id and --secret must not be empty", file=sys.stderr)
        return 2
    try:
        from . import EmulatorError, SetupSettings, serve
    except ImportError as exc:
        # The same line and exit code as `get` and `demo` without the extra (see _cli.main).
        print(f"error: {exc}", file=sys.stderr)
        return 2
    try:
        serve(
            host=args.host,
            port=args.port,
            client_id=args.client_id,
            secret=args.secret,
            new_client=args.new_client,
            setup=SetupSettings(report_delay=args.report_delay, report_lifetime=args.report_lifetime),
            request_timeout=args.request_timeout,
            max_connections=args.max_connections,
            admin_api=args.admin_api,
        )
    except EmulatorError as exc:
        print(f"{prog}: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        pass  # uvicorn has shut down cleanly and re-raised the Ctrl-C; that is the normal way to stop.
    return 0
