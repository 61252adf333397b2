"""Deprecated: the local emulator moved to `plaid_partner_insights.testing.emulator`; this path goes in 0.2."""

from __future__ import annotations

import warnings
from typing import Any

from ..testing import emulator as _emulator

__all__ = list(_emulator.__all__)

warnings.warn(
    "plaid_partner_insights.sandbox moved to plaid_partner_insights.testing.emulator; the old path goes in 0.2",
    DeprecationWarning,
    stacklevel=2,
)


def __getattr__(name: str) -> Any:
    return getattr(_emulator, name)
