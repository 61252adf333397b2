"""Where the emulator listens unless told otherwise; free of third-party imports, so the CLI can show it without
the extra."""

from __future__ import annotations

__all__ = ["DEFAULT_HOST", "DEFAULT_PORT"]

DEFAULT_HOST = "127.0.0.1"  # loopback: nothing else on the network reaches the emulator (or its admin API)
DEFAULT_PORT = 8787
