"""The emulator's clock: the default timing of the setup flow's reports, and the creation date from which Plaid
refuses request-time Partner Insights settings. Free of third-party imports, so the CLI can show them without the
extra."""

from __future__ import annotations

__all__ = ["DEFAULT_REPORT_DELAY", "DEFAULT_REPORT_LIFETIME", "NEW_CLIENT_CUTOFF"]

# Seconds a new report answers PRODUCT_NOT_READY: short, so tests and demos see the state without waiting long.
DEFAULT_REPORT_DELAY = 1.0
# Seconds a ready report can be read, as in Plaid's sandbox (24 hours), before CONSUMER_REPORT_EXPIRED.
DEFAULT_REPORT_LIFETIME = 24 * 60 * 60.0
# Clients created on or after this date configure Partner Insights at report creation, not in the request.
NEW_CLIENT_CUTOFF = "2026-07-01"
