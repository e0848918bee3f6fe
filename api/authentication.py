import datetime

from django.conf import settings
from django.core.cache import cache
from django.utils import timezone
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework import authentication, exceptions
from rest_framework.throttling import SimpleRateThrottle
from typing_extensions import override

from core.request_context import client_ip

from .models import ApiToken

KEYWORDS = (b"token", b"bearer")


class GuessCounter:
    """Invalid tokens count against the anonymous rate of the client's address: guessing keys is
    throttled like any other anonymous traffic."""

    def __init__(self, request):
        self.key = f"api-token-guesses:{client_ip(request) or 'unknown'}"
        self.limit, self.period = SimpleRateThrottle.parse_rate(None, settings.API_THROTTLE_RATES["anon"])

    def check(self):
        if (cache.get(self.key) or 0) >= self.limit:
            raise exceptions.Throttled(wait=self.period)

    def add(self):
        if cache.add(self.key, 1, self.period):
            return
        try:
            cache.incr(self.key)
        except ValueError:
            cache.set(self.key, 1, self.period)


class ApiTokenAuthentication(authentication.BaseAuthentication):
    """`Authorization: Token <key>` or `Authorization: Bearer <key>` with a key from the profile page."""

    def authenticate(self, request):
        header = authentication.get_authorization_header(request).split()
        if not header or header[0].lower() not in KEYWORDS:
            return None
        if len(header) != 2:
            raise exceptions.AuthenticationFailed("Send the token as `Authorization: Token <key>`.")
        try:
            key = header[1].decode()
        except UnicodeError as error:
            raise exceptions.AuthenticationFailed("Invalid token.") from error
        guesses = GuessCounter(request)
        guesses.check()
        prefix, _, _secret = key.partition(".")
        token = ApiToken.objects.select_related("user").filter(prefix=prefix).first() if prefix else None
        if token is None or not token.matches(key):
            guesses.add()
            raise exceptions.AuthenticationFailed("Invalid token.")
        if token.revoked_at is not None:
            raise exceptions.AuthenticationFailed("This token has been revoked.")
        now = timezone.now()
        if token.expires_at <= now:
            raise exceptions.AuthenticationFailed("This token has expired.")
        if not token.user.is_active:
            raise exceptions.AuthenticationFailed("This account is inactive.")
        # One write a minute at most, not one per request.
        if token.last_used_at is None or now - token.last_used_at > datetime.timedelta(minutes=1):
            ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
        return token.user, token

    @override
    def authenticate_header(self, request):
        return 'Token realm="api"'


class ApiTokenScheme(OpenApiAuthenticationExtension):
    target_class = "api.authentication.ApiTokenAuthentication"
    name = "tokenAuth"

    @override
    def get_security_definition(self, auto_schema):
        return {
            "type": "apiKey",
            "in": "header",
            "name": "Authorization",
            "description": "`Token <key>` or `Bearer <key>`; create keys on your profile page.",
        }
