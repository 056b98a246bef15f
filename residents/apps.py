from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ResidentsConfig(AppConfig):
    name = "residents"
    verbose_name = _("Residents and residence")

    def ready(self) -> None:
        from portal import demo
        from residents import demo as residents_demo
        from residents import wiring

        demo.register(name="residents", order=30, step=residents_demo.seed)
        wiring.register()
