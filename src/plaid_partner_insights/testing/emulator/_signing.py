"""The emulator's webhook signing keys: P-256 keys it signs webhooks with, as Plaid does, and can rotate.

Each webhook body is formatted as Plaid formats its own (pretty-printed, keys sorted) and signed with the current
key: a `Plaid-Verification` JWT (ES256, `kid` in its header) whose claims are `iat` and `request_body_sha256`, the
SHA-256 of exactly those bytes. `/webhook_verification_key/get` serves every key the emulator has made, with
`expired_at` set on those a rotation retired. The cryptography is PyJWT's, which the `sandbox` extra installs.
"""

from __future__ import annotations

import hashlib
import json
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import jwt
from cryptography.hazmat.primitives.asymmetric import ec
from jwt.algorithms import ECAlgorithm

from ..._webhook_verification import ALGORITHM, VERIFICATION_HEADER

__all__ = ["SignedWebhook", "WebhookSigner", "plaid_formatted"]


def plaid_formatted(payload: dict[str, Any]) -> bytes:
    """A webhook body as Plaid's look: two-space indent, keys sorted, `", "` and `": "` separators, no final
    newline. A receiver that hashes a re-serialization instead of these bytes fails verification, as with Plaid."""
    return json.dumps(payload, indent=2, sort_keys=True, separators=(", ", ": "), ensure_ascii=False).encode()


@dataclass(frozen=True)
class SignedWebhook:
    """The exact bytes to POST and the headers that go with them."""

    body: bytes
    headers: dict[str, str]


@dataclass
class _Key:
    kid: str
    private_key: ec.EllipticCurvePrivateKey
    created_at: int
    expired_at: int | None = None

    def jwk(self) -> dict[str, Any]:
        public = ECAlgorithm.to_jwk(self.private_key.public_key(), as_dict=True)
        return {
            "alg": ALGORITHM,
            "crv": public["crv"],
            "kid": self.kid,
            "kty": public["kty"],
            "use": "sig",
            "x": public["x"],
            "y": public["y"],
            "created_at": self.created_at,
            "expired_at": self.expired_at,
        }


class WebhookSigner:
    """The emulator's signing keys. One signs; `rotate()` retires it (sets its `expired_at`) and makes a new one.

    `clock` gives Unix seconds (`time.time` by default): the `iat` of new tokens and the keys' timestamps.
    """

    def __init__(self, clock: Callable[[], float] = time.time) -> None:
        self._clock = clock
        self._lock = threading.Lock()
        self._keys: dict[str, _Key] = {}
        self._current = self._new_key()

    def __repr__(self) -> str:
        return f"WebhookSigner(current_kid={self.current_kid!r}, keys={len(self._keys)})"

    @property
    def current_kid(self) -> str:
        """The key id new webhooks are signed with."""
        return self._current.kid

    def _new_key(self) -> _Key:
        key = _Key(str(uuid.uuid4()), ec.generate_private_key(ec.SECP256R1()), int(self._clock()))
        self._keys[key.kid] = key
        return key

    def rotate(self) -> str:
        """Retire the signing key (its `expired_at` becomes now) and sign with a new one; returns the new key id."""
        with self._lock:
            self._current.expired_at = int(self._clock())
            self._current = self._new_key()
            return self._current.kid

    def jwk(self, kid: str) -> dict[str, Any] | None:
        """The public key `kid` as `/webhook_verification_key/get` serves it, or None for a key id never made."""
        with self._lock:
            key = self._keys.get(kid)
            return None if key is None else key.jwk()

    def token(self, body: bytes, *, iat: int | None = None) -> str:
        """A `Plaid-Verification` token over exactly `body`, issued at `iat` (Unix seconds; default now)."""
        claims = {
            "iat": int(self._clock()) if iat is None else iat,
            "request_body_sha256": hashlib.sha256(body).hexdigest(),
        }
        return self.encode(claims)

    def encode(self, claims: dict[str, Any], *, header: dict[str, Any] | None = None) -> str:
        """Any claims (and extra header fields) signed with the current key, ES256, its `kid` in the header: the
        building block of `token`, and of tokens a receiver must refuse (a claim missing, another `kid`)."""
        with self._lock:
            key = self._current
        return jwt.encode(claims, key.private_key, algorithm=ALGORITHM, headers={"kid": key.kid, **(header or {})})

    def sign(self, payload: dict[str, Any], *, iat: int | None = None) -> SignedWebhook:
        """`payload` formatted as Plaid formats webhook bodies, with its `Plaid-Verification` header."""
        body = plaid_formatted(payload)
        headers = {"Content-Type": "application/json", VERIFICATION_HEADER: self.token(body, iat=iat)}
        return SignedWebhook(body, headers)
