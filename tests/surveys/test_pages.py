"""The survey pages: staff build and publish, residents answer on their page, results and the
Excel export hold the numbers, and every page is a 404 outside its scope."""

from __future__ import annotations

import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from portal import navigation
from portal.surveys import services
from portal.surveys.models import Question, Response, Survey, SurveyStatus
from tests import factories
from tests.surveys.conftest import district_target, fields, option_ids
from tests.surveys.test_services import answers_for


def test_staff_build_and_publish_a_survey_on_the_pages(client, hr_staff, me, district_a):
    client.force_login(hr_staff)
    response = client.post(
        reverse("surveys:new"),
        {
            "title": "培训需求调查",
            "intro": "",
            "opens_on": "2020-01-01",
            "closes_on": "2099-12-31",
            "use__residents-district": "on",
            "residents-district__districts": [district_a.pk],
        },
    )
    survey = Survey.objects.get()
    assert response.status_code == 302
    assert survey.target == district_target(district_a)

    detail = reverse("surveys:detail", args=[survey.pk])
    add = reverse("surveys:add_question", args=[survey.pk])
    refused = client.post(add, {"kind": "multiple", "text": "需要哪些培训？", "options": "电工"})
    assert refused.status_code == 200
    assert "选择题至少需要两个选项。" in refused.content.decode()
    client.post(
        add,
        {"kind": "multiple", "text": "需要哪些培训？", "options": "电工\n焊工\n", "required": "on"},
    )
    client.post(add, {"kind": "scale", "text": "满意度", "scale_min": "1", "scale_max": "5"})
    assert [q.kind for q in Question.objects.filter(survey=survey)] == ["multiple", "scale"]

    client.post(reverse("surveys:publish", args=[survey.pk]))
    survey.refresh_from_db()
    assert survey.status == SurveyStatus.PUBLISHED
    page = client.get(detail).content.decode()
    assert "制作新版本" in page
    assert "添加问题" not in page


def test_the_staff_menu_has_surveys_and_the_residents_menu_does_not(hr_staff, resident):
    keys = {item.key for item in navigation.items_for(hr_staff)}
    assert "surveys.manage" in keys
    assert "surveys.manage" not in {item.key for item in navigation.items_for(resident)}


def test_a_resident_answers_on_the_page_once(client, survey, me):
    client.force_login(me.user)
    url = reverse("surveys:answer", args=[survey.pk])
    page = client.get(url)
    assert page.status_code == 200
    assert "您希望得到哪些服务？" in page.content.decode()

    bad = client.post(url, {})
    text = bad.content.decode()
    assert bad.status_code == 200
    assert "有些回答需要您再看一下。" in text
    assert text.count("请回答这个问题。") == 4  # two questions, each in the summary and in place
    assert not Response.objects.exists()

    q_single, q_multiple, q_scale, _text = fields(survey)
    ids = option_ids(survey)
    done = client.post(
        url, {q_single: ids["1至3年"], q_multiple: [ids["就业培训"], ids["医疗服务"]], q_scale: "3"}
    )
    assert done.status_code == 302
    chosen = Response.objects.get().answers.filter(option__isnull=False)
    assert sorted(a.option.text for a in chosen) == ["1至3年", "医疗服务", "就业培训"]
    assert "您已填写过这份问卷" in client.get(url).content.decode()

    again = client.post(url, {q_single: ids["不满1年"], q_multiple: [ids["医疗服务"]]}, follow=True)
    assert "您已经填写过这份问卷。" in again.content.decode()
    assert Response.objects.count() == 1


def test_a_resident_outside_the_target_gets_404(client, survey, them):
    client.force_login(them.user)
    assert client.get(reverse("surveys:answer", args=[survey.pk])).status_code == 404
    assert client.post(reverse("surveys:answer", args=[survey.pk]), {}).status_code == 404


def test_results_page_shows_counts_shares_and_texts(client, survey, hr_staff):
    services.record_paper_responses(
        survey=survey,
        responses=[
            answers_for(survey, text="多开夜班培训"),
            answers_for(survey, multiple=("就业培训", "医疗服务")),
        ],
    )
    client.force_login(hr_staff)
    page = client.get(reverse("surveys:results", args=[survey.pk])).content.decode()
    assert "多开夜班培训" in page
    assert "100.00" in page
    assert "50.00" in page
    assert 'id="survey-charts"' in page
    assert "vendor/echarts/echarts.min.js" in page


