"""Server mode's admin API: the journal, faults and reset over HTTP, for tests in any language.

Off unless the server is started with it (`plaid-partner-insights emulator --admin-api`); then every path under
`ADMIN_PREFIX` belongs to it and nothing there is journaled or faulted. It drives the same `Journal` and `FaultQueue`
as the pytest fixture, and its fault kinds are `_wire.FAULT_KINDS`:

- `GET  /__emulator/requests`: `{"requests": [...], "dropped": 0}`, the journal, oldest first;
- `POST /__emulator/fail_next` `{"n": 2, "status": 503, "retry_after": null, "error_code": null, "error_type": null}`;
- `POST /__emulator/fault_next` `{"n": 1, "kind": "delay", "seconds": 2}`;
- `GET  /__emulator/faults`: `{"pending": [...], "kinds": [...]}`, the queue and the table of kinds;
- `POST /__emulator/reset`: empties journal and queue and ends faults still in progress, answers
  `{"unused_faults": [...]}` (what was still queued).

Errors answer `{"error": "..."}` naming the field and the problem, with 400 (bad body), 404, 405 or 413.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from ._wire import FAULT_KINDS, Answer, Wire

if TYPE_CHECKING:
    from ._app import EmulatorApp

__all__ = ["ADMIN_PREFIX", "AdminAPI"]

ADMIN_PREFIX = "/__emulator"


class _AdminError(Exception):
    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status


class AdminAPI:
    """The admin routes of one `EmulatorApp`."""

    def __init__(self, app: EmulatorApp) -> None:
        self._app = app
        self._routes: dict[str, tuple[str, Callable[[dict[str, Any]], dict[str, Any]]]] = {
            "/requests": ("GET", self._requests),
            "/fail_next": ("POST", self._fail_next),
            "/fault_next": ("POST", self._fault_next),
            "/faults": ("GET", self._faults),
            "/reset": ("POST", self._reset),
        }

    def claims(self, path: str) -> bool:
        return path == ADMIN_PREFIX or path.startswith(ADMIN_PREFIX + "/")

    async def handle(self, method: str, path: str, raw: bytes | None, wire: Wire) -> None:
        """Answer one admin request; `raw` is None when the body was too large."""
        try:
            route = self._routes.get(path.removeprefix(ADMIN_PREFIX))
            if route is None:
                routes = ", ".join(f"{method} {route}" for method, route in self.routes())
                raise _AdminError(404, f"no admin route {path}; there are {routes}")
            expected, run = route
            if method != expected:
                raise _AdminError(405, f"{path} accepts only {expected}")
            if raw is None:
                raise _AdminError(413, "the request body is too large")
            status, payload = 200, run(_object(raw) if expected == "POST" else {})
        except _AdminError as error:
            status, payload = error.status, {"error": str(error)}
        except ValueError as error:  # the fault queue's own checks name the field and the problem
            status, payload = 400, {"error": str(error)}
        data = json.dumps(payload, separators=(",", ":")).encode()
        headers = [(b"content-type", b"application/json"), (b"content-length", str(len(data)).encode())]
        await wire.respond(Answer(status, data, headers))

    def routes(self) -> list[tuple[str, str]]:
        """(method, path) of every admin route."""
        return [(method, ADMIN_PREFIX + path) for path, (method, _) in self._routes.items()]

    def _requests(self, _: dict[str, Any]) -> dict[str, Any]:
        journal = self._app.journal
        return {"requests": [entry.to_dict() for entry in journal.requests], "dropped": journal.dropped}

    def _fail_next(self, body: dict[str, Any]) -> dict[str, Any]:
        fields = _fields(body, n=1, status=503, retry_after=None, error_code=None, error_type=None)
        self._app.faults.add(
            fields["n"],
            status=fields["status"],
            retry_after=fields["retry_after"],
            error_code=fields["error_code"],
            error_type=fields["error_type"],
        )
        return self._pending()

    def _fault_next(self, body: dict[str, Any]) -> dict[str, Any]:
        if "kind" not in body:
            raise ValueError(f"kind is required: one of {', '.join(FAULT_KINDS)}")
        fields = _fields(body, n=1, kind=None, seconds=None)
        self._app.faults.add_wire(fields["n"], fields["kind"], seconds=fields["seconds"])
        return self._pending()

    def _faults(self, _: dict[str, Any]) -> dict[str, Any]:
        return {**self._pending(), "kinds": [kind.to_dict() for kind in FAULT_KINDS.values()]}

    def _reset(self, _: dict[str, Any]) -> dict[str, Any]:
        unused = self._app.reset()
        return {"unused_faults": [fault.to_dict() for fault in unused]}

    def _pending(self) -> dict[str, Any]:
        return {"pending": [fault.to_dict() for fault in self._app.faults.pending]}


def _object(raw: bytes) -> dict[str, Any]:
    if not raw.strip():
        return {}
    try:
        body = json.loads(raw)
    except (ValueError, RecursionError):
        raise _AdminError(400, "the body must be a JSON object") from None
    if not isinstance(body, dict):
        raise _AdminError(400, "the body must be a JSON object")
    return body


def _fields(body: dict[str, Any], **defaults: Any) -> dict[str, Any]:
    unknown = sorted(set(body) - set(defaults))
    if unknown:
        names = ", ".join(name[:40] for name in unknown)
        raise ValueError(f"unknown field(s) {names}; accepted: {', '.join(defaults)}")
    return {**defaults, **body}
