"""What the points app registers with the platform: claim kinds, registry facts, the notices
targeting criterion, navigation entries and the demo seed step."""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from points.models import RecomputeRun, RunKind, RunStatus
from portal import demo, navigation, runs
from portal.accounts.models import Role
from portal.workflow.registry import register_kind


def resume_run(run_id: int) -> None:
    """Hand a recompute or preview run back to a worker (after commit); it resumes after its
    last chunk."""
    from points import tasks

    kind = RecomputeRun.objects.values_list("kind", flat=True).get(pk=run_id)
    task = tasks.recompute if kind == RunKind.RECOMPUTE else tasks.preview
    transaction.on_commit(lambda: task.delay(run_id))


def register() -> None:
    from points import (
        criteria,
        facts,  # noqa: F401 - registers the built-in registry fact providers
    )
    from points import demo as points_demo
    from points.services import claims, ledger
    from residents import hooks

    for kind in claims.claim_kinds():
        register_kind(kind)
    runs.register(
        "points.recompute",
        model=RecomputeRun,
        active_statuses=(RunStatus.PENDING, RunStatus.RUNNING),
        since_field="created_at",
        resume=resume_run,
    )
    criteria.register()
    hooks.on_permit_cancelled("points.lapse", ledger.lapse_scores_of)
    demo.register(name="points", order=40, step=points_demo.seed)
    navigation.register(
        key="points.score",
        label=_("My points"),
        url_name="points:score",
        roles={Role.RESIDENT},
        order=50,
        menu_roles=set(),
        group=_("Points"),
    )
    navigation.register(
        key="points.calculator",
        label=_("Estimate my points"),
        url_name="points:calculator",
        roles={Role.RESIDENT},
        order=55,
        menu_roles=set(),
        group=_("Points"),
    )
    navigation.register(
        key="points.rankings",
        label=_("Points ranking lists"),
        url_name="points:rankings",
        roles={Role.RESIDENT, Role.REVIEWER},
        order=70,
        menu_roles={Role.REVIEWER},
        group=_("Points"),
    )
