from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SurveysConfig(AppConfig):
    name = "portal.surveys"
    label = "surveys"
    verbose_name = _("Needs surveys")

    def ready(self) -> None:
        from portal import demo, home, navigation
        from portal.accounts.models import Role
        from portal.surveys import demo as surveys_demo

        navigation.register(
            key="surveys.manage",
            label=_("Surveys"),
            url_name="surveys:manage",
            roles={Role.REVIEWER, Role.ADMINISTRATOR},
            order=810,
        )
        demo.register(name="surveys", order=85, step=surveys_demo.seed)
        home.register_due("surveys.open", surveys_due)


def surveys_due(user, on):
    """The surveys a resident may still answer, for the "things due" of their home page."""
    from django.urls import reverse

    from portal.home import DueItem
    from portal.surveys.selectors import open_surveys_for

    return [
        DueItem(
            title=survey.title,
            url=reverse("surveys:answer", args=[survey.pk]),
            due_on=survey.closes_on,
            detail=_("Needs survey"),
        )
        for survey in open_surveys_for(user, on=on)
    ]
