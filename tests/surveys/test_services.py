"""Building, publishing and answering surveys: the audience is the target's, published surveys
do not change, each resident answers once, and bad answers are refused all at once."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
import time_machine
from django.utils import timezone

from portal.errors import InvalidInput, NotAllowed, NotEligible, NotFound, TransitionNotAllowed
from portal.notices import services as notice_services
from portal.notices.models import PolicyNotice, PolicyStatus
from portal.surveys import selectors, services
from portal.surveys.models import Answer, Channel, Option, Question, Response, SurveyStatus
from tests.surveys.conftest import (
    QUESTIONS,
    district_target,
    fields,
    make_survey,
    option_ids,
    survey_input,
)


def answers_for(survey, *, single="1至3年", multiple=("就业培训",), scale="4", text=""):
    ids = option_ids(survey)
    q_single, q_multiple, q_scale, q_text = fields(survey)
    return {
        q_single: [ids[single]] if single else [],
        q_multiple: [ids[m] for m in multiple],
        q_scale: [scale] if scale else [],
        q_text: [text] if text else [],
    }


# --- building and publishing -----------------------------------------------------------------


def test_staff_build_a_draft_with_every_kind_of_question(hr_staff, district_a):
    survey = make_survey(hr_staff, target=district_target(district_a), publish=False)

    assert survey.status == SurveyStatus.DRAFT
    assert survey.department.code == "human_resources"
    questions = services.questions_of(survey)
    assert [(q.position, q.kind) for q in questions] == [
        (1, "single"),
        (2, "multiple"),
        (3, "scale"),
        (4, "text"),
    ]
    assert [o.text for o in questions[1].options.all()] == ["就业培训", "医疗服务", "改善居住"]
    assert (questions[2].scale_min, questions[2].scale_max) == (1, 5)
    assert questions[2].scale_points == [1, 2, 3, 4, 5]
    assert [q.required for q in questions] == [True, True, False, False]


def test_a_resident_or_an_analyst_cannot_build_a_survey(resident, district_a):
    from tests import factories

    analyst = factories.UserFactory(username="analyst_s", roles=["analyst"])
    for user in (resident, analyst):
        with pytest.raises(NotAllowed):
            services.create_survey(
                actor=user, data=survey_input(target=district_target(district_a))
            )


def test_a_bad_survey_and_a_bad_question_are_refused_field_by_field(hr_staff, district_a):
    today = timezone.localdate()
    with pytest.raises(InvalidInput) as refused:
        services.create_survey(
            actor=hr_staff,
            data=survey_input(
                title=" ", opens_on=today, closes_on=today - dt.timedelta(days=1), target=[]
            ),
        )
    assert set(refused.value.fields) == {"title", "closes_on", "target"}

    survey = make_survey(hr_staff, target=district_target(district_a), questions=(), publish=False)
    with pytest.raises(InvalidInput) as refused:
        services.add_question(
            actor=hr_staff,
            survey_id=survey.pk,
            data=services.QuestionInput(kind="single", text="", options=("只有一个",)),
        )
    assert set(refused.value.fields) == {"text", "options"}
    with pytest.raises(InvalidInput) as refused:
        services.add_question(
            actor=hr_staff,
            survey_id=survey.pk,
            data=services.QuestionInput(kind="scale", text="满意度", scale_min=5, scale_max=3),
        )
    assert set(refused.value.fields) == {"scale_max"}
    assert not Question.objects.filter(survey=survey).exists()


def test_a_configured_scale_keeps_its_ends(hr_staff, district_a):
    survey = make_survey(hr_staff, target=district_target(district_a), questions=(), publish=False)
    question = services.add_question(
        actor=hr_staff,
        survey_id=survey.pk,
        data=services.QuestionInput(kind="scale", text="推荐程度", scale_min=0, scale_max=10),
    )
    assert question.scale_points == list(range(11))


def test_publishing_announces_the_survey_to_the_target_only(survey, me, them):
    assert survey.status == SurveyStatus.PUBLISHED
    policy = survey.policy
    assert policy.status == PolicyStatus.PUBLISHED
    assert (policy.starts_on, policy.ends_on) == (survey.opens_on, survey.closes_on)
    assert policy.target == survey.target
    assert policy.link == f"/surveys/{survey.pk}/"
    assert policy.title == "问卷调查：新居民需求调查"
    assert list(PolicyNotice.objects.filter(policy=policy).values_list("person_id", flat=True)) == [
        me.pk
    ]


def test_publishing_queues_the_push_after_commit(
    hr_staff, me, district_a, django_capture_on_commit_callbacks, monkeypatch
):
    from portal.notices import tasks

    queued = []
    monkeypatch.setattr(tasks.push_policy, "delay", lambda *args: queued.append(args))
    draft = make_survey(hr_staff, target=district_target(district_a), publish=False)
    with django_capture_on_commit_callbacks(execute=True):
        published = services.publish_survey(actor=hr_staff, survey_id=draft.pk)
    assert queued == [(published.policy_id,)]


def test_a_survey_without_questions_or_audience_is_not_published(hr_staff, district_b, me):
    empty = make_survey(hr_staff, target=district_target(district_b), questions=(), publish=False)
    with pytest.raises(NotEligible) as refused:
        services.publish_survey(actor=hr_staff, survey_id=empty.pk, queue_push=False)
    assert refused.value.code == "no_questions"

    nobody = make_survey(hr_staff, target=district_target(district_b), publish=False)
    with pytest.raises(NotEligible) as refused:
        services.publish_survey(actor=hr_staff, survey_id=nobody.pk, queue_push=False)
    assert refused.value.code == "empty_audience"
    nobody.refresh_from_db()
    assert nobody.status == SurveyStatus.DRAFT
    assert nobody.policy is None


def test_a_published_survey_does_not_change(survey, hr_staff, district_a):
    question = services.questions_of(survey)[0]
    with pytest.raises(TransitionNotAllowed):
        services.add_question(actor=hr_staff, survey_id=survey.pk, data=QUESTIONS[0])
    with pytest.raises(TransitionNotAllowed):
        services.remove_question(actor=hr_staff, survey_id=survey.pk, question_id=question.pk)
    with pytest.raises(TransitionNotAllowed):
        services.update_survey(
            actor=hr_staff,
            survey_id=survey.pk,
            data=survey_input(target=district_target(district_a), title="改了"),
        )
    with pytest.raises(TransitionNotAllowed):
        services.publish_survey(actor=hr_staff, survey_id=survey.pk)
    survey.refresh_from_db()
    assert survey.title == "新居民需求调查"
    assert survey.questions.count() == 4


def test_a_new_version_is_a_draft_copy_and_publishing_it_replaces_the_old(survey, hr_staff, me):
    services.submit_response(actor=me.user, survey_id=survey.pk, answers=answers_for(survey))

    copy = services.new_version(actor=hr_staff, survey_id=survey.pk)
    assert (copy.version, copy.previous_id, copy.status) == (2, survey.pk, SurveyStatus.DRAFT)
    assert [(q.kind, q.text) for q in services.questions_of(copy)] == [
        (q.kind, q.text) for q in services.questions_of(survey)
    ]
    assert Option.objects.filter(question__survey=copy).count() == 6
    assert services.new_version(actor=hr_staff, survey_id=survey.pk) == copy

    services.add_question(
        actor=hr_staff,
        survey_id=copy.pk,
        data=services.QuestionInput(kind="text", text="新增的问题", required=False),
    )
    services.publish_survey(actor=hr_staff, survey_id=copy.pk, queue_push=False)
    survey.refresh_from_db()
    assert survey.status == SurveyStatus.REPLACED
    assert survey.policy.status == PolicyStatus.WITHDRAWN
    assert survey.questions.count() == 4
    assert Response.objects.filter(survey=survey).count() == 1
    with pytest.raises(NotFound):
        services.submit_response(actor=me.user, survey_id=survey.pk, answers={})


# --- targeting and answering -----------------------------------------------------------------


def test_a_resident_outside_the_target_does_not_find_the_survey(survey, them):
    assert not selectors.surveys_for_resident(them.user).exists()
    with pytest.raises(NotFound):
        services.submit_response(actor=them.user, survey_id=survey.pk, answers=answers_for(survey))
    assert not Response.objects.exists()


def test_a_resident_answers_once(survey, me):
    response = services.submit_response(
        actor=me.user, survey_id=survey.pk, answers=answers_for(survey, text="夜校")
    )
    assert response.person == me
    assert response.channel == Channel.ONLINE
    assert Answer.objects.filter(response=response).count() == 4

    with pytest.raises(services.AlreadyAnswered) as refused:
        services.submit_response(actor=me.user, survey_id=survey.pk, answers=answers_for(survey))
    assert refused.value.code == "already_answered"
    assert refused.value.status_code == 409
    assert Response.objects.count() == 1
    assert Answer.objects.count() == 4


def test_every_wrong_answer_is_named_at_once_and_nothing_is_written(survey, me):
    q_single, q_multiple, q_scale, q_text = fields(survey)
    with pytest.raises(InvalidInput) as refused:
        services.submit_response(
            actor=me.user,
            survey_id=survey.pk,
            answers={q_single: [], q_multiple: ["999999"], q_scale: ["9"], q_text: ["长" * 2001]},
        )
    assert set(refused.value.fields) == {q_single, q_multiple, q_scale, q_text}
    assert refused.value.fields[q_single] == ["请回答这个问题。"]
    assert refused.value.fields[q_multiple] == ["请从给出的选项中选择。"]
    assert refused.value.fields[q_scale] == ["请选择1到5之间的分值。"]
    assert not Response.objects.exists()
    assert not Answer.objects.exists()


def test_two_options_on_a_single_choice_are_refused(survey, me):
    ids = option_ids(survey)
    answers = answers_for(survey)
    answers[fields(survey)[0]] = [ids["不满1年"], ids["3年以上"]]
    with pytest.raises(InvalidInput) as refused:
        services.submit_response(actor=me.user, survey_id=survey.pk, answers=answers)
    assert list(refused.value.fields) == [fields(survey)[0]]


def test_optional_questions_may_be_left_out(survey, me):
    response = services.submit_response(
        actor=me.user, survey_id=survey.pk, answers=answers_for(survey, scale="", text="")
    )
    assert sorted(
        Answer.objects.filter(response=response).values_list("question__position", flat=True)
    ) == [1, 2]


def test_a_survey_is_answered_only_inside_its_window(hr_staff, me, district_a):
    today = timezone.localdate()
    later = make_survey(
        hr_staff,
        target=district_target(district_a),
        opens_on=today + dt.timedelta(days=3),
        closes_on=today + dt.timedelta(days=10),
        publish=False,
    )
    services.publish_survey(actor=hr_staff, survey_id=later.pk, queue_push=False)
    later.refresh_from_db()
    with time_machine.travel(today + dt.timedelta(days=3)):
        notice_services.push_policy(policy_id=later.policy_id)
    later.refresh_from_db()
    with pytest.raises(NotEligible):
        services.submit_response(actor=me.user, survey_id=later.pk, answers=answers_for(later))
    with time_machine.travel(today + dt.timedelta(days=11)), pytest.raises(NotEligible):
        services.submit_response(actor=me.user, survey_id=later.pk, answers=answers_for(later))
    with time_machine.travel(today + dt.timedelta(days=5)):
        services.submit_response(actor=me.user, survey_id=later.pk, answers=answers_for(later))
    assert Response.objects.filter(survey=later).count() == 1


def test_open_surveys_for_lists_what_the_resident_may_still_answer(survey, me, them):
    assert list(selectors.open_surveys_for(me.user)) == [survey]
    assert list(selectors.open_surveys_for(them.user)) == []
    services.submit_response(actor=me.user, survey_id=survey.pk, answers=answers_for(survey))
    assert list(selectors.open_surveys_for(me.user)) == []
    assert (
        list(selectors.open_surveys_for(me.user, on=survey.closes_on + dt.timedelta(days=1))) == []
    )


# --- results -------------------------------------------------------------------------------------


def test_results_by_hand(survey, me):
    """Three paper questionnaires and one online answer, counted by hand:

    single: 1至3年, 1至3年, 不满1年, 1至3年 -> of 4: 不满1年 1 (25.00), 1至3年 3 (75.00), 3年以上 0
    multiple: {就业培训, 医疗服务}, {就业培训}, {改善居住}, {就业培训} -> of 4: 3 (75.00),
              1 (25.00), 1 (25.00): shares add up to 125%
    scale (optional): 5, 4, -, 4 -> of 3: 4 twice (66.67), 5 once (33.33), mean 13/3 = 4.33
    text (optional): "多开夜班培训", -, "医院排队太久", - -> two texts, oldest first
    """
    paper = [
        answers_for(survey, multiple=("就业培训", "医疗服务"), scale="5", text="多开夜班培训"),
        answers_for(survey, scale="4"),
        answers_for(
            survey, single="不满1年", multiple=("改善居住",), scale="", text="医院排队太久"
        ),
    ]
    assert (
        services.record_paper_responses(
            survey=survey, responses=paper, at=timezone.now() - dt.timedelta(hours=1)
        )
        == 3
    )
    services.submit_response(actor=me.user, survey_id=survey.pk, answers=answers_for(survey))

    found = selectors.results(survey)
    assert found.responses == 4
    single, multiple, scale, text = found.questions
    assert single.answered == 4
    assert [(r.label, r.count, r.share) for r in single.rows] == [
        ("不满1年", 1, Decimal("25.00")),
        ("1至3年", 3, Decimal("75.00")),
        ("3年以上", 0, Decimal("0.00")),
    ]
    assert [(r.label, r.count, r.share) for r in multiple.rows] == [
        ("就业培训", 3, Decimal("75.00")),
        ("医疗服务", 1, Decimal("25.00")),
        ("改善居住", 1, Decimal("25.00")),
    ]
    assert scale.answered == 3
    assert [(r.label, r.count, r.share) for r in scale.rows] == [
        ("1", 0, Decimal("0.00")),
        ("2", 0, Decimal("0.00")),
        ("3", 0, Decimal("0.00")),
        ("4", 2, Decimal("66.67")),
        ("5", 1, Decimal("33.33")),
    ]
    assert scale.mean == Decimal("4.33")
    assert text.answered == 2
    assert text.texts == ["多开夜班培训", "医院排队太久"]


def test_paper_questionnaires_are_checked_like_online_answers(survey):
    with pytest.raises(InvalidInput):
        services.record_paper_responses(survey=survey, responses=[{}])
    assert not Response.objects.exists()


def test_results_take_a_fixed_number_of_queries(survey, django_assert_max_num_queries):
    services.record_paper_responses(survey=survey, responses=[answers_for(survey, text="好")] * 40)
    with django_assert_max_num_queries(6):
        found = selectors.results(survey)
    assert found.questions[0].rows[1].count == 40


def test_withdrawing_the_announcement_takes_the_survey_away(survey, hr_staff, me):
    notice_services.withdraw_policy(actor=hr_staff, policy_id=survey.policy_id, reason="暂停调查")
    assert list(selectors.open_surveys_for(me.user)) == []
    with pytest.raises(NotFound):
        services.submit_response(actor=me.user, survey_id=survey.pk, answers=answers_for(survey))


def test_the_announcement_is_in_chinese_whatever_the_page_language(hr_staff, me, district_a):
    from django.utils import translation

    with translation.override("en"):
        survey = make_survey(hr_staff, target=district_target(district_a))
    assert survey.policy.title == "问卷调查：新居民需求调查"
    assert "前填写" in survey.policy.body
