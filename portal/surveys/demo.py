"""The surveys' part of the demo city: the migrant needs survey of the source documents
(docs/domain.md "Figures from the source documents").

A district's survey of nearly a thousand migrants found that over 60% want more jobs and
vocational training, 49.76% more public resources, 44.71% better medical services and 38.94%
better housing. The demo publishes that questionnaire (human resources, to every resident
registered in the city) and types in 850 paper questionnaires whose answers reproduce those
shares exactly (62.00%, 49.76%, 44.71%, 38.94% of 850), so the results page has something to
show. Found by title and department, so a rerun adds nothing.
"""

from __future__ import annotations

import datetime as dt

from django.utils import timezone
from django.utils.translation import gettext as _

from portal.demo import SeedContext
from portal.notices import services as notice_services
from portal.surveys import services
from portal.surveys.models import QuestionKind, Survey, SurveyStatus

TITLE = "新居民公共服务需求问卷调查"
DEPARTMENT = "human_resources"
RESPONDENTS = 850

NEEDS = [
    # option, respondents choosing it
    ("更多就业机会和职业培训", 527),
    ("加强公共资源供给", 423),
    ("优化医疗服务", 380),
    ("改善居住条件", 331),
    ("子女入学入托", 212),
]
STAY = [("不满1年", 170), ("1至3年", 306), ("3至5年", 204), ("5年以上", 170)]
SATISFACTION = [(1, 34), (2, 85), (3, 306), (4, 289), (5, 136)]
TRAINING = [
    ("电工、焊工等技术工种", 238),
    ("育婴员、家政服务", 153),
    ("电子商务运营", 204),
    ("驾驶与物流", 119),
    ("暂无培训需要", 136),
]
SUGGESTIONS = [
    "希望培训安排在晚上或周末，白天要上班。",
    "社区医院能不能延长开放时间？",
    "希望增加保障性租赁住房的房源，租金再低一些。",
    "孩子上学的积分政策希望讲得更清楚一些。",
    "办居住证希望能全程网上办理。",
    "希望多组织一些新居民的文体活动。",
    "职业技能证书希望能和积分挂钩。",
    "希望在工业区附近多设几个服务站点。",
]

QUESTIONS = [
    services.QuestionInput(
        kind=QuestionKind.MULTIPLE,
        text="您最希望在哪些方面得到更多服务？（可多选）",
        options=tuple(text for text, _n in NEEDS),
    ),
    services.QuestionInput(
        kind=QuestionKind.SINGLE,
        text="您在本市已经居住了多长时间？",
        options=tuple(text for text, _n in STAY),
    ),
    services.QuestionInput(
        kind=QuestionKind.SCALE,
        text="您对目前享受到的公共服务总体是否满意？",
        scale_min=1,
        scale_max=5,
        scale_min_label="非常不满意",
        scale_max_label="非常满意",
    ),
    services.QuestionInput(
        kind=QuestionKind.SINGLE,
        text="您最希望参加哪一类职业培训？",
        options=tuple(text for text, _n in TRAINING),
    ),
    services.QuestionInput(
        kind=QuestionKind.TEXT,
        text="您对新居民服务还有哪些意见和建议？",
        required=False,
    ),
]


def _spread(rng, counts: list[tuple[object, int]]) -> list[object]:
    """One value per respondent, each value exactly its count, in random order."""
    values = [value for value, n in counts for _i in range(n)]
    rng.shuffle(values)
    return values


def synthetic_answers(rng, survey: Survey) -> list[dict[str, list[str]]]:
    """RESPONDENTS answer sets whose counts are exactly the tables above."""
    questions = services.questions_of(survey)
    needs, stay, scale, training, text = questions
    option_id = {
        (q.pk, o.text): str(o.pk) for q in (needs, stay, training) for o in q.options.all()
    }
    chosen: list[list[str]] = [[] for _i in range(RESPONDENTS)]
    for option, n in NEEDS:
        for index in rng.sample(range(RESPONDENTS), n):
            chosen[index].append(option_id[(needs.pk, option)])
    # Everyone names at least one need: whoever chose none is given the most common one's
    # place swapped with someone who chose several, keeping every count.
    firsts = option_id[(needs.pk, NEEDS[0][0])]
    for index, picks in enumerate(chosen):
        if picks:
            continue
        donor = next(i for i, p in enumerate(chosen) if len(p) > 1 and firsts in p and i != index)
        chosen[donor].remove(firsts)
        picks.append(firsts)
    stays, points, trainings = (
        _spread(rng, STAY),
        _spread(rng, SATISFACTION),
        _spread(rng, TRAINING),
    )
    out = []
    for index in range(RESPONDENTS):
        answers = {
            needs.field_name: chosen[index],
            stay.field_name: [option_id[(stay.pk, stays[index])]],
            scale.field_name: [str(points[index])],
            training.field_name: [option_id[(training.pk, trainings[index])]],
        }
        if index % 17 == 0:
            answers[text.field_name] = [SUGGESTIONS[(index // 17) % len(SUGGESTIONS)]]
        out.append(answers)
    return out


def seed(ctx: SeedContext) -> None:
    admin = ctx.made["users"]["admin"]
    districts = ctx.made["districts"]
    today = timezone.localdate()
    survey = Survey.objects.filter(title=TITLE, department__code=DEPARTMENT).first()
    if survey is None:
        survey = services.create_survey(
            actor=admin,
            data=services.SurveyInput(
                title=TITLE,
                intro=(
                    "为了解新居民在就业培训、公共资源、医疗服务和居住条件等方面的需求，"
                    "更好地提供精准服务，请您花几分钟填写本问卷。结果仅用于统计，不对外公开个人答案。"
                ),
                opens_on=today - dt.timedelta(days=14),
                closes_on=today + dt.timedelta(days=60),
                target=[
                    {
                        "criterion": "residents.district",
                        "params": {"districts": [d.pk for d in districts]},
                    }
                ],
                department=DEPARTMENT,
            ),
        )
        for question in QUESTIONS:
            services.add_question(actor=admin, survey_id=survey.pk, data=question)
    if survey.status == SurveyStatus.DRAFT:
        survey = services.publish_survey(actor=admin, survey_id=survey.pk, queue_push=False)
        notice_services.push_policy(policy_id=survey.policy_id)
    added = 0
    if not survey.responses.exists():
        added = services.record_paper_responses(
            survey=survey,
            responses=synthetic_answers(ctx.rng, survey),
            at=timezone.now() - dt.timedelta(days=7),
        )
    ctx.write(
        _("Surveys: the needs survey published, %(count)d paper questionnaires typed in.")
        % {"count": added}
    )
