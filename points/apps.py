from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PointsConfig(AppConfig):
    name = "points"
    verbose_name = _("Points-based integration scoring")

    def ready(self) -> None:
        from points import guide as points_guide
        from points import home as points_home
        from points import wiring

        wiring.register()
        points_guide.register()
        points_home.register()
