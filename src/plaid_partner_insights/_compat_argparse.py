"""The one argparse internal the CLI names: `_SubParsersAction`, the class of what `add_subparsers()` returns, on
which each command registers itself (`add_<command>_command(subparsers)`).

Only type checkers see the name (in annotations); `tests/client/test_compat_argparse.py` checks that argparse still
returns that class, with the `add_parser` the commands call, on every Python the project supports.
"""

from __future__ import annotations

import argparse
import typing

__all__ = ["SubParsers"]

SubParsers: typing.TypeAlias = "argparse._SubParsersAction[argparse.ArgumentParser]"
"""The subparsers of the `plaid-partner-insights` parser, as the commands receive them."""
