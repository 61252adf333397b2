"""The `plaid-partner-insights sandbox-user` subcommand: print a sandbox user whose report is ready."""

from __future__ import annotations

import argparse
import os
import sys

from .._compat_argparse import SubParsers
from ._bootstrap import (
    DEFAULT_CLIENT_USER_ID,
    DEFAULT_PERSONA,
    SandboxBootstrapError,
    bootstrap_sandbox_user,
)

__all__ = ["add_sandbox_user_command"]

EXIT_FAILED = 1
EXIT_USAGE = 2
# What the emulator accepts when no keys are set (it takes any non-empty pair unless told otherwise).
_EMULATOR_PLACEHOLDERS = ("emulator-client", "emulator-secret")


def _positive(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number of seconds: {text!r}") from None
    if not value > 0:
        raise argparse.ArgumentTypeError(f"must be more than 0 seconds, got {text}")
    return value


def _address(text: str) -> tuple[str, int]:
    host, _, port = text.rpartition(":")
    if not host or not port.isdigit() or not 0 < int(port) <= 65535:
        raise argparse.ArgumentTypeError(f"expected HOST:PORT, e.g. 127.0.0.1:8790, got {text!r}")
    return host.strip("[]"), int(port)


def add_sandbox_user_command(subparsers: SubParsers) -> None:
    """Register `sandbox-user` on the CLI's subparsers."""
    parser = subparsers.add_parser(
        "sandbox-user",
        help="create or reuse a sandbox user whose Partner Insights report is ready; print its user_id",
        description="Walk Plaid's sandbox setup flow with the keys in PLAID_CLIENT_ID / PLAID_SECRET: create or "
        "reuse a user (stable --client-user-id), add a sandbox Item at ins_109508 with a credit test persona, "
        "create a Consumer Report with Partner Insights and wait until it is ready. Prints the user_id (alone, on "
        "stdout); progress goes to stderr.",
    )
    # --env sandbox (Plaid's sandbox) or --base-url URL (a local sandbox) are the CLI's global options.
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
        type=_positive,
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
        type=_address,
        metavar="HOST:PORT",
        help="where to receive the webhook (default: the --webhook URL's host and port)",
    )
    parser.add_argument("--quiet", action="store_true", help="no progress lines on stderr")
    parser.set_defaults(run=run_sandbox_user_command)


def run_sandbox_user_command(args: argparse.Namespace) -> int:
    """Exit 0 with the user_id on stdout; 1 with the failed step and its fix; 2 for bad arguments."""
    env, base_url = getattr(args, "env", None), getattr(args, "base_url", None)
    if (env == "sandbox") == bool(base_url):
        print(
            "plaid-partner-insights sandbox-user: give --env sandbox (Plaid's sandbox) or --base-url URL "
            "(the local emulator), one of the two",
            file=sys.stderr,
        )
        return EXIT_USAGE
    client_id = os.environ.get("PLAID_CLIENT_ID", "")
    secret = os.environ.get("PLAID_SECRET", "")
    if env and not (client_id and secret):
        print(
            "plaid-partner-insights sandbox-user: set PLAID_CLIENT_ID and PLAID_SECRET to your Plaid sandbox keys",
            file=sys.stderr,
        )
        return EXIT_USAGE
    if args.listen and not args.webhook:
        print("plaid-partner-insights sandbox-user: --listen needs --webhook", file=sys.stderr)
        return EXIT_USAGE
    if not (client_id and secret):
        client_id, secret = _EMULATOR_PLACEHOLDERS

    def progress(line: str) -> None:
        if not args.quiet:
            print(f"sandbox-user: {line}", file=sys.stderr, flush=True)

    try:
        user = bootstrap_sandbox_user(
            client_id=client_id,
            secret=secret,
            base_url=base_url,
            client_user_id=args.client_user_id,
            persona=args.persona,
            timeout=args.wait,
            webhook=args.webhook,
            listen=args.listen,
            progress=progress,
        )
    except SandboxBootstrapError as exc:
        print(f"plaid-partner-insights sandbox-user: {exc}", file=sys.stderr)
        return EXIT_FAILED
    if user.user_token:
        progress(f"this client is on Plaid's older user API: send user_token={user.user_token!r}")
    print(user.user_id)
    return 0
