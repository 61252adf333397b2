"""How every command ends: one table of exit codes, and the errors `main` turns into one `error:` line and a code."""

from __future__ import annotations

import enum

__all__ = ["CommandError", "ExitCode", "UsageError", "exit_codes_text"]


class ExitCode(enum.IntEnum):
    """The exit status of `plaid-partner-insights`, whatever the command."""

    OK = 0
    FAILED = 1
    USAGE = 2
    INTERRUPTED = 130  # 128 + SIGINT, as shells report it
    BROKEN_PIPE = 141  # 128 + SIGPIPE, as shells report it

    @property
    def meaning(self) -> str:
        return _MEANINGS[self]


# The one description of each code: `--help` shows it, and a test holds README.md's list to it.
_MEANINGS = {
    ExitCode.OK: "success",
    ExitCode.FAILED: "the call failed (an API error, no usable answer, a setup step or a server that did not start)",
    ExitCode.USAGE: "bad flags or input, or a missing extra (nothing was sent)",
    ExitCode.INTERRUPTED: "interrupted by Ctrl-C",
    ExitCode.BROKEN_PIPE: "stdout closed by its reader (`| head`)",
}


def exit_codes_text() -> str:
    """`0 success; 1 ...`: every code with its meaning, in order."""
    return "; ".join(f"{code.value} {code.meaning}" for code in ExitCode)


class CommandError(Exception):
    """A command cannot go on: `main` prints `error: MESSAGE` (never a traceback) and exits with `exit_code`."""

    exit_code = ExitCode.FAILED


class UsageError(CommandError):
    """Bad command-line input, found before anything was sent."""

    exit_code = ExitCode.USAGE
