"""Canary: the uvicorn internals the emulator's protocol relies on (`_compat_uvicorn`) are where it expects them.

When this fails after a uvicorn upgrade, the emulator's request deadline and wire faults may silently stop working:
read uvicorn's `protocols/http/h11_impl.py`, adapt `_protocol.py`, then raise the bound in `pyproject.toml`.
"""

from __future__ import annotations

import asyncio
import inspect

import uvicorn
from uvicorn.server import ServerState

from plaid_partner_insights.testing.emulator import _compat_uvicorn
from plaid_partner_insights.testing.emulator._protocol import request_deadline_protocol


def test_the_overridden_methods_still_exist() -> None:
    missing = [
        name
        for name in _compat_uvicorn.OVERRIDDEN_METHODS
        if not callable(getattr(_compat_uvicorn.H11Protocol, name, None))
    ]
    assert missing == [], f"uvicorn {uvicorn.__version__}: H11Protocol no longer has {missing}"


class _Transport(asyncio.Transport):
    def get_extra_info(self, name: str, default: object = None) -> object:
        return ("127.0.0.1", 1) if name in ("peername", "sockname") else default

    def is_closing(self) -> bool:
        return False

    def close(self) -> None:
        pass


async def _noop_app(scope: object, receive: object, send: object) -> None:
    pass


def test_a_connected_protocol_has_the_attributes_the_emulator_uses() -> None:
    config = uvicorn.Config(_noop_app, log_level="warning")
    config.load()
    loop = asyncio.new_event_loop()
    try:
        parameters = inspect.signature(_compat_uvicorn.H11Protocol.__init__).parameters
        assert {"config", "server_state", "app_state"} <= set(parameters), (
            f"uvicorn {uvicorn.__version__}: H11Protocol takes {list(parameters)}"
        )
        protocol = request_deadline_protocol(5.0)(config=config, server_state=ServerState(), app_state={}, _loop=loop)
        protocol.connection_made(_Transport())
        missing = [name for name in _compat_uvicorn.INSTANCE_ATTRIBUTES if not hasattr(protocol, name)]
        assert missing == [], f"uvicorn {uvicorn.__version__}: a connected H11Protocol has no {missing}"
        protocol.connection_lost(None)
    finally:
        loop.close()
