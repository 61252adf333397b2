"""The `plaid-partner-insights` command: `get`, `demo` and `sandbox`."""

from __future__ import annotations

import argparse
import sys

from ._version import __version__


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="plaid-partner-insights", description=__doc__)
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("demo", help="start the local sandbox, fetch a report through the client, print a summary")
    args = parser.parse_args(argv)
    print(f"{args.command}: not implemented yet", file=sys.stderr)
    return 2
