"""`client.webhooks`: verify a webhook Plaid sent and read it into the model the spec gives its type and code.

```python
event = client.webhooks.verify(request_body_bytes, request_headers)  # raises WebhookVerificationError
if isinstance(event, CraUserCheckReportReadyWebhook):
    report = client.partner_insights.get(user_id=event.user_id)
```

The keys come through the client's own `/webhook_verification_key/get` call (its retries, timeouts and typed
errors) and are cached on the client, shared with its `with_options()` copies.
"""

from __future__ import annotations

import contextlib
import json
import typing
from collections.abc import Coroutine, Iterator, Mapping

from plaid_partner_insights_core._exceptions import PlaidAPIError, ResponseValidationError

from ._webhook_keys import WebhookKey
from ._webhook_verification import (
    DEFAULT_LEEWAY,
    DEFAULT_MAX_AGE,
    check_arguments,
    check_token,
    parse_token,
    require_jwt,
)

if typing.TYPE_CHECKING:
    from plaid_partner_insights_generated.webhooks import KnownWebhook

    from ._client import AsyncPartnerInsightsClient, PartnerInsightsClient


__all__ = ["AsyncWebhooks", "UnknownWebhook", "Webhooks", "parse_webhook"]

# What Plaid answers for a key id it does not know (an `INVALID_INPUT` error).
UNKNOWN_KEY_ERROR_CODE = "INVALID_WEBHOOK_VERIFICATION_KEY_ID"


class UnknownWebhook:
    """A verified webhook whose `(webhook_type, webhook_code)` the spec does not describe (yet).

    Plaid adds webhooks over time; receiving one is not an error. `to_dict()` gives the JSON object received.
    `webhook_type` and `webhook_code` are `None` when the body does not hold them as strings.
    """

    __slots__ = ("_data", "webhook_code", "webhook_type")

    def __init__(self, data: Mapping[str, typing.Any]) -> None:
        self._data = dict(data)
        webhook_type, webhook_code = data.get("webhook_type"), data.get("webhook_code")
        self.webhook_type: str | None = webhook_type if isinstance(webhook_type, str) else None
        self.webhook_code: str | None = webhook_code if isinstance(webhook_code, str) else None

    def to_dict(self) -> dict[str, typing.Any]:
        """The webhook's JSON object, as received."""
        return dict(self._data)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, UnknownWebhook) and other._data == self._data

    __hash__: typing.ClassVar[None] = None  # type: ignore[assignment]  # mutable contents, like the generated models

    def __repr__(self) -> str:
        return f"UnknownWebhook(webhook_type={self.webhook_type!r}, webhook_code={self.webhook_code!r})"


def parse_webhook(body: bytes) -> KnownWebhook | UnknownWebhook:
    """A verified body as the model of its `(webhook_type, webhook_code)`, or an `UnknownWebhook`.

    A body that is not a JSON object, or a known webhook missing a field the spec requires, raises
    `ResponseValidationError` naming the field (never quoting the body).
    """
    from plaid_partner_insights_generated.webhooks import WEBHOOK_MODELS

    try:
        data = json.loads(body)
    except (ValueError, RecursionError):
        raise ResponseValidationError("webhook body is not valid JSON", path=None) from None
    if not isinstance(data, dict):
        raise ResponseValidationError(f"webhook body is a JSON {type(data).__name__}, not an object", path=None)
    model = WEBHOOK_MODELS.get((data.get("webhook_type"), data.get("webhook_code")))  # type: ignore[arg-type]
    if model is None:
        return UnknownWebhook(data)
    return model.from_dict(data)


_VerifiedT = typing.TypeVar("_VerifiedT")


