"""The points API: estimate without login (throttled), the claims flow, review scoping, rankings,
query budgets, and the OpenAPI schema."""

from __future__ import annotations

import pytest
from rest_framework.test import APIClient

from points.models import Claim, RuleSet
from points.services import claims
from tests.api.conftest import assert_error_body
from tests.points.conftest import give_permit, pdf
from tests.reasons import assert_api_wants_a_reason


@pytest.fixture
def api():
    return APIClient()


# --- estimate ---------------------------------------------------------------------------------------


def test_anyone_can_estimate_without_logging_in(api, zhongshan):
    response = api.post(
        "/api/v1/points/estimate/",
        {
            "facts": {
                "birth_date": "1990-05-12",
                "has_permit": True,
                "work_years_city": 3,
                "education": "junior_middle",
                "insurance_type_years_province": 10,
                "residence_periods": [["2022-03-01", None]],
                "zone": ["central"],
            },
            "on": "2026-01-01",
        },
        format="json",
    )
    assert response.status_code == 200
    body = response.json()
    assert body["rule_set"]["id"] == zhongshan.pk
    assert body["rule_set"]["in_force"] is True
    services = {s["service"]: s for s in body["estimate"]["services"]}
    # the golden profile z01 without the housing requirement facts
    assert services["school"]["total"] == 55
    assert services["hukou"]["passed"] is False
    lines = [line for family in body["estimate"]["families"] for line in family["lines"]]
    assert {line["indicator"] for line in lines} == {
        "education",
        "insurance_province",
        "residence",
        "age",
    }
    assert body["suggestions"]


def test_an_estimate_under_another_published_rule_set(api, zhongshan, shanghai):
    response = api.post(
        "/api/v1/points/estimate/",
        {"rule_set": shanghai.pk, "facts": {"education": "doctor"}},
        format="json",
    )
    assert response.json()["estimate"]["services"][0]["service"] == "standard"
    assert response.json()["estimate"]["services"][0]["total"] == 110


def test_bad_facts_are_refused_field_by_field(api, zhongshan):
    response = api.post(
        "/api/v1/points/estimate/",
        {"facts": {"education": 7, "nonsense": 1, "insurance_years": 3}},
        format="json",
    )
    assert response.status_code == 400
    body = response.json()
    assert_error_body(body, code="invalid")
    assert set(body["fields"]) == {"facts.education", "facts.nonsense", "facts.insurance_years"}


def test_a_draft_rule_set_cannot_be_estimated_under(api, zhongshan, admin_user):
    from points.services import rules

    draft = rules.new_version(actor=admin_user, rule_set_id=zhongshan.pk)
    response = api.post(
        "/api/v1/points/estimate/", {"rule_set": draft.pk, "facts": {}}, format="json"
    )
    assert response.status_code == 404


def test_estimates_are_throttled(api, zhongshan, monkeypatch):
    monkeypatch.setattr("points.api.EstimateThrottle.rate", "3/min")
    statuses = [
        api.post("/api/v1/points/estimate/", {"facts": {}}, format="json").status_code
        for _ in range(4)
    ]
    assert statuses == [200, 200, 200, 429]


# --- reference data -----------------------------------------------------------------------------------


def test_rule_sets_and_their_rules_are_public(api, zhongshan, shanghai):
    listed = api.get("/api/v1/points/rule-sets/").json()["results"]
    assert {r["scheme"] for r in listed} >= {"zhongshan", "shanghai"}
    detail = api.get(f"/api/v1/points/rule-sets/{zhongshan.pk}/").json()
    assert {s["service"] for s in detail["rules"]["services"]} == {"school", "housing", "hukou"}
    fact_types = api.get("/api/v1/points/fact-types/").json()
    education = next(f for f in fact_types if f["code"] == "education")
    assert {"code": "bachelor", "label": "本科（无学位）"} in education["levels"]


# --- the claims flow ---------------------------------------------------------------------------------


