"""What a final response means: the parsed model for a 2xx, the typed exception for anything else.

Pure functions of the call and what its last attempt received (status, headers, the body as far as it was read);
every exception raised for a response carries its HTTP facts in `response`.
"""

from __future__ import annotations

import datetime
import logging
import time
import typing

from plaid_partner_insights_generated.client.errors import ERROR_CLASSES

from plaid_partner_insights_core._config import parse_retry_after
from plaid_partner_insights_core._exceptions import (
    PartnerInsightsError,
    PlaidAPIError,
    ResponseTooLargeError,
    ResponseValidationError,
    UnexpectedRedirectError,
)
from plaid_partner_insights_core._response import RawResponse, ResponseInfo

from ._decoding import EXCERPT_CHARS, Received, TooDeep, excerpt, loads
from ._logging import log_attempt

if typing.TYPE_CHECKING:
    from plaid_partner_insights_generated.client.models import Cause

    from plaid_partner_insights_core._models import Model

    from ._request_building import PreparedCall

__all__ = ["error_class_for", "interpret_response", "parse_success", "request_id_of"]

_ResponseT = typing.TypeVar("_ResponseT", bound="Model")


def interpret_response(
    call: PreparedCall[_ResponseT], received: Received, attempt: int, started: float
) -> RawResponse[_ResponseT]:
    """The final attempt's response, parsed, with its HTTP facts; or the exception it means, carrying them."""
    response = received.response
    elapsed = datetime.timedelta(seconds=time.perf_counter() - started)

    def info(request_id: str | None) -> ResponseInfo:
        return ResponseInfo(
            status_code=response.status_code,
            headers=response.headers,
            elapsed=elapsed,
            attempts=attempt,
            method=call.method,
            url=call.url,
            body_request_id=request_id,
        )

    try:
        parsed = _parse_final(call, received, attempt, started)
    except PartnerInsightsError as error:
        error.response = info(getattr(error, "request_id", None))
        raise
    request_id = getattr(parsed, "request_id", None)
    return RawResponse(info(request_id if isinstance(request_id, str) else None), parsed)


def _parse_final(call: PreparedCall[_ResponseT], received: Received, attempt: int, started: float) -> _ResponseT:
    """The parsed response of a final attempt, or the exception it means."""
    response = received.response
    status = response.status_code
    if 300 <= status < 400:
        log_attempt(logging.DEBUG, call, None, status, None, attempt, started, ", redirect refused")
        location = response.headers.get("location")
        if location is not None and len(location) > EXCERPT_CHARS:
            location = location[:EXCERPT_CHARS] + "..."
        raise UnexpectedRedirectError(status, location=location, method=call.method, url=call.url)
    content = received.content
    if 200 <= status < 300:
        if received.overflowed:
            log_attempt(logging.DEBUG, call, None, status, None, attempt, started, ", body too large")
            raise ResponseTooLargeError(status_code=status, limit=call.max_response_bytes)
        if received.decode_error is not None:
            raise ResponseValidationError(
                f"response body could not be decoded: {received.decode_error}",
                status_code=status,
                path=None,
                body_excerpt=excerpt(content),
                request_id=None,
            )
        result = parse_success(call.operation.response_type, status, content)
        log_attempt(logging.DEBUG, call, None, status, getattr(result, "request_id", None), attempt, started, "")
        return result
    complete = not received.overflowed and received.decode_error is None
    retry_after = parse_retry_after(response.headers.get("retry-after"))
    error = api_error(status, content, complete=complete, retry_after=retry_after)
    note = f" error={error.error_type}/{error.error_code}"
    log_attempt(logging.DEBUG, call, None, status, error.request_id, attempt, started, note)
    raise error


def request_id_of(content: bytes) -> str | None:
    """The `request_id` of a JSON body, if it has one."""
    try:
        data = loads(content)
    except ValueError:
        return None
    request_id = data.get("request_id") if isinstance(data, dict) else None
    return request_id if isinstance(request_id, str) else None


def parse_success(model: type[_ResponseT], status: int, content: bytes) -> _ResponseT:
    """`content` parsed into `model`; `ResponseValidationError` naming what is wrong when it cannot be."""
    try:
        data = loads(content)
    except ValueError as exc:  # JSONDecodeError, UnicodeDecodeError, nesting: not JSON, cut off, or hostile
        problem: str | None = "response body is not valid JSON" + (
            " (nested too deeply)" if isinstance(exc, TooDeep) else ""
        )
        data = None
    else:
        problem = None if isinstance(data, dict) else f"response body is a JSON {type(data).__name__}, not an object"
    if problem is not None:
        raise ResponseValidationError(
            problem, status_code=status, path=None, body_excerpt=excerpt(content), request_id=None
        )
    request_id = data.get("request_id")
    try:
        return model.from_dict(data)
    except ResponseValidationError as exc:
        # The model names the field; add what only the call knows.
        raise ResponseValidationError(
            str(exc),
            status_code=status,
            path=exc.path,
            body_excerpt=excerpt(content),
            request_id=request_id if isinstance(request_id, str) else None,
        ) from None


def api_error(status: int, content: bytes, *, complete: bool, retry_after: float | None) -> PlaidAPIError:
    """The exception for an error response; `complete` is false when only the start of the body was read."""
    from plaid_partner_insights_generated.client.models import PlaidError

    try:
        data = loads(content) if complete else None
    except ValueError:
        data = None
    if isinstance(data, dict) and isinstance(data.get("error_type"), str) and isinstance(data.get("error_code"), str):
        body = dict(data)
        body.setdefault("error_message", "")
        body.setdefault("display_message", None)
        try:
            error = PlaidError.from_dict(body)
        except ResponseValidationError:
            pass
        else:
            causes = _typed_causes(error.causes)
            return error_class_for(str(error.error_type))(status, error, causes=causes, retry_after=retry_after)
    request_id = data.get("request_id") if isinstance(data, dict) else None
    return PlaidAPIError(
        status,
        None,
        body_excerpt=excerpt(content),
        request_id=request_id if isinstance(request_id, str) else None,
        retry_after=retry_after,
    )


def _typed_causes(entries: list[typing.Any] | None) -> list[Cause]:
    """The entries of a Plaid error's `causes` that are shaped like a `Cause`, parsed into one."""
    from plaid_partner_insights_generated.client.models import Cause

    typed = []
    for entry in entries or ():
        try:
            typed.append(Cause.from_dict(entry))
        except ResponseValidationError:  # another shape: the spec allows any JSON value here
            continue
    return typed


def error_class_for(error_type: str) -> type[PlaidAPIError]:
    """The exception class raised for an `error_type`: the generated class for each type the spec lists
    (`PlaidErrorType`; `TRANSFER_ERROR` raises `TransferError`), `PlaidAPIError` for any other."""
    return ERROR_CLASSES.get(error_type, PlaidAPIError)
