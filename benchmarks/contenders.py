"""The contenders: each a zero-argument callable doing one whole call (or one parse) and returning the result.

Everything here is built outside the timed region; only calling the returned function is measured.
"""

from __future__ import annotations

import importlib.util
import json
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

import httpx

from .server import PATH

CLIENT_ID = "bench_client_id"
SECRET = "bench_secret"  # noqa: S105 - a dummy credential for the loopback server
USER_ID = "usr_bench0000000001"
HEADERS = {
    "PLAID-CLIENT-ID": CLIENT_ID,
    "PLAID-SECRET": SECRET,
    "Plaid-Version": "2020-09-14",
    "Content-Type": "application/json",
}

Call = Callable[[], object]
AsyncCall = Callable[[], Awaitable[object]]


def plaid_installed() -> bool:
    """plaid-python is installed only by `nox -s bench` (and the tests session), never as our dependency."""
    return importlib.util.find_spec("plaid") is not None


@dataclass
class Closer:
    """Collects what a contender opened, so the harness can close it."""

    closers: list[Callable[[], object]] = field(default_factory=list)

    def close(self) -> None:
        for close in reversed(self.closers):
            close()
        self.closers.clear()


# ----------------------------------------------------------------------------------------------------- sync


def raw_httpx_sync(url: str, closer: Closer) -> Call:
    """The floor: a keep-alive `httpx.Client.post` and `json.loads` of the body."""
    http = httpx.Client(base_url=url, headers=HEADERS, timeout=30.0)
    closer.closers.append(http.close)

    def call() -> object:
        return json.loads(http.post(PATH, json={"user_id": USER_ID}).content)

    return call


def ours_sync(url: str, closer: Closer) -> Call:
    """Our `PartnerInsightsClient`: typed request, retries, typed errors, typed response."""
    from plaid_partner_insights import PartnerInsightsClient

    client = PartnerInsightsClient(client_id=CLIENT_ID, secret=SECRET, base_url=url)
    closer.closers.append(client.close)
    get = client.partner_insights.get

    def call() -> object:
        return get(user_id=USER_ID)

    return call


def plaid_sync(url: str, closer: Closer) -> Call:
    """plaid-python's generated `PlaidApi.cra_check_report_partner_insights_get`, pointed at the loopback host."""
    import plaid  # type: ignore[import-untyped,unused-ignore]
    from plaid.api import plaid_api  # type: ignore[import-untyped,unused-ignore]
    from plaid.model.cra_check_report_partner_insights_get_request import (  # type: ignore[import-untyped,unused-ignore]
        CraCheckReportPartnerInsightsGetRequest,
    )

    configuration = plaid.Configuration(
        host=url, api_key={"clientId": CLIENT_ID, "secret": SECRET, "plaidVersion": "2020-09-14"}
    )
    api_client = plaid.ApiClient(configuration)
    closer.closers.append(api_client.close)
    api = plaid_api.PlaidApi(api_client)

    def call() -> object:
        return api.cra_check_report_partner_insights_get(CraCheckReportPartnerInsightsGetRequest(user_id=USER_ID))

    return call


# ---------------------------------------------------------------------------------------------------- async


@dataclass
class AsyncContender:
    call: AsyncCall
    aclose: Callable[[], Awaitable[object]]


def raw_httpx_async(url: str) -> AsyncContender:
    """The floor: `httpx.AsyncClient.post` and `json.loads`, on one shared client."""
    http = httpx.AsyncClient(base_url=url, headers=HEADERS, timeout=30.0)

    async def call() -> object:
        return json.loads((await http.post(PATH, json={"user_id": USER_ID})).content)

    return AsyncContender(call, http.aclose)


def ours_async(url: str) -> AsyncContender:
    """Our `AsyncPartnerInsightsClient`."""
    from plaid_partner_insights import AsyncPartnerInsightsClient

    client = AsyncPartnerInsightsClient(client_id=CLIENT_ID, secret=SECRET, base_url=url)
    get = client.partner_insights.get

    async def call() -> object:
        return await get(user_id=USER_ID)

    return AsyncContender(call, client.aclose)


# ---------------------------------------------------------------------------------------------------- parse


def json_parse(body: bytes) -> Call:
    """The floor: bytes to plain dicts."""
    loads = json.loads

    def call() -> object:
        return loads(body)

    return call


def ours_parse(body: bytes) -> Call:
    """What our client does with the body of a 200: bytes to the typed response model, with its checks."""
    from plaid_partner_insights_generated.client.api.partner_insights.get import OPERATION

    from plaid_partner_insights._responses import parse_success

    model = OPERATION.response_type

    def call() -> object:
        return parse_success(model, 200, body)

    return call


def plaid_parse(body: bytes) -> Call:
    """plaid-python's own response path: `ApiClient.deserialize` (json.loads, then validate_and_convert_types)."""
    import plaid  # type: ignore[import-untyped,unused-ignore]
    from plaid.model.cra_check_report_partner_insights_get_response import (  # type: ignore[import-untyped,unused-ignore]
        CraCheckReportPartnerInsightsGetResponse,
    )

    api_client = plaid.ApiClient(plaid.Configuration(host="http://127.0.0.1:9"))
    deserialize = api_client.deserialize
    response_type = (CraCheckReportPartnerInsightsGetResponse,)

    class Response:  # the two members of urllib3's response that deserialize() reads
        data = body

        @staticmethod
        def getheader(name: str, default: Any = None) -> Any:
            return default

    response = Response()

    def call() -> object:
        return deserialize(response, response_type, True)

    return call