def test_a_resident_applies_claims_uploads_and_submits(api, zhongshan, me, resident):
    give_permit(me)
    api.force_authenticate(resident)
    created = api.post("/api/v1/points/applications/", {"service": "school"}, format="json")
    assert created.status_code == 201
    application_id = created.json()["id"]
    claim = api.post(
        f"/api/v1/points/applications/{application_id}/claims/",
        {"fact_type": "education", "value": ["bachelor"], "note": "全日制"},
        format="json",
    )
    assert claim.status_code == 201
    assert claim.json()["department"] == "education"
    claim_id = claim.json()["id"]
    worked = claims.add_claim(
        actor=resident, application_id=application_id, fact_type="work_years_city", value=3
    )
    claims.add_evidence(actor=resident, claim_id=worked.pk, upload=pdf())
    refused = api.post(f"/api/v1/points/applications/{application_id}/submit/")
    assert refused.status_code == 400
    assert "evidence" in refused.json()["fields"]
    upload = api.post(
        f"/api/v1/points/claims/{claim_id}/evidence/", {"file": pdf()}, format="multipart"
    )
    assert upload.status_code == 201
    submitted = api.post(f"/api/v1/points/applications/{application_id}/submit/")
    assert submitted.status_code == 200
    assert submitted.json()["status"] == "submitted"


def test_the_resident_lists_their_applications_within_a_query_budget(
    api, zhongshan, me, resident, django_assert_max_num_queries
):
    application = claims.start_application(actor=resident, service="school")
    for fact_type, value in (("education", ["bachelor"]), ("unmarried", True)):
        claims.add_claim(
            actor=resident, application_id=application.pk, fact_type=fact_type, value=value
        )
    api.force_authenticate(resident)
    with django_assert_max_num_queries(8):
        response = api.get("/api/v1/points/applications/")
    assert response.status_code == 200
    assert len(response.json()["results"][0]["claims"]) == 4


@pytest.fixture
def submitted(zhongshan, me, resident):
    give_permit(me)
    application = claims.start_application(actor=resident, service="school")
    for fact_type, value in (("education", ["bachelor"]), ("work_years_city", 3)):
        claim = claims.add_claim(
            actor=resident, application_id=application.pk, fact_type=fact_type, value=value
        )
        claims.add_evidence(actor=resident, claim_id=claim.pk, upload=pdf())
    return claims.submit_application(actor=resident, application_id=application.pk)


def test_reviewers_list_their_departments_claims_within_a_query_budget(
    api, submitted, hr_a, django_assert_max_num_queries
):
    api.force_authenticate(hr_a)
    with django_assert_max_num_queries(8):
        response = api.get("/api/v1/points/review/claims/")
    assert [c["fact_type"] for c in response.json()["results"]] == ["work_years_city"]


def test_the_owning_department_verifies_through_the_api(api, submitted, education_a):
    claim = submitted.claims.get(fact_type_id="education")
    api.force_authenticate(education_a)
    response = api.post(
        f"/api/v1/points/review/claims/{claim.pk}/verify/",
        {"value": ["bachelor_degree"]},
        format="json",
    )
    assert response.status_code == 200
    assert response.json()["status"] == "approved"
    assert response.json()["verified_value"] == ["bachelor_degree"]


def test_another_departments_reviewer_gets_404_from_the_api(api, submitted, hr_a, hr_b):
    education = submitted.claims.get(fact_type_id="education")
    api.force_authenticate(hr_a)
    response = api.post(f"/api/v1/points/review/claims/{education.pk}/verify/", {}, format="json")
    assert response.status_code == 404
    assert_error_body(response.json(), code="not_found")
    work = submitted.claims.get(fact_type_id="work_years_city")
    api.force_authenticate(hr_b)
    assert (
        api.post(f"/api/v1/points/review/claims/{work.pk}/verify/", {}, format="json").status_code
        == 404
    )
    assert Claim.objects.get(pk=work.pk).case.status == "submitted"


def test_a_return_needs_a_reason(api, submitted, education_a):
    claim = submitted.claims.get(fact_type_id="education")
    api.force_authenticate(education_a)
    response = api.post(
        f"/api/v1/points/review/claims/{claim.pk}/return/", {"reason": " "}, format="json"
    )
    assert response.status_code == 400


