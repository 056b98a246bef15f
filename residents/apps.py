from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ResidentsConfig(AppConfig):
    name = "residents"
    verbose_name = _("Residents and residence")

    def ready(self) -> None:
        from portal import demo
        from residents import criteria, metrics, wiring
        from residents import demo as residents_demo
        from residents import guide as residents_guide
        from residents import home as residents_home
        from residents import projection as residents_projection
        from residents.reconciliation import demo as reconciliation_demo

        demo.register(name="residents", order=30, step=residents_demo.seed)
        demo.register(name="reconciliation", order=70, step=reconciliation_demo.seed)
        wiring.register()
        residents_guide.register()
        residents_home.register()
        criteria.register()
        residents_projection.register()
        metrics.register()
