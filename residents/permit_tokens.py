"""The electronic permit's QR token: a short-lived Ed25519-signed statement, checkable offline.

This module depends on the Python standard library and `cryptography` only, so a department can
copy it as it is and check a token without calling the portal, holding nothing but the portal's
public key (published at `GET /api/v1/permits/keys/`).

Token format (version 1), ASCII, safe in a URL path:

    EP1.<payload>.<signature>

- `payload`: base64url without padding of compact JSON with the keys
  `n` (permit number), `v` (card version: a reissued card has a higher one),
  `iat` and `exp` (issued at / expires at, whole seconds since 1970-01-01 UTC),
  `kid` (key id of the signing key: `key_id(public_key)`).
- `signature`: base64url without padding of the 64-byte Ed25519 signature of the ASCII bytes
  `EP1.<payload>` (the prefix and the payload exactly as they appear in the token).

A token is fresh while `iat - leeway <= now < exp + leeway`. The holder's page shows a new token
before the old one expires, so a photo or screenshot of the code stops working within a minute.
A valid signature says only that the portal issued this statement; whether the card version is
the current one and the permit is valid today is for the portal's verify page or API to say.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

PREFIX = "EP1"


class TokenError(ValueError):
    """The token cannot be trusted; `reason` says why (malformed, unknown_key, forged, expired)."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class Claims:
    """What a genuine, fresh token states."""

    number: str
    card_version: int
    issued_at: int
    expires_at: int
    key_id: str


def b64encode(data: bytes) -> str:
    """base64url without padding."""
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def b64decode(text: str) -> bytes:
    """Inverse of b64encode."""
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def public_key_bytes(public_key: Ed25519PublicKey) -> bytes:
    """The 32 raw bytes of a public key."""
    return public_key.public_bytes(Encoding.Raw, PublicFormat.Raw)


def key_id(public_key: Ed25519PublicKey) -> str:
    """A short name of a public key: the first 8 hex digits of SHA-256 of its raw bytes."""
    return hashlib.sha256(public_key_bytes(public_key)).hexdigest()[:8]


def load_public_key(text: str) -> Ed25519PublicKey:
    """A public key from its published form: base64 (standard or url-safe) of the 32 raw bytes."""
    return Ed25519PublicKey.from_public_bytes(_raw(text))


def _raw(text: str) -> bytes:
    return b64decode(text.strip().rstrip("=").replace("+", "-").replace("/", "_"))


def load_private_key(text: str) -> Ed25519PrivateKey:
    """A signing key from base64 (standard or url-safe) of its 32-byte seed."""
    return Ed25519PrivateKey.from_private_bytes(_raw(text))


def issue(
    private_key: Ed25519PrivateKey, *, number: str, card_version: int, now: int, lifetime: int
) -> str:
    """A token for permit `number`, card `card_version`, valid `lifetime` seconds from `now`."""
    claims = {
        "n": number,
        "v": card_version,
        "iat": now,
        "exp": now + lifetime,
        "kid": key_id(private_key.public_key()),
    }
    payload = b64encode(json.dumps(claims, separators=(",", ":"), sort_keys=True).encode())
    signed = f"{PREFIX}.{payload}"
    return f"{signed}.{b64encode(private_key.sign(signed.encode('ascii')))}"


def verify(
    token: str,
    public_keys: Mapping[str, Ed25519PublicKey],
    *,
    now: int,
    leeway: int = 0,
) -> Claims:
    """The claims of a genuine token that is fresh at `now` (seconds since the epoch, UTC).

    `public_keys` maps key ids to the keys you trust (during a key rotation: the new and the old).
    `leeway` allows for clocks that disagree by a few seconds. Raises TokenError otherwise.
    """
    parts = token.split(".")
    if len(parts) != 3 or parts[0] != PREFIX:
        raise TokenError("malformed")
    try:
        claims = json.loads(b64decode(parts[1]))
        signature = b64decode(parts[2])
        number, version = str(claims["n"]), int(claims["v"])
        issued_at, expires_at, kid = int(claims["iat"]), int(claims["exp"]), str(claims["kid"])
    except (binascii.Error, UnicodeDecodeError, ValueError, KeyError, TypeError):
        raise TokenError("malformed") from None
    public_key = public_keys.get(kid)
    if public_key is None:
        raise TokenError("unknown_key")
    try:
        public_key.verify(signature, f"{parts[0]}.{parts[1]}".encode("ascii"))
    except (InvalidSignature, UnicodeEncodeError):
        raise TokenError("forged") from None
    if not issued_at - leeway <= now < expires_at + leeway:
        raise TokenError("expired")
    return Claims(
        number=number,
        card_version=version,
        issued_at=issued_at,
        expires_at=expires_at,
        key_id=kid,
    )
