"""Test tooling, apart from the client: `import plaid_partner_insights` loads nothing from here.

- `plaid_partner_insights.testing.emulator`: the local emulator of Plaid's API for this endpoint and the sandbox
  setup flow (a uvicorn server; needs the `sandbox` extra), behind `plaid-partner-insights emulator` and the pytest
  fixture;
- `bootstrap_sandbox_user` (here): a user of Plaid's sandbox, or of the emulator, whose report is ready, made from
  API keys alone; behind `plaid-partner-insights sandbox-user` and the contract suite. Its failures are
  `SandboxBootstrapError`s, a hierarchy of their own, never `PartnerInsightsError`s.

In this package "sandbox" always means Plaid's sandbox environment, and "emulator" the local stand-in for it.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from ._bootstrap import (
        BootstrappedUser,
        ConsumerReportAccessError,
        SandboxBootstrapError,
        SandboxReportFailedError,
        SandboxReportTimeoutError,
        bootstrap_sandbox_user,
    )

__all__ = [
    "BootstrappedUser",
    "ConsumerReportAccessError",
    "SandboxBootstrapError",
    "SandboxReportFailedError",
    "SandboxReportTimeoutError",
    "bootstrap_sandbox_user",
]


def __getattr__(name: str) -> Any:
    # The setup flow imports the client (httpx); load it only when one of its names is used.
    if name not in __all__:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(importlib.import_module("._bootstrap", __name__), name)
