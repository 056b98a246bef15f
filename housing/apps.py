from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class HousingConfig(AppConfig):
    name = "housing"
    verbose_name = _("Housing")

    def ready(self) -> None:
        from housing import criteria, metrics, wiring
        from housing import demo as housing_demo
        from housing import guide as housing_guide
        from housing import home as housing_home
        from portal import demo

        demo.register(name="housing", order=50, step=housing_demo.seed)
        wiring.register()
        housing_guide.register()
        housing_home.register()
        criteria.register()
        metrics.register()
