"""The OpenAPI schema describes every endpoint, validates, and its docs page works offline."""

from __future__ import annotations

import re

import yaml
from django.contrib.staticfiles import finders
from django.core.management import call_command

ENDPOINTS = [
    "/api/v1/auth/token/",
    "/api/v1/me/",
    "/api/v1/areas/",
    "/api/v1/areas/{code}/",
    "/api/v1/addresses/",
    "/api/v1/addresses/{id}/",
    "/api/v1/cases/",
    "/api/v1/cases/{id}/",
    "/api/v1/my-cases/",
    "/api/v1/my-cases/{id}/",
    "/api/v1/school-rounds/{id}/commit-seed/",
    "/api/v1/school-rounds/{id}/draw/",
    "/api/v1/school-rounds/{id}/second-round/",
    "/api/v1/school-rounds/{id}/results/",
    "/api/v1/school-applications/{id}/preferences/",
    "/api/v1/school-offers/{id}/accept/",
    "/api/v1/schools/",
    "/api/v1/persons/",
    "/api/v1/registrations/",
    "/api/v1/registrations/{id}/depart/",
    "/api/v1/permit-applications/",
    "/api/v1/permit-applications/{id}/submit/",
    "/api/v1/permit-applications/{id}/approve/",
    "/api/v1/permit-applications/{id}/reject/",
    "/api/v1/permit-applications/{id}/return/",
    "/api/v1/permit-applications/{id}/materials/",
    "/api/v1/permits/",
    "/api/v1/permits/verify/",
    "/api/v1/field/grids/",
    "/api/v1/field/addresses/",
    "/api/v1/field/visits/",
    "/api/v1/field/tasks/",
    "/api/v1/field/coverage/grids/",
    "/api/v1/field/coverage/officers/",
    "/api/v1/housing/homes/",
    "/api/v1/housing/homes/{id}/tenancies/",
    "/api/v1/housing/my-tenancies/",
    "/api/v1/housing/applications/",
    "/api/v1/housing/rounds/{id}/ranking/",
    "/api/v1/housing/offers/{id}/accept/",
    "/api/v1/housing/review/homes/{id}/approve/",
    "/api/v1/notices/inbox/",
    "/api/v1/notices/policies/",
    "/api/v1/notices/policies/{id}/publish/",
    "/api/v1/notices/preferences/",
    "/api/v1/points/estimate/",
    "/api/v1/points/rule-sets/",
    "/api/v1/points/score/",
    "/api/v1/points/applications/",
    "/api/v1/points/applications/{id}/claims/",
    "/api/v1/points/claims/{id}/evidence/",
    "/api/v1/points/review/claims/",
    "/api/v1/points/review/claims/{id}/verify/",
    "/api/v1/points/rankings/",
    "/api/v1/points/rankings/{id}/entries/",
    "/api/v1/points/rule-sets/{id}/publish/",
]


def test_the_schema_validates_without_a_single_warning(tmp_path, db):
    target = tmp_path / "schema.yml"

    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(target))

    schema = yaml.safe_load(target.read_text())
    assert set(ENDPOINTS) <= set(schema["paths"])


def test_the_schema_is_served(client, db):
    response = client.get("/api/schema/", HTTP_ACCEPT="application/json")

    assert response.status_code == 200
    schema = response.json()
    assert set(ENDPOINTS) <= set(schema["paths"])


def test_the_schema_documents_the_error_format_and_pagination(client, db):
    schema = client.get("/api/schema/", HTTP_ACCEPT="application/json").json()

    queue = schema["paths"]["/api/v1/cases/"]["get"]
    assert queue["responses"]["403"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/Error"
    }
    assert set(schema["components"]["schemas"]["Error"]["properties"]) == {
        "code",
        "message",
        "fields",
    }
    page = schema["components"]["schemas"]["PaginatedCaseOutputList"]["properties"]
    assert {"count", "next", "previous", "results"} <= set(page)
    filters = {p["name"] for p in queue["parameters"]}
    assert {"kind", "status", "district", "overdue", "due_before", "submitted_after", "q"} <= (
        filters
    )


def test_the_token_endpoint_is_documented_without_authentication(client, db):
    schema = client.get("/api/schema/", HTTP_ACCEPT="application/json").json()

    token = schema["paths"]["/api/v1/auth/token/"]["post"]
    me = schema["paths"]["/api/v1/me/"]["get"]
    assert {"knoxApiToken": []} in me["security"]
    assert not any(token.get("security", []))
    assert set(token["responses"]) >= {"200", "400", "429"}


def test_the_docs_page_loads_its_assets_from_the_portal_not_a_cdn(client, db):
    response = client.get("/api/docs/")

    assert response.status_code == 200
    html = response.content.decode()
    assets = re.findall(r'(?:src|href)="([^"]+)"', html)
    assert any("swagger-ui-bundle" in a for a in assets)
    assert assets
    assert all(a.startswith(("/static/", "/api/", "?")) for a in assets), assets
    for asset in (a for a in assets if a.startswith("/static/")):
        assert finders.find(asset.removeprefix("/static/")), asset


def test_the_schema_describes_methods_responses_and_security(client, db):
    paths = client.get("/api/schema/", HTTP_ACCEPT="application/json").json()["paths"]

    assert {"get", "post"} <= set(paths["/api/v1/persons/"])
    assert {"200", "201", "400", "404", "409"} <= set(
        paths["/api/v1/field/visits/"]["post"]["responses"]
    )
    verify = paths["/api/v1/permits/verify/"]["post"]
    assert "Token" in verify["description"]
    assert {"knoxApiToken": []} in verify["security"]
    assert "security" not in paths["/api/v1/points/estimate/"]["post"]  # no login needed
