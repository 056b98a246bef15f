from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class CatalogueConfig(AppConfig):
    name = "portal.catalogue"
    label = "catalogue"
    verbose_name = _("Service catalogue")

    def ready(self) -> None:
        from portal import demo, navigation
        from portal.accounts.models import Role
        from portal.catalogue import demo as catalogue_demo

        navigation.register(
            key="home",
            label=pgettext_lazy("menu", "My home"),
            url_name="home",
            roles={Role.RESIDENT},
            order=1,
        )
        navigation.register(
            key="catalogue.mine",
            label=_("What I can apply for"),
            url_name="catalogue:mine",
            roles={Role.RESIDENT},
            order=5,
        )
        navigation.register(
            key="catalogue.rectifications",
            label=_("Rectification of poor ratings"),
            url_name="catalogue:rectifications",
            roles={Role.REVIEWER},
            order=850,
        )
        navigation.register(
            key="catalogue.rating_statistics",
            label=_("Service ratings"),
            url_name="catalogue:rating_statistics",
            roles={Role.ANALYST, Role.LEADER, Role.ADMINISTRATOR},
            order=850,
        )
        demo.register(name="catalogue", order=15, step=catalogue_demo.seed)
