"""Residents choose a division code from the area tree, level by level, instead of typing it."""

from __future__ import annotations

from portal.areas.models import Area, Level
from residents.models import Person
from tests.residents.conftest import id_number


def test_the_person_form_offers_the_top_of_the_area_tree(client, resident, city):
    client.force_login(resident)
    page = client.get("/residence/me/").content.decode()
    root = Area.objects.get(parent__isnull=True)
    assert f'<option value="{root.code}">{root.name}</option>' in page
    assert 'hx-get="/areas/picker/?field=origin_code' in page


def test_choosing_an_area_loads_the_areas_inside_it(client, city, district_a):
    streets = Area.objects.filter(parent=district_a, level=Level.STREET)
    response = client.get(
        "/areas/picker/",
        {
            "field": "origin_code",
            "id": "id_origin_code",
            "level": "2",
            "origin_code": district_a.code,
        },
    )
    page = response.content.decode()
    assert response.status_code == 200
    for street in streets:
        assert f'<option value="{street.code}">{street.name}</option>' in page
    assert 'id="id_origin_code_level2"' in page


def test_below_a_community_there_is_nothing_to_choose(client, city, grid_a):
    response = client.get(
        "/areas/picker/",
        {"field": "origin_code", "id": "id_origin_code", "origin_code": grid_a.parent.code},
    )
    assert "<select" not in response.content.decode()


def test_the_deepest_area_chosen_is_saved_else_the_typed_code(client, resident, district_a):
    street = Area.objects.filter(parent=district_a, level=Level.STREET).first()
    client.force_login(resident)
    data = {
        "name": "郑好",
        "id_number": id_number(95),
        "phone": "",
        "origin_code": [district_a.parent.code, district_a.code, street.code, ""],
        "origin_code_typed": "",
        "education": "",
        "employer": "",
        "step": "confirm",
    }
    client.post("/residence/me/", data)
    assert Person.objects.get(user=resident).origin_code == street.code


def test_a_place_elsewhere_is_typed(client, resident, city):
    client.force_login(resident)
    data = {
        "name": "郑好",
        "id_number": id_number(96),
        "origin_code": [""],
        "origin_code_typed": "440524",
        "step": "confirm",
    }
    client.post("/residence/me/", data)
    assert Person.objects.get(user=resident).origin_code == "440524"


def test_a_bad_request_is_refused(client):
    assert client.get("/areas/picker/", {"field": "x<script>", "id": "a"}).status_code == 400
