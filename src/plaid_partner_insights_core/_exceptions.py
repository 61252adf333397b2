"""Everything the library raises.

```
PartnerInsightsError                  base of every exception raised by this library
├── ConfigurationError                missing or invalid client settings (credentials, environment, URL)
├── RequestValidationError            a request field has the wrong type or value (raised before any network call)
├── ClientClosedError                 a call on a closed client, or on a client whose `http_client` is closed
├── EventHookError                    an event hook of the user's `http_client` raised; never retried
├── APIConnectionError                no HTTP response: connection refused or reset, DNS, TLS, protocol error
│   └── APITimeoutError               the request did not finish within the timeout
├── UnexpectedRedirectError           a 3xx response: never followed, so credentials never leave for another host
├── ResponseValidationError           a 2xx response whose body is not a valid Partner Insights response
├── ResponseTooLargeError             a response body larger than `max_response_bytes` (after decompression)
├── WebhookVerificationError          a webhook whose `Plaid-Verification` signature does not hold (see `reason`)
└── PlaidAPIError                     any other non-2xx response (the parsed Plaid error body, or the start of the text)
    └── one class per `error_type` the spec lists, generated (`plaid_partner_insights_generated.client.errors`):
        InvalidRequestError (INVALID_REQUEST), RateLimitExceededError (RATE_LIMIT_EXCEEDED), PlaidServerError
        (API_ERROR), ConsumerReportError (CONSUMER_REPORT_ERROR), TransferError (TRANSFER_ERROR), ...
```

`error_class_for(error_type)` returns the class of a type. An `error_type` the spec does not list raises
`PlaidAPIError` itself, with every value Plaid sent.
No exception carries the client id or secret.
"""

from __future__ import annotations

import typing

if typing.TYPE_CHECKING:
    # For annotations only: at run time this module imports nothing generated (see the package docstring).
    from plaid_partner_insights_generated.client.models import Cause, PlaidError

    from ._response import ResponseInfo

__all__ = [
    "APIConnectionError",
    "APITimeoutError",
    "ClientClosedError",
    "ConfigurationError",
    "EventHookError",
    "PartnerInsightsError",
    "PlaidAPIError",
    "RequestValidationError",
    "ResponseTooLargeError",
    "ResponseValidationError",
    "UnexpectedRedirectError",
    "WebhookVerificationError",
    "WebhookVerificationReason",
]


class PartnerInsightsError(Exception):
    """Base class of every exception this library raises.

    `response`: the status, headers, timing and attempts of the response the error is about (a `ResponseInfo`), or
    `None` when none came (a connection error, a timeout, a request refused before sending, an unpickled copy).
    """

    _init: tuple[tuple[typing.Any, ...], dict[str, typing.Any]] | None = None
    response: ResponseInfo | None = None

    def __reduce__(self) -> str | tuple[typing.Any, ...]:
        # Keyword-only constructors: pickle (multiprocessing, task queues) rebuilds from the constructor arguments.
        if self._init is None:
            return super().__reduce__()
        return (_rebuild, (type(self), *self._init))


def _rebuild(
    cls: type[PartnerInsightsError], args: tuple[typing.Any, ...], kwargs: dict[str, typing.Any]
) -> typing.Any:
    return cls(*args, **kwargs)


class ConfigurationError(PartnerInsightsError, ValueError):
    """The client cannot be built: missing credentials, an unknown environment or a malformed URL."""


class RequestValidationError(PartnerInsightsError, ValueError):
    """A request field has the wrong type or value. Raised before anything is sent.

    `path` names the field, for example `partner_insights.prism_versions.cashscore`.
    """

    def __init__(self, path: str, problem: str) -> None:
        self._init = ((path, problem), {})
        self.path = path
        self.problem = problem
        super().__init__(f"{path}: {problem}")


class ClientClosedError(PartnerInsightsError, RuntimeError):
    """The client was closed (`close()`, `aclose()` or the end of its `with` block), or the `http_client` it was
    given is closed. Nothing was sent. Make a new client."""


class EventHookError(PartnerInsightsError):
    """An event hook of the `http_client` you passed raised; the original exception is `__cause__` (for httpx's
    `HTTPStatusError`, from `raise_for_status`, its message only: its request holds the credentials). The response,
    if any, was closed by httpx, so the call is neither interpreted nor retried."""

    def __init__(self, message: str, *, method: str, url: str) -> None:
        self._init = ((message,), {"method": method, "url": url})
        self.method = method
        self.url = url
        super().__init__(f"{message} ({method} {url})")


