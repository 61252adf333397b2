"""A scripted HTTP/1.1 server on 127.0.0.1 for fault-injection tests.

Each accepted connection gets the next reply of the script (the last one repeats): raw response bytes, a TCP reset,
or a stall. Every request is recorded with its arrival time, so tests can count attempts and measure waits.
Replies close the connection, so every attempt is a new connection, unless the server is made with
`keep_alive=True`: then a reply without `Connection: close` (see `http_response`) leaves the connection open for the
client's next request.
"""

from __future__ import annotations

import json
import socket
import ssl
import struct
import threading
import time
from dataclasses import dataclass, field
from types import TracebackType
from typing import Any

__all__ = ["RESET", "Drip", "Recorded", "Reply", "ScriptedServer", "Stall", "http_response", "json_response"]

_REASONS = {
    200: "OK",
    301: "Moved Permanently",
    302: "Found",
    307: "Temporary Redirect",
    308: "Permanent Redirect",
    400: "Bad Request",
    408: "Request Timeout",
    429: "Too Many Requests",
    502: "Bad Gateway",
}


def http_response(
    status: int,
    body: bytes | str,
    *,
    content_type: str = "application/json",
    headers: dict[str, str] | None = None,
    content_length: int | None = None,
    keep_alive: bool = False,
) -> bytes:
    """Raw response bytes. `content_length` larger than the body makes the peer see a cut-off transfer."""
    payload = body.encode() if isinstance(body, str) else body
    lines = [f"HTTP/1.1 {status} {_REASONS.get(status, 'Status')}", f"Content-Type: {content_type}"]
    lines.append(f"Content-Length: {len(payload) if content_length is None else content_length}")
    if not keep_alive:
        lines.append("Connection: close")
    lines.extend(f"{name}: {value}" for name, value in (headers or {}).items())
    return ("\r\n".join(lines) + "\r\n\r\n").encode() + payload


def json_response(status: int, data: Any, headers: dict[str, str] | None = None) -> bytes:
    return http_response(status, json.dumps(data), headers=headers)


class _Reset:
    def __repr__(self) -> str:
        return "RESET"


RESET = _Reset()
"""Read the request, then close with SO_LINGER 0: the client sees a connection reset."""


@dataclass(frozen=True)
class Stall:
    """Read the request and send nothing for `seconds` (or until the server stops), then close."""

    seconds: float = 30.0


@dataclass(frozen=True)
class Drip:
    """Send `head` at once, then `body` one byte every `interval` seconds (until the client or the server stops)."""

    head: bytes
    body: bytes
    interval: float = 0.3


Reply = bytes | _Reset | Stall | Drip


@dataclass
class Recorded:
    method: str
    path: str
    headers: dict[str, str]
    body: bytes
    at: float = field(default_factory=time.monotonic)

    def json(self) -> Any:
        return json.loads(self.body)


class ScriptedServer:
    def __init__(self, *script: Reply, keep_alive: bool = False, tls: ssl.SSLContext | None = None) -> None:
        if not script:
            raise ValueError("a script needs at least one reply")
        self._script = list(script)
        self._keep_alive = keep_alive
        self._tls = tls  # a server-side context: each connection starts with a TLS handshake
        self.requests: list[Recorded] = []
        self.connections = 0  # accepted so far
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._sock = socket.create_server(("127.0.0.1", 0))
        self._sock.settimeout(0.05)
        self.url = f"http://127.0.0.1:{self._sock.getsockname()[1]}"
        self._threads: list[threading.Thread] = []

    @property
    def attempts(self) -> int:
        return len(self.requests)

    @property
    def threads(self) -> set[threading.Thread]:
        """The server's own threads, accepting and serving."""
        return set(self._threads)

    def gaps(self) -> list[float]:
        """Seconds between consecutive requests."""
        return [b.at - a.at for a, b in zip(self.requests, self.requests[1:], strict=False)]

    def __enter__(self) -> ScriptedServer:
        thread = threading.Thread(target=self._accept, daemon=True)
        thread.start()
        self._threads.append(thread)
        return self

    def __exit__(self, *exc: tuple[type[BaseException] | None, BaseException | None, TracebackType | None]) -> None:
        self._stop.set()
        for thread in list(self._threads):
            thread.join(5)
        self._sock.close()

    def _accept(self) -> None:
        while not self._stop.is_set():
            try:
                conn, _ = self._sock.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            self.connections += 1
            thread = threading.Thread(target=self._serve, args=(conn,), daemon=True)
            thread.start()
            self._threads.append(thread)

    def _read_request(self, conn: socket.socket) -> Recorded | None:
        conn.settimeout(5)
        data = b""
        while b"\r\n\r\n" not in data:
            chunk = conn.recv(65536)
            if not chunk:
                return None
            data += chunk
        head, _, body = data.partition(b"\r\n\r\n")
        request_line, *header_lines = head.decode("latin-1").split("\r\n")
        headers = {}
        for line in header_lines:
            name, _, value = line.partition(":")
            headers[name.strip().lower()] = value.strip()
        length = int(headers.get("content-length", "0"))
        while len(body) < length:
            chunk = conn.recv(65536)
            if not chunk:
                break
            body += chunk
        method, path, _ = request_line.split(" ", 2)
        return Recorded(method, path, headers, body)

    def _drip(self, conn: socket.socket, drip: Drip) -> None:
        try:
            conn.sendall(drip.head)
            for index in range(len(drip.body)):
                if self._stop.wait(drip.interval):
                    return
                conn.sendall(drip.body[index : index + 1])
        except OSError:  # the client hung up: what a deadline is for
            return

    def _serve(self, conn: socket.socket) -> None:
        if self._tls is not None:
            try:
                conn.settimeout(5)
                conn = self._tls.wrap_socket(conn, server_side=True)
            except (OSError, ssl.SSLError):  # the client refused the certificate: the point of such a test
                conn.close()
                return
        with conn:
            while self._serve_one(conn):
                pass

    def _serve_one(self, conn: socket.socket) -> bool:
        """Answer one request; True when the connection stays open for another."""
        try:
            recorded = self._read_request(conn)
        except OSError:
            return False
        if recorded is None:
            return False
        with self._lock:
            index = len(self.requests)
            self.requests.append(recorded)
            reply = self._script[min(index, len(self._script) - 1)]
        if isinstance(reply, _Reset):
            conn.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            return False
        if isinstance(reply, Stall):
            self._stop.wait(reply.seconds)
            return False
        if isinstance(reply, Drip):
            self._drip(conn, reply)
            return False
        try:
            conn.sendall(reply)
            if self._keep_alive and b"\r\nconnection: close\r\n" not in reply.partition(b"\r\n\r\n")[0].lower():
                return True
            conn.shutdown(socket.SHUT_WR)
            # Let the client read everything before the socket goes away.
            conn.settimeout(2)
            while conn.recv(65536):
                pass
        except OSError:
            pass
        return False
