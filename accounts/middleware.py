"""Request-level security: two-factor sign-in, and what signed-in users were refused or downloaded."""

from django.conf import settings
from django.shortcuts import redirect
from django.urls import reverse

from .services import security_event_record


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
            filename = disposition.partition("filename=")[2].strip('"') if disposition else ""
            security_event_record(
                kind="export",
                request=request,
                user=user,
                detail={"content_type": content_type.split(";")[0], "filename": filename},
            )
        return response
