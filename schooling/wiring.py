"""What the schooling app registers with the platform: its application kind and navigation entries."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from portal import navigation, runs
from portal.accounts.models import DepartmentCode, Role
from portal.workflow.registry import ApplicationKind, register_kind


def register() -> None:
    from schooling import forecast

    forecast.register()
    from schooling.models import AllocationRun, AllocationRunStatus
    from schooling.services import applications, draw

    runs.register(
        "schooling.draw",
        model=AllocationRun,
        active_statuses=(AllocationRunStatus.RUNNING,),
        since_field="started_at",
        resume=draw.resume_draw,
    )

    register_kind(
        ApplicationKind(
            code=applications.KIND,
            label=_("School place for a child"),
            department=DepartmentCode.EDUCATION,
            prefix="RX",
            due_days=20,
            on_submit=applications.on_submit,
            on_start_review=applications.on_start_review,
            on_approve=applications.on_approve,
            on_reject=applications.on_reject,
            on_return=applications.on_return,
            on_withdraw=applications.on_withdraw,
            detail_url=applications.case_detail_url,
            extra={"issued_link": applications.issued_link},
        )
    )
    navigation.register(
        key="schooling.rounds",
        label=_("School places for children"),
        url_name="schooling:rounds",
        roles={Role.RESIDENT},
        order=50,
        menu_roles=set(),
        group=_("Children's school"),
    )
    navigation.register(
        key="schooling.offers",
        label=_("My school place offers"),
        url_name="schooling:offers",
        roles={Role.RESIDENT},
        order=55,
        menu_roles=set(),
        group=_("Children's school"),
    )
    navigation.register(
        key="schooling.staff_rounds",
        label=_("Enrolment rounds"),
        url_name="schooling:staff_rounds",
        roles={Role.REVIEWER, Role.ADMINISTRATOR},
        order=70,
    )
