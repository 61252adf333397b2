"""The local emulator of Plaid's API for `/cra/check_report/partner_insights/get`, served by uvicorn on loopback.

```python
from plaid_partner_insights.testing.emulator import DEMO_USER_ID, EmulatorServer

with EmulatorServer(port=0) as server:
    ...  # point a client at server.url and ask for DEMO_USER_ID
```

The server needs the `sandbox` extra (uvicorn, pydantic, PyJWT). The user constants and the CLI hook do not, so
they import eagerly; the server parts import on first use and raise a clear `ImportError` without the extra.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from . import _users
from ._users import *  # noqa: F403  (the special users: `_users.__all__` names them once)

if TYPE_CHECKING:
    from ._address import DEFAULT_HOST, DEFAULT_PORT
    from ._admin import ADMIN_PREFIX
    from ._app import EmulatorApp, create_app
    from ._errors import EmulatorError
    from ._journal import RecordedRequest
    from ._server import EmulatorServer, serve
    from ._setup import SetupSettings, WebhookDelivery
    from ._wire import FAULT_KINDS, FaultKind

__all__ = [
    "ADMIN_PREFIX",
    "DEFAULT_HOST",
    "DEFAULT_PORT",
    "FAULT_KINDS",
    "EmulatorApp",
    "EmulatorError",
    "EmulatorServer",
    "FaultKind",
    "RecordedRequest",
    "SetupSettings",
    "WebhookDelivery",
    "create_app",
    "serve",
]
__all__ += _users.__all__

_LAZY = {
    "ADMIN_PREFIX": "._admin",
    "RecordedRequest": "._journal",
    "FAULT_KINDS": "._wire",
    "FaultKind": "._wire",
    "EmulatorApp": "._app",
    "create_app": "._app",
    "EmulatorError": "._errors",
    "DEFAULT_HOST": "._address",
    "DEFAULT_PORT": "._address",
    "EmulatorServer": "._server",
    "serve": "._server",
    "SetupSettings": "._setup",
    "WebhookDelivery": "._setup",
}
_MISSING_EXTRA = (
    'the local emulator needs the "sandbox" extra (uvicorn, pydantic and PyJWT): '
    'pip install "plaid-partner-insights[sandbox]"'
)


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    try:
        loaded = importlib.import_module(module, __name__)
    except ImportError as exc:
        if exc.name in {"uvicorn", "pydantic", "pydantic_core", "typing_extensions", "h11", "jwt", "cryptography"}:
            raise ImportError(f"{_MISSING_EXTRA} (missing: {exc.name})", name=exc.name) from exc
        raise
    return getattr(loaded, name)
