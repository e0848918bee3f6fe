from django.conf import settings
from rest_framework.throttling import AnonRateThrottle, UserRateThrottle

from core.request_context import client_ip


class SettingsRateMixin:
    """Reads the rate from settings.API_THROTTLE_RATES on each request, and counts anonymous
    requests by the address the portal trusts (not by a client-supplied X-Forwarded-For)."""

    def get_rate(self):
        return settings.API_THROTTLE_RATES[self.scope]

    def get_ident(self, request):
        return client_ip(request) or "unknown"


class PortalAnonRateThrottle(SettingsRateMixin, AnonRateThrottle):
    """Anonymous requests, counted per client address."""


class PortalUserRateThrottle(SettingsRateMixin, UserRateThrottle):
    """Signed-in requests, counted per user."""
