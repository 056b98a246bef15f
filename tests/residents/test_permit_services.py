"""Residence permit applications on the shared lifecycle, and the permit's life: issue, endorse, reissue, cancel."""

from __future__ import annotations

import datetime as dt
import threading
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from portal.calendar.selectors import add_working_days
from portal.errors import InvalidInput, NotEligible, NotFound, TransitionNotAllowed
from portal.notices.models import Notification
from portal.workflow.models import Status
from residents import selectors, services
from residents.models import (
    PermitApplication,
    PermitEvent,
    PermitEventKind,
    PermitState,
    PermitStatus,
    Registration,
)
from tests import factories
from tests.reasons import BLANK_REASONS, assert_service_wants_a_reason
from tests.residents.conftest import (
    issue_permit_for,
    make_application,
    make_person,
    months_ago,
    register,
)

SHANGHAI = ZoneInfo("Asia/Shanghai")


def at(year: int, month: int, day: int) -> dt.datetime:
    return dt.datetime(year, month, day, 10, 0, tzinfo=SHANGHAI)


# --- eligibility ------------------------------------------------------------------------------


def test_applying_one_day_before_six_months_is_refused_and_on_the_day_allowed(
    time_machine, resident, me, address_a
):
    time_machine.move_to(at(2026, 1, 15), tick=False)
    register(resident, me, address_a, start=dt.date(2026, 1, 15))

    time_machine.move_to(at(2026, 7, 14), tick=False)
    with pytest.raises(NotEligible) as refused:
        make_application(resident, me, materials=False)
    assert "registration" in refused.value.fields
    assert not PermitApplication.objects.exists()

    time_machine.move_to(at(2026, 7, 15), tick=False)
    application = make_application(resident, me, materials=False)
    assert application.case.status == Status.DRAFT


def test_applying_without_a_registration_is_refused(resident, me):
    with pytest.raises(NotEligible) as refused:
        make_application(resident, me, materials=False)
    assert "registration" in refused.value.fields


def test_a_second_application_while_one_is_open_is_refused(draft, resident, me):
    with pytest.raises(NotEligible) as refused:
        make_application(resident, me, materials=False)
    assert "person" in refused.value.fields
    assert PermitApplication.objects.count() == 1


def test_the_case_goes_to_public_security_of_the_registration_district(draft, district_a, resident):
    case = draft.case
    assert case.kind == "residence_permit"
    assert case.reference.startswith("JZZ-")
    assert case.department.code == "public_security"
    assert case.district == district_a
    assert case.applicant == resident


def test_a_guardian_applies_for_a_child(resident, me, address_a, police_a):
    child = services.add_dependant(
        actor=resident,
        relation="child",
        name="李小明",
        id_number=factories.make_id_number(birth=dt.date(2018, 3, 2), seq=31),
    )
    register(resident, child, address_a, start=months_ago(7))
    permit = issue_permit_for(resident, child, police_a)
    assert permit.person == child
    assert permit.application.case.applicant == resident
    assert list(selectors.permits_held_by(resident)) == [permit]


def test_someone_elses_person_cannot_be_applied_for(other_resident, me, registered):
    with pytest.raises(NotFound):
        make_application(other_resident, me, materials=False)


# --- submission -------------------------------------------------------------------------------


def test_an_incomplete_application_lists_every_missing_item_at_once(resident, me, registered):
    application = services.create_permit_application(
        actor=resident, person_id=me.pk, basis="employment"
    )
    with pytest.raises(NotEligible) as refused:
        services.submit_permit_application(actor=resident, application_id=application.pk)
    assert refused.value.code == "incomplete"
    assert set(refused.value.fields) == {"materials", "basis_detail"}
    assert len(refused.value.fields["materials"]) == 2
    application.case.refresh_from_db()
    assert application.case.status == Status.DRAFT


