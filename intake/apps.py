from django.apps import AppConfig


class IntakeConfig(AppConfig):
    name = "intake"
    verbose_name = "Requests for technical assistance"

    def ready(self):
        from projects import hooks

        # Requests awaiting triage or an answer appear on every user's "my work"; the project
        # page links back to the request it was started from.
        from . import mywork, panels  # noqa: F401
        from .demo import intake_demo_load

        # seed_demo (projects, below intake) loads the demo requests after the demo meetings.
        hooks.register_demo_loader(intake_demo_load)
