"""Canary: argparse still hands the CLI's commands the subparsers class `_compat_argparse.SubParsers` names."""

from __future__ import annotations

import argparse
import sys


def test_add_subparsers_returns_the_class_the_commands_are_typed_with() -> None:
    subparsers = argparse.ArgumentParser().add_subparsers(dest="command")
    expected = getattr(argparse, "_SubParsersAction", None)
    assert expected is not None, f"Python {sys.version}: argparse has no _SubParsersAction; update _compat_argparse"
    assert type(subparsers) is expected, f"Python {sys.version}: add_subparsers() returns {type(subparsers)}"
    parser = subparsers.add_parser("demo", aliases=["old-demo"])
    assert isinstance(parser, argparse.ArgumentParser)
    assert subparsers.choices["old-demo"] is parser