def test_my_score_after_every_claim_is_verified(
    api, submitted, resident, education_a, hr_a, police_a_points
):
    reviewers = {
        "education": education_a,
        "human_resources": hr_a,
        "public_security": police_a_points,
    }
    for claim in Claim.objects.filter(application=submitted).select_related("case__department"):
        claims.verify_claim(actor=reviewers[claim.case.department.code], claim_id=claim.pk)
    api.force_authenticate(resident)
    body = api.get("/api/v1/points/score/").json()
    assert body["has_score"] is True
    school = next(s for s in body["score"]["services"] if s["service"] == "school")
    assert school["passed"] is True
    assert body["percentiles"]["school"] == 0.0  # the only score: nobody below


def test_my_score_needs_a_login(api, zhongshan):
    assert api.get("/api/v1/points/score/").status_code in (401, 403)


# --- rankings and rule-set versions ----------------------------------------------------------------------


def test_ranking_lists_are_public_and_published_by_the_office(api, zhongshan, hr_a, education_a):
    api.force_authenticate(education_a)
    body = {
        "service": "school",
        "round_name": "第一批",
        "applications_from": "2026-01-01",
        "applications_until": "2026-12-31",
    }
    assert api.post("/api/v1/points/rankings/", body, format="json").status_code == 403
    api.force_authenticate(hr_a)
    created = api.post("/api/v1/points/rankings/", body, format="json")
    assert created.status_code == 201
    api.force_authenticate(None)
    listed = api.get("/api/v1/points/rankings/").json()["results"]
    assert [r["round_name"] for r in listed] == ["第一批"]
    entries = api.get(f"/api/v1/points/rankings/{created.json()['id']}/entries/")
    assert entries.status_code == 200


def test_administrators_version_and_publish_rules_through_the_api(
    api, zhongshan, admin_user, monkeypatch, resident
):
    queued = []
    monkeypatch.setattr("points.tasks.recompute.delay", queued.append)
    api.force_authenticate(resident)
    assert api.post(f"/api/v1/points/rule-sets/{zhongshan.pk}/new-version/").status_code == 403
    api.force_authenticate(admin_user)
    draft = api.post(f"/api/v1/points/rule-sets/{zhongshan.pk}/new-version/").json()
    assert draft["status"] == "draft"
    run = api.post(f"/api/v1/points/rule-sets/{draft['id']}/publish/")
    assert run.status_code == 200
    assert run.json()["kind"] == "recompute"
    assert RuleSet.objects.get(pk=draft["id"]).is_published
    progress = api.get(f"/api/v1/points/runs/{run.json()['id']}/")
    assert progress.json()["status"] == "pending"


# --- schema ---------------------------------------------------------------------------------------------


def test_a_veto_shows_no_total_in_the_api(api, shanghai):
    response = api.post(
        "/api/v1/points/estimate/",
        {
            "rule_set": shanghai.pk,
            "facts": {
                "birth_date": "1990-05-12",
                "has_permit": True,
                "education": "bachelor",
                "serious_crime": True,
            },
            "on": "2026-01-01",
        },
        format="json",
    )
    assert response.status_code == 200
    [standard] = response.json()["estimate"]["services"]
    assert standard["total"] is None
    assert standard["raw_total"] is None
    assert standard["eligible"] is False


@pytest.mark.parametrize("body", [{}, {"reason": ""}, {"reason": "  "}])
@pytest.mark.parametrize("action", ["reject", "return"])
def test_the_api_does_not_reject_or_return_a_claim_without_a_reason(
    api, submitted, education_a, action, body
):
    claim = submitted.claims.get(fact_type_id="education")
    api.force_authenticate(education_a)
    response = api.post(f"/api/v1/points/review/claims/{claim.pk}/{action}/", body, format="json")
    assert_api_wants_a_reason(response)
    assert Claim.objects.get(pk=claim.pk).case.status == "submitted"
