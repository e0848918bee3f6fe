from django.apps import AppConfig


class MeetingsConfig(AppConfig):
    name = "meetings"
    verbose_name = "Meetings of advisory bodies"

    def ready(self):
        # Registers the per-recipient context providers with the communications feature.
        # Action items and next meetings appear on every user's "my work" (projects.mywork).
        from . import (
            mywork,  # noqa: F401
            providers,  # noqa: F401
        )
