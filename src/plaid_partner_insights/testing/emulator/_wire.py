"""Faults on the wire: what the emulator does to a request's connection instead of, or while, answering it.

`FAULT_KINDS` is the one table of them. The pytest fixture's `fault_next`, the admin API of server mode and the
README's table all read it (a test ties the README to it). Every fault happens on the real socket, so a client
meets it exactly as it would meet a failing Plaid or a failing proxy in front of it.
"""

from __future__ import annotations

import asyncio
import contextlib
import math
import socket
import struct
import threading
from collections.abc import Awaitable, Callable, Iterator, Mapping, MutableMapping
from dataclasses import dataclass, field
from typing import Any

__all__ = [
    "FAULT_KINDS",
    "MAX_FAULT_SECONDS",
    "TRANSPORT_EXTENSION",
    "Answer",
    "FaultKind",
    "OpenFaults",
    "Wire",
    "fault_kind",
]

# The ASGI scope extension under which the emulator's own protocol (see `_protocol`) hands the app the connection.
TRANSPORT_EXTENSION = "plaid_partner_insights.transport"
# A fault's `seconds` beyond this is a typo rather than a test plan, and would hold the server's shutdown.
MAX_FAULT_SECONDS = 600.0
# How many pieces a slow body is dripped in.
_DRIP_PIECES = 10
# Deterministic bytes no HTTP parser accepts as a status line.
_NOT_HTTP = b"\x00\xffthis is not an HTTP response\r\n\r\n"

Message = MutableMapping[str, Any]


@dataclass(frozen=True)
class Answer:
    """The response the emulator would send: status, body bytes and headers (Content-Length included)."""

    status: int
    body: bytes
    headers: list[tuple[bytes, bytes]]


