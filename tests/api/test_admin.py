"""The admin screens of the platform apps: users and departments, areas and addresses, cases."""

from __future__ import annotations

import pytest

from portal.accounts.models import Department, User
from portal.areas.models import Address
from portal.workflow import services
from portal.workflow.models import Case, Status
from portal.workflow.registry import ApplicationKind, register_kind

register_kind(
    ApplicationKind(
        code="api_admin_test_kind",
        label="Admin test kind",
        department="public_security",
        prefix="ADT",
    )
)


@pytest.fixture
def admin_client(client, db):
    admin = User.objects.create_superuser(username="root_t", password="pass-for-tests-2026")
    client.force_login(admin)
    return client


@pytest.fixture
def case(resident, district_a):
    draft = services.create_case(
        kind="api_admin_test_kind", applicant=resident, district=district_a, actor=resident
    )
    return services.submit_case(case_id=draft.pk, actor=resident)


def user_form(user: User, **changes) -> dict:
    data = {
        "username": user.username,
        "first_name": "",
        "last_name": "",
        "phone": "",
        "roles": list(user.roles),
        "department": user.department_id or "",
        "districts": [d.pk for d in user.districts.all()],
        "grids": [g.pk for g in user.grids.all()],
        "is_active": "on",
        "last_login_0": "",
        "last_login_1": "",
        "date_joined_0": "2026-01-01",
        "date_joined_1": "08:00:00",
    }
    data.update(changes)
    return {k: v for k, v in data.items() if v is not None}


def test_an_administrator_makes_a_resident_a_reviewer_of_a_district(
    admin_client, resident, district_a
):
    police = Department.objects.get(code="public_security")

    response = admin_client.post(
        f"/admin/accounts/user/{resident.pk}/change/",
        user_form(
            resident,
            roles=["resident", "reviewer"],
            department=police.pk,
            districts=[district_a.pk],
        ),
    )

    assert response.status_code == 302
    resident.refresh_from_db()
    assert resident.roles == ["resident", "reviewer"]
    assert resident.department == police
    assert list(resident.districts.all()) == [district_a]


def test_a_reviewer_without_a_department_is_refused_on_the_form(admin_client, resident):
    response = admin_client.post(
        f"/admin/accounts/user/{resident.pk}/change/",
        user_form(resident, roles=["reviewer"]),
    )

    assert response.status_code == 200
    assert response.context["adminform"].form.errors
    resident.refresh_from_db()
    assert resident.roles == ["resident"]


def test_an_unknown_role_is_refused_on_the_form(admin_client, resident):
    response = admin_client.post(
        f"/admin/accounts/user/{resident.pk}/change/", user_form(resident, roles=["king"])
    )

    assert response.status_code == 200
    assert "roles" in response.context["adminform"].form.errors


def test_an_administrator_adds_a_user_with_roles(admin_client, db):
    response = admin_client.post(
        "/admin/accounts/user/add/",
        {
            "username": "officer_new",
            "roles": ["grid_officer"],
            "usable_password": "true",
            "password1": "a-long-pass-2026!",
            "password2": "a-long-pass-2026!",
        },
    )

    assert response.status_code == 302
    assert User.objects.get(username="officer_new").roles == ["grid_officer"]


@pytest.mark.parametrize(
    "url",
    [
        "/admin/accounts/user/",
        "/admin/accounts/user/add/",
        "/admin/accounts/department/",
        "/admin/areas/area/?level__exact=grid",
        "/admin/areas/address/",
        "/admin/workflow/case/",
    ],
)
def test_the_screens_open(admin_client, city, case, url):
    assert admin_client.get(url).status_code == 200


def test_the_user_list_shows_role_names(admin_client, police_a):
    response = admin_client.get("/admin/accounts/user/?q=police_a")

    assert "police_a" in response.content.decode()
    assert "['reviewer']" not in response.content.decode()


def test_areas_are_searched_by_code_and_filtered_by_level(admin_client, city, district_b):
    by_code = admin_client.get(f"/admin/areas/area/?q={district_b.code}")
    grids = admin_client.get("/admin/areas/area/?level__exact=grid")

    assert list(by_code.context["cl"].result_list) == [district_b]
    assert {a.level for a in grids.context["cl"].result_list} == {"grid"}


def test_an_address_added_in_the_admin_gets_its_full_text(admin_client, grid_a):
    response = admin_client.post(
        "/admin/areas/address/add/",
        {
            "grid": grid_a.pk,
            "road": "人民路",
            "number": "9",
            "building": "1",
            "unit": "",
            "room": "302",
        },
    )

    assert response.status_code == 302
    assert Address.objects.get().text == "人民路9号1幢302室"


def test_addresses_are_searched_by_text(admin_client, grid_a):
    Address.objects.create(grid=grid_a, road="人民路", number="9", text="人民路9号")
    Address.objects.create(grid=grid_a, road="解放路", number="1", text="解放路1号")

    response = admin_client.get("/admin/areas/address/?q=解放")

    assert [a.text for a in response.context["cl"].result_list] == ["解放路1号"]


def test_a_case_opens_read_only_with_its_history(admin_client, case):
    response = admin_client.get(f"/admin/workflow/case/{case.pk}/change/")

    assert response.status_code == 200
    assert response.context["has_change_permission"] is False
    html = response.content.decode()
    assert case.reference in html
    assert 'name="status"' not in html
    assert response.context["inline_admin_formsets"][0].formset.queryset.count() == 2


def test_a_case_status_cannot_be_changed_in_the_admin(admin_client, case):
    response = admin_client.post(
        f"/admin/workflow/case/{case.pk}/change/",
        {"status": Status.APPROVED, "kind": case.kind, "reference": case.reference},
    )

    assert response.status_code == 403
    assert Case.objects.get(pk=case.pk).status == Status.SUBMITTED


def test_cases_cannot_be_added_or_deleted_in_the_admin(admin_client, case):
    assert admin_client.get("/admin/workflow/case/add/").status_code == 403
    assert (
        admin_client.post(f"/admin/workflow/case/{case.pk}/delete/", {"post": "yes"}).status_code
        == 403
    )
    assert Case.objects.filter(pk=case.pk).exists()
