"""Deprecated: the local sandbox is now the emulator, `plaid_partner_insights.testing.emulator`; this path goes in 0.2.

Every name 0.1.0 had here still works; those renamed with the move map to their new names.
"""

from __future__ import annotations

import warnings
from typing import Any

from ..testing import emulator as _emulator

# 0.1.0's name -> the emulator's name for it.
RENAMED = {
    "SANDBOX_USERS": "EMULATOR_USERS",
    "SandboxApp": "EmulatorApp",
    "SandboxServer": "EmulatorServer",
    "SandboxServerError": "EmulatorError",
    "SandboxUser": "EmulatorUser",
}

__all__ = sorted(set(_emulator.__all__) - set(RENAMED.values()) | set(RENAMED))

warnings.warn(
    "plaid_partner_insights.sandbox is now plaid_partner_insights.testing.emulator, where "
    + ", ".join(f"{old} is {new}" for old, new in RENAMED.items())
    + "; the old path goes in 0.2",
    DeprecationWarning,
    stacklevel=2,
)


def __getattr__(name: str) -> Any:
    if name not in __all__:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(_emulator, RENAMED.get(name, name))
