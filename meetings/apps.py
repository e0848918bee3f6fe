from django.apps import AppConfig


class MeetingsConfig(AppConfig):
    name = "meetings"
    verbose_name = "Meetings of advisory bodies"

    def ready(self):
        from projects import hooks

        # The per-recipient context providers and digest sections register with communications;
        # action items and next meetings appear on every user's "my work" (projects.mywork).
        from . import (
            mywork,  # noqa: F401
            providers,  # noqa: F401
        )
        from .demo import meetings_demo_load

        # seed_demo (projects, below meetings) loads the demo meetings through its registry.
        hooks.register_demo_loader(meetings_demo_load)