def test_submitting_records_the_step_and_sends_a_notice(
    draft, resident, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        services.submit_permit_application(actor=resident, application_id=draft.pk)
    draft.case.refresh_from_db()
    assert draft.case.status == Status.SUBMITTED
    assert draft.case.due_date == add_working_days(timezone.localdate(), 15)
    notice = Notification.objects.get(recipient=resident)
    assert draft.case.reference in notice.title
    assert notice.link.endswith(f"/permit/applications/{draft.pk}/")


def test_a_move_after_starting_blocks_the_submission(draft, resident, me, grid_b):
    services.register_residence(
        actor=resident,
        person_id=me.pk,
        address_id=factories.AddressFactory(grid=grid_b).pk,
        start_date=timezone.localdate(),
        reason="work",
        moving=True,
    )
    with pytest.raises(NotEligible) as refused:
        services.submit_permit_application(actor=resident, application_id=draft.pk)
    assert "registration" in refused.value.fields


# --- review -------------------------------------------------------------------------------------


def test_approval_issues_a_permit_valid_for_one_year(
    submitted, police_a, me, district_a, django_capture_on_commit_callbacks, resident
):
    with django_capture_on_commit_callbacks(execute=True):
        services.approve_permit_application(actor=police_a, application_id=submitted.pk)
    permit = me.permits.get()
    today = timezone.localdate()
    assert permit.number == f"{district_a.code[:6]}{today.year}000001"
    assert permit.issued_on == today
    assert permit.valid_until == today.replace(year=today.year + 1) - dt.timedelta(days=1)
    assert permit.state_on(today) == PermitState.VALID
    assert list(permit.events.values_list("kind", flat=True)) == [PermitEventKind.ISSUED]
    assert Notification.objects.filter(recipient=resident, title__contains=permit.number).exists()


def test_the_applicants_case_page_links_to_the_permit_it_issued(
    submitted, police_a, me, resident, client
):
    client.force_login(resident)
    before = client.get(f"/work/mine/{submitted.case_id}/").content.decode()

    services.approve_permit_application(actor=police_a, application_id=submitted.pk)

    permit_page = reverse("residents:permit", args=[me.permits.get().pk])
    assert permit_page not in before
    after = client.get(f"/work/mine/{submitted.case_id}/").content.decode()
    assert f'href="{permit_page}"' in after


def test_every_step_sends_the_applicant_a_notice(
    draft, resident, police_a, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        services.submit_permit_application(actor=resident, application_id=draft.pk)
        services.accept_permit_application(actor=police_a, application_id=draft.pk)
        services.return_permit_application(
            actor=police_a, application_id=draft.pk, reason="1. 照片不清晰\n2. 缺少劳动合同"
        )
        services.submit_permit_application(actor=resident, application_id=draft.pk)
        services.reject_permit_application(
            actor=police_a, application_id=draft.pk, reason="材料虚假"
        )
    titles = list(
        Notification.objects.filter(recipient=resident)
        .order_by("id")
        .values_list("body", flat=True)
    )
    assert len(titles) == 5
    assert "照片不清晰" in titles[2]
    assert "缺少劳动合同" in titles[2]
    assert "材料虚假" in titles[4]


@pytest.mark.parametrize("reason", BLANK_REASONS)
@pytest.mark.parametrize(
    "decide", [services.return_permit_application, services.reject_permit_application]
)
def test_return_and_reject_need_a_reason(submitted, police_a, decide, reason):
    assert_service_wants_a_reason(
        lambda: decide(actor=police_a, application_id=submitted.pk, reason=reason)
    )
    submitted.case.refresh_from_db()
    assert submitted.case.status == Status.SUBMITTED


def test_a_returned_application_takes_more_material_and_is_resubmitted(
    submitted, resident, police_a
):
    from tests.residents.conftest import JPEG, upload

    services.return_permit_application(
        actor=police_a, application_id=submitted.pk, reason="照片不清晰"
    )
    services.add_material(
        actor=resident, application_id=submitted.pk, kind="photo", upload=upload("new.jpg", JPEG)
    )
    application = services.submit_permit_application(actor=resident, application_id=submitted.pk)
    assert application.case.status == Status.SUBMITTED
    assert application.materials.count() == 3


def test_approval_is_refused_when_the_person_has_left_meanwhile(
    submitted, resident, police_a, registered
):
    services.end_registration(
        actor=resident, registration_id=registered.pk, end_date=timezone.localdate()
    )
    with pytest.raises(NotEligible):
        services.approve_permit_application(actor=police_a, application_id=submitted.pk)
    submitted.case.refresh_from_db()
    assert submitted.case.status == Status.SUBMITTED
    assert not submitted.person.permits.exists()


def test_outsiders_cannot_see_or_decide_an_application(
    submitted, other_resident, police_b, housing_a, officer_a
):
    for outsider in (police_b, housing_a, officer_a, other_resident):
        assert submitted not in selectors.permit_applications_visible_to(outsider)
        with pytest.raises(NotFound):
            services.approve_permit_application(actor=outsider, application_id=submitted.pk)
    with pytest.raises(NotFound):
        services.withdraw_permit_application(actor=other_resident, application_id=submitted.pk)
    with pytest.raises(NotFound):
        services.submit_permit_application(actor=police_b, application_id=submitted.pk)


def test_the_applicant_can_withdraw_before_review(submitted, resident):
    application = services.withdraw_permit_application(actor=resident, application_id=submitted.pk)
    assert application.case.status == Status.WITHDRAWN


def test_a_decided_application_cannot_be_decided_again(permit, police_a):
    with pytest.raises(TransitionNotAllowed):
        services.reject_permit_application(
            actor=police_a, application_id=permit.application_id, reason="改判"
        )


def _reviewers(district, names):
    return [
        factories.reviewer(department="public_security", districts=[district], username=name)
        for name in names
    ]


def _run_together(*jobs):
    barrier = threading.Barrier(len(jobs))
    outcomes: list[str] = []

    def run(job):
        try:
            barrier.wait()
            job()
            outcomes.append("ok")
        except TransitionNotAllowed:
            outcomes.append("conflict")
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(job,)) for job in jobs]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return sorted(outcomes)


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_reviewers_deciding_at_once_one_wins_the_other_gets_conflict(
    public_security, district_a, resident, address_a
):
    person = make_person(resident, seq=13)
    register(resident, person, address_a)
    application = make_application(resident, person)
    services.submit_permit_application(actor=resident, application_id=application.pk)
    first, second = _reviewers(district_a, ["p1", "p2"])

    outcomes = _run_together(
        lambda: services.approve_permit_application(actor=first, application_id=application.pk),
        lambda: services.reject_permit_application(
            actor=second, application_id=application.pk, reason="材料不全"
        ),
    )

    assert outcomes == ["conflict", "ok"]
    application.case.refresh_from_db()
    decisions = application.case.transitions.filter(
        to_status__in=[Status.APPROVED, Status.REJECTED]
    )
    assert decisions.count() == 1
    permits = person.permits.count()
    assert permits == (1 if application.case.status == Status.APPROVED else 0)


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_permit_numbers_are_unique_when_issued_at_the_same_moment(
    public_security, district_a, resident, other_resident, grid_a
):
    applications = []
    for user, seq in ((resident, 13), (other_resident, 25)):
        person = make_person(user, seq=seq)
        register(user, person, factories.AddressFactory(grid=grid_a))
        application = make_application(user, person)
        services.submit_permit_application(actor=user, application_id=application.pk)
        applications.append(application)
    first, second = _reviewers(district_a, ["p1", "p2"])

    outcomes = _run_together(
        lambda: services.approve_permit_application(actor=first, application_id=applications[0].pk),
        lambda: services.approve_permit_application(
            actor=second, application_id=applications[1].pk
        ),
    )

    assert outcomes == ["ok", "ok"]
    numbers = sorted(
        PermitApplication.objects.filter(pk__in=[a.pk for a in applications]).values_list(
            "permit__number", flat=True
        )
    )
    year = timezone.localdate().year
    prefix = f"{district_a.code[:6]}{year}"
    assert numbers == [f"{prefix}000001", f"{prefix}000002"]


