from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ProjectionConfig(AppConfig):
    name = "portal.projection"
    label = "projection"
    verbose_name = _("Population projection")

    def ready(self) -> None:
        from portal import demo
        from portal.projection import demo as projection_demo
        from portal.projection import wiring

        demo.register(name="projection", order=95, step=projection_demo.seed)
        wiring.register()
