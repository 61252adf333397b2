"""pytest plugin of plaid-partner-insights: the `partner_insights_emulator` fixture (a local emulator of Plaid's API).

Registered through the `pytest11` entry point, so installing `plaid-partner-insights[sandbox]` is enough:

```python
def test_my_retry_handling(partner_insights_emulator):
    partner_insights_emulator.fault_next(1, "connection_reset")
    with partner_insights_emulator.client(max_retries=1) as client:
        assert client.partner_insights.get(user_id="usr_any").report is not None
    assert [r.fault for r in partner_insights_emulator.requests] == ["connection_reset", None]
```

One server per test session (per pytest-xdist worker), reset for each test: every test starts with an empty journal
and fault queue, and fails at teardown if faults it queued were never used (as pytest-httpx does with unused
responses), unless marked `@pytest.mark.partner_insights_emulator(allow_unused_faults=True)`.

A separate top-level package on purpose: pytest loads every plugin at startup, and importing
`plaid_partner_insights` (httpx, the generated client) would slow down every pytest run in every project where
the package is installed. This module imports only pytest; the emulator loads when a test first asks for the
fixture, and a missing `sandbox` extra skips that test with the reason, instead of breaking collection.
"""

from __future__ import annotations

import secrets
import warnings
from collections.abc import Generator, Iterator
from typing import TYPE_CHECKING, Any

import pytest

if TYPE_CHECKING:
    from plaid_partner_insights import AsyncPartnerInsightsClient, PartnerInsightsClient
    from plaid_partner_insights.testing.emulator import EmulatorServer, RecordedRequest

__all__ = [
    "PartnerInsightsEmulator",
    "partner_insights_emulator",
    "partner_insights_emulator_session",
    "partner_insights_sandbox",
]

MARKER = "partner_insights_emulator"
_MARKER_OPTIONS = {"allow_unused_faults": bool}
# Whether a test's own body failed: then its unused faults are a consequence, not news, and are not reported.
_CALL_FAILED = pytest.StashKey[bool]()


class PartnerInsightsEmulator:
    """The running local emulator a test gets from the `partner_insights_emulator` fixture.

    It listens on a free loopback port for the whole test session and accepts only its own random credentials.
    Faults queued with `fail_next` and `fault_next` are used by the next requests to the endpoint, one each, in the
    order they were queued. `requests` is the journal of what the emulator received since the test began.
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

    def fault_next(self, n: int, kind: str, *, seconds: float | None = None) -> None:
        """Make the next `n` requests to the endpoint meet a fault on the wire, over the real socket.

        `kind` names a row of `plaid_partner_insights.testing.emulator.FAULT_KINDS` (the README's table shows them), and
        `seconds` is given exactly for the kinds that take it. Faults and `fail_next` failures queue together, in
        the order given.
        """
        self._server.app.faults.add_wire(n, kind, seconds=seconds)

    @property
    def requests(self) -> list[RecordedRequest]:
        """Every request the emulator received during this test, oldest first (credential values read `***`)."""
        return self._server.app.journal.requests

    @property
    def pending_faults(self) -> list[str]:
        """The queued faults and failures no request has used yet, described, in the order they will be used."""
        return [fault.describe() for fault in self._server.app.faults.pending]

    def reset(self) -> None:
        """Drop the queued faults and failures, empty the journal and end faults still in progress (a hang)."""
        self._server.app.reset()

    def signed_webhook(self, payload: dict[str, Any], *, iat: int | None = None) -> tuple[bytes, dict[str, str]]:
        """`payload` as the emulator would POST it: the body bytes (formatted as Plaid formats webhooks) and the
        headers, with a `Plaid-Verification` token signed by the emulator's current key, issued at `iat` (Unix
        seconds; default now). `client().webhooks.verify(body, headers)` accepts them.
        """
        signed = self._server.app.webhook_signer.sign(payload, iat=iat)
        return signed.body, dict(signed.headers)

    def rotate_webhook_key(self) -> str:
        """Retire the emulator's signing key (it gets an `expired_at`) and sign with a new one; returns its key id."""
        return self._server.app.webhook_signer.rotate()

    def clear_failures(self) -> None:
        """Drop the queued faults and failures that no request has used yet (the journal stays)."""
        self._server.app.faults.clear()

    def __repr__(self) -> str:
        # The credentials are test-only, but reprs end up in logs: never show them.
        return f"PartnerInsightsEmulator(url={self._server.url!r})"

    def _settings(self, kwargs: dict[str, Any]) -> dict[str, Any]:
        return {"client_id": self._client_id, "secret": self._secret, "base_url": self.url, **kwargs}


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers",
        f"{MARKER}(allow_unused_faults=False): settings of the partner_insights_emulator fixture for this test; "
        "allow_unused_faults=True lets it end with queued faults no request used",
    )


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(
    item: pytest.Item, call: pytest.CallInfo[None]
) -> Generator[None, pytest.TestReport, pytest.TestReport]:
    report = yield
    if report.when == "call":
        item.stash[_CALL_FAILED] = report.failed
    return report


