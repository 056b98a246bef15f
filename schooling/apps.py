from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SchoolingConfig(AppConfig):
    name = "schooling"
    verbose_name = _("School places")

    def ready(self) -> None:
        from portal import demo
        from schooling import demo as schooling_demo
        from schooling import guide as schooling_guide
        from schooling import home as schooling_home
        from schooling import wiring

        demo.register(name="schooling", order=60, step=schooling_demo.seed)
        wiring.register()
        schooling_guide.register()
        schooling_home.register()
