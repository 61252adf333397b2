"""Checking a webhook's `Plaid-Verification` token: ES256 JWS over a claim set binding the exact body and a time.

Plaid signs each webhook with a compact JWS whose protected header names the key (`kid`) and whose payload holds
`iat` (Unix seconds) and `request_body_sha256` (hex SHA-256 of the body bytes as sent). The checks, in order:
header present and of sane size, token well formed, algorithm ES256, key known and not expired, signature, body
hash (constant-time), age. The cryptography is PyJWT's (with `cryptography`), from the `webhooks` extra; it is
imported only when a webhook is verified, so the base install does not need it.

Nothing here logs, and no error message holds the body, the token or a credential.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import math
import re
import time
import typing
from collections.abc import Mapping

from plaid_partner_insights_core._exceptions import ConfigurationError, WebhookVerificationError

from ._webhook_keys import WebhookKey

__all__ = [
    "ALGORITHM",
    "DEFAULT_LEEWAY",
    "DEFAULT_MAX_AGE",
    "MAX_TOKEN_LENGTH",
    "VERIFICATION_HEADER",
    "WEBHOOKS_EXTRA_MISSING",
    "ParsedToken",
    "check_arguments",
    "check_token",
    "parse_token",
    "require_jwt",
]

VERIFICATION_HEADER = "Plaid-Verification"
ALGORITHM = "ES256"
# The JWK fields of the only key kind ES256 takes.
_KEY_TYPE, _CURVE = "EC", "P-256"
DEFAULT_MAX_AGE = 300.0  # Plaid's own samples refuse tokens older than 5 minutes
DEFAULT_LEEWAY = 60.0
# A Plaid token is about 400 characters; anything far beyond is refused unread, so parsing cost stays bounded.
MAX_TOKEN_LENGTH = 4096
_MAX_KID_LENGTH = 256
_SHA256_HEX = re.compile(r"[0-9a-fA-F]{64}")
WEBHOOKS_EXTRA_MISSING = (
    'webhook verification needs the "webhooks" extra (PyJWT with cryptography): '
    'pip install "plaid-partner-insights[webhooks]"'
)


class ParsedToken(typing.NamedTuple):
    """A token whose form and algorithm are right; nothing about it is trusted yet."""

    token: str
    kid: str


def require_jwt() -> typing.Any:
    """PyJWT, able to do ES256; `ConfigurationError` naming the install command when the extra is missing."""
    try:
        import jwt
        from jwt.algorithms import has_crypto
    except ImportError:
        raise ConfigurationError(WEBHOOKS_EXTRA_MISSING) from None
    if not has_crypto:
        raise ConfigurationError(WEBHOOKS_EXTRA_MISSING + " (PyJWT is installed without cryptography)")
    return jwt


def check_arguments(body: object, max_age: object, leeway: object, now: object) -> tuple[bytes, float]:
    """`body` as bytes and the time to judge the token by; `ConfigurationError` for a wrong argument."""
    if not isinstance(body, bytes | bytearray | memoryview):
        raise ConfigurationError(
            f"body must be the raw request body as bytes (hash what was received, never a re-encoding), "
            f"got {type(body).__name__}"
        )
    for name, value, smallest in (("max_age", max_age, 0.0), ("leeway", leeway, 0.0)):
        if not _finite(value) or typing.cast(float, value) < smallest:
            raise ConfigurationError(f"{name} must be a finite number of seconds >= {smallest:g}, got {value!r}")
    if now is not None and not _finite(now):
        raise ConfigurationError(f"now must be Unix seconds (a finite number) or None, got {now!r}")
    return bytes(body), time.time() if now is None else float(typing.cast(float, now))


def _finite(value: object) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)


def parse_token(headers: Mapping[typing.Any, typing.Any]) -> ParsedToken:
    """The token of the `Plaid-Verification` header (any case), once its form and algorithm pass."""
    jwt = require_jwt()
    token = _header_value(headers)
    try:
        header = jwt.get_unverified_header(token)
    except jwt.exceptions.PyJWTError:
        raise WebhookVerificationError("malformed_token") from None
    if header.get("alg") != ALGORITHM:
        raise WebhookVerificationError("unsupported_algorithm")
    kid = header.get("kid")
    if not isinstance(kid, str) or not 0 < len(kid) <= _MAX_KID_LENGTH:
        raise WebhookVerificationError("malformed_token")
    return ParsedToken(token, kid)


def _header_value(headers: Mapping[typing.Any, typing.Any]) -> str:
    wanted = VERIFICATION_HEADER.lower()
    if not isinstance(headers, Mapping) and not hasattr(headers, "items"):
        raise ConfigurationError(f"headers must be a mapping of header names to values, got {type(headers).__name__}")
    values = set()
    for name, value in headers.items():  # every mapping, and multi-dicts (werkzeug) that repeat a name, this way
        text = name.decode("latin-1") if isinstance(name, bytes) else name
        if isinstance(text, str) and text.lower() == wanted:
            values.add(value.decode("latin-1") if isinstance(value, bytes) else value)
    if not values or values == {""}:
        raise WebhookVerificationError("missing_header")
    if len(values) > 1:  # two different tokens: no way to tell which one the sender meant
        raise WebhookVerificationError("malformed_token")
    value = values.pop()
    if not isinstance(value, str) or len(value) > MAX_TOKEN_LENGTH or not value.isascii():
        raise WebhookVerificationError("malformed_token")
    return value.strip()


def check_token(
    parsed: ParsedToken, key: WebhookKey | None, body: bytes, *, max_age: float, leeway: float, now: float
) -> None:
    """Raise `WebhookVerificationError` unless `key` signed `parsed` over exactly `body`, recently enough."""
    jwt = require_jwt()
    if key is None:
        raise WebhookVerificationError("unknown_key")
    if key.expired:
        raise WebhookVerificationError("expired_key")
    public_key = key.public_key(_public_key)
    try:
        payload = jwt.PyJWS().decode_complete(parsed.token, public_key, algorithms=[ALGORITHM])["payload"]
    except jwt.exceptions.InvalidSignatureError:
        raise WebhookVerificationError("bad_signature") from None
    except jwt.exceptions.PyJWTError:
        raise WebhookVerificationError("malformed_token") from None
    issued_at, body_sha256 = _claims(payload)
    if not hmac.compare_digest(hashlib.sha256(body).hexdigest(), body_sha256.lower()):
        raise WebhookVerificationError("body_mismatch")
    if now - issued_at > max_age:
        raise WebhookVerificationError("too_old")
    if issued_at - now > leeway:
        raise WebhookVerificationError("issued_in_future")


def _claims(payload: bytes) -> tuple[int, str]:
    """`iat` and `request_body_sha256` of a signed payload; other claims are allowed and ignored."""
    try:
        claims = json.loads(payload)
    except (ValueError, RecursionError):  # not JSON, bad UTF-8, nested too deeply
        raise WebhookVerificationError("malformed_token") from None
    if not isinstance(claims, dict):
        raise WebhookVerificationError("malformed_token")
    issued_at, body_sha256 = claims.get("iat"), claims.get("request_body_sha256")
    if not isinstance(issued_at, int) or isinstance(issued_at, bool):
        raise WebhookVerificationError("malformed_token")
    if not isinstance(body_sha256, str) or not _SHA256_HEX.fullmatch(body_sha256):
        raise WebhookVerificationError("malformed_token")
    return issued_at, body_sha256


def _public_key(jwk: dict[str, typing.Any]) -> typing.Any:
    """The P-256 public key of a JWK Plaid served; any other kind of key cannot check an ES256 token."""
    jwt = require_jwt()
    if jwk.get("kty") != _KEY_TYPE or jwk.get("crv") != _CURVE or jwk.get("alg", ALGORITHM) != ALGORITHM:
        raise WebhookVerificationError("unsupported_algorithm")
    try:
        return jwt.PyJWK(jwk, algorithm=ALGORITHM).key
    except (jwt.exceptions.PyJWTError, ValueError):  # coordinates that are not a point of the curve
        raise WebhookVerificationError("unsupported_algorithm") from None
