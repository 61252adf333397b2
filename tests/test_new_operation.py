"""An operation added to the spec becomes a method on every client, with no edit outside the spec.

A temporary copy of `spec/openapi.yaml` gets a new operation (a path, a request schema with one field, a response
schema) and is regenerated into a temporary folder with `codegen.build`. A subprocess whose PYTHONPATH puts that
package ahead of the installed one calls the new method on the sync client, the async client and
`with_raw_response`, against a loopback server that answers the new path, and parses the typed response. mypy
--strict then type-checks a caller: the right keyword passes, a wrong one is refused.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.regenerated import env_with

# Run first under pytest-xdist (tests/conftest.py), with coverage paused (tests/untraced.py).
pytestmark = [pytest.mark.slow, pytest.mark.untraced]

ROOT = Path(__file__).resolve().parent.parent
SPEC = ROOT / "spec" / "openapi.yaml"
PATH = "/widget_status/get"

PROBE = textwrap.dedent(
    """
    import asyncio, http.server, json, sys, threading

    import plaid_partner_insights_generated
    from plaid_partner_insights import AsyncPartnerInsightsClient, PartnerInsightsClient

    received = []

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_POST(self):
            body = json.loads(self.rfile.read(int(self.headers["content-length"])))
            received.append({"path": self.path, "body": body, "version": self.headers.get("plaid-version")})
            answer = json.dumps({"status": "ready:" + body["widget_id"], "request_id": "req_1"}).encode()
            self.send_response(200)
            self.send_header("content-type", "application/json")
            self.send_header("content-length", str(len(answer)))
            self.end_headers()
            self.wfile.write(answer)

        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    url = f"http://127.0.0.1:{server.server_address[1]}"
    settings = {"client_id": "id", "secret": "secret", "base_url": url, "max_retries": 0}

    with PartnerInsightsClient(**settings) as client:
        plain = client.widget_status.get(widget_id="w1")
        raw = client.widget_status.with_raw_response.get(widget_id="w2")

    async def main():
        async with AsyncPartnerInsightsClient(**settings) as client:
            return await client.widget_status.get(widget_id="w3"), await client.widget_status.with_raw_response.get(
                widget_id="w4"
            )

    async_plain, async_raw = asyncio.run(main())
    server.shutdown()
    print(json.dumps({
        "generated_from": plaid_partner_insights_generated.__file__,
        "results": [
            [type(plain).__name__, plain.status, plain.request_id],
            [raw.status_code, type(raw.parse()).__name__, raw.parse().status],
            [type(async_plain).__name__, async_plain.status],
            [async_raw.status_code, async_raw.parse().status],
        ],
        "received": received,
    }))
    """
)

CALLER = textwrap.dedent(
    """
    from plaid_partner_insights import PartnerInsightsClient
    from plaid_partner_insights_generated.client.models import WidgetStatusGetResponse


    def fetch(client: PartnerInsightsClient) -> WidgetStatusGetResponse:
        right = client.widget_status.get(widget_id="w1")
        client.widget_status.get(widget_idd="w1")  # WRONG KEYWORD
        return right
    """
)


def add_operation(spec: dict[str, Any]) -> None:
    """A new operation of the kind Plaid adds: a POST with a JSON request of one field and a JSON response."""
    spec["paths"][PATH] = {
        "post": {
            "summary": "Read a widget's status",
            "operationId": "widgetStatusGet",
            "description": "Returns the status of one widget.",
            "requestBody": {
                "required": True,
                "content": {"application/json": {"schema": {"$ref": "#/components/schemas/WidgetStatusGetRequest"}}},
            },
            "responses": {
                "200": {
                    "description": "The widget's status.",
                    "content": {
                        "application/json": {"schema": {"$ref": "#/components/schemas/WidgetStatusGetResponse"}}
                    },
                }
            },
        }
    }
    schemas = spec["components"]["schemas"]
    schemas["WidgetStatusGetRequest"] = {
        "title": "WidgetStatusGetRequest",
        "type": "object",
        "description": "Which widget.",
        "required": ["widget_id"],
        "properties": {"widget_id": {"type": "string", "description": "The widget's id."}},
        "additionalProperties": False,
    }
    schemas["WidgetStatusGetResponse"] = {
        "title": "WidgetStatusGetResponse",
        "type": "object",
        "description": "The widget's status.",
        "required": ["status", "request_id"],
        "properties": {
            "status": {"type": "string", "description": "Its status."},
            "request_id": {"type": "string", "description": "The request's id."},
        },
    }


@pytest.fixture(scope="module")
def regenerated(tmp_path_factory: pytest.TempPathFactory) -> Path:
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))
    import codegen

    work = tmp_path_factory.mktemp("new-operation")
    spec = yaml.safe_load(SPEC.read_text())
    add_operation(spec)
    changed = work / "openapi.yaml"
    changed.write_text(yaml.safe_dump(spec, sort_keys=False, allow_unicode=True))
    codegen.build(work / "generated", changed)
    return work / "generated"


def test_the_new_operation_is_a_method_of_every_client(regenerated: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-c", PROBE], capture_output=True, text=True, env=env_with(regenerated), timeout=120
    )
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout)
    assert result["generated_from"].startswith(str(regenerated)), result["generated_from"]
    assert result["results"] == [
        ["WidgetStatusGetResponse", "ready:w1", "req_1"],
        [200, "WidgetStatusGetResponse", "ready:w2"],
        ["WidgetStatusGetResponse", "ready:w3"],
        [200, "ready:w4"],
    ]
    assert result["received"] == [
        {"path": PATH, "body": {"widget_id": f"w{n}"}, "version": "2020-09-14"} for n in range(1, 5)
    ]


def test_mypy_accepts_the_right_keyword_and_refuses_a_wrong_one(regenerated: Path, tmp_path: Path) -> None:
    caller = tmp_path / "caller.py"
    caller.write_text(CALLER)
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "mypy",
            "--strict",
            "--no-incremental",
            "--config-file",
            os.devnull,
            "--python-version",
            "3.11",
            str(caller),
        ],
        capture_output=True,
        text=True,
        env={**env_with(regenerated), "MYPYPATH": os.pathsep.join([str(regenerated), str(ROOT / "src")])},
        timeout=300,
        cwd=tmp_path,
    )
    errors = [line for line in done.stdout.splitlines() if ": error:" in line]
    wrong_line = CALLER.splitlines().index('    client.widget_status.get(widget_idd="w1")  # WRONG KEYWORD') + 1
    assert len(errors) == 1, done.stdout + done.stderr
    assert errors[0].startswith(f"{caller.name}:{wrong_line}: error: Unexpected keyword argument"), errors
    assert '"widget_idd"' in errors[0], errors
