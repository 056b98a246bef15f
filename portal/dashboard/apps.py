from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DashboardConfig(AppConfig):
    name = "portal.dashboard"
    label = "dashboard"
    verbose_name = _("Dashboard")

    def ready(self) -> None:
        from portal import demo
        from portal.dashboard import demo as dashboard_demo
        from portal.dashboard import wiring

        wiring.register()
        demo.register(name="dashboard", order=90, step=dashboard_demo.seed)
