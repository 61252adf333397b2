"""The client users hold (thin first version: the client issue fills it in)."""

from __future__ import annotations

import httpx

from plaid_partner_insights_generated.client.api.plaid import cra_check_report_partner_insights_get as _endpoint
from plaid_partner_insights_generated.client.models import (
    CraCheckReportPartnerInsightsGetRequest,
    CraCheckReportPartnerInsightsGetResponse,
)

from ._version import __version__

ENVIRONMENTS = {"production": "https://production.plaid.com", "sandbox": "https://sandbox.plaid.com"}


class PartnerInsightsClient:
    """Calls `/cra/check_report/partner_insights/get` with credentials in Plaid's headers."""

    def __init__(
        self, *, client_id: str, secret: str, environment: str = "sandbox", base_url: str | None = None
    ) -> None:
        self._http = httpx.Client(
            base_url=base_url or ENVIRONMENTS[environment],
            timeout=30.0,
            headers={
                "PLAID-CLIENT-ID": client_id,
                "PLAID-SECRET": secret,
                "Plaid-Version": "2020-09-14",
                "User-Agent": f"plaid-partner-insights/{__version__}",
            },
        )

    def get(self, request: CraCheckReportPartnerInsightsGetRequest) -> CraCheckReportPartnerInsightsGetResponse:
        response = self._http.request(**_endpoint._get_kwargs(body=request))
        response.raise_for_status()
        return CraCheckReportPartnerInsightsGetResponse.from_dict(response.json())

    def close(self) -> None:
        self._http.close()

    def __repr__(self) -> str:
        return f"PartnerInsightsClient(base_url={str(self._http.base_url)!r})"
