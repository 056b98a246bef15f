"""What the residents app registers with the platform: application kinds, navigation entries."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from portal import navigation, runs
from portal.accounts.models import DepartmentCode, Role
from portal.workflow.registry import ApplicationKind, register_kind


def register() -> None:
    from residents.models import ACTIVE_RUN_STATUSES, ReconciliationRun
    from residents.reconciliation import services as reconciliation
    from residents.services import permits

    runs.register(
        "residents.reconciliation",
        model=ReconciliationRun,
        active_statuses=ACTIVE_RUN_STATUSES,
        since_field="created_at",
        resume=lambda run_id: reconciliation.resume_run(run_id=run_id),
    )

    register_kind(
        ApplicationKind(
            code=permits.KIND,
            label=_("Residence permit"),
            department=DepartmentCode.PUBLIC_SECURITY,
            prefix="JZZ",
            due_days=15,
            on_submit=permits.on_submit,
            on_start_review=permits.on_start_review,
            on_approve=permits.on_approve,
            on_reject=permits.on_reject,
            on_return=permits.on_return,
            detail_url=permits.case_detail_url,
            extra={"issued_link": permits.issued_link},
        )
    )
    resident = {Role.RESIDENT}
    navigation.register(
        key="residents.registrations",
        label=_("My residence registration"),
        url_name="residents:registrations",
        roles=resident,
        order=10,
        menu_roles=set(),
        group=_("Residence and permit"),
    )
    navigation.register(
        key="residents.permit_guide",
        label=_("Apply for a residence permit"),
        url_name="residents:permit_guide",
        roles=resident,
        order=20,
        menu_roles=set(),
        group=_("Residence and permit"),
    )
    navigation.register(
        key="residents.permits",
        label=_("My residence permit"),
        url_name="residents:permits",
        roles=resident,
        order=30,
    )
    navigation.register(
        key="residents.family",
        label=_("Family members"),
        url_name="residents:family",
        roles=resident,
        order=40,
        menu_roles=set(),
        group=_("Residence and permit"),
    )
    navigation.register(
        key="residents.field_home",
        label=_("Field work"),
        url_name="residents:field_home",
        roles={Role.GRID_OFFICER},
        order=50,
    )
    navigation.register(
        key="residents.field_tasks",
        label=_("Field tasks"),
        url_name="residents:field_tasks",
        roles={Role.GRID_OFFICER},
        order=55,
    )
    navigation.register(
        key="residents.field_coverage",
        label=_("Visit coverage"),
        url_name="residents:field_coverage",
        roles={Role.ANALYST, Role.ADMINISTRATOR},
        order=70,
    )
    navigation.register(
        key="residents.late_declarations",
        label=_("Late declarations to verify"),
        url_name="residents:late_declarations",
        roles={Role.REVIEWER, Role.GRID_OFFICER},
        order=62,
    )
    navigation.register(
        key="residents.registry_truth",
        label=_("Registry truth"),
        url_name="residents:registry_truth",
        roles={Role.ANALYST, Role.LEADER, Role.ADMINISTRATOR},
        order=75,
    )
    navigation.register(
        key="residents.staff_persons",
        label=_("Find a person"),
        url_name="residents:staff_persons",
        roles={Role.REVIEWER, Role.GRID_OFFICER},
        order=60,
    )
