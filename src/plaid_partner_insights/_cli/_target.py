"""Where a command's requests go, and with which credentials: Plaid (`--env`), a running emulator (`--base-url`)
or the built-in emulator (`--local`), started in this process."""

from __future__ import annotations

import argparse
import contextlib
import os
import sys
import typing
from collections.abc import Iterator

from ._exit import UsageError

if typing.TYPE_CHECKING:
    from types import ModuleType

    from .._client import PartnerInsightsClient

__all__ = ["EMULATOR_CREDENTIALS", "client_for", "emulator_credentials", "load_emulator", "local_emulator"]

# What a command sends to an emulator when PLAID_CLIENT_ID / PLAID_SECRET are unset: the emulator takes any
# non-empty pair unless it was started with one of its own.
EMULATOR_CREDENTIALS = ("emulator-client", "emulator-secret")


def plaid_credentials() -> tuple[str, str]:
    """The keys in PLAID_CLIENT_ID / PLAID_SECRET, both required (to call Plaid)."""
    from plaid_partner_insights_core._exceptions import ConfigurationError

    from .._client import _env_settings

    try:
        settings = _env_settings()
    except ConfigurationError as exc:
        raise UsageError(str(exc)) from None
    return settings["client_id"], settings["secret"]


def emulator_credentials() -> tuple[str, str]:
    """The keys in the environment where set, else the placeholders: for an emulator, which may check them."""

    def read(variable: str, placeholder: str) -> str:
        value = os.environ.get(variable, "")
        return value if value.strip() else placeholder

    return read("PLAID_CLIENT_ID", EMULATOR_CREDENTIALS[0]), read("PLAID_SECRET", EMULATOR_CREDENTIALS[1])


def load_emulator() -> ModuleType:
    """`plaid_partner_insights.testing.emulator` with its server loaded; without the `sandbox` extra, a UsageError
    whose message (the package's own) names the extra to install."""
    from ..testing import emulator

    try:
        emulator.EmulatorServer  # noqa: B018 (loads the server parts, which need the extra)
    except ImportError as exc:
        raise UsageError(str(exc)) from None
    return emulator


@contextlib.contextmanager
def local_emulator() -> Iterator[str]:
    """The built-in emulator on a free loopback port, announced on stderr: its answers are fake data."""
    with load_emulator().EmulatorServer(port=0) as server:
        print(f"note: using the built-in emulator at {server.url}: its answers are fake data", file=sys.stderr)
        yield server.url


def _refuse_fake_data_by_surprise(args: argparse.Namespace) -> None:
    """With PLAID_* settings in the environment, no command falls back to the built-in emulator unasked.

    Someone with PLAID_ENV=production exported expects Plaid's answer; fake data then would be a silent lie.
    """
    from .._client import ENVIRONMENT_VARIABLES

    present = [name for name in ENVIRONMENT_VARIABLES if os.environ.get(name, "").strip()]
    if present:
        raise UsageError(
            f"{', '.join(present)} {'is' if len(present) == 1 else 'are'} set but no target was given: "
            "pass --env sandbox|production to send to Plaid with them, --base-url URL for a running emulator, "
            "or --local for the built-in emulator's fake data"
        )


def _client_options(args: argparse.Namespace) -> dict[str, typing.Any]:
    names = ("timeout", "max_retries")
    return {name: getattr(args, name) for name in names if getattr(args, name, None) is not None}


@contextlib.contextmanager
def client_for(args: argparse.Namespace, *, local: bool = False) -> Iterator[PartnerInsightsClient]:
    """A client for the command's target: --env, --base-url, or the built-in emulator (`local`: without asking)."""
    from plaid_partner_insights_core._exceptions import ConfigurationError

    from .._client import PartnerInsightsClient

    env, base_url = getattr(args, "env", None), getattr(args, "base_url", None)
    if not (env or base_url or local or getattr(args, "local", False)):
        _refuse_fake_data_by_surprise(args)
    options = _client_options(args)
    with contextlib.ExitStack() as stack:
        if env:
            client_id, secret = plaid_credentials()
            target: dict[str, typing.Any] = {"environment": env}
        else:
            client_id, secret = emulator_credentials()
            target = {"base_url": base_url or stack.enter_context(local_emulator())}
        try:
            client = PartnerInsightsClient(client_id=client_id, secret=secret, **target, **options)
        except ConfigurationError as exc:
            raise UsageError(str(exc)) from None
        with client:
            yield client
