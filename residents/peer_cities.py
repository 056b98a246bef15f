"""Ask a peer city of the province whether a permit it issued is valid (转换互认).

The peer serves the same contract as this portal's `POST /api/v1/permits/verify/`: JSON
`{"number", "id_number"}` in, `{"valid", "valid_until", "name_masked"}` out, with
`Authorization: Token <token>`. Plain urllib with a timeout: no retry, no state.
"""

from __future__ import annotations

import datetime as dt
import json
import urllib.error
import urllib.request
from dataclasses import dataclass

from django.conf import settings

from residents.models import PeerCity


class PeerUnavailable(Exception):
    """The peer city did not answer in time, or answered something that is not the contract."""


@dataclass(frozen=True)
class PeerAnswer:
    valid: bool
    valid_until: dt.date | None
    name_masked: str


def verify_with_peer(peer: PeerCity, *, number: str, id_number: str) -> PeerAnswer:
    """The peer's answer for permit `number` held by `id_number`; PeerUnavailable otherwise."""
    if not peer.verify_url.startswith(("https://", "http://")):
        raise PeerUnavailable(f"not an http(s) URL: {peer.verify_url}")
    request = urllib.request.Request(  # noqa: S310 - http(s) only, checked above
        peer.verify_url,
        data=json.dumps({"number": number, "id_number": id_number}).encode(),
        headers={
            "Content-Type": "application/json",
            "Accept": "application/json",
            "Authorization": f"Token {peer.api_token}",
        },
        method="POST",
    )
    try:
        with urllib.request.urlopen(  # noqa: S310 - http(s) only, checked above
            request, timeout=settings.PEER_VERIFY_TIMEOUT_SECONDS
        ) as response:
            body = json.loads(response.read(65536))
        until = body.get("valid_until")
        return PeerAnswer(
            valid=body["valid"] is True,
            valid_until=dt.date.fromisoformat(until) if until else None,
            name_masked=str(body.get("name_masked", "")),
        )
    except (OSError, ValueError, KeyError, TypeError, AttributeError) as exc:
        # URLError, HTTPError and socket timeouts are OSErrors; bad JSON is a ValueError
        raise PeerUnavailable(str(exc)) from exc
