from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SurveysConfig(AppConfig):
    name = "portal.surveys"
    label = "surveys"
    verbose_name = _("Needs surveys")

    def ready(self) -> None:
        from portal import demo, navigation
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