def test_the_export_opens_in_excel_and_holds_the_numbers(client, survey, hr_staff):
    services.record_paper_responses(
        survey=survey,
        responses=[
            answers_for(survey, text="多开夜班培训"),
            answers_for(survey, single="不满1年", multiple=("就业培训", "医疗服务"), scale="5"),
        ],
    )
    client.force_login(hr_staff)
    response = client.get(reverse("surveys:export", args=[survey.pk]))
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = [tuple(cell for cell in row) for row in sheet.iter_rows(values_only=True)]
    assert rows[0][0] == "新居民需求调查"
    assert ("回复数", "2") in [row[:2] for row in rows]
    assert ("1. 您在本市居住多久了？", "不满1年", 1, 50.0) in rows
    assert ("1. 您在本市居住多久了？", "1至3年", 1, 50.0) in rows
    assert ("2. 您希望得到哪些服务？", "就业培训", 2, 100.0) in rows
    assert ("2. 您希望得到哪些服务？", "医疗服务", 1, 50.0) in rows
    assert ("3. 您对公共服务满意吗？", "平均分", 4.5, None) in rows
    assert ("4. 您还有什么建议？", "多开夜班培训", None, None) in rows


@pytest.mark.parametrize(
    "name", ["detail", "edit", "results", "export", "publish", "new_version", "add_question"]
)
def test_staff_of_another_department_get_404(client, survey, housing_staff, name):
    client.force_login(housing_staff)
    url = reverse(f"surveys:{name}", args=[survey.pk])
    method = client.post if name in {"publish", "new_version", "add_question"} else client.get
    assert method(url).status_code == 404


def test_an_administrator_sees_every_department_and_a_resident_none(
    client, survey, administrator, me
):
    client.force_login(administrator)
    assert client.get(reverse("surveys:results", args=[survey.pk])).status_code == 200
    client.force_login(me.user)
    assert client.get(reverse("surveys:manage")).status_code == 404
    assert client.get(reverse("surveys:results", args=[survey.pk])).status_code == 404


def test_the_admin_shows_answers_read_only(client, survey, administrator):
    services.record_paper_responses(survey=survey, responses=[answers_for(survey, text="好")])
    administrator.is_staff = True
    administrator.save(update_fields=["is_staff"])
    client.force_login(administrator)
    response = Response.objects.get()
    page = client.get(reverse("admin:surveys_response_change", args=[response.pk]))
    assert page.status_code == 200
    assert "好" in page.content.decode()
    assert client.get(reverse("admin:surveys_response_add")).status_code == 403


def test_the_staff_list_counts_responses(client, survey, hr_staff, district_a):
    services.record_paper_responses(survey=survey, responses=[answers_for(survey)] * 3)
    other = factories.reviewer(department="education", districts=[district_a], username="edu_s")
    client.force_login(hr_staff)
    page = client.get(reverse("surveys:manage")).content.decode()
    assert survey.title in page
    assert ">3</a>" in page
    client.force_login(other)
    assert survey.title not in client.get(reverse("surveys:manage")).content.decode()


def test_the_staff_list_and_results_keep_a_query_budget(
    client, survey, hr_staff, district_a, django_assert_max_num_queries
):
    from tests.surveys.conftest import make_survey

    for n in range(4):
        make_survey(hr_staff, target=district_target(district_a), title=f"调查{n}", publish=False)
    services.record_paper_responses(survey=survey, responses=[answers_for(survey, text="好")] * 30)
    client.force_login(hr_staff)
    with django_assert_max_num_queries(12):
        listed = client.get(reverse("surveys:manage"))
    assert listed.content.decode().count("/surveys/manage/") >= 5
    with django_assert_max_num_queries(15):
        shown = client.get(reverse("surveys:results", args=[survey.pk]))
    assert shown.content.decode().count("<li>好</li>") == 30


def test_an_open_survey_is_due_on_the_residents_home_until_answered(client, survey, me, them):
    client.force_login(me.user)
    answer_url = reverse("surveys:answer", args=[survey.pk])
    assert answer_url in client.get(reverse("home")).content.decode()

    q_single, q_multiple, _scale, _text = fields(survey)
    ids = option_ids(survey)
    client.post(answer_url, {q_single: ids["1至3年"], q_multiple: [ids["医疗服务"]]})
    assert Response.objects.filter(person=me).exists()
    assert answer_url not in client.get(reverse("home")).content.decode()

    client.force_login(them.user)
    assert answer_url not in client.get(reverse("home")).content.decode()
