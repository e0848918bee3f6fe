from django.apps import AppConfig


class IntakeConfig(AppConfig):
    name = "intake"
    verbose_name = "Requests for technical assistance"

    def ready(self):
        # Requests awaiting triage or an answer appear on every user's "my work".
        from . import mywork  # noqa: F401
