"""The residents' pages, rendered through the Django client: every step reachable and working."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse
from django.utils import timezone

from portal import navigation
from portal.workflow.models import Status
from residents import selectors
from residents.models import Permit, PermitApplication, Person, PersonRecordAccess
from tests import factories
from tests.residents.conftest import JPEG, PDF, months_ago, upload

TEMPLATES = Path(__file__).resolve().parents[2] / "templates"


@pytest.fixture
def signed_in(client, resident):
    client.force_login(resident)
    return client


def test_each_resident_page_is_in_the_residents_navigation(resident):
    urls = {item.url_name for item in navigation.items_for(resident)}
    assert {
        "residents:registrations",
        "residents:permit_guide",
        "residents:permits",
        "residents:family",
    } <= urls


def test_staff_reach_the_person_search_and_residents_do_not(resident, police_a, officer_a):
    assert "residents:staff_persons" in {i.url_name for i in navigation.items_for(police_a)}
    assert "residents:staff_persons" in {i.url_name for i in navigation.items_for(officer_a)}
    assert "residents:staff_persons" not in {i.url_name for i in navigation.items_for(resident)}


def test_the_workbench_links_a_permit_case_to_its_review_page(draft):
    from portal.workflow.registry import get_kind

    url = get_kind("residence_permit").detail_url(draft.case)
    assert url == reverse("residents:review_permit", args=[draft.case.pk])


def test_pages_need_a_sign_in(client):
    response = client.get(reverse("residents:registrations"))
    assert response.status_code == 302
    assert "login" in response["Location"]


def test_templates_carry_no_inline_script_or_style():
    for template in [
        *TEMPLATES.joinpath("residents").glob("*.html"),
        *TEMPLATES.joinpath("notices").glob("*.html"),
    ]:
        text = template.read_text()
        assert "style=" not in text, template
        assert not re.search(r"<script(?![^>]*\bsrc=)", text), template
        assert "<style" not in text, template


# --- entering oneself and registering -------------------------------------------------------------


def test_entering_my_details_checks_the_answers_before_saving(signed_in, resident):
    url = reverse("residents:person_new")
    assert signed_in.get(url).status_code == 200
    data = {
        "name": "张伟",
        "id_number": "11010519491231002X",
        "phone": "13800138000",
        "origin_code": "330304",
    }

    check = signed_in.post(url, {**data, "step": "check"})
    assert check.status_code == 200
    assert b"1949-12-31" in check.content  # birth date read from the number
    assert "330304（浙江省）" in check.content.decode()  # the hukou place named, not only coded
    assert not Person.objects.exists()

    done = signed_in.post(url, {**data, "step": "confirm"})
    assert done.status_code == 302
    assert Person.objects.get().user == resident


def test_a_wrong_id_number_shows_the_error_summary_linking_to_the_field(signed_in):
    response = signed_in.post(
        reverse("residents:person_new"),
        {"name": "张伟", "id_number": "110105194912310021", "step": "check"},
    )
    assert response.status_code == 200
    assert b"error-summary" in response.content
    assert b'href="#id_id_number"' in response.content
    assert not Person.objects.exists()


def test_a_duplicate_id_number_is_reported_on_the_form(signed_in, other_resident):
    from tests.residents.conftest import make_person

    existing = make_person(other_resident, seq=13)
    response = signed_in.post(
        reverse("residents:person_new"),
        {"name": "张伟", "id_number": existing.id_number, "step": "confirm"},
    )
    assert response.status_code == 200
    assert b'href="#id_id_number"' in response.content
    assert Person.objects.count() == 1


def test_registering_an_address_finds_it_checks_and_confirms(signed_in, me, address_a):
    url = reverse("residents:registration_new")
    search = signed_in.get(url, {"q": address_a.road + " " + address_a.number})
    assert address_a.text.encode() in search.content

    fragment = signed_in.get(reverse("residents:address_search"), {"q": address_a.road})
    assert f'value="{address_a.pk}"'.encode() in fragment.content

    data = {
        "person": me.pk,
        "address": address_a.pk,
        "start_date": months_ago(2).isoformat(),
        "reason": "work",
        "moving": "False",
    }
    check = signed_in.post(url, {**data, "step": "check"})
    assert check.status_code == 200
    assert address_a.text.encode() in check.content
    assert not me.registrations.exists()

    done = signed_in.post(url, {**data, "step": "confirm"})
    registration = me.registrations.get()
    assert done["Location"] == reverse("residents:certificate", args=[registration.pk])

    certificate = signed_in.get(done["Location"])
    assert certificate.status_code == 200
    assert "居住登记凭证".encode() in certificate.content
    assert me.id_masked.encode() in certificate.content
    assert me.id_number.encode() not in certificate.content


def test_a_second_registration_is_refused_on_the_page(signed_in, me, registered, grid_a):
    other = factories.AddressFactory(grid=grid_a)
    response = signed_in.post(
        reverse("residents:registration_new"),
        {
            "person": me.pk,
            "address": other.pk,
            "start_date": months_ago(1).isoformat(),
            "reason": "work",
            "step": "confirm",
        },
    )
    assert response.status_code == 200
    assert b"error-summary" in response.content
    assert me.registrations.count() == 1


def test_my_registration_page_shows_history_and_months(signed_in, me, registered):
    response = signed_in.get(reverse("residents:registrations"))
    assert response.status_code == 200
    assert registered.address.text.encode() in response.content
    assert response.context["household"][0]["months"] == 8


def test_departure_page_warns_about_the_permit_and_cancels_it(signed_in, me, permit, registered):
    url = reverse("residents:registration_depart", args=[registered.pk])
    page = signed_in.get(url)
    assert permit.number.encode() in page.content
    done = signed_in.post(url, {"end_date": timezone.localdate().isoformat()})
    assert done.status_code == 302
    permit.refresh_from_db()
    assert permit.status == "cancelled"


def test_someone_elses_certificate_is_not_found(client, other_resident, registered):
    client.force_login(other_resident)
    assert client.get(reverse("residents:certificate", args=[registered.pk])).status_code == 404
    assert (
        client.get(reverse("residents:registration_depart", args=[registered.pk])).status_code
        == 404
    )


def test_a_guardian_adds_a_child_on_the_family_page(signed_in, me):
    assert signed_in.get(reverse("residents:family")).status_code == 200
    data = {
        "relation": "child",
        "name": "李小明",
        "id_number": factories.make_id_number(birth=dt.date(2018, 3, 2), seq=31),
    }
    url = reverse("residents:dependant_new")
    check = signed_in.post(url, {**data, "step": "check"})
    assert b"2018-03-02" in check.content
    signed_in.post(url, {**data, "step": "confirm"})
    assert "李小明".encode() in signed_in.get(reverse("residents:family")).content


# --- applying for a permit ----------------------------------------------------------------------


def test_the_service_guide_shows_conditions_materials_and_time_limit(signed_in, me, registered):
    response = signed_in.get(reverse("residents:permit_guide"))
    assert response.status_code == 200
    assert response.context["policy"].min_residence_months == 6
    assert response.context["due_days"] == 15
    assert response.context["can_start"] is True
    assert reverse("residents:permit_start").encode() in response.content


def test_the_guide_says_when_a_newcomer_can_apply(signed_in, resident, me, address_a):
    from tests.residents.conftest import register

    register(resident, me, address_a, start=months_ago(2))
    response = signed_in.get(reverse("residents:permit_guide"))
    assert response.context["can_start"] is False
    assert "registration" in response.context["household"][0]["problems"]


def test_apply_upload_check_submit_and_receipt(signed_in, me, registered):
    started = signed_in.post(
        reverse("residents:permit_start"),
        {"person": me.pk, "basis": "employment", "basis_detail": "某鞋厂"},
    )
    application = PermitApplication.objects.get()
    assert started["Location"] == reverse("residents:permit_application", args=[application.pk])
    assert signed_in.get(started["Location"]).status_code == 200

    add = reverse("residents:material_add", args=[application.pk])
    signed_in.post(add, {"kind": "photo", "file": upload("me.jpg", JPEG)})
    wrong = signed_in.post(add, {"kind": "proof", "file": upload("contract.pdf", JPEG)})
    assert wrong.status_code == 400
    assert b"error-summary" in wrong.content
    signed_in.post(add, {"kind": "proof", "file": upload("contract.pdf", PDF)})
    assert application.materials.count() == 2

    check_url = reverse("residents:permit_check", args=[application.pk])
    check = signed_in.get(check_url)
    assert check.context["problems"] == {}
    submitted = signed_in.post(check_url)
    assert submitted["Location"] == reverse("residents:permit_receipt", args=[application.pk])

    receipt = signed_in.get(submitted["Location"])
    application.case.refresh_from_db()
    assert application.case.reference.encode() in receipt.content
    assert application.case.due_date.isoformat().encode() in receipt.content

    progress = signed_in.get(reverse("residents:permit_application", args=[application.pk]))
    assert b'class="timeline"' in progress.content


def test_the_owner_lists_removes_and_uploads_files_while_the_application_is_a_draft(
    signed_in, draft
):
    page = signed_in.get(reverse("residents:permit_application", args=[draft.pk]))
    body = page.content.decode()
    for material in draft.materials.all():
        assert reverse("residents:material_file", args=[material.pk]) in body
        assert reverse("residents:material_remove", args=[material.pk]) in body
        assert f"{material.get_kind_display()}: {material.original_name}" in body
    assert reverse("residents:material_add", args=[draft.pk]) in body
    assert 'name="file"' in body

    refused = signed_in.post(
        reverse("residents:material_add", args=[draft.pk]),
        {"kind": "photo", "file": upload("me.pdf", PDF)},
    )
    assert refused.status_code == 400
    assert 'id="id_file_error"' in refused.content.decode()


def test_after_submission_the_files_are_listed_without_remove_or_upload(
    signed_in, submitted, client, police_a
):
    material = submitted.materials.first()
    pages = [signed_in.get(reverse("residents:permit_application", args=[submitted.pk]))]
    client.force_login(police_a)
    pages.append(client.get(reverse("residents:review_permit", args=[submitted.case_id])))
    for page in pages:
        body = page.content.decode()
        assert reverse("residents:material_file", args=[material.pk]) in body
        assert reverse("residents:material_remove", args=[material.pk]) not in body
        assert reverse("residents:material_add", args=[submitted.pk]) not in body


def test_submitting_an_incomplete_application_lists_all_problems(signed_in, me, registered):
    from residents import services

    application = services.create_permit_application(actor=me.user, person_id=me.pk, basis="study")
    response = signed_in.post(reverse("residents:permit_check", args=[application.pk]))
    assert response.status_code == 400
    assert set(response.context["problems"]) == {"materials", "basis_detail"}


def test_a_resident_guessing_another_application_gets_404(client, other_resident, submitted):
    client.force_login(other_resident)
    for name in ("permit_application", "permit_check", "permit_receipt"):
        assert client.get(reverse(f"residents:{name}", args=[submitted.pk])).status_code == 404


# --- the reviewer --------------------------------------------------------------------------------


def test_the_review_page_is_for_the_districts_police_only(
    client, submitted, police_a, police_b, housing_a, other_resident, resident
):
    url = reverse("residents:review_permit", args=[submitted.case_id])
    client.force_login(police_a)
    page = client.get(url)
    assert page.status_code == 200
    assert b'name="action" value="approve"' in page.content
    for outsider in (police_b, housing_a, other_resident, resident):
        client.force_login(outsider)
        assert client.get(url).status_code == 404
        assert client.post(url, {"action": "accept"}).status_code == 404


def test_a_return_from_the_page_lists_every_ticked_item(client, submitted, police_a, resident):
    url = reverse("residents:review_permit", args=[submitted.case_id])
    client.force_login(police_a)
    response = client.post(
        url,
        {
            "action": "return",
            "return-items": ["photo", "employment"],
            "return-other": "请补充社保缴纳证明",
        },
    )
    assert response.status_code == 302
    submitted.case.refresh_from_db()
    assert submitted.case.status == Status.RETURNED
    lines = submitted.case.last_reason.splitlines()
    assert len(lines) == 3
    assert lines[2] == "3. 请补充社保缴纳证明"

    client.force_login(resident)
    page = client.get(reverse("residents:permit_application", args=[submitted.pk]))
    assert "请补充社保缴纳证明".encode() in page.content


def test_an_empty_return_is_refused_on_the_page(client, submitted, police_a):
    client.force_login(police_a)
    response = client.post(
        reverse("residents:review_permit", args=[submitted.case_id]), {"action": "return"}
    )
    assert response.status_code == 400
    submitted.case.refresh_from_db()
    assert submitted.case.status == Status.SUBMITTED


def test_approving_from_the_page_issues_the_permit(client, submitted, police_a):
    client.force_login(police_a)
    url = reverse("residents:review_permit", args=[submitted.case_id])
    client.post(url, {"action": "accept"})
    response = client.post(url, {"action": "approve", "approve-reason": ""})
    assert response.status_code == 302
    assert Permit.objects.filter(application=submitted).exists()
    again = client.post(url, {"action": "reject", "reject-reason": "改判"})
    assert again.status_code == 409


def test_staff_open_a_full_record_only_after_giving_a_reason(client, police_a, me, registered):
    url = reverse("residents:staff_person", args=[me.pk])
    client.force_login(police_a)
    masked = client.get(url)
    assert me.id_masked.encode() in masked.content
    assert me.id_number.encode() not in masked.content
    assert not PersonRecordAccess.objects.exists()

    opened = client.post(url, {"reason": "核查居住证申请"})
    assert me.id_number.encode() in opened.content
    assert "no-store" in opened["Cache-Control"] or "no-cache" in opened["Cache-Control"]
    access = PersonRecordAccess.objects.get()
    assert (access.staff, access.reason) == (police_a, "核查居住证申请")


def test_staff_search_by_id_number_within_their_scope(client, police_a, police_b, me, registered):
    search = {"id_number": me.id_number, "reason": "核查居住证申请"}
    client.force_login(police_a)
    found = client.post(reverse("residents:staff_persons"), search)
    assert list(found.context["results"]) == [me]
    assert me.id_number not in found.content.decode()  # not even the number typed
    client.force_login(police_b)
    assert client.post(reverse("residents:staff_persons"), search).context["results"] == []
    assert [access.staff for access in PersonRecordAccess.objects.all()] == [police_a]


def test_residents_and_outsiders_cannot_open_staff_records(
    client, resident, police_b, me, registered
):
    for outsider in (resident, police_b):
        client.force_login(outsider)
        assert client.get(reverse("residents:staff_person", args=[me.pk])).status_code == 404
        assert (
            client.post(
                reverse("residents:staff_person", args=[me.pk]), {"reason": "x"}
            ).status_code
            == 404
        )
    assert not PersonRecordAccess.objects.exists()


# --- the permit --------------------------------------------------------------------------------------


def test_the_electronic_permit_shows_a_qr_code_as_a_data_uri(signed_in, permit):
    response = signed_in.get(reverse("residents:permit", args=[permit.pk]))
    assert response.status_code == 200
    assert b'src="data:image/svg+xml' in response.content
    assert permit.number.encode() in response.content
    listing = signed_in.get(reverse("residents:permits"))
    assert permit.number.encode() in listing.content


def test_the_verify_page_needs_no_sign_in_and_masks_the_holder(client, permit, me):
    token = selectors.verify_token(permit)
    response = client.get(reverse("residents:verify", args=[token]))
    assert response.status_code == 200
    assert response.context["result"].valid
    assert b"verify--valid" in response.content
    assert "李*".encode() in response.content
    assert me.id_masked.encode() in response.content
    assert me.id_number.encode() not in response.content
    assert "李明".encode() not in response.content


def test_the_verify_page_says_invalid_for_a_forged_code(client, permit):
    response = client.get(reverse("residents:verify", args=["forged:token"]))
    assert response.status_code == 200
    assert b"verify--invalid" in response.content


def test_reissue_from_the_page_voids_the_old_code(signed_in, client, permit):
    old = selectors.verify_token(permit)
    signed_in.post(reverse("residents:permit_reissue", args=[permit.pk]), {"reason": "遗失"})
    page = signed_in.get(reverse("residents:verify", args=[old]))
    assert page.context["result"].state == "superseded"


def test_endorsing_from_the_page_in_the_window(time_machine, signed_in, permit):
    time_machine.move_to(
        dt.datetime.combine(
            permit.valid_until - dt.timedelta(days=5), dt.time(10), tzinfo=ZoneInfo("Asia/Shanghai")
        ),
        tick=False,
    )
    page = signed_in.get(reverse("residents:permit", args=[permit.pk]))
    assert page.context["can_endorse"] is True
    signed_in.post(reverse("residents:permit_endorse", args=[permit.pk]))
    permit.refresh_from_db()
    assert permit.events.last().kind == "endorsed"


def test_another_resident_cannot_see_my_permit(client, other_resident, permit):
    client.force_login(other_resident)
    assert client.get(reverse("residents:permit", args=[permit.pk])).status_code == 404
    assert client.post(reverse("residents:permit_endorse", args=[permit.pk])).status_code == 404


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_pages_render_in_both_languages(client, resident, permit, language):
    client.force_login(resident)
    client.cookies["django_language"] = language
    for url in [
        reverse("residents:registrations"),
        reverse("residents:family"),
        reverse("residents:permit_guide"),
        reverse("residents:permits"),
        reverse("residents:permit", args=[permit.pk]),
        reverse("residents:permit_application", args=[permit.application_id]),
    ]:
        response = client.get(url)
        assert response.status_code == 200, url
        assert f'lang="{language}"'.encode() in response.content, url


def test_declaring_a_move_on_the_page_ends_the_old_registration(signed_in, me, registered, grid_b):
    new_address = factories.AddressFactory(grid=grid_b)
    url = reverse("residents:registration_new")
    form = signed_in.get(url, {"person": me.pk, "move": "1"})
    assert form.context["moving"] is True
    moved_on = timezone.localdate()
    data = {
        "person": me.pk,
        "address": new_address.pk,
        "start_date": moved_on.isoformat(),
        "reason": "work",
        "moving": "True",
    }
    check = signed_in.post(url, {**data, "step": "check"})
    assert registered.address.text.encode() in check.content  # the old one that will end
    signed_in.post(url, {**data, "step": "confirm"})
    registered.refresh_from_db()
    assert registered.end_date == moved_on
    assert selectors.current_registration(me).address == new_address


def test_a_late_declaration_is_accepted_with_a_warning_on_the_page(signed_in, me, address_a):
    data = {
        "person": me.pk,
        "address": address_a.pk,
        "start_date": months_ago(3).isoformat(),
        "reason": "work",
        "moving": "False",
        "step": "confirm",
    }
    done = signed_in.post(reverse("residents:registration_new"), data, follow=True)
    assert me.registrations.get().is_late
    assert "逾期申报".encode() in done.content
