"""Writes of rule sets: a new version, publishing it (which recomputes every score), previews.

A published version never changes: a change is a new draft version copied from it, edited
in the admin, previewed ("how many residents cross each threshold under the draft"), then
published. Publishing a version of the scheme the portal runs starts a recompute of every
fact sheet (a Celery job, after commit).
"""

from __future__ import annotations

from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from points import engine, spec
from points.models import RecomputeRun, RuleSet, RuleSetStatus, RunKind, RunStatus, Scheme
from portal.accounts.models import User
from portal.errors import InvalidInput, NotAllowed, NotFound, TransitionNotAllowed


def _require_configurator(actor: User) -> None:
    """Rule sets are configuration: administrators only."""
    if not (actor.is_superuser or actor.has_role("administrator")):
        raise NotAllowed()


def _lock(rule_set_id: int) -> RuleSet:
    try:
        return RuleSet.objects.select_for_update().select_related("scheme").get(pk=rule_set_id)
    except RuleSet.DoesNotExist:
        raise NotFound() from None


def spec_problems(rule_set: RuleSet) -> list[str]:
    """Every problem that keeps a rule set from compiling (empty when it is sound)."""
    return engine.validate_spec(spec.export_spec(rule_set), spec.fact_types())


def _refuse_unsound(rule_set: RuleSet) -> None:
    problems = spec_problems(rule_set)
    if problems:
        raise InvalidInput(
            _("The rule set has problems: %(problems)s") % {"problems": "; ".join(problems)},
            code="rule_set_invalid",
            fields={"rules": problems},
        )


def activate_scheme(*, actor: User, scheme_id: int) -> Scheme:
    """Make the portal run this scheme (and no other)."""
    _require_configurator(actor)
    with transaction.atomic():
        scheme = Scheme.objects.select_for_update().filter(pk=scheme_id).first()
        if scheme is None:
            raise NotFound()
        Scheme.objects.filter(is_active=True).exclude(pk=scheme.pk).update(is_active=False)
        if not scheme.is_active:
            scheme.is_active = True
            scheme.save(update_fields=["is_active"])
        return scheme


def new_version(*, actor: User, rule_set_id: int) -> RuleSet:
    """A new draft version of the scheme, copied from the given version (the way to change rules)."""
    _require_configurator(actor)
    with transaction.atomic():
        source = _lock(rule_set_id)
        Scheme.objects.select_for_update().get(pk=source.scheme_id)
        latest = RuleSet.objects.filter(scheme=source.scheme).aggregate(v=Max("version"))["v"]
        copied = spec.export_spec(source)
        copied["effective_from"] = max(source.effective_from, timezone.localdate())
        copied["effective_until"] = None
        return spec.write_spec(copied, scheme=source.scheme, version=(latest or 0) + 1)


def publish_rule_set(*, actor: User, rule_set_id: int) -> RecomputeRun | None:
    """Publish a draft: it becomes immutable and, for the scheme the portal runs, every current
    score is recomputed under it by a Celery job (points.recompute). Returns that run.

    Refused for a rule set that does not compile (every problem listed) or is not a draft.
    """
    from points import tasks

    _require_configurator(actor)
    with transaction.atomic():
        rule_set = _lock(rule_set_id)
        if rule_set.status != RuleSetStatus.DRAFT:
            raise TransitionNotAllowed(_("This rule set is already published."))
        _refuse_unsound(rule_set)
        rule_set.status = RuleSetStatus.PUBLISHED
        rule_set.published_at = timezone.now()
        rule_set.published_by = actor
        rule_set.save(update_fields=["status", "published_at", "published_by"])
        if not rule_set.scheme.is_active:
            return None
        run = RecomputeRun.objects.create(
            rule_set=rule_set, kind=RunKind.RECOMPUTE, created_by=actor
        )
        transaction.on_commit(lambda: tasks.recompute.delay(run.pk))
        return run


def start_preview(*, actor: User, rule_set_id: int) -> RecomputeRun:
    """Count, in a Celery job (points.preview), how many residents would reach each threshold
    under this draft compared with the version in force."""
    from points import tasks

    _require_configurator(actor)
    with transaction.atomic():
        rule_set = _lock(rule_set_id)
        if rule_set.status != RuleSetStatus.DRAFT:
            raise TransitionNotAllowed(_("Only a draft can be previewed."))
        _refuse_unsound(rule_set)
        open_run = RecomputeRun.objects.filter(
            rule_set=rule_set,
            kind=RunKind.PREVIEW,
            status__in=[RunStatus.PENDING, RunStatus.RUNNING],
        ).first()
        if open_run is not None:
            return open_run
        run = RecomputeRun.objects.create(rule_set=rule_set, kind=RunKind.PREVIEW, created_by=actor)
        transaction.on_commit(lambda: tasks.preview.delay(run.pk))
        return run
