"""The address of the client a request comes from, the one key of every per-address limit.

X-Forwarded-For is written by whoever sends the request, so it is believed only when the
connection comes from one of the proxies in the TRUSTED_PROXIES setting (addresses or networks).
The header is then read from the right: each hop appended by a trusted proxy is skipped, and the
first address not in the list is the client. Without a trusted proxy, the address of the
connection (REMOTE_ADDR) is the client. DRF's throttles (portal.throttling) and allauth's rate
limits (the account adapter) both ask this one function.
"""

from __future__ import annotations

import ipaddress
from functools import lru_cache

from django.conf import settings
from django.http import HttpRequest

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


@lru_cache(maxsize=8)
def _networks(entries: tuple[str, ...]) -> tuple[Network, ...]:
    return tuple(ipaddress.ip_network(entry.strip(), strict=False) for entry in entries if entry)


def trusted_networks() -> tuple[Network, ...]:
    return _networks(tuple(settings.TRUSTED_PROXIES))


def _address(text: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    text = text.strip()
    if text.startswith("[") and "]" in text:  # [::1]:1234
        text = text[1 : text.index("]")]
    elif text.count(":") == 1:  # 203.0.113.5:1234
        text = text.split(":", 1)[0]
    try:
        return ipaddress.ip_address(text)
    except ValueError:
        return None


def is_trusted_proxy(address: ipaddress.IPv4Address | ipaddress.IPv6Address) -> bool:
    return any(address in network for network in trusted_networks())


def client_ip(request: HttpRequest) -> str:
    """The client's address: REMOTE_ADDR, or the first untrusted hop when a trusted proxy relays."""
    remote = _address(request.META.get("REMOTE_ADDR", "") or "")
    if remote is None:
        return ""
    if not is_trusted_proxy(remote):
        return str(remote)
    client = remote
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    for hop in reversed([part for part in forwarded.split(",") if part.strip()]):
        address = _address(hop)
        if address is None:
            break  # a malformed hop: stop at the last address we could trust
        client = address
        if not is_trusted_proxy(address):
            break
    return str(client)
