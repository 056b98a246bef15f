"""The points pages: calculator without login, score, application and claims, review, rankings."""

from __future__ import annotations

import datetime as dt

import pytest
from django.template.loader import render_to_string
from django.urls import reverse

from points.models import ApplicationStatus, Claim
from points.services import claims
from tests.points.conftest import give_permit, pdf


@pytest.fixture
def signed_in(client, resident):
    client.force_login(resident)
    return client


# --- calculator ------------------------------------------------------------------------------------


def test_the_calculator_needs_no_login(client, zhongshan):
    response = client.get(reverse("points:calculator"))
    assert response.status_code == 200
    body = response.content.decode()
    assert 'name="education"' in body
    assert 'name="residence_since"' in body


def test_the_calculator_estimates_and_explains(client, zhongshan):
    response = client.post(
        reverse("points:calculator"),
        {
            "rule_set": zhongshan.pk,
            "birth_date": "1990-05-12",
            "has_permit": "yes",
            "work_years_city": "3",
            "education": ["junior_college"],
            "residence_since": "2020-01-01",
        },
    )
    assert response.status_code == 200
    assert response.context["explanation"].services[0].total > 60
    body = response.content.decode()
    assert "pts-table" in body


def test_the_calculator_answers_htmx_with_the_result_only(client, zhongshan):
    response = client.post(
        reverse("points:calculator"),
        {"rule_set": zhongshan.pk, "education": ["bachelor"]},
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 200
    assert "<html" not in response.content.decode()
    assert response.templates[0].name == "points/_calculator_result.html"


def test_the_calculator_shows_other_published_rules(client, zhongshan, shanghai):
    response = client.get(reverse("points:calculator"), {"rule_set": shanghai.pk})
    assert response.context["rule_set"] == shanghai
    assert 'name="insurance_years"' in response.content.decode()


# --- score and applications ------------------------------------------------------------------------


def test_the_score_page_needs_a_login(client, zhongshan):
    response = client.get(reverse("points:score"))
    assert response.status_code == 302


def test_the_score_page_invites_to_apply_without_a_score(signed_in, zhongshan, me):
    response = signed_in.get(reverse("points:score"))
    assert response.status_code == 200
    assert response.context["view"].score is None
    assert reverse("points:apply") in response.content.decode()


def test_apply_shows_the_guide_then_opens_an_application(signed_in, zhongshan, me):
    guide = signed_in.get(reverse("points:apply"))
    assert "办事指南" in guide.content.decode() or "Service guide" in guide.content.decode()
    response = signed_in.post(reverse("points:apply"), {"service": "school"})
    application = me.points_applications.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("points:application", args=[application.pk])


def test_a_refusal_is_shown_on_the_apply_form(signed_in, zhongshan, resident):
    response = signed_in.post(reverse("points:apply"), {"service": "school"})
    assert response.status_code == 200
    assert response.context["form"].errors


def test_a_claim_is_added_with_its_evidence_through_the_pages(signed_in, zhongshan, me, resident):
    application = claims.start_application(actor=resident, service="school")
    form = signed_in.get(
        reverse("points:claim_new", args=[application.pk]), {"fact_type": "education"}
    )
    assert form.status_code == 200
    assert 'value="bachelor"' in form.content.decode()
    response = signed_in.post(
        reverse("points:claim_new", args=[application.pk]),
        {"fact_type": "education", "value": ["bachelor"], "note": "全日制"},
    )
    assert response.status_code == 302
    claim = application.claims.get(fact_type_id="education")
    upload = signed_in.post(reverse("points:evidence_add", args=[claim.pk]), {"file": pdf()})
    assert upload.status_code == 302
    assert claim.evidence.count() == 1
    page = signed_in.get(reverse("points:application", args=[application.pk]))
    assert "diploma.pdf" in page.content.decode()


def test_the_check_page_lists_what_is_missing_and_submits(signed_in, zhongshan, me, resident):
    application = claims.start_application(actor=resident, service="school")
    claim = claims.add_claim(
        actor=resident, application_id=application.pk, fact_type="education", value=["bachelor"]
    )
    check = signed_in.get(reverse("points:application_check", args=[application.pk]))
    assert check.context["problems"]["evidence"]
    assert check.context["problems"]["entry"]  # years worked in the city not yet claimed
    claims.add_evidence(actor=resident, claim_id=claim.pk, upload=pdf())
    worked = claims.add_claim(
        actor=resident, application_id=application.pk, fact_type="work_years_city", value=3
    )
    claims.add_evidence(actor=resident, claim_id=worked.pk, upload=pdf())
    response = signed_in.post(reverse("points:application_check", args=[application.pk]))
    assert response["Location"] == reverse("points:application_receipt", args=[application.pk])
    receipt = signed_in.get(response["Location"])
    assert application.reference in receipt.content.decode()


def test_another_residents_application_is_not_found(
    client, zhongshan, me, resident, other_resident
):
    application = claims.start_application(actor=resident, service="school")
    client.force_login(other_resident)
    assert client.get(reverse("points:application", args=[application.pk])).status_code == 404


# --- the reviewer's claim page ---------------------------------------------------------------------------


@pytest.fixture
def submitted_claim(zhongshan, me, resident):
    give_permit(me)
    application = claims.start_application(actor=resident, service="school")
    claim = claims.add_claim(
        actor=resident, application_id=application.pk, fact_type="education", value=["bachelor"]
    )
    claims.add_evidence(actor=resident, claim_id=claim.pk, upload=pdf())
    worked = claims.add_claim(
        actor=resident, application_id=application.pk, fact_type="work_years_city", value=3
    )
    claims.add_evidence(actor=resident, claim_id=worked.pk, upload=pdf())
    claims.submit_application(actor=resident, application_id=application.pk)
    return Claim.objects.get(pk=claim.pk)


def test_the_workbench_links_a_claim_to_its_review_page(submitted_claim):
    from portal.workflow.views import case_link

    assert case_link(submitted_claim.case) == reverse(
        "points:review_claim", args=[submitted_claim.case_id]
    )


def test_the_owning_department_reviews_and_verifies_the_claim(client, submitted_claim, education_a):
    client.force_login(education_a)
    page = client.get(reverse("points:review_claim", args=[submitted_claim.case_id]))
    assert page.status_code == 200
    assert "diploma.pdf" in page.content.decode()
    response = client.post(
        reverse("points:review_decide", args=[submitted_claim.case_id, "verify"]),
        {"value": ["bachelor_degree"]},
    )
    assert response.status_code == 302
    submitted_claim.refresh_from_db()
    assert submitted_claim.case.status == "approved"
    assert submitted_claim.verified_value == ["bachelor_degree"]


def test_another_departments_reviewer_gets_404(client, submitted_claim, hr_a):
    client.force_login(hr_a)
    assert (
        client.get(reverse("points:review_claim", args=[submitted_claim.case_id])).status_code
        == 404
    )
    response = client.post(
        reverse("points:review_decide", args=[submitted_claim.case_id, "verify"]), {}
    )
    assert response.status_code == 404


def test_evidence_is_shown_to_its_applicant_and_its_reviewer_only(
    client, submitted_claim, resident, education_a, hr_a, other_resident
):
    evidence = submitted_claim.evidence.get()
    url = reverse("points:evidence_file", args=[evidence.pk])
    for user, expected in ((resident, 200), (education_a, 200), (hr_a, 404), (other_resident, 404)):
        client.force_login(user)
        response = client.get(url)
        assert response.status_code == expected, user
        if expected == 200:
            assert b"".join(response.streaming_content).startswith(b"%PDF")


def test_a_missing_evidence_file_is_not_found(client, submitted_claim, resident, upload_root):
    evidence = submitted_claim.evidence.get()
    (upload_root / evidence.path).unlink()
    client.force_login(resident)
    assert client.get(reverse("points:evidence_file", args=[evidence.pk])).status_code == 404


def test_the_evidence_list_has_remove_buttons_only_while_the_claim_can_change(
    signed_in, zhongshan, me, resident, client, education_a
):
    application = claims.start_application(actor=resident, service="school")
    claim = claims.add_claim(
        actor=resident, application_id=application.pk, fact_type="education", value=["bachelor"]
    )
    evidence = claims.add_evidence(actor=resident, claim_id=claim.pk, upload=pdf())
    remove = reverse("points:evidence_remove", args=[evidence.pk])
    page = signed_in.get(reverse("points:application", args=[application.pk])).content.decode()
    assert reverse("points:evidence_file", args=[evidence.pk]) in page
    assert remove in page

    give_permit(me)
    worked = claims.add_claim(
        actor=resident, application_id=application.pk, fact_type="work_years_city", value=3
    )
    claims.add_evidence(actor=resident, claim_id=worked.pk, upload=pdf())
    claims.submit_application(actor=resident, application_id=application.pk)
    page = signed_in.get(reverse("points:application", args=[application.pk])).content.decode()
    assert reverse("points:evidence_file", args=[evidence.pk]) in page
    assert remove not in page

    client.force_login(education_a)
    claim.refresh_from_db()
    review = client.get(reverse("points:review_claim", args=[claim.case_id])).content.decode()
    assert reverse("points:evidence_file", args=[evidence.pk]) in review
    assert remove not in review


def test_a_return_without_a_reason_is_refused_on_the_page(client, submitted_claim, education_a):
    client.force_login(education_a)
    response = client.post(
        reverse("points:review_decide", args=[submitted_claim.case_id, "return"]),
        {"reason": " "},
        follow=True,
    )
    assert response.status_code == 200
    submitted_claim.refresh_from_db()
    assert submitted_claim.case.status == "submitted"


def test_the_score_page_shows_the_breakdown_thresholds_and_suggestions(
    signed_in, submitted_claim, education_a, police_a_points, hr_a
):
    by_department = {"education": education_a, "human_resources": hr_a}
    for claim in Claim.objects.filter(application=submitted_claim.application):
        reviewer = by_department.get(claim.case.department.code, police_a_points)
        claims.verify_claim(actor=reviewer, claim_id=claim.pk)
    submitted_claim.application.refresh_from_db()
    assert submitted_claim.application.status == ApplicationStatus.COMPLETED
    response = signed_in.get(reverse("points:score"))
    assert response.status_code == 200
    services = {s.service: s for s in response.context["explanation"].services}
    assert set(services) == {"school", "housing", "hukou"}
    assert response.context["suggestions"]
    body = response.content.decode()
    assert "pts-family" in body


# --- rankings ---------------------------------------------------------------------------------------------


def test_ranking_lists_are_public(client, zhongshan):
    assert client.get(reverse("points:rankings")).status_code == 200


def test_only_the_points_office_publishes_ranking_lists(client, zhongshan, education_a, hr_a):
    client.force_login(education_a)
    assert client.get(reverse("points:ranking_new")).status_code == 403
    client.force_login(hr_a)
    assert client.get(reverse("points:ranking_new")).status_code == 200


def test_a_ranking_list_shows_masked_lines_and_the_own_line_can_be_objected_to(
    client, zhongshan, me, resident, address_a, reviewers, hr_a
):
    import datetime as dt

    from django.utils import timezone

    from points.services import rankings
    from tests.points.conftest import complete_application

    give_permit(me)
    complete_application(
        resident,
        service="school",
        claims_made={"work_years_city": 3, "education": ["bachelor"]},
        reviewers=reviewers,
    )
    ranking = rankings.publish_ranking(
        actor=hr_a,
        service="school",
        round_name="第一批",
        applications_from=timezone.localdate() - dt.timedelta(days=7),
        applications_until=timezone.localdate(),
    )
    url = reverse("points:ranking", args=[ranking.pk])
    public = client.get(url).content.decode()
    assert "李*" in public
    assert me.id_masked in public
    assert "李明" not in public
    client.force_login(resident)
    own = client.get(url)
    entry = own.context["own"][0]
    assert reverse("points:objection_new", args=[entry.pk]) in own.content.decode()
    response = client.post(reverse("points:objection_new", args=[entry.pk]), {"text": "有误"})
    assert response.status_code == 302
    assert entry.objections.count() == 1


def test_a_draft_claim_is_changed_on_its_page(signed_in, zhongshan, me, resident):
    application = claims.start_application(actor=resident, service="school")
    claim = claims.add_claim(
        actor=resident, application_id=application.pk, fact_type="volunteer_hours", value=50
    )
    page = signed_in.get(reverse("points:claim_edit", args=[claim.pk]))
    assert page.status_code == 200
    response = signed_in.post(
        reverse("points:claim_edit", args=[claim.pk]), {"value": "120", "note": ""}
    )
    assert response.status_code == 302
    claim.refresh_from_db()
    assert claim.value == 120


def test_a_veto_shows_no_total_on_the_page(shanghai):
    from points import engine, explain, spec
    from tests.points.seeds import facts as decoded

    rules = spec.compiled(shanghai)
    result = engine.score(
        rules,
        decoded(birth_date="1990-05-12", has_permit=True, education="bachelor", serious_crime=True),
        on=dt.date(2026, 1, 1),
    )
    explanation = explain.Explainer(rules).explain(result)
    assert [line.total for line in explanation.services] == [None]

    html = render_to_string("points/_breakdown.html", {"explanation": explanation})
    shown = html.split('class="pts-service__total"', 1)[1].split("</p>", 1)[0]
    assert "一票否决" in shown
    assert "pts-number" not in shown


def test_objections_are_scoped_another_resident_and_another_department_get_404(
    client, zhongshan, me, resident, address_a, reviewers, hr_a, education_a
):
    import datetime as dt

    from django.utils import timezone

    from points.models import Objection
    from points.services import rankings
    from tests import factories
    from tests.points.conftest import complete_application, register_person

    complete_application(
        resident,
        service="school",
        claims_made={"work_years_city": 3, "education": ["bachelor"]},
        reviewers=reviewers,
    )
    ranking = rankings.publish_ranking(
        actor=hr_a,
        service="school",
        round_name="第二批",
        applications_from=timezone.localdate() - dt.timedelta(days=7),
        applications_until=timezone.localdate(),
    )
    entry = ranking.entries.get(person=me)
    other = factories.UserFactory(username="other_objector")
    register_person(other, address_a, seq=81, name="冯他")
    client.force_login(other)
    url = reverse("points:objection_new", args=[entry.pk])
    assert client.post(url, {"text": "不是我的"}).status_code == 404
    assert not Objection.objects.exists()

    client.force_login(resident)
    assert client.post(url, {"text": ""}).status_code in (302, 400)
    assert not Objection.objects.exists()  # an empty objection is refused
    client.post(url, {"text": "学历分数有误"})
    objection = Objection.objects.get()

    answer_url = reverse("points:objection_answer", args=[objection.pk])
    for outsider in (education_a, other):
        client.force_login(outsider)
        assert client.post(answer_url, {"answer": "已核实"}).status_code == 404
    objection.refresh_from_db()
    assert objection.answered_at is None

    client.force_login(hr_a)
    page = client.get(reverse("points:ranking", args=[ranking.pk])).content.decode()
    assert "学历分数有误" in page
    assert answer_url in page
    assert client.post(answer_url, {"answer": "已复核，学历分无误"}).status_code == 302
    client.force_login(resident)
    page = client.get(reverse("points:ranking", args=[ranking.pk])).content.decode()
    assert "已复核，学历分无误" in page
