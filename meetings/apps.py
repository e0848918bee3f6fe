from django.apps import AppConfig


class MeetingsConfig(AppConfig):
    name = "meetings"
    verbose_name = "Meetings of advisory bodies"

    def ready(self):
        # Registers the per-recipient context providers with the communications feature.
        from . import providers  # noqa: F401
