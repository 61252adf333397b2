"""A typed client for Plaid's `POST /cra/check_report/partner_insights/get`.

The public API is what this module re-exports; everything else lives in private modules.
"""

from ._client import PartnerInsightsClient
from ._version import __version__

__all__ = ["PartnerInsightsClient", "__version__"]
