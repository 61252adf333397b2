"""`plaid-partner-insights emulator` (deprecated name: `sandbox`): serve the local emulator until Ctrl-C.

Test tooling: the emulator's modules are imported only when this command is parsed or run.
"""

from __future__ import annotations

import argparse
import os
import sys
import textwrap

from plaid_partner_insights_generated.client.api.partner_insights.get import PATH

from ._arguments import NON_NEGATIVE_SECONDS, PORT, POSITIVE_INT, POSITIVE_SECONDS, Parser
from ._exit import CommandError, ExitCode, UsageError
from ._target import load_emulator

__all__ = ["CLIENT_ID_VARIABLE", "DEPRECATED_COMMAND", "SECRET_VARIABLE", "configure", "run"]

# The credentials the server accepts may come from the environment, so that the secret stays out of `ps`.
CLIENT_ID_VARIABLE = "PLAID_EMULATOR_CLIENT_ID"
SECRET_VARIABLE = "PLAID_EMULATOR_SECRET"  # noqa: S105 (a variable name, not a secret)
# 0.1.0's names, read (with a note on stderr) when the new ones are unset; they go in 0.2.
_DEPRECATED_VARIABLES = {CLIENT_ID_VARIABLE: "PLAID_SANDBOX_CLIENT_ID", SECRET_VARIABLE: "PLAID_SANDBOX_SECRET"}
DEPRECATED_COMMAND = "sandbox"


def configure(parser: Parser) -> None:
    from plaid_partner_insights_generated.testing.sandbox_setup_paths import CRA_CHECK_REPORT_CREATE

    from ..testing.emulator._address import DEFAULT_HOST, DEFAULT_PORT
    from ..testing.emulator._limits import DEFAULT_MAX_CONNECTIONS, DEFAULT_REQUEST_TIMEOUT
    from ..testing.emulator._timing import DEFAULT_REPORT_DELAY, DEFAULT_REPORT_LIFETIME, NEW_CLIENT_CUTOFF
    from ..testing.emulator._users import EMULATOR_USERS

    users = "\n".join(f"  {user.user_id:32} {user.description.replace('`', '')}" for user in EMULATOR_USERS)
    # The raw formatter keeps the users' table as it is; the description is wrapped here instead.
    parser.description = textwrap.fill(
        f"Serve a local emulator of Plaid's API for {PATH} and print its URL. Any user_id or user_token but the "
        "special ones below gets a report seeded from it."
    )
    parser.epilog = f"the emulator's users (send as user_id or user_token):\n{users}"
    parser.formatter_class = argparse.RawDescriptionHelpFormatter
    parser.add_argument("--host", default=DEFAULT_HOST, help="address to listen on (default: %(default)s)")
    parser.add_argument(
        "--port", type=PORT, default=DEFAULT_PORT, help="port to listen on; 0 picks a free one (default: %(default)s)"
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
        help=f"play a client created on or after {NEW_CLIENT_CUTOFF}: request-time options and partner_insights are "
        "refused",
    )
    parser.add_argument(
        "--report-delay",
        type=NON_NEGATIVE_SECONDS,
        default=DEFAULT_REPORT_DELAY,
        help=f"seconds a report of the setup flow ({CRA_CHECK_REPORT_CREATE}) stays PRODUCT_NOT_READY "
        f"(default: {DEFAULT_REPORT_DELAY:g})",
    )
    parser.add_argument(
        "--report-lifetime",
        type=NON_NEGATIVE_SECONDS,
        default=DEFAULT_REPORT_LIFETIME,
        help="seconds a ready report can be read before CONSUMER_REPORT_EXPIRED "
        f"(default: {DEFAULT_REPORT_LIFETIME:g}, 24 h)",
    )
    parser.add_argument(
        "--request-timeout",
        type=POSITIVE_SECONDS,
        default=DEFAULT_REQUEST_TIMEOUT,
        metavar="SECONDS",
        help="answer 408 to a client that has not sent its whole request by then (default: %(default)g)",
    )
    parser.add_argument(
        "--max-connections",
        type=POSITIVE_INT,
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


def _from_environment(name: str) -> str | None:
    value = os.environ.get(name)
    if not value and os.environ.get(_DEPRECATED_VARIABLES[name]):
        value = os.environ[_DEPRECATED_VARIABLES[name]]
        print(f"note: ${_DEPRECATED_VARIABLES[name]} is deprecated (it goes in 0.2): set ${name}", file=sys.stderr)
    return value or None


def run(args: argparse.Namespace) -> int:
    """Serve until interrupted: Ctrl-C ends it with `ExitCode.INTERRUPTED`, as every command."""
    if args.command == DEPRECATED_COMMAND:
        print(f"note: `{DEPRECATED_COMMAND}` is deprecated (it goes in 0.2): use `emulator`", file=sys.stderr)
    client_id = _from_environment(CLIENT_ID_VARIABLE) if args.client_id is None else args.client_id
    secret = _from_environment(SECRET_VARIABLE) if args.secret is None else args.secret
    if (client_id is None) != (secret is None):
        raise UsageError(
            f"give both --client-id and --secret, or neither (or ${CLIENT_ID_VARIABLE} and ${SECRET_VARIABLE})"
        )
    if client_id == "" or secret == "":
        raise UsageError("--client-id and --secret must not be empty")
    emulator = load_emulator()
    try:
        emulator.serve(
            host=args.host,
            port=args.port,
            client_id=client_id,
            secret=secret,
            new_client=args.new_client,
            setup=emulator.SetupSettings(report_delay=args.report_delay, report_lifetime=args.report_lifetime),
            request_timeout=args.request_timeout,
            max_connections=args.max_connections,
            admin_api=args.admin_api,
        )
    except emulator.EmulatorError as exc:
        raise CommandError(str(exc)) from None
    # uvicorn re-raises the Ctrl-C it stopped on, after a clean shutdown: `main` turns it into exit code 130.
    return ExitCode.OK