@pytest.fixture(scope="session")
def partner_insights_emulator_session() -> Iterator[PartnerInsightsEmulator]:
    """The local emulator for the whole session, for fixtures broader than one test (no per-test reset or check)."""
    try:
        from plaid_partner_insights.testing.emulator import EmulatorServer
    except ImportError as exc:
        pytest.skip(f"partner_insights_emulator: {exc}")
    client_id, secret = f"pytest-{secrets.token_hex(6)}", secrets.token_hex(16)
    with EmulatorServer(port=0, client_id=client_id, secret=secret) as server:
        yield PartnerInsightsEmulator(server, client_id, secret)


@pytest.fixture
def partner_insights_emulator(
    request: pytest.FixtureRequest, partner_insights_emulator_session: PartnerInsightsEmulator
) -> Iterator[PartnerInsightsEmulator]:
    """A local emulator of Plaid's API on a free loopback port: the session's server, reset for this test.

    At teardown, faults the test queued but no request used fail it, naming them (unless the test has failed
    already); the marker `@pytest.mark.partner_insights_emulator(allow_unused_faults=True)` allows them.
    """
    allow_unused = _marker_options(request.node)["allow_unused_faults"]
    emulator = partner_insights_emulator_session
    emulator.reset()
    yield emulator
    from plaid_partner_insights.testing.emulator._faults import describe

    unused = emulator._server.app.reset()
    if unused and not allow_unused and not request.node.stash.get(_CALL_FAILED, False):
        __tracebackhide__ = True
        pytest.fail(
            f"partner_insights_emulator: {len(unused)} queued fault(s) never used: {describe(unused)}. No request "
            "reached them, so the code under test did not take the path this test was written for. Use them, or mark "
            f"the test @pytest.mark.{MARKER}(allow_unused_faults=True).",
            pytrace=False,
        )


def _marker_options(node: pytest.Item) -> dict[str, bool]:
    options = dict.fromkeys(_MARKER_OPTIONS, False)
    for marker in reversed(list(node.iter_markers(MARKER))):  # the closest marker wins
        unknown = sorted(set(marker.kwargs) - set(_MARKER_OPTIONS))
        if marker.args or unknown:
            pytest.fail(
                f"@pytest.mark.{MARKER} takes only the keyword(s) {', '.join(_MARKER_OPTIONS)}; "
                f"got {', '.join([*map(repr, marker.args), *unknown])}",
                pytrace=False,
            )
        for name, value in marker.kwargs.items():
            if not isinstance(value, _MARKER_OPTIONS[name]):
                pytest.fail(f"@pytest.mark.{MARKER}({name}=...) must be True or False, got {value!r}", pytrace=False)
            options[name] = value
    return options


@pytest.fixture
def partner_insights_sandbox(partner_insights_emulator: PartnerInsightsEmulator) -> PartnerInsightsEmulator:
    """Deprecated name of `partner_insights_emulator` (0.1.0); it goes in 0.2."""
    warnings.warn(
        "the partner_insights_sandbox fixture is now partner_insights_emulator; the old name goes in 0.2",
        DeprecationWarning,
        stacklevel=2,
    )
    return partner_insights_emulator


def __getattr__(name: str) -> Any:
    if name == "PartnerInsightsSandbox":
        warnings.warn(
            "PartnerInsightsSandbox is now PartnerInsightsEmulator; the old name goes in 0.2",
            DeprecationWarning,
            stacklevel=2,
        )
        return PartnerInsightsEmulator
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
