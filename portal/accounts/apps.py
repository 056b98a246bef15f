from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "portal.accounts"
    label = "accounts"
    verbose_name = _("Accounts and departments")

    def ready(self) -> None:
        from portal import demo
        from portal.accounts import demo as accounts_demo

        demo.register(name="accounts", order=20, step=accounts_demo.seed)
