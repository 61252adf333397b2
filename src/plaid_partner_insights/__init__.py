"""A typed client for Plaid's `POST /cra/check_report/partner_insights/get`.

The public API is what this module re-exports; everything else lives in private modules.
"""

from plaid_partner_insights_generated import SPEC_UPSTREAM_VERSION

from ._bootstrap import (
    BootstrappedUser,
    ConsumerReportAccessError,
    SandboxBootstrapError,
    SandboxReportFailedError,
    SandboxReportTimeoutError,
    bootstrap_sandbox_user,
)
from ._client import (
    AsyncPartnerInsightsClient,
    AsyncPartnerInsightsResource,
    AsyncPartnerInsightsResourceWithRawResponse,
    PartnerInsightsClient,
    PartnerInsightsResource,
    PartnerInsightsResourceWithRawResponse,
)
from ._config import (
    DEFAULT_MAX_RESPONSE_BYTES,
    DEFAULT_MAX_RETRIES,
    DEFAULT_TIMEOUT,
    Environment,
    RetryPolicy,
    TimeoutTypes,
)
from ._deprecations import migrate_options
from ._exceptions import (
    APIConnectionError,
    APITimeoutError,
    CheckReportError,
    ConfigurationError,
    ConsumerReportError,
    InstitutionError,
    InvalidInputError,
    InvalidRequestError,
    InvalidResultError,
    ItemError,
    PartnerInsightsError,
    PlaidAPIError,
    PlaidServerError,
    RateLimitExceededError,
    RequestValidationError,
    ResponseTooLargeError,
    ResponseValidationError,
    SandboxError,
    UnexpectedRedirectError,
    UserError,
    error_class_for,
)
from ._response import RawResponse, ResponseInfo
from ._version import __version__

__all__ = [
    "DEFAULT_MAX_RESPONSE_BYTES",
    "DEFAULT_MAX_RETRIES",
    "DEFAULT_TIMEOUT",
    "SPEC_UPSTREAM_VERSION",
    "APIConnectionError",
    "APITimeoutError",
    "AsyncPartnerInsightsClient",
    "AsyncPartnerInsightsResource",
    "AsyncPartnerInsightsResourceWithRawResponse",
    "BootstrappedUser",
    "CheckReportError",
    "ConfigurationError",
    "ConsumerReportAccessError",
    "ConsumerReportError",
    "Environment",
    "InstitutionError",
    "InvalidInputError",
    "InvalidRequestError",
    "InvalidResultError",
    "ItemError",
    "PartnerInsightsClient",
    "PartnerInsightsError",
    "PartnerInsightsResource",
    "PartnerInsightsResourceWithRawResponse",
    "PlaidAPIError",
    "PlaidServerError",
    "RateLimitExceededError",
    "RawResponse",
    "RequestValidationError",
    "ResponseInfo",
    "ResponseTooLargeError",
    "ResponseValidationError",
    "RetryPolicy",
    "SandboxBootstrapError",
    "SandboxError",
    "SandboxReportFailedError",
    "SandboxReportTimeoutError",
    "TimeoutTypes",
    "UnexpectedRedirectError",
    "UserError",
    "__version__",
    "bootstrap_sandbox_user",
    "error_class_for",
    "migrate_options",
]

# Show the public path in reprs and tracebacks (`plaid_partner_insights.PlaidAPIError`), as httpx does.
for _name in __all__:
    _obj = globals()[_name]
    if isinstance(_obj, type) and _obj.__module__.startswith("plaid_partner_insights."):
        _obj.__module__ = __name__
del _name, _obj


def __getattr__(name: str) -> type:
    # The classes made for error types without a named class live here (their `__module__`), so pickle finds them.
    from ._exceptions import _class_by_name

    found = _class_by_name(name) if name[:1].isupper() else None
    if found is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return found
