"""Running the emulator with uvicorn: in a background thread (`EmulatorServer`) or in the foreground (`serve`)."""

from __future__ import annotations

import socket
import sys
import threading
import time
from types import TracebackType
from typing import TextIO

import uvicorn

from ._address import DEFAULT_HOST, DEFAULT_PORT
from ._admin import ADMIN_PREFIX
from ._app import EmulatorApp, create_app
from ._errors import EmulatorError
from ._limits import DEFAULT_MAX_CONNECTIONS, DEFAULT_REQUEST_TIMEOUT, MAX_HEADER_BYTES
from ._protocol import request_deadline_protocol
from ._setup import SetupSettings
from ._timing import NEW_CLIENT_CUTOFF

__all__ = ["DEFAULT_HOST", "DEFAULT_PORT", "EmulatorServer", "serve"]


def _bind(host: str, port: int) -> socket.socket:
    """A listening socket; binding it ourselves gives port 0 a known number before uvicorn starts."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        # Accepted connections inherit it: without it, headers and body sent in separate writes wait on
        # delayed ACKs, about 40 ms per request on loopback.
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        sock.bind((host, port))
        sock.listen(128)
    except OSError as exc:
        sock.close()
        raise EmulatorError(f"cannot listen on {host}:{port}: {exc.strerror or exc}") from exc
    sock.set_inheritable(True)
    return sock


def _url(sock: socket.socket) -> str:
    host, port = sock.getsockname()[:2]
    return f"http://[{host}]:{port}" if ":" in host else f"http://{host}:{port}"


def _config(
    client_id: str | None,
    secret: str | None,
    new_client: bool,
    *,
    quiet: bool,
    setup: SetupSettings | None = None,
    request_timeout: float = DEFAULT_REQUEST_TIMEOUT,
    max_connections: int = DEFAULT_MAX_CONNECTIONS,
    admin_api: bool = False,
) -> uvicorn.Config:
    app = create_app(client_id=client_id, secret=secret, new_client=new_client, setup=setup, admin_api=admin_api)
    if not (isinstance(max_connections, int) and max_connections > 0):
        raise ValueError(f"max_connections must be an integer > 0, got {max_connections!r}")
    return uvicorn.Config(
        app,
        http=request_deadline_protocol(request_timeout),
        limit_concurrency=max_connections,
        h11_max_incomplete_event_size=MAX_HEADER_BYTES,
        ws="none",
        lifespan="on",
        server_header=False,
        timeout_graceful_shutdown=5,
        # In the background the emulator must not reconfigure the host program's logging or print access logs.
        log_config=None if quiet else uvicorn.config.LOGGING_CONFIG,
        access_log=not quiet,
        log_level="warning" if quiet else "info",
    )


class EmulatorServer:
    """The emulator served by uvicorn in a background thread, for tests and demos.

    ```python
    with EmulatorServer(port=0) as server:
        client = PartnerInsightsClient(client_id="any", secret="any", base_url=server.url)
    ```
    Entering waits (at most `startup_timeout` seconds) until the server accepts connections; leaving stops it.
    A client that has not sent its whole request within `request_timeout` seconds gets 408; past `max_connections`
    open connections, requests get 503 (see `_limits`). `app.journal` and `app.faults` hold the request journal and
    the fault queue; `admin_api=True` also serves them over HTTP under `/__emulator/` (see `_admin`).
    """

    def __init__(
        self,
        *,
        host: str = DEFAULT_HOST,
        port: int = 0,
        client_id: str | None = None,
        secret: str | None = None,
        new_client: bool = False,
        startup_timeout: float = 10.0,
        setup: SetupSettings | None = None,
        request_timeout: float = DEFAULT_REQUEST_TIMEOUT,
        max_connections: int = DEFAULT_MAX_CONNECTIONS,
        admin_api: bool = False,
    ) -> None:
        self._host = host
        self._port = port
        self._config = _config(
            client_id,
            secret,
            new_client,
            quiet=True,
            setup=setup,
            request_timeout=request_timeout,
            max_connections=max_connections,
            admin_api=admin_api,
        )
        self.request_timeout: float = float(request_timeout)
        self.max_connections = max_connections
        self._startup_timeout = startup_timeout
        self._server: uvicorn.Server | None = None
        self._thread: threading.Thread | None = None
        self._socket: socket.socket | None = None
        self._url: str | None = None

    @property
    def url(self) -> str:
        """`http://127.0.0.1:PORT`, the base URL to give a client."""
        if self._url is None:
            raise EmulatorError("the emulator is not running")
        return self._url

    @property
    def app(self) -> EmulatorApp:
        """The ASGI app being served: its `journal` and `faults` are the request journal and the fault queue."""
        app = self._config.app
        assert isinstance(app, EmulatorApp)
        return app

    def __repr__(self) -> str:
        return f"EmulatorServer(url={self._url!r})"

    def start(self) -> None:
        """Start serving; returns once connections are accepted, raises `EmulatorError` otherwise."""
        if self._thread is not None:
            raise EmulatorError("the emulator is already running")
        self._socket = _bind(self._host, self._port)
        self._server = uvicorn.Server(self._config)
        self._thread = threading.Thread(
            target=self._server.run,
            kwargs={"sockets": [self._socket]},
            name=f"plaid-emulator {_url(self._socket)}",
            daemon=True,
        )
        self._thread.start()
        deadline = time.monotonic() + self._startup_timeout
        while not self._server.started:
            if not self._thread.is_alive():
                self._cleanup()
                raise EmulatorError("the emulator stopped during startup (see the log for the cause)")
            if time.monotonic() > deadline:
                self.stop()
                raise EmulatorError(f"the emulator did not start within {self._startup_timeout} s")
            time.sleep(0.01)
        self._url = _url(self._socket)

    def stop(self, timeout: float = 10.0) -> None:
        """Stop serving and wait for the thread to end."""
        if self._server is not None and self._thread is not None:
            self._server.should_exit = True
            self._thread.join(timeout)
            if self._thread.is_alive():
                self._server.force_exit = True
                self._thread.join(timeout)
        self._cleanup()

    def _cleanup(self) -> None:
        if self._socket is not None:
            self._socket.close()
        self._server = self._thread = self._socket = self._url = None

    def __enter__(self) -> EmulatorServer:
        self.start()
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()


def serve(
    host: str = DEFAULT_HOST,
    port: int = DEFAULT_PORT,
    client_id: str | None = None,
    secret: str | None = None,
    new_client: bool = False,
    *,
    out: TextIO | None = None,
    setup: SetupSettings | None = None,
    request_timeout: float = DEFAULT_REQUEST_TIMEOUT,
    max_connections: int = DEFAULT_MAX_CONNECTIONS,
    admin_api: bool = False,
) -> None:
    """Serve the emulator in the foreground until interrupted (Ctrl-C or SIGTERM), printing its URL first."""
    config = _config(
        client_id,
        secret,
        new_client,
        quiet=False,
        setup=setup,
        request_timeout=request_timeout,
        max_connections=max_connections,
        admin_api=admin_api,
    )
    sock = _bind(host, port)
    stream = out or sys.stdout
    checks = "checks the client_id/secret it was started with" if client_id else "accepts any client_id/secret"
    mode = f", playing a client created on or after {NEW_CLIENT_CUTOFF}" if new_client else ""
    mode += f", admin API under {_url(sock)}{ADMIN_PREFIX}/" if admin_api else ""
    # The socket already listens, so a client that reads this line can connect at once.
    print(f"Plaid emulator listening on {_url(sock)} ({checks}{mode}); press Ctrl-C to stop", file=stream, flush=True)
    try:
        uvicorn.Server(config).run(sockets=[sock])
    finally:
        sock.close()
