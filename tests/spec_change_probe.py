"""Run by tests/test_spec_changes.py in a subprocess whose PYTHONPATH puts a regenerated package first.

Reads a JSON plan on stdin: requests to send (raw over HTTP, and through the typed client, with attribute paths to
read on the parsed response) and command lines for the CLI. Starts the real sandbox on 127.0.0.1, runs the plan
and prints one JSON object with what happened, for the test to check.
"""

from __future__ import annotations

import contextlib
import io
import json
import re
import sys
import typing
from typing import Any

import httpx
import plaid_partner_insights_generated
from plaid_partner_insights_generated import API_VERSION

from plaid_partner_insights import PartnerInsightsClient, PlaidAPIError, _cli
from plaid_partner_insights.testing.emulator import EmulatorServer

HEADERS = {"PLAID-CLIENT-ID": "probe-client", "PLAID-SECRET": "probe-secret", "Plaid-Version": API_VERSION}


def read(value: Any, path: str) -> Any:
    """`report.items[0].nickname` on a parsed model: attributes and list indexes."""
    for name, index in re.findall(r"([A-Za-z_]\w*)(?:\[(\d+)\])?", path):
        value = getattr(value, name)
        if index:
            value = value[int(index)]
    return value


def typed_call(client: PartnerInsightsClient, request: dict[str, Any], paths: list[str]) -> dict[str, Any]:
    try:
        response = typing.cast(typing.Any, client.partner_insights).get(**request)
    except PlaidAPIError as exc:
        cls = type(exc)
        return {
            "raised": cls.__name__,
            "module": cls.__module__,
            "error_type": exc.error_type,
            "mro": cls.__mro__[1].__name__,
        }
    except TypeError as exc:
        return {"raised": "TypeError", "message": str(exc)}
    found = {}
    for path in paths:
        parent_path, _, name = path.rpartition(".")
        parent = read(response, parent_path) if parent_path else response
        value = read(response, path)
        found[path] = {
            "value": value if isinstance(value, str | int | float | bool) or value is None else repr(value),
            "type": type(value).__name__,
            "typed": name not in getattr(parent, "additional_properties", {}),
        }
    return {"attributes": found}


def main() -> None:
    plan = json.load(sys.stdin)
    result: dict[str, Any] = {"generated_from": plaid_partner_insights_generated.__file__, "calls": [], "cli": []}
    with EmulatorServer(port=0) as server:
        endpoint = f"{server.url}/cra/check_report/partner_insights/get"
        with PartnerInsightsClient(client_id="probe-client", secret="probe-secret", base_url=server.url) as client:
            for call in plan["calls"]:
                raw = httpx.post(endpoint, json=call["request"], headers=HEADERS, timeout=10)
                result["calls"].append(
                    {
                        "status": raw.status_code,
                        "body": raw.json(),
                        "typed": typed_call(client, call["request"], call.get("paths", [])),
                    }
                )
        for argv in plan["cli"]:
            out, err = io.StringIO(), io.StringIO()
            with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
                code = _cli.main(["get", "--base-url", server.url, *argv] if "--help" not in argv else ["get", *argv])
            result["cli"].append({"code": code, "stdout": out.getvalue(), "stderr": err.getvalue()})
    json.dump(result, sys.stdout)


if __name__ == "__main__":
    main()
