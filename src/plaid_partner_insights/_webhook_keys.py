"""The webhook verification keys a client has fetched, by key id, fetched once however many verifications want one.

Plaid's rules for the cache: a key id not yet cached is fetched; the same miss re-fetches every cached key whose
`expired_at` is still null (that is how a rotation is noticed); a key whose `expired_at` is set is never used.
Concurrent verifications that miss on the same key id share one fetch (threads of the sync client, tasks of the
async one); a fetch that fails is not cached, and its error reaches every verification that waited for it.
"""

from __future__ import annotations

import concurrent.futures
import contextlib
import threading
import typing
from collections.abc import Awaitable, Callable, Iterator, Mapping

__all__ = ["KeyFetch", "WebhookKey", "WebhookKeyCache"]

KeyFetch = Callable[[str], "Mapping[str, typing.Any] | None"]
"""Fetches the JWK of a key id (a JSON object, as `/webhook_verification_key/get` returns it), or `None` when Plaid
does not know the key id."""

AsyncKeyFetch = Callable[[str], "Awaitable[Mapping[str, typing.Any] | None]"]


class WebhookKey:
    """One verification key as Plaid served it. `jwk` is the JSON object; the public key is made on first use."""

    __slots__ = ("_public_key", "jwk")

    def __init__(self, jwk: Mapping[str, typing.Any]) -> None:
        self.jwk = dict(jwk)
        self._public_key: typing.Any = None

    @property
    def kid(self) -> str:
        return str(self.jwk.get("kid"))

    @property
    def expired(self) -> bool:
        """Whether Plaid has set `expired_at`: any value but null retires the key, whatever the clock says."""
        return self.jwk.get("expired_at") is not None

    def public_key(self, make: Callable[[dict[str, typing.Any]], typing.Any]) -> typing.Any:
        """The key object `make` builds from the JWK, built once (a race only builds it twice)."""
        if self._public_key is None:
            self._public_key = make(self.jwk)
        return self._public_key

    def __repr__(self) -> str:
        return f"WebhookKey(kid={self.kid!r}, expired={self.expired})"


class _Flight:
    """One fetch of a key id, and the verifications waiting for it."""

    __slots__ = ("abandoned", "done", "outcome")

    def __init__(self, done: typing.Any) -> None:
        self.done = done  # a threading.Event or an anyio.Event
        self.outcome: concurrent.futures.Future[WebhookKey | None] = concurrent.futures.Future()
        # The fetching thread or task stopped without an outcome (cancelled, interrupted): a waiter fetches again.
        self.abandoned = False


class WebhookKeyCache:
    """Keys by key id. `get` (threads) and `aget` (tasks of one event loop) return the key, or `None` if unknown."""

    def __init__(self) -> None:
        self._keys: dict[str, WebhookKey] = {}
        self._lock = threading.Lock()  # guards the dicts only; never held while fetching or waiting
        self._flights: dict[str, _Flight] = {}
        self._async_flights: dict[str, _Flight] = {}

    def __repr__(self) -> str:
        with self._lock:
            return f"WebhookKeyCache(kids={sorted(self._keys)!r})"

    def cached(self, kid: str) -> WebhookKey | None:
        with self._lock:
            return self._keys.get(kid)

    def get(self, kid: str, fetch: KeyFetch) -> WebhookKey | None:
        lookup = _Lookup(self, kid, self._flights, threading.Event)
        for flight in lookup:
            if lookup.leading:
                with self._leading(kid, flight, self._flights):
                    flight.outcome.set_result(self._fetch_all(kid, fetch))
            else:
                flight.done.wait()
        return lookup.key

    async def aget(self, kid: str, fetch: AsyncKeyFetch) -> WebhookKey | None:
        import anyio  # httpx's own dependency; imported here so the sync client never pays for it

        lookup = _Lookup(self, kid, self._async_flights, anyio.Event)
        for flight in lookup:
            if lookup.leading:
                with self._leading(kid, flight, self._async_flights):
                    flight.outcome.set_result(await self._afetch_all(kid, fetch))
            else:
                await flight.done.wait()
        return lookup.key

    def _join(
        self, kid: str, flights: dict[str, _Flight], event: Callable[[], typing.Any]
    ) -> tuple[WebhookKey | _Flight, bool]:
        """The cached key; else the fetch under way for `kid` and False, or a new one to lead and True."""
        with self._lock:
            key = self._keys.get(kid)
            if key is not None:
                return key, False
            flight = flights.get(kid)
            if flight is not None:
                return flight, False
            flight = flights[kid] = _Flight(event())
            return flight, True

    @contextlib.contextmanager
    def _leading(self, kid: str, flight: _Flight, flights: dict[str, _Flight]) -> Iterator[None]:
        """Around the leader's fetch: its error becomes the outcome every waiter raises; then the waiters wake."""
        try:
            yield
        except Exception as exc:
            flight.outcome.set_exception(exc)
        except BaseException:
            flight.abandoned = True
            raise
        finally:
            with self._lock:
                del flights[kid]
            flight.done.set()

    def _fetch_all(self, kid: str, fetch: KeyFetch) -> WebhookKey | None:
        wanted = _keep(kid, fetch(kid))
        for other in self._live_keys(kid):
            try:
                refreshed = fetch(other)
            except Exception:  # noqa: S112 (a failed refresh keeps the cached copy; the wanted key is what matters)
                continue
            self._store(other, _keep(other, refreshed))
        self._store(kid, wanted)
        return wanted

    async def _afetch_all(self, kid: str, fetch: AsyncKeyFetch) -> WebhookKey | None:
        wanted = _keep(kid, await fetch(kid))
        for other in self._live_keys(kid):
            try:
                refreshed = await fetch(other)
            except Exception:  # noqa: S112 (see _fetch_all)
                continue
            self._store(other, _keep(other, refreshed))
        self._store(kid, wanted)
        return wanted

    def _live_keys(self, kid: str) -> list[str]:
        """The cached key ids, other than `kid`, whose keys Plaid had not expired when they were fetched."""
        with self._lock:
            return [other for other, key in self._keys.items() if other != kid and not key.expired]

    def _store(self, kid: str, key: WebhookKey | None) -> None:
        with self._lock:
            if key is None:
                self._keys.pop(kid, None)  # Plaid no longer knows it
            else:
                self._keys[kid] = key


class _Lookup:
    """The rounds of one `get` or `aget` of `kid`, the same for threads and tasks: iterating gives each fetch it
    leads (`leading`) or waits for, until one ends with an outcome (then `key`: the key, or `None` if unknown; or the
    fetch's error is raised). None at all when the key is cached. A fetch abandoned by its leader is taken up again.
    """

    __slots__ = ("_cache", "_event", "_flights", "_kid", "key", "leading")

    def __init__(
        self, cache: WebhookKeyCache, kid: str, flights: dict[str, _Flight], event: Callable[[], typing.Any]
    ) -> None:
        self._cache, self._kid, self._flights, self._event = cache, kid, flights, event
        self.key: WebhookKey | None = None
        self.leading = False

    def __iter__(self) -> Iterator[_Flight]:
        while True:
            flight, self.leading = self._cache._join(self._kid, self._flights, self._event)
            if isinstance(flight, WebhookKey):
                self.key = flight
                return
            yield flight
            if not flight.abandoned:
                self.key = flight.outcome.result()
                return


def _keep(kid: str, jwk: Mapping[str, typing.Any] | None) -> WebhookKey | None:
    if jwk is None:
        return None
    key = WebhookKey(jwk)
    # A key served under another id is not the key asked for: never let it stand in for `kid`.
    return key if key.kid == kid else None
