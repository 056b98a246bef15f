"""The cast of the survey tests: the notices tests' residents and staff (the survey's audience
is the notices push), and surveys built through the services."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from portal.notices import services as notice_services
from portal.surveys import services
from portal.surveys.models import QuestionKind
from tests.notices.conftest import (  # noqa: F401 - fixtures shared with the notices tests
    address_b,
    administrator,
    criteria_registry,
    district_target,
    housing_staff,
    hr_staff,
    me,
    routable_navigation,
    them,
)

SINGLE = services.QuestionInput(
    kind=QuestionKind.SINGLE, text="您在本市居住多久了？", options=("不满1年", "1至3年", "3年以上")
)
MULTIPLE = services.QuestionInput(
    kind=QuestionKind.MULTIPLE,
    text="您希望得到哪些服务？",
    options=("就业培训", "医疗服务", "改善居住"),
)
SCALE = services.QuestionInput(
    kind=QuestionKind.SCALE,
    text="您对公共服务满意吗？",
    required=False,
    scale_min_label="非常不满意",
    scale_max_label="非常满意",
)
TEXT = services.QuestionInput(kind=QuestionKind.TEXT, text="您还有什么建议？", required=False)
QUESTIONS = (SINGLE, MULTIPLE, SCALE, TEXT)


def survey_input(*, target, **overrides) -> services.SurveyInput:
    today = timezone.localdate()
    values = {
        "title": "新居民需求调查",
        "intro": "请花几分钟填写。",
        "opens_on": today,
        "closes_on": today + dt.timedelta(days=30),
        "target": target,
    }
    values.update(overrides)
    return services.SurveyInput(**values)


def make_survey(actor, *, target, questions=QUESTIONS, publish: bool = True, **overrides):
    """A survey with the four kinds of question; published and pushed (as the push task would)."""
    survey = services.create_survey(actor=actor, data=survey_input(target=target, **overrides))
    for question in questions:
        services.add_question(actor=actor, survey_id=survey.pk, data=question)
    if publish:
        survey = services.publish_survey(actor=actor, survey_id=survey.pk, queue_push=False)
        notice_services.push_policy(policy_id=survey.policy_id)
    return survey


def option_ids(survey) -> dict[str, str]:
    """Option text -> id (as a form sends it)."""
    return {o.text: str(o.pk) for q in services.questions_of(survey) for o in q.options.all()}


def fields(survey) -> list[str]:
    """The questions' answer names in order (q<id>)."""
    return [q.field_name for q in services.questions_of(survey)]


@pytest.fixture
def survey(hr_staff, me, district_a):  # noqa: F811 - the imported fixtures
    """A published survey of human resources for district A (where `me` lives)."""
    return make_survey(hr_staff, target=district_target(district_a))
