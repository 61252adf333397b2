"""What keeps the emulator serving when a client misbehaves.

- A deadline for receiving each request: a client that stalls in its headers or its body is answered 408 and
  disconnected after `request_timeout` seconds (uvicorn itself only times out idle keep-alive connections).
- Bounded concurrency (uvicorn's `limit_concurrency`): past `max_connections` open connections, new requests get
  503 at once instead of queueing, so a slowloris run degrades the service for its duration but cannot exhaust it.
- Bounded headers: h11 refuses a request head larger than `MAX_HEADER_BYTES` with 400.
"""

from __future__ import annotations

__all__ = ["DEFAULT_MAX_CONNECTIONS", "DEFAULT_REQUEST_TIMEOUT", "MAX_HEADER_BYTES"]

DEFAULT_REQUEST_TIMEOUT = 30.0
DEFAULT_MAX_CONNECTIONS = 256
MAX_HEADER_BYTES = 16 * 1024
