"""The request mix of the web load test: what residents and staff actually ask for, and how often.

Each entry is one request type: who asks (a demo login), how it signs in (a browser session for
pages, an API token for the API), the path and its weight in the mix. Weights are per 40
requests, the rate of an ordinary morning: residents' pages dominate, then the officers' field
API, the reviewers' workbench and the analysts' overviews.

Kept free of locust so the fast check (tests/load) imports it without gevent's patching.
"""

from __future__ import annotations

from dataclasses import dataclass

SESSION = "session"
TOKEN = "token"  # noqa: S105 (a way of signing in, not a secret)


@dataclass(frozen=True)
class Request:
    name: str
    login: str
    auth: str
    path: str
    weight: int


MIX: tuple[Request, ...] = (
    Request("resident home", "resident1", SESSION, "/", 6),
    Request("resident my applications", "resident1", SESSION, "/work/mine/", 4),
    Request("resident permit", "resident1", SESSION, "/permit/mine/", 4),
    Request("resident inbox", "resident1", SESSION, "/notices/", 4),
    Request("resident points score", "resident1", SESSION, "/points/", 4),
    Request("resident api me", "resident1", TOKEN, "/api/v1/me/", 3),
    Request("officer api tasks", "officer1", TOKEN, "/api/v1/field/tasks/", 3),
    Request("officer api addresses", "officer1", TOKEN, "/api/v1/field/addresses/", 3),
    Request("officer tasks page", "officer1", SESSION, "/field/tasks/", 2),
    Request("police workbench", "police1", SESSION, "/work/", 3),
    Request("police api persons", "police1", TOKEN, "/api/v1/persons/", 2),
    Request("analyst coverage", "analyst1", SESSION, "/field/coverage/", 1),
    Request("analyst dashboard", "analyst1", SESSION, "/dashboard/", 1),
)


def logins() -> dict[str, set[str]]:
    """Each demo login of the mix with the ways it signs in."""
    found: dict[str, set[str]] = {}
    for request in MIX:
        found.setdefault(request.login, set()).add(request.auth)
    return found


def schedule(count: int) -> list[Request]:
    """`count` requests in a fixed interleaved order whose shares follow the weights.

    Deterministic (smooth weighted round robin), so two runs send the same sequence.
    """
    total = sum(r.weight for r in MIX)
    credit = [0] * len(MIX)
    order: list[Request] = []
    for _ in range(count):
        for i, request in enumerate(MIX):
            credit[i] += request.weight
        best = max(range(len(MIX)), key=lambda i: credit[i])
        credit[best] -= total
        order.append(MIX[best])
    return order
