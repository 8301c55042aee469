from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CommunityConfig(AppConfig):
    name = "hybridmd.community"
    label = "community"
    verbose_name = _("Community")

    def ready(self) -> None:
        from hybridmd.community import signals  # noqa: PLC0415 -- models must be loaded first

        signals.connect()