# --- the permit's life ------------------------------------------------------------------------------


def _permit_issued_on(time_machine, day, resident, me, address_a, police_a):
    time_machine.move_to(at(day.year, day.month, day.day), tick=False)
    register(resident, me, address_a, start=day - dt.timedelta(days=365))
    return issue_permit_for(resident, me, police_a)


def test_endorsement_before_the_window_is_refused(time_machine, resident, me, address_a, police_a):
    permit = _permit_issued_on(
        time_machine, dt.date(2026, 3, 10), resident, me, address_a, police_a
    )
    assert permit.valid_until == dt.date(2027, 3, 9)
    assert selectors.endorsement_window(permit) == (dt.date(2027, 2, 10), dt.date(2027, 3, 9))

    time_machine.move_to(at(2027, 2, 9), tick=False)
    with pytest.raises(NotEligible) as refused:
        services.endorse_permit(actor=resident, permit_id=permit.pk)
    assert refused.value.code == "too_early"


def test_endorsement_in_the_month_before_the_anniversary_extends_by_a_year(
    time_machine, resident, me, address_a, police_a
):
    permit = _permit_issued_on(
        time_machine, dt.date(2026, 3, 10), resident, me, address_a, police_a
    )
    time_machine.move_to(at(2027, 2, 10), tick=False)
    permit = services.endorse_permit(actor=resident, permit_id=permit.pk)
    assert permit.valid_until == dt.date(2028, 3, 9)
    assert permit.clock_restarted_on is None
    assert permit.events.last().kind == PermitEventKind.ENDORSED
    # asking again straight away is too early for the next year
    with pytest.raises(NotEligible):
        services.endorse_permit(actor=resident, permit_id=permit.pk)


def test_a_late_endorsement_restores_the_permit_and_restarts_the_residence_clock(
    time_machine, resident, me, address_a, police_a
):
    permit = _permit_issued_on(
        time_machine, dt.date(2026, 3, 10), resident, me, address_a, police_a
    )
    time_machine.move_to(at(2027, 3, 20), tick=False)
    assert permit.state_on(timezone.localdate()) == PermitState.EXPIRED
    assert not selectors.has_valid_permit(me)

    permit = services.endorse_permit(actor=resident, permit_id=permit.pk)

    assert permit.state_on(timezone.localdate()) == PermitState.VALID
    assert permit.valid_until == dt.date(2028, 3, 19)
    assert permit.clock_restarted_on == dt.date(2027, 3, 20)
    assert permit.events.last().kind == PermitEventKind.ENDORSED_LATE
    assert selectors.continuous_residence_months(me, on=dt.date(2027, 5, 20)) == 2


