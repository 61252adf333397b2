"""The one place that reaches into uvicorn's internals: its h11 protocol class, which `_protocol` subclasses to
give each request a receive deadline and each request's scope the connection's transport.

uvicorn documents neither the class nor the attributes the subclass uses, so `pyproject.toml` bounds uvicorn above
and `tests/sandbox/test_compat_uvicorn.py` fails, naming what moved, when a release changes one of them.
"""

from __future__ import annotations

from uvicorn._types import ASGI3Application
from uvicorn.protocols.http.h11_impl import H11Protocol

__all__ = ["INSTANCE_ATTRIBUTES", "OVERRIDDEN_METHODS", "ASGI3Application", "H11Protocol"]

OVERRIDDEN_METHODS = ("connection_made", "on_response_complete", "connection_lost")
"""Methods of `H11Protocol` the subclass overrides, calling the original."""

INSTANCE_ATTRIBUTES = ("app", "transport", "loop", "conn")
"""Attributes the subclass reads or replaces on a protocol whose connection is made: the ASGI app, the asyncio
transport, the event loop and the h11 connection."""
