from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EmploymentConfig(AppConfig):
    name = "employment"
    verbose_name = _("Employment and training")

    def ready(self) -> None:
        from employment import criteria, wiring
        from employment import demo as employment_demo
        from portal import demo

        demo.register(name="employment", order=65, step=employment_demo.seed)
        wiring.register()
        criteria.register()