def test_endorsement_needs_a_current_registration(resident, me, permit):
    Registration.objects.filter(person=me).update(end_date=timezone.localdate())
    with pytest.raises(NotEligible):
        services.endorse_permit(actor=resident, permit_id=permit.pk)


def test_departure_cancels_the_permit_in_the_same_transaction(resident, me, permit, registered):
    services.end_registration(
        actor=resident, registration_id=registered.pk, end_date=timezone.localdate()
    )
    permit.refresh_from_db()
    assert permit.status == PermitStatus.CANCELLED
    assert permit.cancelled_on == timezone.localdate()
    assert permit.cancel_reason
    assert permit.events.last().kind == PermitEventKind.CANCELLED
    assert not selectors.verify_by_token(selectors.verify_token(permit)).valid
    with pytest.raises(TransitionNotAllowed):
        services.endorse_permit(actor=resident, permit_id=permit.pk)


def test_a_failed_departure_leaves_the_permit_valid(resident, permit, registered):
    with pytest.raises(InvalidInput):
        services.end_registration(
            actor=resident,
            registration_id=registered.pk,
            end_date=timezone.localdate() + dt.timedelta(days=3),
        )
    permit.refresh_from_db()
    assert permit.status == PermitStatus.VALID


def test_reissue_keeps_the_number_and_voids_the_old_cards_qr_code(resident, permit):
    old_token = selectors.verify_token(permit)
    assert selectors.verify_by_token(old_token).valid

    reissued = services.reissue_permit(actor=resident, permit_id=permit.pk, reason="遗失")

    assert reissued.number == permit.number
    assert reissued.card_version == 2
    old = selectors.verify_by_token(old_token)
    assert (old.valid, old.state) == (False, "superseded")
    assert selectors.verify_by_token(selectors.verify_token(reissued)).valid
    event = PermitEvent.objects.filter(permit=permit).last()
    assert (event.kind, event.reason, event.card_version) == (PermitEventKind.REISSUED, "遗失", 2)


def test_reissue_needs_a_reason_and_the_holder(resident, other_resident, permit):
    with pytest.raises(InvalidInput):
        services.reissue_permit(actor=resident, permit_id=permit.pk, reason="")
    with pytest.raises(NotFound):
        services.reissue_permit(actor=other_resident, permit_id=permit.pk, reason="遗失")
    with pytest.raises(NotFound):
        services.endorse_permit(actor=other_resident, permit_id=permit.pk)


def test_a_second_permit_cannot_be_applied_for_while_one_is_held(resident, me, permit):
    with pytest.raises(NotEligible) as refused:
        make_application(resident, me, materials=False)
    assert "person" in refused.value.fields


# --- verification -------------------------------------------------------------------------------


def test_verification_by_number_and_id_number(permit, me):
    result = selectors.verify_by_number(permit.number, me.id_number)
    assert result.valid
    assert result.valid_until == permit.valid_until
    assert result.name_masked == "李*"
    mismatch = selectors.verify_by_number(permit.number, "11010519491231002X")
    assert (mismatch.valid, mismatch.name_masked, mismatch.valid_until) == (False, "", None)


def test_a_forged_or_stale_token_does_not_verify(time_machine, permit, settings):
    settings.PERMIT_TOKEN_LIFETIME_SECONDS = 60
    time_machine.move_to(timezone.now(), tick=False)
    token = selectors.verify_token(permit)
    assert selectors.verify_by_token(token[:-2] + "xx").state == "bad_token"
    time_machine.shift(dt.timedelta(seconds=59))
    assert selectors.verify_by_token(token).valid
    time_machine.shift(dt.timedelta(seconds=1))
    assert selectors.verify_by_token(token).state == "stale_token"


@pytest.mark.parametrize(
    ("name", "masked"), [("李明", "李*"), ("欧阳娜娜", "欧***"), ("A", "A*"), ("", "")]
)
def test_names_are_masked_for_verifiers(name, masked):
    assert selectors.mask_name(name) == masked


def test_taking_up_from_the_shared_workbench_also_tells_the_applicant(
    submitted, police_a, resident, django_capture_on_commit_callbacks
):
    from portal.workflow import services as workflow

    with django_capture_on_commit_callbacks(execute=True):
        workflow.start_review(case_id=submitted.case_id, actor=police_a)

    notice = Notification.objects.filter(recipient=resident).latest("created_at")
    assert submitted.case.reference in notice.title
