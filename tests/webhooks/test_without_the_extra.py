"""Without the `webhooks` extra the client still works, and `verify` says which install command is missing.

The extra's packages are hidden from a child interpreter (a `None` entry in `sys.modules` makes their import fail,
as it would where they are not installed).
"""

from __future__ import annotations

import subprocess
import sys
import textwrap

import pytest

from plaid_partner_insights._webhook_verification import WEBHOOKS_EXTRA_MISSING
from tests.loaded_modules import modules_loaded_by, within

VERIFY = textwrap.dedent(
    """
    import asyncio, sys
    for name in {hidden!r}:
        sys.modules[name] = None
    from plaid_partner_insights import AsyncPartnerInsightsClient, ConfigurationError, PartnerInsightsClient

    client = PartnerInsightsClient(client_id="id", secret="secret", base_url="http://127.0.0.1:9")
    try:
        client.webhooks.verify(b"{{}}", {{"Plaid-Verification": "a.b.c"}})
    except ConfigurationError as error:
        print("sync:", error)

    async def main():
        async with AsyncPartnerInsightsClient(client_id="id", secret="secret", base_url="http://127.0.0.1:9") as c:
            try:
                await c.webhooks.verify(b"{{}}", {{}})
            except ConfigurationError as error:
                print("async:", error)

    asyncio.run(main())
    """
)


@pytest.mark.parametrize(
    ("hidden", "note"),
    [
        (["jwt"], ""),
        (["cryptography"], " (PyJWT is installed without cryptography)"),
    ],
    ids=["no-pyjwt", "no-cryptography"],
)
def test_verify_names_the_install_command(hidden: list[str], note: str) -> None:
    done = subprocess.run(
        [sys.executable, "-c", VERIFY.format(hidden=hidden)], capture_output=True, text=True, check=True, timeout=60
    )
    assert 'pip install "plaid-partner-insights[webhooks]"' in WEBHOOKS_EXTRA_MISSING
    message = WEBHOOKS_EXTRA_MISSING + note
    assert done.stdout.splitlines() == [f"sync: {message}", f"async: {message}"]


def test_importing_the_client_loads_no_jose_library() -> None:
    assert within(modules_loaded_by("import plaid_partner_insights"), ("jwt", "cryptography")) == []
