from django.apps import AppConfig


class CoreConfig(AppConfig):
    """The ground every app stands on: list pages, CSV, widgets, shared fields and filters,
    the request context. It imports no app of the portal."""

    name = "core"
    verbose_name = "Core"
