from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NoticesConfig(AppConfig):
    name = "portal.notices"
    label = "notices"
    verbose_name = _("Notices")

    def ready(self) -> None:
        from portal import demo, navigation, runs
        from portal.accounts.models import Role
        from portal.notices import demo as notices_demo
        from portal.notices import services
        from portal.notices.models import PushRun, RunStatus

        navigation.register(
            key="notices.inbox",
            label=_("Messages"),
            url_name="notices:inbox",
            roles=set(Role.values),
            order=900,
        )
        navigation.register(
            key="notices.policies",
            label=_("Policies"),
            url_name="notices:policy_list",
            roles={Role.REVIEWER, Role.ADMINISTRATOR},
            order=800,
        )
        demo.register(name="notices", order=80, step=notices_demo.seed)
        runs.register(
            "notices.push",
            model=PushRun,
            active_statuses=(RunStatus.RUNNING,),
            since_field="started_at",
            resume=services.resume_push_run,
        )
