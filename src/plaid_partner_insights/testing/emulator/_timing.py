"""Default timing of the setup flow's reports; free of third-party imports, so the CLI can show it without the extra."""

from __future__ import annotations

__all__ = ["DEFAULT_REPORT_DELAY", "DEFAULT_REPORT_LIFETIME"]

# Seconds a new report answers PRODUCT_NOT_READY: short, so tests and demos see the state without waiting long.
DEFAULT_REPORT_DELAY = 1.0
# Seconds a ready report can be read, as in Plaid's sandbox (24 hours), before CONSUMER_REPORT_EXPIRED.
DEFAULT_REPORT_LIFETIME = 24 * 60 * 60.0
