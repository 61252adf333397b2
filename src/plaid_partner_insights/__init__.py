"""A typed client for Plaid's `POST /cra/check_report/partner_insights/get`.

The public API is what this module re-exports; everything else lives in private modules.
"""

import typing

from plaid_partner_insights_generated import SPEC_UPSTREAM_VERSION

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
    ClientClosedError,
    ConfigurationError,
    ConsumerReportError,
    EventHookError,
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
    WebhookVerificationError,
    WebhookVerificationReason,
    error_class_for,
)
from ._response import RawResponse, ResponseInfo
from ._version import __version__
from ._webhooks import AsyncWebhooks, UnknownWebhook, Webhooks

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
    "AsyncWebhooks",
    "CheckReportError",
    "ClientClosedError",
    "ConfigurationError",
    "ConsumerReportError",
    "Environment",
    "EventHookError",
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
    "SandboxError",
    "TimeoutTypes",
    "UnexpectedRedirectError",
    "UnknownWebhook",
    "UserError",
    "WebhookVerificationError",
    "WebhookVerificationReason",
    "Webhooks",
    "__version__",
    "error_class_for",
    "migrate_options",
]

# Show the public path in reprs and tracebacks (`plaid_partner_insights.PlaidAPIError`), as httpx does.
for _name in __all__:
    _obj = globals()[_name]
    if isinstance(_obj, type) and _obj.__module__.startswith("plaid_partner_insights."):
        _obj.__module__ = __name__
del _name, _obj


# Test tooling that 0.1.0 exported here; it lives in `plaid_partner_insights.testing` now (see CHANGELOG.md).
_MOVED_TO_TESTING = frozenset(
    {
        "BootstrappedUser",
        "ConsumerReportAccessError",
        "SandboxBootstrapError",
        "SandboxReportFailedError",
        "SandboxReportTimeoutError",
        "bootstrap_sandbox_user",
    }
)


def __getattr__(name: str) -> typing.Any:
    if name in _MOVED_TO_TESTING:
        import warnings

        from . import testing

        warnings.warn(
            f"plaid_partner_insights.{name} moved to plaid_partner_insights.testing.{name}; the old name goes in 0.2",
            DeprecationWarning,
            stacklevel=2,
        )
        return getattr(testing, name)
    # The classes made for error types without a named class live here (their `__module__`), so pickle finds them.
    from ._exceptions import _class_by_name

    found = _class_by_name(name) if name[:1].isupper() else None
    if found is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return found