class APIConnectionError(PartnerInsightsError):
    """No HTTP response was received (after any retries): refused or reset connection, DNS, TLS or protocol error."""

    def __init__(self, message: str, *, method: str, url: str, attempts: int) -> None:
        self._init = ((message,), {"method": method, "url": url, "attempts": attempts})
        self.method = method
        self.url = url
        self.attempts = attempts
        super().__init__(f"{message} ({method} {url}, {attempts} attempt{'s' if attempts != 1 else ''})")


class APITimeoutError(APIConnectionError):
    """The request did not complete within the timeout (after any retries)."""


class UnexpectedRedirectError(PartnerInsightsError):
    """The server answered with a redirect (3xx). The client never follows one, whatever the `http_client` says:
    the request carries the credentials, which go only to the configured `base_url`.

    `location` is the refused `Location` header (at most 200 characters; `None` when absent). Not retried.
    """

    def __init__(self, status_code: int, *, location: str | None, method: str, url: str) -> None:
        self._init = ((status_code,), {"location": location, "method": method, "url": url})
        self.status_code = status_code
        self.location = location
        self.method = method
        self.url = url
        target = f"to {location!r}" if location is not None else "without a Location"
        super().__init__(
            f"HTTP {status_code} redirect {target} refused: credentials are only sent to the configured base_url "
            f"({method} {url})"
        )


class ResponseValidationError(PartnerInsightsError):
    """A 2xx response whose body is not a valid response: not JSON, cut off, a required field missing, or a value of
    the wrong type.

    `path` is the offending field's JSON path (`report.items[0].accounts[0].type`; `None` when the body is not a JSON
    object at all); `body_excerpt` holds the first 200 characters of the body. A generated model's `from_dict()`
    raises it too, outside any call: then `status_code`, `body_excerpt` and `request_id` are `None`.
    """

    def __init__(
        self,
        message: str,
        *,
        status_code: int | None = None,
        path: str | None = None,
        body_excerpt: str | None = None,
        request_id: str | None = None,
    ) -> None:
        self._init = (
            (message,),
            {"status_code": status_code, "path": path, "body_excerpt": body_excerpt, "request_id": request_id},
        )
        self.status_code = status_code
        self.path = path
        self.body_excerpt = body_excerpt
        self.request_id = request_id
        if status_code is None:  # raised by a model's from_dict, outside a call
            suffix = ""
        elif request_id:
            suffix = f" (HTTP {status_code}, request_id={request_id})"
        else:
            suffix = f" (HTTP {status_code})"
        super().__init__(message + suffix)


class ResponseTooLargeError(PartnerInsightsError):
    """The response body is larger than `max_response_bytes`, counted after decompression. Not retried.

    Reading stopped at the limit, so neither a huge body nor a compression bomb is held in memory. `limit` is the
    limit that applied; raise it on the client, with `with_options()`, or per call.
    """

    def __init__(self, *, status_code: int, limit: int) -> None:
        self._init = ((), {"status_code": status_code, "limit": limit})
        self.status_code = status_code
        self.limit = limit
        super().__init__(
            f"HTTP {status_code} response body is larger than max_response_bytes={limit} (after decompression); "
            "to accept it, pass a larger max_response_bytes to the client, to with_options() or to get()"
        )


WebhookVerificationReason = typing.Literal[
    "missing_header",
    "malformed_token",
    "unsupported_algorithm",
    "unknown_key",
    "expired_key",
    "bad_signature",
    "body_mismatch",
    "too_old",
    "issued_in_future",
]
"""Why a webhook was refused; `WebhookVerificationError.reason` is always one of these."""

_WEBHOOK_REASON_TEXT: dict[str, str] = {
    "missing_header": "the request has no Plaid-Verification header",
    "malformed_token": "the Plaid-Verification header is not a well-formed Plaid verification token",
    "unsupported_algorithm": "the token is not signed with ES256 (P-256), the only algorithm Plaid uses",
    "unknown_key": "Plaid does not know the key id (kid) the token names",
    "expired_key": "the token is signed with a key Plaid has expired",
    "bad_signature": "the token's signature does not match the key Plaid publishes for its key id",
    "body_mismatch": "the SHA-256 of the body received differs from the token's request_body_sha256",
    "too_old": "the token was issued longer ago than max_age allows",
    "issued_in_future": "the token's issue time lies further in the future than leeway allows",
}


