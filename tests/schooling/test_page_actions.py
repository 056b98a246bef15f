"""The school-place pages show each button exactly when the user may take that action."""

from __future__ import annotations

from django.test import Client
from django.urls import reverse

from portal.workflow.models import Status
from schooling import services
from schooling.models import Tenure
from tests.schooling.conftest import attach_materials


def _review_buttons(client, application) -> set[str]:
    """The decisions the review page offers, each a form posting to the one dispatcher."""
    html = client.get(reverse("schooling:review", args=[application.case_id])).content.decode()
    return {
        action
        for action in ("take", "approve", "reject", "return")
        if reverse("workflow:case_decide", args=[application.case_id, action]) in html
    }


def _may_withdraw(client, application) -> bool:
    html = client.get(reverse("schooling:application", args=[application.pk])).content.decode()
    return reverse("schooling:withdraw", args=[application.pk]) in html


def _submitted(enrolment_round, family):
    user, _guardian, child = family
    application = services.create_application(
        actor=user, round_id=enrolment_round.pk, child_id=child.pk, tenure=Tenure.RENTED
    )
    attach_materials(user, application)
    return services.submit_application(actor=user, application_id=application.pk)


def test_the_reviewer_accepts_and_decides_then_nothing_is_left(
    enrolment_round, family, education_a
):
    application = _submitted(enrolment_round, family)
    reviewer = Client()
    reviewer.force_login(education_a)

    assert _review_buttons(reviewer, application) == {"take", "approve", "reject", "return"}

    services.accept_application(actor=education_a, application_id=application.pk)
    assert _review_buttons(reviewer, application) == {"approve", "reject", "return"}

    services.return_application(actor=education_a, application_id=application.pk, reason="缺证明")
    assert _review_buttons(reviewer, application) == set()


def test_the_family_withdraws_until_the_review_starts(enrolment_round, family, education_a):
    application = _submitted(enrolment_round, family)
    applicant = Client()
    applicant.force_login(family[0])

    assert _may_withdraw(applicant, application)

    services.accept_application(actor=education_a, application_id=application.pk)
    assert not _may_withdraw(applicant, application)


def test_a_decision_from_the_review_page_returns_to_it(enrolment_round, family, education_a):
    application = _submitted(enrolment_round, family)
    reviewer = Client()
    reviewer.force_login(education_a)

    response = reviewer.post(
        reverse("workflow:case_decide", args=[application.case_id, "return"]),
        {"return-reason": "缺房屋租赁合同"},
    )

    assert response.status_code == 302
    assert response["Location"] == reverse("schooling:review", args=[application.case_id])
    application.case.refresh_from_db()
    assert application.case.status == Status.RETURNED
    assert application.case.last_reason == "缺房屋租赁合同"