class Wire:
    """One request's connection: the ASGI channels and, under them, the socket's transport."""

    def __init__(
        self,
        scope: MutableMapping[str, Any],
        receive: Callable[[], Awaitable[Message]],
        send: Callable[[Message], Awaitable[None]],
        on_status: Callable[[int], None] = lambda status: None,
    ) -> None:
        self._transport: asyncio.Transport | None = (scope.get("extensions") or {}).get(TRANSPORT_EXTENSION)
        self._loop = asyncio.get_running_loop()
        self._receive = receive
        self._send = send
        # Called before the status line goes out, so whoever has read the answer finds it in the journal.
        self._on_status = on_status

    @property
    def can_fault(self) -> bool:
        """Whether the connection is reachable (the app runs in the emulator's own server, not any ASGI server)."""
        return self._transport is not None

    async def respond(self, answer: Answer) -> int:
        await self._start(answer)
        await self._send({"type": "http.response.body", "body": answer.body})
        return answer.status

    async def respond_slowly(self, answer: Answer, seconds: float) -> int:
        await self._start(answer)
        size = max(1, math.ceil(len(answer.body) / _DRIP_PIECES))
        pieces = [answer.body[start : start + size] for start in range(0, len(answer.body), size)] or [b""]
        for number, piece in enumerate(pieces, 1):
            if not await self.pause(seconds / len(pieces)):
                break
            await self._send({"type": "http.response.body", "body": piece, "more_body": number < len(pieces)})
        return answer.status

    async def respond_truncated(self, answer: Answer) -> int:
        """The head (with the full Content-Length) and the first half of the body, then the connection closes."""
        await self._start(answer)
        half = answer.body[: len(answer.body) // 2]
        await self._send({"type": "http.response.body", "body": half, "more_body": True})
        await self.close()
        return answer.status

    async def _start(self, answer: Answer) -> None:
        self._on_status(answer.status)
        await self._send({"type": "http.response.start", "status": answer.status, "headers": answer.headers})

    async def reset(self) -> None:
        """Close with SO_LINGER 0: the kernel answers with RST, the client sees 'connection reset by peer'."""
        transport = self._require_transport()
        sock = transport.get_extra_info("socket")
        if sock is not None:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        transport.abort()
        await self.until_disconnected()

    async def close(self) -> None:
        """Close after whatever was written is flushed."""
        self._require_transport().close()
        await self.until_disconnected()

    async def write_raw_and_close(self, data: bytes) -> None:
        transport = self._require_transport()
        transport.write(data)
        transport.close()
        await self.until_disconnected()

    async def pause(self, seconds: float) -> bool:
        """Wait `seconds`; False when the client gave up meanwhile (then there is nobody left to answer)."""
        try:
            await asyncio.wait_for(self.until_disconnected(), seconds)
        except TimeoutError:
            return True
        return False

    async def until_disconnected(self) -> None:
        # Waiting here also tells uvicorn the app saw the disconnect, so it logs no "returned without a response".
        while (await self._receive())["type"] != "http.disconnect":
            pass

    def _require_transport(self) -> asyncio.Transport:
        if self._transport is None:
            raise RuntimeError("wire faults need the emulator's own server (EmulatorServer or `serve`)")
        return self._transport


class OpenFaults:
    """The connections a fault is acting on right now (a hang, a delay, a drip), so a reset can let them go.

    Without it a hang would outlive the test that queued it whenever the client never gives up, and hold the
    server's shutdown. `release_all` may be called from any thread.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._open: set[tuple[asyncio.AbstractEventLoop, asyncio.Transport]] = set()

    @contextlib.contextmanager
    def holding(self, wire: Wire) -> Iterator[None]:
        if wire._transport is None:
            yield
            return
        key = (wire._loop, wire._transport)
        with self._lock:
            self._open.add(key)
        try:
            yield
        finally:
            with self._lock:
                self._open.discard(key)

    def release_all(self) -> int:
        """Close every connection a fault still holds; returns how many there were."""
        with self._lock:
            held, self._open = self._open, set()
        for loop, transport in held:
            loop.call_soon_threadsafe(transport.abort)
        return len(held)


# What a fault does: given the connection, a way to compute the normal answer and `seconds`, it acts on the wire and
# returns the status it sent (None when no status line went out).
FaultAction = Callable[[Wire, Callable[[], Awaitable[Answer]], "float | None"], Awaitable["int | None"]]


@dataclass(frozen=True)
class FaultKind:
    """One kind of wire fault: its name, what the client sees, and whether it takes `seconds`."""

    name: str
    description: str
    takes_seconds: bool
    act: FaultAction = field(repr=False, compare=False)

    def to_dict(self) -> dict[str, Any]:
        return {"kind": self.name, "description": self.description, "takes_seconds": self.takes_seconds}


async def _connection_reset(wire: Wire, answer: Callable[[], Awaitable[Answer]], seconds: float | None) -> None:
    await wire.reset()


async def _empty_response(wire: Wire, answer: Callable[[], Awaitable[Answer]], seconds: float | None) -> None:
    await wire.close()


async def _malformed_response(wire: Wire, answer: Callable[[], Awaitable[Answer]], seconds: float | None) -> None:
    await wire.write_raw_and_close(_NOT_HTTP)


async def _truncated_body(wire: Wire, answer: Callable[[], Awaitable[Answer]], seconds: float | None) -> int:
    return await wire.respond_truncated(await answer())


async def _delay(wire: Wire, answer: Callable[[], Awaitable[Answer]], seconds: float | None) -> int | None:
    assert seconds is not None  # checked when the fault was queued
    return await wire.respond(await answer()) if await wire.pause(seconds) else None


async def _slow_body(wire: Wire, answer: Callable[[], Awaitable[Answer]], seconds: float | None) -> int:
    assert seconds is not None
    return await wire.respond_slowly(await answer(), seconds)


async def _hang(wire: Wire, answer: Callable[[], Awaitable[Answer]], seconds: float | None) -> None:
    await wire.until_disconnected()


FAULT_KINDS: Mapping[str, FaultKind] = {
    kind.name: kind
    for kind in (
        FaultKind("connection_reset", "the connection is reset (TCP RST) without an answer", False, _connection_reset),
        FaultKind("empty_response", "the connection is closed without a byte of answer", False, _empty_response),
        FaultKind("malformed_response", "bytes that are not HTTP, then the close", False, _malformed_response),
        FaultKind(
            "truncated_body",
            "the normal status and headers, then half the body, then the close (short of its Content-Length)",
            False,
            _truncated_body,
        ),
        FaultKind("delay", "the normal answer, after `seconds`", True, _delay),
        FaultKind("slow_body", "the normal status and headers, the body dripped over `seconds`", True, _slow_body),
        FaultKind("hang", "nothing at all, until the client gives up and closes the connection", False, _hang),
    )
}


def fault_kind(name: object, seconds: object) -> tuple[FaultKind, float | None]:
    """The table row for `name`, and `seconds` checked against it; `ValueError` naming the problem otherwise."""
    kind = FAULT_KINDS.get(name) if isinstance(name, str) else None
    if kind is None:
        raise ValueError(f"kind must be one of {', '.join(FAULT_KINDS)}; got {name!r}")
    if not kind.takes_seconds:
        if seconds is not None:
            raise ValueError(f"seconds is only for {_timed_kinds()}, not {kind.name!r}")
        return kind, None
    if isinstance(seconds, bool) or not isinstance(seconds, int | float) or not 0 <= seconds <= MAX_FAULT_SECONDS:
        raise ValueError(f"{kind.name!r} needs seconds, a number from 0 to {MAX_FAULT_SECONDS:g}; got {seconds!r}")
    return kind, float(seconds)


def _timed_kinds() -> str:
    return " and ".join(name for name, kind in FAULT_KINDS.items() if kind.takes_seconds)
