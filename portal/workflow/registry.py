"""The application kinds the domain apps register with the platform.

A domain app describes its kind once, in its AppConfig.ready(): the department that reviews
it, its reference prefix, how many days a decision may take, and what happens when a case of
that kind is submitted or decided. The workflow services look the kind up here; the platform
never imports a domain app.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from portal.workflow.models import Case

Hook = Callable[..., Any]


@dataclass(frozen=True)
class ApplicationKind:
    code: str
    label: Any  # a lazy translatable string
    department: str  # a DepartmentCode
    prefix: str  # reference numbers read PREFIX-YYYY-NNNNNN
    due_days: int = 15
    # Called inside the transition's transaction with (case=..., actor=...):
    on_submit: Hook | None = None  # may raise NotEligible to refuse the submission
    on_start_review: Hook | None = None
    on_approve: Hook | None = None
    on_reject: Hook | None = None
    on_return: Hook | None = None
    on_withdraw: Hook | None = None
    detail_url: Callable[[Case], str] | None = None
    extra: dict[str, Any] = field(default_factory=dict)


_kinds: dict[str, ApplicationKind] = {}


def register_kind(kind: ApplicationKind) -> None:
    existing = _kinds.get(kind.code)
    if existing is not None and existing != kind:
        raise ValueError(f"application kind {kind.code!r} is already registered")
    _kinds[kind.code] = kind


def get_kind(code: str) -> ApplicationKind:
    try:
        return _kinds[code]
    except KeyError:
        raise LookupError(f"no application kind {code!r} is registered") from None


def all_kinds() -> list[ApplicationKind]:
    return sorted(_kinds.values(), key=lambda k: k.code)
