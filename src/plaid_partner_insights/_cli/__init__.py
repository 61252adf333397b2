"""The `plaid-partner-insights` command (the console script is `plaid_partner_insights._cli:main`).

One module per command (`_get`, `_demo`, `_emulator`, `_sandbox_user`, `_listen`), each a `Command`; shared parts:
`_arguments` (parser, argument types, global options), `_exit` (the exit codes and the errors that end a command),
`_target` (where requests go, with which credentials) and `_report` (fetching and printing a report).
"""

from __future__ import annotations

from ._exit import ExitCode
from ._main import COMMANDS, build_parser, main

__all__ = ["COMMANDS", "ExitCode", "build_parser", "main"]
