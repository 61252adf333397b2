"""What the commands share on the command line: the parser, the argument types and the global options.

A command is a `Command`: its name, its one-line help, the global options it takes, a function that adds its own
options and one that runs it. Its options are added when argparse first parses or shows that command, so a command
whose defaults come from test tooling (`emulator`, `sandbox-user`) imports that tooling only when it is used.
"""

from __future__ import annotations

import argparse
import math
import typing
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from ._exit import ExitCode, UsageError

__all__ = [
    "GLOBAL_OPTIONS",
    "NON_NEGATIVE_INT",
    "NON_NEGATIVE_SECONDS",
    "PORT",
    "POSITIVE_INT",
    "POSITIVE_SECONDS",
    "Command",
    "CommandModule",
    "Parser",
    "add_global_options",
    "address",
    "bounded",
    "check_global_options",
]


class Parser(argparse.ArgumentParser):
    """argparse's parser with a one-line usage error (exit 2); a command's parser adds its options on first use."""

    def __init__(self, *args: typing.Any, configure: Callable[[Parser], None] | None = None, **kwargs: typing.Any):
        self._configure = configure
        super().__init__(*args, **kwargs)

    def _configured(self) -> None:
        configure, self._configure = self._configure, None
        if configure is not None:
            configure(self)

    def parse_known_args(self, args: typing.Any = None, namespace: typing.Any = None) -> typing.Any:
        self._configured()  # argparse parses a command's arguments through this method of the command's parser
        return super().parse_known_args(args, namespace)

    def format_help(self) -> str:
        self._configured()
        return super().format_help()

    def format_usage(self) -> str:
        self._configured()
        return super().format_usage()

    def error(self, message: str) -> typing.NoReturn:
        # One line, not argparse's usage block: `plaid-partner-insights get: error: argument --user-tier: ...`.
        self.exit(ExitCode.USAGE, f"{self.prog}: error: {message} (see --help)\n")


class CommandModule(typing.Protocol):
    """What a command's module defines."""

    def configure(self, parser: Parser) -> None:
        """Add the command's own options (and its description) to its parser."""

    def run(self, args: argparse.Namespace) -> int:
        """Do the command; returns an exit code, or raises a `CommandError`."""


@dataclass(frozen=True)
class Command:
    """One subcommand of `plaid-partner-insights`."""

    name: str
    module: CommandModule
    help: str
    takes: frozenset[str] = frozenset()  # the `dest` of each global option the command accepts
    aliases: tuple[str, ...] = ()
    env_choices: tuple[str, ...] | None = None  # the `--env` values it accepts, when not all of them


# -- argument types: each refuses a bad value with a message naming what it expected ------------------------------


def bounded(
    kind: Callable[[str], float], what: str, *, minimum: float, maximum: float = math.inf, above: bool = False
) -> Callable[[str], typing.Any]:
    """A number `kind(text)` in [minimum, maximum] (above=True: > minimum), finite; `what` names it in errors."""
    low = f"> {minimum:g}" if above else f">= {minimum:g}"
    expected = f"{what} {low}" if maximum == math.inf else f"{what} from {minimum:g} to {maximum:g}"

    def parse(text: str) -> float:
        try:
            value = kind(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"expected {expected}, got {text!r}") from None
        in_range = (value > minimum if above else value >= minimum) and value <= maximum and math.isfinite(value)
        if not in_range:
            raise argparse.ArgumentTypeError(f"expected {expected}, got {text!r}")
        return value

    return parse


POSITIVE_SECONDS = bounded(float, "a number of seconds", minimum=0, above=True)
NON_NEGATIVE_SECONDS = bounded(float, "a number of seconds", minimum=0)
POSITIVE_INT = bounded(int, "an integer", minimum=1)
NON_NEGATIVE_INT = bounded(int, "an integer", minimum=0)
PORT = bounded(int, "a port number (0: any free port)", minimum=0, maximum=65535)


def address(text: str) -> tuple[str, int]:
    """HOST:PORT (an IPv6 host in brackets)."""
    host, _, port = text.rpartition(":")
    if host and port.isdigit() and 0 < int(port) <= 65535:
        return host.strip("[]"), int(port)
    raise argparse.ArgumentTypeError(f"expected HOST:PORT, e.g. 127.0.0.1:8790, got {text!r}")


# -- global options: given before the command name or after it ----------------------------------------------------


@dataclass(frozen=True)
class _GlobalOption:
    flags: tuple[str, ...]
    default: object
    options: dict[str, typing.Any]

    @property
    def dest(self) -> str:
        return self.flags[-1].removeprefix("--").replace("-", "_")


GLOBAL_OPTIONS = (
    _GlobalOption(("-v", "--verbose"), False, {"action": "store_true", "help": "log each HTTP attempt to stderr"}),
    _GlobalOption(
        ("--env",),
        None,
        {"choices": ["sandbox", "production"], "help": "send to Plaid, in this environment: %(choices)s"},
    ),
    _GlobalOption(
        ("--base-url",), None, {"metavar": "URL", "help": "send to a running emulator, e.g. http://127.0.0.1:8787"}
    ),
    _GlobalOption(("--local",), False, {"action": "store_true", "help": "send to the built-in emulator (fake data)"}),
    _GlobalOption(
        ("--timeout",), None, {"type": POSITIVE_SECONDS, "metavar": "SECONDS", "help": "timeout of each attempt"}
    ),
    _GlobalOption(
        ("--max-retries",),
        None,
        {"type": NON_NEGATIVE_INT, "metavar": "N", "help": "retries on 429/5xx/network errors"},
    ),
)
# --env, --base-url and --local each say where requests go: one at most.
_TARGETS = ("env", "base_url", "local")


def add_global_options(parser: argparse.ArgumentParser, command: Command | None) -> None:
    """The global options, all of them on the top-level parser (`command=None`), else the ones a command takes.

    On a command they default to SUPPRESS, so an option given before the command name is not reset by the
    command's own default.
    """
    chosen = [option for option in GLOBAL_OPTIONS if command is None or option.dest in command.takes]
    if not chosen:
        return
    title = "global options (before the command or after it, for the commands that take them)"
    group = parser.add_argument_group(title if command is None else "global options (before or after the command)")
    for option in chosen:
        settings = dict(option.options)
        if command is not None and option.dest == "env" and command.env_choices is not None:
            settings["choices"] = list(command.env_choices)
        default = option.default if command is None else argparse.SUPPRESS
        group.add_argument(*option.flags, default=default, **settings)


def check_global_options(args: argparse.Namespace, command: Command, unknown: Sequence[str] = ()) -> None:
    """Refuse a global option given to a command that does not take it (before or after its name), two targets,
    and any other argument the command does not know."""
    for option in GLOBAL_OPTIONS:
        given = getattr(args, option.dest) != option.default or any(
            word.partition("=")[0] in option.flags for word in unknown
        )
        if option.dest not in command.takes and given:
            raise UsageError(f"{option.flags[-1]} does not apply to `{args.command}`")
    if unknown:
        raise UsageError(f"unrecognized arguments: {' '.join(unknown)} (see --help)")
    if args.env and command.env_choices is not None and args.env not in command.env_choices:
        raise UsageError(
            f"--env {args.env} does not apply to `{args.command}` (it takes {', '.join(command.env_choices)})"
        )
    given = [f"--{name.replace('_', '-')}" for name in _TARGETS if getattr(args, name)]
    if len(given) > 1:
        raise UsageError(f"{' and '.join(given)} exclude each other: give one")
