from django.apps import AppConfig


class AccountabilityConfig(AppConfig):
    name = "accountability"
    verbose_name = "Accountability: attestation, surveys and the annual report"

    def ready(self):
        # Plugs into the lower apps: communications' context providers, projects' hooks and panels.
        from . import plugins, providers  # noqa: F401
