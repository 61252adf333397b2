"""Typed errors for failures that hold the request, chained without it: an httpx error's `request` carries the
headers, and so the credentials, so neither it nor the exception being handled may be reachable from what is raised.
"""

from __future__ import annotations

import ssl
import typing

import httpx

from plaid_partner_insights_core._exceptions import (
    APIConnectionError,
    APITimeoutError,
    ClientClosedError,
    EventHookError,
    PartnerInsightsError,
)

from ._deadline import DeadlineExceeded

if typing.TYPE_CHECKING:
    from ._request_building import PreparedCall

__all__ = ["describe_failure", "give_up", "hook_error", "raise_without_context"]


def describe_failure(exc: httpx.RequestError) -> str:
    """How an attempt failed, in words for the log: timed out, or failed and why."""
    return "timed out" if isinstance(exc, httpx.TimeoutException) else f"failed ({_transport_failure(exc)})"


def _transport_failure(exc: httpx.RequestError) -> str:
    """What went wrong, in words: the httpx class name, or what TLS said when the handshake failed (a certificate
    that does not verify reads very differently from a refused connection)."""
    cause: BaseException | None = exc
    while cause is not None:
        if isinstance(cause, ssl.SSLCertVerificationError):
            return f"TLS certificate verification failed: {cause.verify_message or cause.reason}"
        if isinstance(cause, ssl.SSLError):
            return f"TLS handshake failed: {cause.reason or cause}"
        cause = cause.__cause__ or cause.__context__
    return type(exc).__name__


def give_up(call: PreparedCall[typing.Any], exc: httpx.RequestError, attempts: int) -> typing.NoReturn:
    """Raise the error of a call whose last attempt got no response: `APITimeoutError` or `APIConnectionError`."""
    error_class = APIConnectionError
    if isinstance(exc, httpx.TimeoutException):
        error_class = APITimeoutError
        message = f"request timed out: {exc}" if isinstance(exc, DeadlineExceeded) else "request timed out"
    else:
        message = f"connection failed: {_transport_failure(exc)}"
    error = error_class(message, method=call.method, url=call.url, attempts=attempts)
    error.__cause__ = _detached(exc)
    raise_without_context(error)


def _detached(exc: httpx.RequestError) -> BaseException:
    """The httpx error to chain, without its `request`: that holds the headers, and so the credentials."""
    if isinstance(exc, DeadlineExceeded):
        return exc  # made here, never given a request
    try:
        detached: BaseException = type(exc)(str(exc))
    except TypeError:  # a subclass with another constructor
        detached = httpx.TransportError(f"{type(exc).__name__}: {exc}")
    detached.__cause__ = exc.__cause__  # httpcore's or the socket's error: no request there
    detached.__suppress_context__ = True
    return detached


def raise_without_context(error: BaseException) -> typing.NoReturn:
    """Raise `error` chained to its `__cause__` only: the httpx error being handled holds the request's headers."""
    error.__suppress_context__ = True
    try:
        raise error
    finally:
        error.__context__ = None


def hook_error(
    call: PreparedCall[typing.Any], exc: Exception, http: httpx.Client | httpx.AsyncClient, owner: str
) -> PartnerInsightsError:
    """The typed error for an exception out of `httpx.Client.send` that is no transport error: the user's event
    hook raised it (or the user's client was closed meanwhile). Chained to the user's exception, but not to
    httpx's `HTTPStatusError`, whose request holds the credentials (its message, without them, is kept)."""
    if isinstance(exc, RuntimeError) and http.is_closed:
        return ClientClosedError(f"the http_client given to {owner} is closed")
    error = EventHookError(
        f"an event hook of the http_client raised {type(exc).__name__}: {exc}", method=call.method, url=call.url
    )
    error.__cause__ = None if isinstance(exc, httpx.HTTPError) else exc
    return error