class _WebhooksBase(typing.Generic[_VerifiedT]):
    """`client.webhooks`; `_VerifiedT` is what `verify` returns: the webhook, or (async) an awaitable of it."""

    __slots__ = ()

    def verify(
        self,
        body: bytes,
        headers: Mapping[str, str],
        *,
        max_age: float = DEFAULT_MAX_AGE,
        leeway: float = DEFAULT_LEEWAY,
        now: float | None = None,
    ) -> _VerifiedT:
        """Check that Plaid sent exactly `body` recently, then return it as the model of its type and code.

        - `body`: the request body exactly as received (bytes; never a re-serialization of the parsed JSON).
        - `headers`: the request headers, any mapping; `Plaid-Verification` is found in any letter case.
        - `max_age`: the oldest token accepted, in seconds since its `iat`; `leeway`: how far in the future an
          `iat` may lie (clock skew); `now`: Unix seconds to judge by instead of the clock (tests).

        Raises `WebhookVerificationError` (see its `reason`) when the webhook must be refused, the client's usual
        errors when the signing key cannot be fetched (`APIConnectionError`, `PlaidAPIError`, ...),
        `ResponseValidationError` when a verified body does not match its model, and `ConfigurationError` when
        the `webhooks` extra is not installed. On the async client, `await` it: nothing is checked before.
        """
        return self._verify(_Verification(body, headers, max_age, leeway, now))

    def _verify(self, request: _Verification) -> _VerifiedT:
        raise NotImplementedError


class Webhooks(_WebhooksBase["KnownWebhook | UnknownWebhook"]):
    """`client.webhooks` of `PartnerInsightsClient`."""

    __slots__ = ("_client",)

    def __init__(self, client: PartnerInsightsClient) -> None:
        self._client = client

    def _verify(self, request: _Verification) -> KnownWebhook | UnknownWebhook:
        kid = request.start()
        return request.finish(self._client._webhook_keys.get(kid, self._fetch_key))

    def _fetch_key(self, kid: str) -> dict[str, typing.Any] | None:
        with _unknown_key_is_none() as fetched:
            fetched.append(self._client.webhook_verification_key.get(key_id=kid).key.to_dict())
        return fetched[0] if fetched else None


class AsyncWebhooks(_WebhooksBase[Coroutine[None, None, "KnownWebhook | UnknownWebhook"]]):
    """`client.webhooks` of `AsyncPartnerInsightsClient`: `await client.webhooks.verify(...)`."""

    __slots__ = ("_client",)

    def __init__(self, client: AsyncPartnerInsightsClient) -> None:
        self._client = client

    async def _verify(self, request: _Verification) -> KnownWebhook | UnknownWebhook:
        kid = request.start()
        return request.finish(await self._client._webhook_keys.aget(kid, self._fetch_key))

    async def _fetch_key(self, kid: str) -> dict[str, typing.Any] | None:
        with _unknown_key_is_none() as fetched:
            fetched.append((await self._client.webhook_verification_key.get(key_id=kid)).key.to_dict())
        return fetched[0] if fetched else None


class _Verification:
    """One `verify` call, before and after its key is looked up (the only step sync and async do differently)."""

    __slots__ = ("_given", "body", "headers", "leeway", "max_age", "now", "token")

    def __init__(self, body: object, headers: Mapping[str, str], max_age: float, leeway: float, now: object) -> None:
        self._given = body, now
        self.headers, self.max_age, self.leeway = headers, max_age, leeway

    def start(self) -> str:
        """Check the arguments and read the token; the id of the key that signed it."""
        require_jwt()
        body, now = self._given
        self.body, self.now = check_arguments(body, self.max_age, self.leeway, now)
        self.token = parse_token(self.headers)
        return self.token.kid

    def finish(self, key: WebhookKey | None) -> KnownWebhook | UnknownWebhook:
        check_token(self.token, key, self.body, max_age=self.max_age, leeway=self.leeway, now=self.now)
        return parse_webhook(self.body)


@contextlib.contextmanager
def _unknown_key_is_none() -> Iterator[list[dict[str, typing.Any]]]:
    """Around a key fetch: Plaid's answer for a key id it does not know leaves the list empty instead of raising."""
    try:
        yield []
    except PlaidAPIError as error:
        if error.error_code != UNKNOWN_KEY_ERROR_CODE:
            raise
