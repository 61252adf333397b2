"""pytest plugin of plaid-partner-insights: the `partner_insights_emulator` fixture (a local emulator of Plaid's API).

Registered through the `pytest11` entry point, so installing `plaid-partner-insights[sandbox]` is enough:

```python
def test_my_retry_handling(partner_insights_emulator):
    partner_insights_emulator.fail_next(1, status=503)
    with partner_insights_emulator.client(max_retries=1) as client:
        assert client.partner_insights.get(user_id="usr_any").report is not None
```

A separate top-level package on purpose: pytest loads every plugin at startup, and importing
`plaid_partner_insights` (httpx, the generated client) would slow down every pytest run in every project where
the package is installed. This module imports only pytest; the emulator loads when a test first asks for the
fixture, and a missing `sandbox` extra skips that test with the reason, instead of breaking collection.
"""

from __future__ import annotations

import secrets
import warnings
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

import pytest

if TYPE_CHECKING:
    from plaid_partner_insights import AsyncPartnerInsightsClient, PartnerInsightsClient
    from plaid_partner_insights.testing.emulator import EmulatorServer

__all__ = ["PartnerInsightsEmulator", "partner_insights_emulator", "partner_insights_sandbox"]

_ACTIVE: list[PartnerInsightsEmulator] = []


class PartnerInsightsEmulator:
    """The running local emulator a test gets from the `partner_insights_emulator` fixture.

    It listens on a free loopback port for the whole test session and accepts only its own random credentials.
    Failures queued with `fail_next` that a test leaves unused are dropped when that test ends.
    """

    def __init__(self, server: EmulatorServer, client_id: str, secret: str) -> None:
        self._server = server
        self._client_id = client_id
        self._secret = secret

    @property
    def url(self) -> str:
        """Base URL, `http://127.0.0.1:PORT`: give it to your code as Plaid's base URL."""
        return self._server.url

    @property
    def client_id(self) -> str:
        """The client id the emulator accepts."""
        return self._client_id

    @property
    def secret(self) -> str:
        """The secret the emulator accepts (random per session)."""
        return self._secret

    def client(self, **kwargs: Any) -> PartnerInsightsClient:
        """A `PartnerInsightsClient` pointed at the emulator; keyword arguments go to its constructor."""
        from plaid_partner_insights import PartnerInsightsClient

        return PartnerInsightsClient(**self._settings(kwargs))

    def async_client(self, **kwargs: Any) -> AsyncPartnerInsightsClient:
        """An `AsyncPartnerInsightsClient` pointed at the emulator; keyword arguments go to its constructor."""
        from plaid_partner_insights import AsyncPartnerInsightsClient

        return AsyncPartnerInsightsClient(**self._settings(kwargs))

    def fail_next(
        self,
        n: int,
        status: int = 503,
        retry_after: float | None = None,
        error_code: str | None = None,
        *,
        error_type: str | None = None,
    ) -> None:
        """Make the next `n` requests to the endpoint answer `status` with a Plaid error body.

        `error_type` and `error_code` default to Plaid's for the status (503 -> `API_ERROR`/`PLANNED_MAINTENANCE`,
        500 -> `API_ERROR`/`INTERNAL_SERVER_ERROR`, 429 -> `RATE_LIMIT_EXCEEDED`/`RATE_LIMIT`); `retry_after`
        (seconds) adds a `Retry-After` header. Requests that set up users, Items and reports are not affected.
        """
        self._server.app.faults.add(
            n, status=status, retry_after=retry_after, error_code=error_code, error_type=error_type
        )

    def clear_failures(self) -> None:
        """Drop failures queued by `fail_next` that no request has used yet."""
        self._server.app.faults.clear()

    def __repr__(self) -> str:
        # The credentials are test-only, but reprs end up in logs: never show them.
        return f"PartnerInsightsEmulator(url={self._server.url!r})"

    def _settings(self, kwargs: dict[str, Any]) -> dict[str, Any]:
        return {"client_id": self._client_id, "secret": self._secret, "base_url": self.url, **kwargs}


@pytest.fixture(scope="session")
def partner_insights_emulator() -> Iterator[PartnerInsightsEmulator]:
    """A local emulator of Plaid's API for Partner Insights on a free loopback port, for the whole test session."""
    try:
        from plaid_partner_insights.testing.emulator import EmulatorServer
    except ImportError as exc:
        pytest.skip(f"partner_insights_emulator: {exc}")
    client_id, secret = f"pytest-{secrets.token_hex(6)}", secrets.token_hex(16)
    with EmulatorServer(port=0, client_id=client_id, secret=secret) as server:
        emulator = PartnerInsightsEmulator(server, client_id, secret)
        _ACTIVE.append(emulator)
        try:
            yield emulator
        finally:
            _ACTIVE.remove(emulator)


@pytest.fixture
def partner_insights_sandbox(partner_insights_emulator: PartnerInsightsEmulator) -> PartnerInsightsEmulator:
    """Deprecated name of `partner_insights_emulator` (0.1.0); it goes in 0.2."""
    warnings.warn(
        "the partner_insights_sandbox fixture is now partner_insights_emulator; the old name goes in 0.2",
        DeprecationWarning,
        stacklevel=2,
    )
    return partner_insights_emulator


def pytest_runtest_teardown(item: pytest.Item) -> None:
    """Failures one test queued but did not use must not fail the next test."""
    for emulator in _ACTIVE:
        emulator.clear_failures()


def __getattr__(name: str) -> Any:
    if name == "PartnerInsightsSandbox":
        warnings.warn(
            "PartnerInsightsSandbox is now PartnerInsightsEmulator; the old name goes in 0.2",
            DeprecationWarning,
            stacklevel=2,
        )
        return PartnerInsightsEmulator
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
