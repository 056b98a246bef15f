"""What the housing app registers with the platform: application kinds, navigation entries."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from portal import navigation, runs
from portal.accounts.models import DepartmentCode, Role
from portal.workflow.registry import ApplicationKind, register_kind


def register() -> None:
    from housing import forecast

    forecast.register()
    from housing.models import AllocationRun, AllocationRunStatus
    from housing.services import applications, homes, offers

    runs.register(
        "housing.allocation",
        model=AllocationRun,
        active_statuses=(AllocationRunStatus.RUNNING,),
        since_field="started_at",
        resume=offers.resume_allocation,
    )

    register_kind(
        ApplicationKind(
            code=homes.KIND,
            label=_("Rental home registration"),
            department=DepartmentCode.HOUSING,
            prefix="CZF",
            due_days=10,
            on_submit=homes.on_submit,
            on_approve=homes.on_approve,
            on_reject=homes.on_reject,
            on_return=homes.on_return,
            on_withdraw=homes.on_withdraw,
            detail_url=homes.case_detail_url,
            extra={"issued_link": homes.issued_link},
        )
    )
    register_kind(
        ApplicationKind(
            code=applications.KIND,
            label=_("Affordable rental housing"),
            department=DepartmentCode.HOUSING,
            prefix="BZF",
            due_days=20,
            on_submit=applications.on_submit,
            on_approve=applications.on_approve,
            on_reject=applications.on_reject,
            on_return=applications.on_return,
            detail_url=applications.case_detail_url,
            extra={"issued_link": applications.issued_link},
        )
    )
    navigation.register(
        key="housing.homes",
        label=_("My rental homes"),
        url_name="housing:homes",
        roles={Role.LANDLORD},
        order=45,
    )
    navigation.register(
        key="housing.my_tenancies",
        label=_("My tenancy"),
        url_name="housing:my_tenancies",
        roles={Role.RESIDENT},
        order=35,
        menu_roles=set(),
        group=_("Housing"),
    )
    navigation.register(
        key="housing.guide",
        label=_("Affordable rental housing"),
        url_name="housing:guide",
        roles={Role.RESIDENT},
        order=47,
        menu_roles=set(),
        group=_("Housing"),
    )
