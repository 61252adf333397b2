"""`plaid-partner-insights listen`: receive webhooks on a port, print the verified, refuse forgeries.

For local development: point Plaid (through a tunnel) or the emulator's `/sandbox/user/fire_webhook` at the port.
Each verified webhook is printed on stdout as one line of JSON, the body as received; a refused one gets 400 and a
`refused: REASON` line on stderr. The keys come from `--env sandbox|production` (Plaid, with `PLAID_CLIENT_ID` /
`PLAID_SECRET`) or `--base-url URL` (a running emulator), through the client's own key call.
"""

from __future__ import annotations

import argparse
import http.server
import json
import socket
import sys
import threading
import typing

from ._arguments import PORT, POSITIVE_INT, POSITIVE_SECONDS, Parser
from ._exit import ExitCode, UsageError
from ._target import client_for

if typing.TYPE_CHECKING:
    from .._client import PartnerInsightsClient

__all__ = ["configure", "run"]

DEFAULT_PORT = 8790
MAX_BODY_BYTES = 1024 * 1024  # Plaid's webhooks are a few hundred bytes
# Longest wait for one read or write of a sender's connection: a stop waits for every open one, so never forever.
SOCKET_TIMEOUT = 10.0


def configure(parser: Parser) -> None:
    parser.description = (
        "Listen for Plaid webhooks and verify each one's Plaid-Verification signature with the keys of "
        "--env sandbox|production (PLAID_CLIENT_ID / PLAID_SECRET) or --base-url URL (a running emulator). A "
        "verified webhook is answered 200 and printed on stdout as one line of JSON; a refused one is answered 400 "
        "and named on stderr (refused: REASON). Ctrl-C stops."
    )
    parser.add_argument("--host", default="127.0.0.1", help="address to listen on (default: 127.0.0.1)")
    parser.add_argument(
        "--port", type=PORT, default=DEFAULT_PORT, help=f"port to listen on; 0: a free one (default: {DEFAULT_PORT})"
    )
    parser.add_argument(
        "--count",
        type=POSITIVE_INT,
        help="exit after this many verified webhooks, each answered first (one more already received gets 503)",
    )
    parser.add_argument(
        "--max-age", type=POSITIVE_SECONDS, default=300.0, help="oldest signature accepted, in seconds (default: 300)"
    )


def run(args: argparse.Namespace) -> int:
    from plaid_partner_insights_core._exceptions import ConfigurationError

    from .._webhook_verification import require_jwt

    if not (args.env or args.base_url):
        raise UsageError("listen needs the keys' source: --env sandbox|production, or --base-url URL of an emulator")
    try:
        require_jwt()
    except ConfigurationError as exc:
        raise UsageError(str(exc)) from None
    with client_for(args) as client:
        receiver = _Receiver(client, max_age=args.max_age, count=args.count)
        try:
            server = _Server((args.host, args.port), receiver.handler())
        except OSError as exc:
            raise UsageError(f"cannot listen on {args.host}:{args.port}: {exc.strerror or exc}") from None
        with server:  # closing joins every handler thread: each delivery taken in is answered before the exit
            host, port = server.server_address[:2]
            shown = f"[{host!s}]" if ":" in str(host) else str(host)
            print(
                f"listening for webhooks on http://{shown}:{port}/ (keys from {client.base_url}); Ctrl-C to stop",
                file=sys.stderr,
                flush=True,
            )
            try:
                server.serve_forever(poll_interval=0.1)
            finally:
                server.take_queued_connections()
    if receiver.stdout_closed is not None:
        raise receiver.stdout_closed  # after the answers: the console script exits 141, as for any closed stdout
    return ExitCode.OK


class _Server(http.server.ThreadingHTTPServer):
    """The HTTP server of `listen`, which never leaves a delivery it took in without its answer.

    Its handler threads are not daemons, so closing the server waits for each to send its answer (a daemon thread
    would die mid-request when the command returns); connections the kernel queued before the stop are taken and
    answered too, rather than reset when the socket closes.
    """

    daemon_threads = False
    block_on_close = True
    request_queue_size = socket.SOMAXCONN  # a burst of webhooks waits to be taken instead of being refused

    def take_queued_connections(self) -> None:
        """Hand every connection still waiting in the socket's queue to a handler thread (after serve_forever)."""
        self.socket.setblocking(False)
        while True:
            try:
                request, address = self.get_request()
            except OSError:  # BlockingIOError: the queue is empty
                return
            request.setblocking(True)
            self.process_request(request, address)


