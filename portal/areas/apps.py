from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AreasConfig(AppConfig):
    name = "portal.areas"
    label = "areas"
    verbose_name = _("Areas and addresses")

    def ready(self) -> None:
        from portal import demo
        from portal.areas import demo as areas_demo

        demo.register(name="areas", order=10, step=areas_demo.seed)