class WebhookVerificationError(PartnerInsightsError):
    """A webhook was refused: its `Plaid-Verification` token does not prove that Plaid sent this body just now.

    `reason` says which check failed (a `WebhookVerificationReason`); answer the sender with 400 and do not act on
    the body. The message never holds the body, the token or a credential.
    """

    reason: WebhookVerificationReason

    def __init__(self, reason: WebhookVerificationReason) -> None:
        if reason not in _WEBHOOK_REASON_TEXT:
            raise ValueError(f"unknown webhook verification reason {reason!r}")
        self._init = ((reason,), {})
        self.reason = reason
        super().__init__(f"webhook refused ({reason}): {_WEBHOOK_REASON_TEXT[reason]}")


class PlaidAPIError(PartnerInsightsError):
    """Plaid (or something in front of it) answered with a non-2xx status.

    When the body is a Plaid error, its fields are on the exception (`error_type`, `error_code`, `error_message`,
    `display_message`, `request_id`, `causes`, `documentation_url`, `suggested_action`) and the whole parsed body
    is `error` (unknown fields kept in `error.additional_properties`). When the body is not a Plaid error (an HTML
    502 from a proxy, a cut-off body), `error` is `None`, the Plaid fields are `None` and `body_excerpt` holds the
    first 200 characters of the text.

    `causes` holds the Item-level errors behind this one as `Cause` models (`item_id`, `error_type`, `error_code`,
    ...), as the client parsed them from `error.causes`. Plaid's spec leaves the shape of those entries open, so
    `error.causes` keeps every entry as the JSON received, and an entry not shaped like a `Cause` appears only there.

    Branch on `error_type` / `error_code`, which are plain strings (values this library does not know included).
    `retry_after` is the wait the response's `Retry-After` header asked for, in seconds (`None` without one): when it
    is longer than `RetryPolicy.retry_after_max` the client raises at once instead of retrying early.
    """

    status_code: int
    error_type: str | None
    error_code: str | None
    error_message: str | None
    display_message: str | None
    request_id: str | None
    causes: list[Cause]
    documentation_url: str | None
    suggested_action: str | None
    error: PlaidError | None
    body_excerpt: str | None
    retry_after: float | None

    def __init__(
        self,
        status_code: int,
        error: PlaidError | None = None,
        *,
        causes: list[Cause] | None = None,
        body_excerpt: str | None = None,
        request_id: str | None = None,
        retry_after: float | None = None,
    ) -> None:
        self.status_code = status_code
        self.error = error
        self.body_excerpt = body_excerpt
        self.retry_after = retry_after
        if error is not None:
            self.error_type = str(error.error_type)
            self.error_code = error.error_code
            self.error_message = error.error_message
            self.display_message = error.display_message
            self.request_id = error.request_id if isinstance(error.request_id, str) else request_id
            self.causes = list(causes or ())
            self.documentation_url = error.documentation_url if isinstance(error.documentation_url, str) else None
            self.suggested_action = error.suggested_action if isinstance(error.suggested_action, str) else None
            message = f"{self.error_type}/{self.error_code}: {self.error_message}"
        else:
            self.error_type = self.error_code = self.error_message = self.display_message = None
            self.request_id = request_id
            self.causes = []
            self.documentation_url = self.suggested_action = None
            message = f"HTTP {status_code} with a body that is not a Plaid error: {body_excerpt!r}"
        if self.request_id:
            message += f" (HTTP {status_code}, request_id={self.request_id})"
        else:
            message += f" (HTTP {status_code})"
        if retry_after is not None:
            message += f"; the server asks to retry after {retry_after:.0f} s"
        super().__init__(message)

    def __reduce__(self) -> str | tuple[typing.Any, ...]:
        # Keyword-only arguments: pickle (multiprocessing, task queues) rebuilds from the constructor arguments.
        kwargs = {
            "causes": self.causes,
            "body_excerpt": self.body_excerpt,
            "request_id": self.request_id,
            "retry_after": self.retry_after,
        }
        return (_rebuild, (type(self), (self.status_code, self.error), kwargs))
