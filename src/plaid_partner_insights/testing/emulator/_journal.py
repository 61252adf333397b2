"""The request journal: every request the emulator received, in order, with credential values masked.

Entries are recorded when a request arrives and completed when its status line goes out (or a fault is taken), so
the journal keeps arrival order even when a delayed answer finishes after a later request's, and a client that has
read its answer finds it recorded. A request still in flight at `reset()` (a hung connection of the previous test)
completes an entry that is no longer listed.
"""

from __future__ import annotations

import json
import threading
from collections import deque
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

__all__ = ["MASK", "MAX_JOURNAL_ENTRIES", "SECRET_FIELDS", "SECRET_HEADERS", "Journal", "RecordedRequest"]

MASK = "***"
# Server mode may run for days: past this many entries the oldest are dropped (and counted in `dropped`).
MAX_JOURNAL_ENTRIES = 10_000
# Where credentials travel: Plaid's key headers (the spec's `clientId` and `secret` schemes, tied to it by a test) and
# the generic ones, and the body fields that may carry the same keys.
SECRET_HEADERS = frozenset(
    {"plaid-client-id", "plaid-secret", "authorization", "proxy-authorization", "cookie", "plaid-verification"}
)
SECRET_FIELDS = frozenset({"client_id", "secret"})


@dataclass(frozen=True)
class RecordedRequest:
    """One request the emulator received.

    `headers` has lowercase names; `json` is the parsed body (`None` when it is not JSON). Credential values
    (the client id and secret, in headers or body, and any other auth header) read `"***"`. `status_code` is what
    the emulator answered, `None` when a fault sent no status line (or the answer is still being sent); `fault` names
    the queued fault the request met (a kind of `FAULT_KINDS`, or `"fail_next"`), else `None`.
    """

    method: str
    path: str
    headers: Mapping[str, str]
    json: Any
    status_code: int | None
    received_at: datetime
    fault: str | None = None

    def to_dict(self) -> dict[str, Any]:
        """The entry as JSON-ready data (server mode's `GET /__emulator/requests` answers a list of these)."""
        return {
            "method": self.method,
            "path": self.path,
            "headers": dict(self.headers),
            "json": self.json,
            "status_code": self.status_code,
            "received_at": self.received_at.isoformat(),
            "fault": self.fault,
        }


class _Entry:
    __slots__ = ("fault", "headers", "json", "method", "path", "received_at", "status_code")

    def __init__(self, method: str, path: str, headers: dict[str, str]) -> None:
        self.method: str = method
        self.path: str = path
        self.headers: dict[str, str] = headers
        self.json: Any = None
        self.status_code: int | None = None
        self.fault: str | None = None
        self.received_at: datetime = datetime.now(UTC)

    def freeze(self) -> RecordedRequest:
        return RecordedRequest(
            self.method, self.path, dict(self.headers), self.json, self.status_code, self.received_at, self.fault
        )


class Journal:
    """What the app records into and tests read from, across the server's thread and the test's."""

    def __init__(self, secrets: Iterable[str] = (), *, max_entries: int = MAX_JOURNAL_ENTRIES) -> None:
        self._lock = threading.Lock()
        self._entries: deque[_Entry] = deque(maxlen=max_entries)
        self._dropped = 0
        # Values masked wherever they appear whole: the credentials the emulator checks, when it was given some.
        self._secrets = frozenset(value for value in secrets if value)

    def received(self, method: str, path: str, headers: Mapping[str, str]) -> _Entry:
        """Record a request's arrival; the app fills in its body and outcome on the returned entry."""
        masked = self._mask_headers(headers, self._secrets | _presented_in_headers(headers))
        with self._lock:
            entry = _Entry(method, path, masked)
            if len(self._entries) == self._entries.maxlen:
                self._dropped += 1
            self._entries.append(entry)
        return entry

    def body(self, entry: _Entry, raw: bytes, headers: Mapping[str, str]) -> None:
        """Record the request's body. The credentials it presents, in its headers or its body, are masked wherever
        else they appear in it too (a client that copies its secret into another field or header)."""
        try:
            parsed = json.loads(raw) if raw else None
            secrets = self._secrets | _presented_in_headers(headers) | _presented_in_json(parsed)
            masked_json = _mask_json(parsed, secrets)
        except (ValueError, RecursionError):  # not JSON, or nested deeper than Python can walk
            secrets, masked_json = self._secrets | _presented_in_headers(headers), None
        masked_headers = self._mask_headers(headers, secrets)
        with self._lock:
            entry.json, entry.headers = masked_json, masked_headers

    def faulted(self, entry: _Entry, fault: str) -> None:
        with self._lock:
            entry.fault = fault

    def answered(self, entry: _Entry, status_code: int) -> None:
        with self._lock:
            entry.status_code = status_code

    @property
    def requests(self) -> list[RecordedRequest]:
        """The requests received since the last reset, oldest first."""
        with self._lock:
            return [entry.freeze() for entry in self._entries]

    @property
    def dropped(self) -> int:
        """Entries dropped since the last reset because the journal was full."""
        with self._lock:
            return self._dropped

    def reset(self) -> None:
        with self._lock:
            self._entries.clear()
            self._dropped = 0

    @staticmethod
    def _mask_headers(headers: Mapping[str, str], secrets: frozenset[str]) -> dict[str, str]:
        return {name: MASK if name in SECRET_HEADERS or value in secrets else value for name, value in headers.items()}


def _presented_in_headers(headers: Mapping[str, str]) -> frozenset[str]:
    return frozenset(value for name, value in headers.items() if name in SECRET_HEADERS and value)


def _presented_in_json(value: Any) -> frozenset[str]:
    found: set[str] = set()
    if isinstance(value, dict):
        for key, item in value.items():
            if key in SECRET_FIELDS and isinstance(item, str) and item:
                found.add(item)
            found |= _presented_in_json(item)
    elif isinstance(value, list):
        for item in value:
            found |= _presented_in_json(item)
    return frozenset(found)


def _mask_json(value: Any, secrets: frozenset[str]) -> Any:
    if isinstance(value, dict):
        return {
            key: MASK if key in SECRET_FIELDS and item is not None else _mask_json(item, secrets)
            for key, item in value.items()
        }
    if isinstance(value, list):
        return [_mask_json(item, secrets) for item in value]
    if isinstance(value, str) and value in secrets:
        return MASK
    return value
