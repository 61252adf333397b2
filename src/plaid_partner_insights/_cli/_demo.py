"""`plaid-partner-insights demo`: the built-in emulator, one report fetched through the client, its summary."""

from __future__ import annotations

import argparse

from ._arguments import Parser
from ._exit import ExitCode
from ._report import fetch, summarize
from ._target import client_for

__all__ = ["configure", "run"]


def configure(parser: Parser) -> None:
    parser.description = (
        "Start the built-in emulator, fetch the report of its demo user through the client and print a summary "
        "(its answers are fake data)."
    )


def run(args: argparse.Namespace) -> int:
    with client_for(args, local=True) as client:
        from ..testing.emulator import DEMO_USER_ID

        print(f"Fetching the report of the emulator's user {DEMO_USER_ID} through the client.\n")
        result = fetch(client, {"user_id": DEMO_USER_ID})
    print(summarize(result))
    return ExitCode.OK