class _Receiver:
    """What the request handler threads share: the client, the output lock and the count of verified webhooks."""

    def __init__(self, client: PartnerInsightsClient, *, max_age: float, count: int | None) -> None:
        self.client = client
        self.max_age = max_age
        self.count = count
        self.printed = 0
        self.lock = threading.Lock()
        # Set when stdout's reader went away (`listen | head -1`): nothing more can be shown, so the command stops.
        self.stdout_closed: BrokenPipeError | None = None

    def handle(self, body: bytes, headers: dict[str, str], peer: str) -> tuple[int, bool]:
        """Verify one webhook and print it (or why it was not taken).

        Returns the HTTP status to answer, and whether the command is done (the last webhook --count asked for, or
        stdout closed by its reader): its handler stops the server once the answer is sent.
        """
        from plaid_partner_insights_core._exceptions import (
            PartnerInsightsError,
            ResponseValidationError,
            WebhookVerificationError,
        )

        try:
            event = self.client.webhooks.verify(body, headers, max_age=self.max_age)
        except WebhookVerificationError as exc:
            self._say(sys.stderr, f"refused: {exc.reason} (from {peer})")
            return 400, False
        except ResponseValidationError as exc:
            self._say(sys.stderr, f"refused: verified, but {exc} (from {peer})")
            return 400, False
        except PartnerInsightsError as exc:  # the key could not be fetched: the sender should try again later
            self._say(sys.stderr, f"error: the signing key could not be fetched: {exc}")
            return 503, False
        with self.lock:  # counting and printing under one lock: never more than --count lines, in any interleaving
            # It came in while the server was stopping: 503 tells the sender to deliver it again, where a 200 would
            # claim a webhook that nobody saw.
            if self.stdout_closed is not None:
                return _not_taken("stdout was closed", peer), False
            if self.count is not None and self.printed >= self.count:
                return _not_taken(f"--count {self.count} already reached", peer), False
            try:
                print(json.dumps(event.to_dict(), ensure_ascii=False), flush=True)
            except BrokenPipeError as exc:
                self.stdout_closed = exc
                return _not_taken("stdout was closed", peer), True
            self.printed += 1
            return 200, self.printed == self.count

    def _say(self, stream: typing.TextIO, line: str) -> None:
        with self.lock:
            print(line, file=stream, flush=True)

    def handler(self) -> type[http.server.BaseHTTPRequestHandler]:
        receiver = self

        class Handler(http.server.BaseHTTPRequestHandler):
            server_version = "plaid-partner-insights-listen"
            timeout = SOCKET_TIMEOUT

            def do_POST(self) -> None:
                length = self.headers.get("content-length", "")
                if not length.isdigit():
                    self._answer(411)
                    return
                if int(length) > MAX_BODY_BYTES:
                    self._answer(413)
                    return
                body = self.rfile.read(int(length))
                status, last = receiver.handle(body, dict(self.headers.items()), self.client_address[0])
                self._answer(status)
                if last:
                    # Only now that the answer is sent: stop serve_forever (in the main thread). shutdown() waits for
                    # it to return, so from a thread of its own that nothing joins. Deliveries taken in meanwhile are
                    # answered 503 before the command exits.
                    threading.Thread(target=self.server.shutdown, daemon=True).start()

            def _answer(self, status: int) -> None:
                self.send_response(status)
                self.send_header("content-length", "0")
                self.end_headers()
                self.wfile.flush()  # the answer is on the socket before a --count stop can begin

            def log_message(self, format: str, *args: typing.Any) -> None:
                pass  # one line per webhook is printed by `handle`, never the request (or its headers)

        return Handler


def _not_taken(why: str, peer: str) -> int:
    """Say on stderr why a verified webhook was not shown; the status to answer (503: the sender delivers it again)."""
    print(f"not taken: {why}, answered 503 (from {peer})", file=sys.stderr, flush=True)
    return 503
