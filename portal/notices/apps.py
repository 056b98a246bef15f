from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NoticesConfig(AppConfig):
    name = "portal.notices"
    label = "notices"
    verbose_name = _("Notices")

    def ready(self) -> None:
        from portal import navigation
        from portal.accounts.models import Role

        navigation.register(
            key="notices.inbox",
            label=_("Messages"),
            url_name="notices:inbox",
            roles=set(Role.values),
            order=900,
        )
