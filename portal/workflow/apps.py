from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WorkflowConfig(AppConfig):
    name = "portal.workflow"
    label = "workflow"
    verbose_name = _("Applications and work queue")

    def ready(self) -> None:
        from portal import navigation

        navigation.register(
            key="workbench",
            label=_("Workbench"),
            url_name="workflow:workbench",
            roles={"reviewer"},
            order=10,
        )
        navigation.register(
            key="my-cases",
            label=_("My applications"),
            url_name="workflow:my_cases",
            roles={"resident", "landlord"},
            order=90,
        )
