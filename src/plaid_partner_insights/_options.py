"""A client's settings, checked: credentials, where requests go, timeouts, retries, size limits, the environment.

Each check raises `ConfigurationError` naming the setting (a per-call credential raises `RequestValidationError`),
and none echoes a credential: it may be a secret.
"""

from __future__ import annotations

import os
import typing

import httpx

from plaid_partner_insights_core._config import ENVIRONMENTS, RetryPolicy, TimeoutTypes
from plaid_partner_insights_core._exceptions import ConfigurationError, RequestValidationError

__all__ = [
    "ENVIRONMENT_VARIABLES",
    "as_max_response_bytes",
    "as_max_retries",
    "as_retry_policy",
    "as_timeout",
    "check_credential",
    "env_settings",
    "resolve_base_url",
]

# What `from_env()` reads; the CLI refuses to answer fake data while any of them is set (see `_cli`).
ENVIRONMENT_VARIABLES = ("PLAID_CLIENT_ID", "PLAID_SECRET", "PLAID_ENV", "PLAID_BASE_URL")


def env_settings() -> dict[str, typing.Any]:
    """The client's keyword arguments that `ENVIRONMENT_VARIABLES` set."""
    settings: dict[str, typing.Any] = {}
    for variable, name in (("PLAID_CLIENT_ID", "client_id"), ("PLAID_SECRET", "secret")):
        value = os.environ.get(variable, "")
        if not value.strip():
            raise ConfigurationError(f"environment variable {variable} is not set")
        settings[name] = value
    base_url = os.environ.get("PLAID_BASE_URL", "").strip()
    environment = os.environ.get("PLAID_ENV", "").strip().lower()
    if base_url:
        settings["base_url"] = base_url
    elif environment:
        settings["environment"] = environment
    return settings


def check_credential(name: str, value: object, *, per_call: bool) -> str:
    """`value` if it can be sent as the header of credential `name`."""
    problem = None
    if not isinstance(value, str) or not value.strip():
        problem = "must be a non-empty string"
    elif not (value.isascii() and value.isprintable()):
        problem = "contains characters that cannot be sent in an HTTP header"
    if problem is None:
        return typing.cast(str, value)
    if per_call:
        raise RequestValidationError(name, problem)
    raise ConfigurationError(f"{name} {problem}")


def as_timeout(value: object) -> TimeoutTypes:
    if isinstance(value, httpx.Timeout):
        return value
    if isinstance(value, int | float) and not isinstance(value, bool) and 0 < value < float("inf"):
        return float(value)
    raise ConfigurationError(f"timeout must be a positive number of seconds or an httpx.Timeout, got {value!r}")


def as_max_response_bytes(value: object) -> int:
    if isinstance(value, int) and not isinstance(value, bool) and value > 0:
        return value
    raise ConfigurationError(f"max_response_bytes must be an integer > 0 (bytes), got {value!r}")


def as_max_retries(value: object) -> int:
    if isinstance(value, int) and not isinstance(value, bool) and value >= 0:
        return value
    raise ConfigurationError(f"max_retries must be an integer >= 0, got {value!r}")


def as_retry_policy(value: object) -> RetryPolicy:
    if isinstance(value, RetryPolicy):
        return value
    raise ConfigurationError(f"retry_policy must be a RetryPolicy, got {type(value).__name__}")


def resolve_base_url(environment: str | None, base_url: object) -> str:
    """The URL requests go to, without a trailing slash: `base_url` when given, else the `environment`'s."""
    if base_url is None:
        environment = environment or "sandbox"
        if environment not in ENVIRONMENTS:
            raise ConfigurationError(f"environment must be one of {', '.join(ENVIRONMENTS)}, got {environment!r}")
        return ENVIRONMENTS[environment]
    problem = None
    if not isinstance(base_url, str) or not base_url.startswith(("http://", "https://")):
        problem = "must be an http:// or https:// URL"
    else:
        try:
            url = httpx.URL(base_url)
        except httpx.InvalidURL as exc:
            problem = f"is not a valid URL ({exc})"
        else:
            if not url.host:
                problem = "names no host"
            elif url.query or url.fragment:
                problem = "must not have a query or a fragment"
    if problem is not None:
        raise ConfigurationError(f"base_url {problem}, got {base_url!r}") from None
    return typing.cast(str, base_url).rstrip("/")
