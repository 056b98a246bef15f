"""The portal's e-permit signing key and the public keys it trusts, read from settings.

Rotation (docs/security.md): generate a new seed, move the old key's public half into
PERMIT_TOKEN_RETIRED_KEYS, set PERMIT_TOKEN_SIGNING_KEY to the new seed and restart. Tokens live
about a minute, so the retired key can be dropped a few minutes later; departments that verify
offline fetch `GET /api/v1/permits/keys/` again (key ids tell the keys apart).
"""

from __future__ import annotations

from functools import cache

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from django.conf import settings

from residents import permit_tokens


@cache
def _signing_key(seed: str) -> Ed25519PrivateKey:
    return permit_tokens.load_private_key(seed)


def signing_key() -> Ed25519PrivateKey:
    """The key that signs the QR tokens issued now."""
    return _signing_key(settings.PERMIT_TOKEN_SIGNING_KEY)


def trusted_keys() -> dict[str, Ed25519PublicKey]:
    """Key id -> public key of every key whose tokens verify: the current one and retired ones."""
    keys = [signing_key().public_key()] + [
        permit_tokens.load_public_key(text) for text in settings.PERMIT_TOKEN_RETIRED_KEYS if text
    ]
    return {permit_tokens.key_id(key): key for key in keys}


def published_keys() -> list[dict[str, str]]:
    """The public keys as departments fetch them: key id, algorithm and base64url raw bytes."""
    current = permit_tokens.key_id(signing_key().public_key())
    return [
        {
            "kid": kid,
            "alg": "Ed25519",
            "public_key": permit_tokens.b64encode(permit_tokens.public_key_bytes(key)),
            "current": kid == current,
        }
        for kid, key in trusted_keys().items()
    ]
