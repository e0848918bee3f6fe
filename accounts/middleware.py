"""Request-level security: who is asking (address, user) and what they were refused."""

import contextvars

from django.conf import settings
from django.shortcuts import redirect
from django.urls import reverse

_current_request: contextvars.ContextVar = contextvars.ContextVar("portal_current_request", default=None)


def client_ip(request) -> str | None:
    """The client's address: REMOTE_ADDR, or the address our trusted proxies saw.

    With TRUSTED_PROXY_COUNT = n, the n-th address from the right of X-Forwarded-For is the one
    the outermost trusted proxy received the request from; anything left of it is client-supplied
    and ignored.
    """
    if request is None:
        return None
    proxies = getattr(settings, "TRUSTED_PROXY_COUNT", 0)
    if proxies:
        forwarded = [a.strip() for a in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if a.strip()]
        if len(forwarded) >= proxies:
            return forwarded[-proxies]
    return request.META.get("REMOTE_ADDR") or None


def current_request():
    """The request being served on this thread, for signal handlers that need the actor and address."""
    return _current_request.get()


class RequestContextMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        token = _current_request.set(request)
        try:
            return self.get_response(request)
        finally:
            _current_request.reset(token)


def two_factor_required_for(user) -> bool:
    """Whether the user's role must sign in with a second factor (TWO_FACTOR_REQUIRED_ROLES)."""
    roles = set(getattr(settings, "TWO_FACTOR_REQUIRED_ROLES", []))
    if not roles or not user.is_authenticated:
        return False
    if "Administrator" in roles and user.is_administrator:
        return True
    return any(user.has_role(role) for role in roles if role != "Administrator")


class TwoFactorRequiredMiddleware:
    """Sends a user whose role requires two-factor sign-in to set it up before anything else."""

    ALLOWED_URL_NAMES = ("logout", "accounts:two_factor_setup", "accounts:two_factor_confirm")

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if (
            user is not None
            and user.is_authenticated
            and two_factor_required_for(user)
            and not user.is_verified()
        ):
            allowed = {reverse(name) for name in self.ALLOWED_URL_NAMES}
            static = settings.STATIC_URL if settings.STATIC_URL.startswith("/") else f"/{settings.STATIC_URL}"
            if request.path not in allowed and not request.path.startswith(static):
                return redirect("accounts:two_factor_setup")
        return self.get_response(request)


class DeniedAccessLogMiddleware:
    """Writes a security-log row for every 403 and 404 a signed-in user receives."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if response.status_code in (403, 404):
            user = getattr(request, "user", None)
            if user is not None and user.is_authenticated:
                from .services import security_event_record

                security_event_record(
                    kind="forbidden" if response.status_code == 403 else "not_found",
                    request=request,
                    user=user,
                    detail={"method": request.method, "status": response.status_code},
                )
        return response


class ExportLogMiddleware:
    """Writes a security-log row for every download a signed-in user receives: a CSV export or
    any response sent as an attachment. Export views need not remember to log themselves."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if response.status_code != 200:
            return response
        content_type = response.get("Content-Type", "")
        disposition = response.get("Content-Disposition", "")
        if not (content_type.startswith("text/csv") or disposition.startswith("attachment")):
            return response
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            from .services import security_event_record

            filename = disposition.partition("filename=")[2].strip('"') if disposition else ""
            security_event_record(
                kind="export",
                request=request,
                user=user,
                detail={"content_type": content_type.split(";")[0], "filename": filename},
            )
        return response
