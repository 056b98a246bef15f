"""What the employment app registers with the platform and with points: application kinds,
navigation entries, and the registry fact of course certificates."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from points import facts as points_facts
from portal import navigation
from portal.accounts.models import DepartmentCode, Role
from portal.workflow.registry import ApplicationKind, register_kind


def register() -> None:
    from employment.services import employers, postings, training

    register_kind(
        ApplicationKind(
            code=employers.KIND,
            label=_("Employer registration"),
            department=DepartmentCode.HUMAN_RESOURCES,
            prefix="YRDW",
            due_days=5,
            on_approve=employers.on_approve,
            on_reject=employers.on_reject,
            on_return=employers.on_return,
            on_withdraw=employers.on_withdraw,
            detail_url=employers.case_detail_url,
            extra={"issued_link": employers.issued_link},
        )
    )
    register_kind(
        ApplicationKind(
            code=postings.KIND,
            label=_("Job posting"),
            department=DepartmentCode.HUMAN_RESOURCES,
            prefix="ZP",
            due_days=3,
            on_approve=postings.on_decided,
            on_reject=postings.on_decided,
            detail_url=postings.case_detail_url,
            extra={"issued_link": postings.issued_link},
        )
    )
    points_facts.register_provider(training.CERTIFICATE_FACT, training.certificates_fact)
    navigation.register(
        key="employment.employers",
        label=_("My enterprises"),
        url_name="employment:employers",
        roles={Role.EMPLOYER},
        order=44,
    )
    navigation.register(
        key="employment.jobs",
        label=_("Jobs"),
        url_name="employment:jobs",
        roles={Role.RESIDENT},
        order=48,
        menu_roles=set(),
        group=_("Work and training"),
    )
    navigation.register(
        key="employment.training",
        label=_("Training courses"),
        url_name="employment:plan",
        roles={Role.RESIDENT, Role.REVIEWER},
        order=49,
        menu_roles={Role.REVIEWER},
        group=_("Work and training"),
    )
