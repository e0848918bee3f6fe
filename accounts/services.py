"""Security-log writes shared by views, signals and exports."""

from typing import Any

from core.request_context import client_ip, current_request

from .models import SecurityEvent


def security_event_record(
    *,
    kind: str,
    request=None,
    user=None,
    username: str = "",
    path: str | None = None,
    detail: dict[str, Any] | None = None,
) -> SecurityEvent:
    """Write one security-log row with user, time and client address.

    `request` defaults to the request being served (if any); `user` to its signed-in user.
    Exports call it as `security_event_record(kind="export", request=request, detail={...})`.
    """
    request = request if request is not None else current_request()
    if user is None and request is not None:
        request_user = getattr(request, "user", None)
        if request_user is not None and request_user.is_authenticated:
            user = request_user
    if user is not None and not getattr(user, "is_authenticated", False):
        user = None
    if path is None:
        path = request.get_full_path()[:500] if request is not None else ""
    event = SecurityEvent(
        kind=SecurityEvent.Kind(kind),
        user=user,
        username=(username or (user.get_username() if user is not None else ""))[:150],
        ip_address=client_ip(request),
        path=path[:500],
        detail=detail or {},
    )
    event.full_clean()
    event.save()
    return event


def two_factor_device_start(*, user):
    """Create (or reuse) the user's unconfirmed TOTP device, shown as a QR code until confirmed."""
    from django_otp.plugins.otp_totp.models import TOTPDevice

    device = TOTPDevice.objects.filter(user=user, confirmed=False).first()
    if device is None:
        device = TOTPDevice(user=user, name="Authenticator app", confirmed=False)
        device.full_clean()
        device.save()
    return device


def two_factor_device_confirm(*, device, token: str, request=None) -> bool:
    """Confirm a new device with a code from it; other devices of the user are removed."""
    from django_otp.plugins.otp_totp.models import TOTPDevice

    if not device.verify_token(token):
        return False
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    TOTPDevice.objects.filter(user=device.user).exclude(pk=device.pk).delete()
    security_event_record(kind="two_factor_enabled", request=request, user=device.user)
    return True


def two_factor_disable(*, user, request=None) -> None:
    """Remove the user's TOTP devices: they sign in with a password alone again."""
    from django_otp.plugins.otp_totp.models import TOTPDevice

    TOTPDevice.objects.filter(user=user).delete()
    security_event_record(kind="two_factor_disabled", request=request, user=user)
