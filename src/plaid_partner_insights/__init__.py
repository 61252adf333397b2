"""A typed client for Plaid's `POST /cra/check_report/partner_insights/get`.

The public API is what this module re-exports; everything else lives in private modules.
"""

import typing

from plaid_partner_insights_generated import SPEC_UPSTREAM_VERSION
from plaid_partner_insights_generated.client import errors as _generated_errors
from plaid_partner_insights_generated.client.errors import *  # noqa: F403  (one class per error type of the spec)

from plaid_partner_insights_core._config import (
    DEFAULT_MAX_RESPONSE_BYTES,
    DEFAULT_MAX_RETRIES,
    DEFAULT_TIMEOUT,
    Environment,
    RetryPolicy,
    TimeoutTypes,
)
from plaid_partner_insights_core._exceptions import (
    APIConnectionError,
    APITimeoutError,
    ClientClosedError,
    ConfigurationError,
    EventHookError,
    PartnerInsightsError,
    PlaidAPIError,
    RequestValidationError,
    ResponseTooLargeError,
    ResponseValidationError,
    UnexpectedRedirectError,
    WebhookVerificationError,
    WebhookVerificationReason,
)
from plaid_partner_insights_core._response import RawResponse, ResponseInfo

from ._client import (
    AsyncPartnerInsightsClient,
    AsyncPartnerInsightsResource,
    AsyncPartnerInsightsResourceWithRawResponse,
    PartnerInsightsClient,
    PartnerInsightsResource,
    PartnerInsightsResourceWithRawResponse,
)
from ._deprecations import migrate_options
from ._responses import error_class_for
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
    "ClientClosedError",
    "ConfigurationError",
    "Environment",
    "EventHookError",
    "PartnerInsightsClient",
    "PartnerInsightsError",
    "PartnerInsightsResource",
    "PartnerInsightsResourceWithRawResponse",
    "PlaidAPIError",
    "RawResponse",
    "RequestValidationError",
    "ResponseInfo",
    "ResponseTooLargeError",
    "ResponseValidationError",
    "RetryPolicy",
    "TimeoutTypes",
    "UnexpectedRedirectError",
    "UnknownWebhook",
    "WebhookVerificationError",
    "WebhookVerificationReason",
    "Webhooks",
    "__version__",
    "error_class_for",
    "migrate_options",
]
__all__ += _generated_errors.__all__

# Show the public path in reprs and tracebacks (`plaid_partner_insights.PlaidAPIError`), as httpx does; pickle finds
# the classes there too.
for _name in __all__:
    _obj = globals()[_name]
    if isinstance(_obj, type) and _obj.__module__.startswith(("plaid_partner_insights.", "plaid_partner_insights_")):
        _obj.__module__ = __name__
del _name, _obj


def __getattr__(name: str) -> typing.Any:
    # 0.1.0 exported the test tooling here: each name of `plaid_partner_insights.testing` still resolves, with a
    # warning (see CHANGELOG.md). `from . import <submodule>` asks here first; that must not load the testing package.
    import importlib.util

    testing = None
    if name.isidentifier() and importlib.util.find_spec(f"{__name__}.{name}") is None:
        testing = importlib.import_module(".testing", __name__)  # light: its names load on first use
    if testing is None or name not in testing.__all__:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    import warnings

    warnings.warn(
        f"plaid_partner_insights.{name} moved to plaid_partner_insights.testing.{name}; the old name goes in 0.2",
        DeprecationWarning,
        stacklevel=2,
    )
    return getattr(testing, name)
