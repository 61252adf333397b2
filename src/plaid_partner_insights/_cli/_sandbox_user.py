"""`plaid-partner-insights sandbox-user`: a user of Plaid's sandbox (or of the emulator) whose report is ready.

Test tooling: the setup-flow driver (`plaid_partner_insights.testing`) is imported only when this command is
parsed or run.
"""

from __future__ import annotations

import argparse
import sys

from ._arguments import POSITIVE_SECONDS, Parser, address
from ._exit import CommandError, ExitCode, UsageError
from ._target import emulator_credentials, plaid_credentials

__all__ = ["configure", "run"]


def configure(parser: Parser) -> None:
    from ..testing._bootstrap import DEFAULT_CLIENT_USER_ID, DEFAULT_PERSONA, SANDBOX_INSTITUTION_ID

    parser.description = (
        "Walk Plaid's sandbox setup flow with the keys in PLAID_CLIENT_ID / PLAID_SECRET: create or reuse a user "
        f"(stable --client-user-id), add a sandbox Item at {SANDBOX_INSTITUTION_ID} with a credit test persona, "
        "create a Consumer Report with Partner Insights and wait until it is ready. Prints the user_id (alone, on "
        "stdout); progress goes to stderr."
    )
    parser.add_argument(
        "--client-user-id",
        default=DEFAULT_CLIENT_USER_ID,
        help=f"your stable id for the user; the same id reuses the user (default: {DEFAULT_CLIENT_USER_ID})",
    )
    parser.add_argument(
        "--persona", default=DEFAULT_PERSONA, help=f"sandbox test username of the Item (default: {DEFAULT_PERSONA})"
    )
    parser.add_argument(
        "--wait",
        type=POSITIVE_SECONDS,
        default=300.0,
        metavar="SECONDS",
        help="how long to wait for the report (default: 300)",
    )
    parser.add_argument(
        "--webhook",
        metavar="URL",
        help="wait for Plaid's CHECK_REPORT webhook at this URL instead of polling; it must reach --listen",
    )
    parser.add_argument(
        "--listen",
        type=address,
        metavar="HOST:PORT",
        help="where to receive the webhook (default: the --webhook URL's host and port)",
    )
    parser.add_argument("--quiet", action="store_true", help="no progress lines on stderr")


def run(args: argparse.Namespace) -> int:
    """The user_id on stdout; a failed step exits 1 with the step and its fix."""
    from ..testing._bootstrap import SandboxBootstrapError, bootstrap_sandbox_user

    if bool(args.env) == bool(args.base_url):
        raise UsageError("give --env sandbox (Plaid's sandbox) or --base-url URL (the local emulator), one of the two")
    if args.listen and not args.webhook:
        raise UsageError("--listen needs --webhook")
    client_id, secret = plaid_credentials() if args.env else emulator_credentials()

    def progress(line: str) -> None:
        if not args.quiet:
            print(f"sandbox-user: {line}", file=sys.stderr, flush=True)

    try:
        user = bootstrap_sandbox_user(
            client_id=client_id,
            secret=secret,
            base_url=args.base_url,
            client_user_id=args.client_user_id,
            persona=args.persona,
            timeout=args.wait,
            webhook=args.webhook,
            listen=args.listen,
            progress=progress,
        )
    except SandboxBootstrapError as exc:
        raise CommandError(str(exc)) from None
    if user.user_token:
        progress(f"this client is on Plaid's older user API: send user_token={user.user_token!r}")
    print(user.user_id)
    return ExitCode.OK
