"""What the generated resources (`client.partner_insights`, ...) stand on: a client that can send any operation.

A generated method only names its `Operation` and hands the caller's arguments to `_request`; everything else
(validation, retries, timeouts, parsing, errors) is the base client's, the same for every operation.
"""

from __future__ import annotations

import typing
from collections.abc import Awaitable, Mapping
from typing import Unpack

if typing.TYPE_CHECKING:
    from ._config import TimeoutTypes
    from ._models import Model, Operation
    from ._response import RawResponse

__all__ = ["AsyncAPIResource", "AsyncRequester", "RequestOptions", "SyncAPIResource", "SyncRequester"]

_ResponseT = typing.TypeVar("_ResponseT", bound="Model")


class RequestOptions(typing.TypedDict, total=False):
    """What a call may set for itself instead of the client's settings (`None`: the client's)."""

    timeout: TimeoutTypes | None
    max_retries: int | None
    max_response_bytes: int | None


class SyncRequester(typing.Protocol):
    """The sync client, as its resources see it."""

    def _request(
        self, operation: Operation[_ResponseT], params: Mapping[str, object], **options: Unpack[RequestOptions]
    ) -> RawResponse[_ResponseT]: ...


class AsyncRequester(typing.Protocol):
    """The async client, as its resources see it."""

    def _request(
        self, operation: Operation[_ResponseT], params: Mapping[str, object], **options: Unpack[RequestOptions]
    ) -> Awaitable[RawResponse[_ResponseT]]: ...


class SyncAPIResource:
    """Base of the generated sync resources and their `with_raw_response` views."""

    __slots__ = ("_client",)

    def __init__(self, client: SyncRequester) -> None:
        self._client = client


class AsyncAPIResource:
    """Base of the generated async resources and their `with_raw_response` views."""

    __slots__ = ("_client",)

    def __init__(self, client: AsyncRequester) -> None:
        self._client = client
