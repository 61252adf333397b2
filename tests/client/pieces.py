"""Socket-free pieces for the tests of the base client's pure modules: a prepared call and what an attempt got."""

from __future__ import annotations

import json
from typing import Any

import httpx
from plaid_partner_insights_generated.client.api.partner_insights.get import OPERATION

from plaid_partner_insights._decoding import Received
from plaid_partner_insights._request_building import Endpoint, PreparedCall, client_headers, prepare_call

BASE_URL = "https://plaid.example"


def endpoint(http_headers: httpx.Headers | None = None) -> Endpoint:
    return Endpoint(OPERATION, BASE_URL, client_headers("cid", "sec"), http_headers)


def call(max_retries: int = 2, max_response_bytes: int = 1 << 20, timeout: float = 5.0) -> PreparedCall[Any]:
    return prepare_call(OPERATION, endpoint(), {"user_id": "usr_1"}, timeout, max_retries, max_response_bytes, 1)


def received(
    status: int,
    body: Any = None,
    *,
    headers: dict[str, str] | None = None,
    content: bytes | None = None,
    overflowed: bool = False,
    decode_error: str | None = None,
) -> Received:
    """What an attempt got: `content` as read, or `body` as JSON."""
    if content is None:
        content = b"" if body is None else json.dumps(body).encode()
    return Received(httpx.Response(status, headers=headers), content, overflowed, decode_error)
