"""A survey's results as an Excel workbook, through the dashboard's one .xlsx writer: the
survey in the header rows, then per question each option or scale point with its count and
share, and the free-text answers."""

from __future__ import annotations

from django.utils.translation import gettext as _

from portal.dashboard import exports as dashboard_exports
from portal.dashboard.selectors import Table
from portal.surveys.models import QuestionKind
from portal.surveys.selectors import Results

XLSX = dashboard_exports.XLSX


def table(results: Results) -> Table:
    survey = results.survey
    built = Table(
        name=f"survey-{survey.pk}",
        title=survey.title,
        filters=[
            (_("Department"), survey.department.display_name),
            (_("Version"), str(survey.version)),
            (_("Open"), f"{survey.opens_on.isoformat()} – {survey.closes_on.isoformat()}"),
            (_("Responses"), str(results.responses)),
        ],
        columns=[_("Question"), _("Answer"), _("Count"), _("Share (%)")],
    )
    for item in results.questions:
        heading = f"{item.question.position}. {item.question.text}"
        if item.question.kind == QuestionKind.TEXT:
            built.rows.extend([heading, text, None, None] for text in item.texts)
            continue
        built.rows.extend([heading, row.label, row.count, float(row.share)] for row in item.rows)
        if item.mean is not None:
            built.rows.append([heading, _("Mean"), float(item.mean), None])
        built.rows.append([heading, _("Answered"), item.answered, None])
    return built


def workbook(results: Results) -> bytes:
    return dashboard_exports.workbook(table(results))
