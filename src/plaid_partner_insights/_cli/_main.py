"""The parser of `plaid-partner-insights` and `main`, which turns every ending into an exit code."""

from __future__ import annotations

import os
import sys
import typing

from .._version import __version__
from . import _demo, _emulator, _get, _listen, _sandbox_user
from ._arguments import GLOBAL_OPTIONS, Command, Parser, add_global_options, check_global_options
from ._exit import CommandError, ExitCode, exit_codes_text

__all__ = ["COMMANDS", "build_parser", "main"]

COMMANDS = (
    Command(
        "get",
        _get,
        help="fetch a Partner Insights report and print it as JSON (or a summary)",
        takes=frozenset(option.dest for option in GLOBAL_OPTIONS),
    ),
    Command(
        "demo",
        _demo,
        help="start the local emulator, fetch a report through the client, print a summary",
        takes=frozenset({"verbose", "timeout", "max_retries"}),  # always the built-in emulator: no target to choose
    ),
    Command(
        "emulator",
        _emulator,
        aliases=(_emulator.DEPRECATED_COMMAND,),
        help="serve the local emulator of Plaid's API until interrupted (`sandbox`: its deprecated name)",
        takes=frozenset({"verbose"}),  # a server, not a client
    ),
    Command(
        "sandbox-user",
        _sandbox_user,
        help="create or reuse a sandbox user whose Partner Insights report is ready; print its user_id",
        takes=frozenset({"verbose", "env", "base_url"}),
        env_choices=("sandbox",),  # the setup flow exists only in Plaid's sandbox
    ),
    Command(
        "listen",
        _listen,
        help="receive webhooks on a port; print each verified one as JSON, refuse forgeries with 400",
        # The keys come from Plaid or a running emulator: a built-in one would sign nothing that reaches this port.
        takes=frozenset({"verbose", "env", "base_url", "timeout", "max_retries"}),
    ),
)
_DESCRIPTION = "A client for Plaid's Partner Insights: `get`, `demo`, `emulator`, `sandbox-user` and `listen`."


def build_parser() -> Parser:
    parser = Parser(prog="plaid-partner-insights", description=_DESCRIPTION, epilog=f"exit codes: {exit_codes_text()}")
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    add_global_options(parser, None)
    subparsers = parser.add_subparsers(dest="command", required=True)
    for command in COMMANDS:

        def configure(command_parser: Parser, command: Command = command) -> None:
            command.module.configure(command_parser)
            add_global_options(command_parser, command)

        subparsers.add_parser(command.name, aliases=list(command.aliases), help=command.help, configure=configure)
    return parser


def _command(name: str) -> Command:
    (found,) = [command for command in COMMANDS if name in (command.name, *command.aliases)]
    return found


def main(argv: list[str] | None = None) -> int:
    """The console script. Never ends in a traceback: Ctrl-C exits 130, a closed stdout (`| head`) 141."""
    try:
        code = _main(argv)
        sys.stdout.flush()  # a reader that went away shows up here, not in the interpreter's exit flush
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return ExitCode.INTERRUPTED
    except BrokenPipeError:
        # Point stdout at /dev/null so the interpreter's final flush of the unwritten rest cannot fail again.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)
        return ExitCode.BROKEN_PIPE
    return code


def _main(argv: list[str] | None) -> int:
    parser = build_parser()
    try:
        args, unknown = parser.parse_known_args(argv)
    except SystemExit as exc:  # --help, --version, or a usage error already printed on one line
        return exc.code if isinstance(exc.code, int) else ExitCode.USAGE
    command = _command(args.command)
    restore_logging = _verbose_logging() if args.verbose else None
    try:
        check_global_options(args, command, unknown)
        return int(command.module.run(args))
    except CommandError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return exc.exit_code
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
