from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "api"
    verbose_name = "REST API"

    def ready(self):
        from accounts.views import profile_sections

        from .token_views import profile_tokens

        profile_sections.append(profile_tokens)
