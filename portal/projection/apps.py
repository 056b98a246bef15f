from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ProjectionConfig(AppConfig):
    name = "portal.projection"
    label = "projection"
    verbose_name = _("Population projection")

    def ready(self) -> None:
        from portal.projection import wiring

        wiring.register()
