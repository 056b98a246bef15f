"""The living e-permit: short-lived Ed25519 QR tokens, checkable offline with the public key."""

from __future__ import annotations

import base64
import datetime as dt
import json
import re

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from django.core import signing
from django.urls import reverse
from django.utils import timezone

from residents import permit_keys, permit_tokens, selectors

NOW = 1_800_000_000


def _seed(key: Ed25519PrivateKey) -> str:
    from cryptography.hazmat.primitives.serialization import (
        Encoding,
        NoEncryption,
        PrivateFormat,
    )

    raw = key.private_bytes(Encoding.Raw, PrivateFormat.Raw, NoEncryption())
    return base64.b64encode(raw).decode()


@pytest.fixture
def key():
    return Ed25519PrivateKey.generate()


def _keys(*keys):
    return {permit_tokens.key_id(k.public_key()): k.public_key() for k in keys}


def test_a_token_verifies_offline_with_the_public_key_while_fresh(key):
    token = permit_tokens.issue(
        key, number="3301012026000001", card_version=2, now=NOW, lifetime=60
    )

    assert token.startswith("EP1.")
    claims = permit_tokens.verify(token, _keys(key), now=NOW + 59)
    assert (claims.number, claims.card_version) == ("3301012026000001", 2)
    assert (claims.issued_at, claims.expires_at) == (NOW, NOW + 60)
    with pytest.raises(permit_tokens.TokenError) as expired:
        permit_tokens.verify(token, _keys(key), now=NOW + 60)
    assert expired.value.reason == "expired"
    with pytest.raises(permit_tokens.TokenError) as early:
        permit_tokens.verify(token, _keys(key), now=NOW - 1)
    assert early.value.reason == "expired"
    assert permit_tokens.verify(token, _keys(key), now=NOW + 62, leeway=5).number


def test_a_changed_payload_or_a_stranger_key_is_forged(key):
    token = permit_tokens.issue(key, number="A1", card_version=1, now=NOW, lifetime=60)
    prefix, payload, signature = token.split(".")
    claims = json.loads(permit_tokens.b64decode(payload))
    claims["v"] = 9
    changed = permit_tokens.b64encode(json.dumps(claims).encode())

    with pytest.raises(permit_tokens.TokenError) as forged:
        permit_tokens.verify(f"{prefix}.{changed}.{signature}", _keys(key), now=NOW)
    assert forged.value.reason == "forged"

    # a stranger signs a token that names the portal's key id
    stranger = Ed25519PrivateKey.generate()
    claims = {
        "n": "A1",
        "v": 1,
        "iat": NOW,
        "exp": NOW + 60,
        "kid": permit_tokens.key_id(key.public_key()),
    }
    body = "EP1." + permit_tokens.b64encode(json.dumps(claims).encode())
    fake = f"{body}.{permit_tokens.b64encode(stranger.sign(body.encode()))}"
    with pytest.raises(permit_tokens.TokenError) as impostor:
        permit_tokens.verify(fake, _keys(key), now=NOW)
    assert impostor.value.reason == "forged"

    own = permit_tokens.issue(stranger, number="A1", card_version=1, now=NOW, lifetime=60)
    with pytest.raises(permit_tokens.TokenError) as unknown:
        permit_tokens.verify(own, _keys(key), now=NOW)
    assert unknown.value.reason == "unknown_key"


@pytest.mark.parametrize("token", ["", "EP1", "EP1.a.b", "EP2.x.y", "EP1.!!.??", "a.b.c.d"])
def test_malformed_tokens_are_refused(key, token):
    with pytest.raises(permit_tokens.TokenError) as error:
        permit_tokens.verify(token, _keys(key), now=NOW)
    assert error.value.reason == "malformed"


def test_a_retired_key_still_verifies_during_a_rotation(settings, key, permit):
    old_seed = settings.PERMIT_TOKEN_SIGNING_KEY
    old_token = selectors.verify_token(permit)
    old_public = permit_tokens.b64encode(
        permit_tokens.public_key_bytes(permit_tokens.load_private_key(old_seed).public_key())
    )

    settings.PERMIT_TOKEN_SIGNING_KEY = _seed(key)
    assert selectors.verify_by_token(old_token).state == "bad_token"
    settings.PERMIT_TOKEN_RETIRED_KEYS = [old_public]
    assert selectors.verify_by_token(old_token).valid
    assert selectors.verify_by_token(selectors.verify_token(permit)).valid
    assert {k["kid"] for k in permit_keys.published_keys()} == {
        permit_tokens.key_id(key.public_key()),
        permit_tokens.key_id(permit_tokens.load_public_key(old_public)),
    }


def test_the_published_key_checks_the_pages_token_offline(client, permit):
    keys = client.get(reverse("api-permit-keys")).json()["keys"]
    assert [k["current"] for k in keys] == [True]
    public = {keys[0]["kid"]: permit_tokens.load_public_key(keys[0]["public_key"])}

    claims = permit_tokens.verify(
        selectors.verify_token(permit), public, now=int(timezone.now().timestamp())
    )
    assert (claims.number, claims.card_version) == (permit.number, permit.card_version)


def test_the_old_static_token_no_longer_verifies(client, permit):
    static = signing.dumps(
        {"n": permit.number, "v": permit.card_version}, salt="residents.permit.verify"
    )
    response = client.get(reverse("residents:verify", args=[static]))
    assert response.context["result"].state == "bad_token"
    assert b"verify--invalid" in response.content


def _token_in(html: str) -> str:
    return re.search(r'data-verify-url="[^"]*/verify/([^"]+)"', html).group(1)


def test_the_qr_fragment_brings_a_new_token_and_the_old_one_expires(
    time_machine, settings, client, resident, permit
):
    settings.PERMIT_TOKEN_LIFETIME_SECONDS = 30
    time_machine.move_to(timezone.now(), tick=False)
    client.force_login(resident)
    page = client.get(reverse("residents:permit", args=[permit.pk])).content.decode()
    first = _token_in(page)
    assert 'hx-trigger="every 10s"' in page

    time_machine.shift(dt.timedelta(seconds=10))
    fragment = client.get(reverse("residents:permit_qr", args=[permit.pk]))
    assert fragment["Cache-Control"].startswith("max-age=0")
    second = _token_in(fragment.content.decode())
    assert second != first

    time_machine.shift(dt.timedelta(seconds=20))
    assert client.get(reverse("residents:verify", args=[first])).context["result"].state == (
        "stale_token"
    )
    stale = client.get(reverse("residents:verify", args=[first])).content.decode()
    assert "expired" in stale or "过期" in stale
    assert client.get(reverse("residents:verify", args=[second])).context["result"].valid


def test_another_resident_cannot_fetch_the_qr_code(client, other_resident, permit):
    client.force_login(other_resident)
    assert client.get(reverse("residents:permit_qr", args=[permit.pk])).status_code == 404
