"""The loopback server every contender calls: uvicorn serving the fixed report, in its own process.

It runs in a child process so that it has its own interpreter (and, on 2 cores, its own core): in the
benchmark's process it would take the GIL from the client being measured. Run alone with
`python -m benchmarks.server`; it prints the port it listens on.
"""

from __future__ import annotations

import contextlib
import socket
import subprocess
import sys
from collections.abc import Awaitable, Callable, Iterator, MutableMapping
from typing import Any

PATH = "/cra/check_report/partner_insights/get"

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]


def make_app(body: bytes) -> Callable[[Scope, Receive, Send], Awaitable[None]]:
    """A bare ASGI app: POST to the endpoint gets the report, anything else a Plaid-style 404."""
    ok_headers = [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]
    missing = (
        b'{"error_type":"INVALID_REQUEST","error_code":"NOT_FOUND","error_message":"not found","display_message":null}'
    )
    missing_headers = [(b"content-type", b"application/json"), (b"content-length", str(len(missing)).encode())]

    async def app(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "lifespan":
            while True:
                message = await receive()
                if message["type"] == "lifespan.startup":
                    await send({"type": "lifespan.startup.complete"})
                elif message["type"] == "lifespan.shutdown":
                    await send({"type": "lifespan.shutdown.complete"})
                    return
        more = True
        while more:  # read the whole request body, as a real server would
            message = await receive()
            more = message.get("more_body", False)
        found = scope["method"] == "POST" and scope["path"] == PATH
        await send(
            {
                "type": "http.response.start",
                "status": 200 if found else 404,
                "headers": ok_headers if found else missing_headers,
            }
        )
        await send({"type": "http.response.body", "body": body if found else missing})

    return app


def serve(kind: str) -> None:
    import uvicorn

    from .report import report_bytes

    # proto must be IPPROTO_TCP (not 0): asyncio sets TCP_NODELAY on accepted sockets only then, and without it
    # Nagle's algorithm and delayed ACKs add 40 ms to every response written in two parts.
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    # Idle keep-alive connections stay open for the whole run: with uvicorn's default of 5 s, a contender's pool could
    # reuse a connection the server was closing at that moment (a ReadError on a loaded machine).
    config = uvicorn.Config(
        make_app(report_bytes(kind)),
        log_level="warning",
        access_log=False,
        lifespan="off",
        backlog=2048,
        timeout_keep_alive=600,
    )
    server = uvicorn.Server(config)
    print(sock.getsockname()[1], flush=True)
    server.run(sockets=[sock])


@contextlib.contextmanager
def running_server(kind: str = "rich") -> Iterator[str]:
    """Start the server (serving report `kind`, see `report_bytes`) in a child process; yield its base URL; stop it."""
    process = subprocess.Popen(
        [sys.executable, "-m", "benchmarks.server", kind], stdout=subprocess.PIPE, text=True, cwd=_root()
    )
    try:
        assert process.stdout is not None
        line = process.stdout.readline().strip()
        if not line.isdigit():
            raise RuntimeError(f"benchmark server did not start (exit {process.poll()}): {line!r}")
        url = f"http://127.0.0.1:{line}"
        _wait_until_up(url)
        yield url
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        if process.stdout is not None:
            process.stdout.close()


def _root() -> str:
    from pathlib import Path

    return str(Path(__file__).resolve().parent.parent)


def _wait_until_up(url: str) -> None:
    import time

    import httpx

    deadline = time.monotonic() + 20
    while True:
        try:
            httpx.post(url + PATH, content=b"{}", timeout=2).raise_for_status()
            return
        except httpx.HTTPError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.05)


if __name__ == "__main__":
    serve(sys.argv[1] if len(sys.argv) > 1 else "rich")
