from django.apps import AppConfig


class CommunicationsConfig(AppConfig):
    name = "communications"
    verbose_name = "Communications"

    def ready(self):
        # Context providers register themselves in each app's `providers` module.
        from django.utils.module_loading import autodiscover_modules

        autodiscover_modules("providers")
        from . import account_mail, digests  # noqa: F401 - register the password reset's and digest's providers
