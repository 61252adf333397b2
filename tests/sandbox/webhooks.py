"""A real webhook receiver on loopback (stdlib HTTP server in a thread), for the setup-flow tests."""

from __future__ import annotations

import http.server
import json
import queue
import threading
from types import TracebackType
from typing import Any


class WebhookReceiver:
    """Listens on 127.0.0.1 (a free port); every JSON body POSTed to it lands on `received`, and the exact bytes
    with the headers on `raw`."""

    def __init__(self) -> None:
        self.received: queue.Queue[dict[str, Any]] = queue.Queue()
        self.raw: queue.Queue[tuple[bytes, dict[str, str]]] = queue.Queue()
        received, raw = self.received, self.raw

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                content = self.rfile.read(int(self.headers["content-length"]))
                raw.put((content, dict(self.headers.items())))
                received.put(json.loads(content))
                self.send_response(200)
                self.send_header("content-length", "0")
                self.end_headers()

            def log_message(self, format: str, *args: Any) -> None:
                pass

        self._server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}/plaid-webhook"

    def next(self, timeout: float = 10.0) -> dict[str, Any]:
        """The next webhook body; fails the test if none arrives in time."""
        try:
            return self.received.get(timeout=timeout)
        except queue.Empty:
            raise AssertionError(f"no webhook arrived within {timeout} s") from None

    def __enter__(self) -> WebhookReceiver:
        self._thread.start()
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(5)
