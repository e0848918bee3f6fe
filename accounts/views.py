"""Sign-in with an optional second factor, and the profile page (two-factor; other apps add sections)."""

from collections.abc import Callable
from typing import Any

import qrcode
import qrcode.image.svg
from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth import login as auth_login
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.views.decorators.http import require_POST
from django_otp import login as otp_login
from django_otp import match_token, user_has_device
from django_otp.plugins.otp_totp.models import TOTPDevice

from .forms import OTPTokenForm
from .middleware import two_factor_required_for
from .services import (
    security_event_record,
    two_factor_device_confirm,
    two_factor_device_start,
    two_factor_disable,
)

PENDING_USER = "two_factor_pending_user"
PENDING_BACKEND = "two_factor_pending_backend"
PENDING_NEXT = "two_factor_pending_next"
PENDING_ATTEMPTS = "two_factor_pending_attempts"
MAX_TOKEN_ATTEMPTS = 5


class PortalLoginView(auth_views.LoginView):
    """Password first; a user with a confirmed authenticator then gives a code before signing in."""

    redirect_authenticated_user = True

    def form_valid(self, form):
        user = form.get_user()
        if user_has_device(user, confirmed=True):
            self.request.session[PENDING_USER] = user.pk
            self.request.session[PENDING_BACKEND] = user.backend
            self.request.session[PENDING_NEXT] = self.get_success_url()
            self.request.session[PENDING_ATTEMPTS] = 0
            return redirect("accounts:two_factor_verify")
        return super().form_valid(form)


def two_factor_verify(request):
    """Second step of sign-in: the code from the user's authenticator app."""
    user_id = request.session.get(PENDING_USER)
    if user_id is None:
        return redirect("login")
    user = get_object_or_404(get_user_model().objects.filter(is_active=True), pk=user_id)
    form = OTPTokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        device = match_token(user, form.cleaned_data["token"])
        if device is not None:
            backend = request.session.pop(PENDING_BACKEND)
            next_url = request.session.pop(PENDING_NEXT, "/")
            for key in (PENDING_USER, PENDING_ATTEMPTS):
                request.session.pop(key, None)
            auth_login(request, user, backend=backend)
            otp_login(request, device)
            if not url_has_allowed_host_and_scheme(
                next_url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
            ):
                next_url = "/"
            return HttpResponseRedirect(next_url)
        attempts = request.session.get(PENDING_ATTEMPTS, 0) + 1
        request.session[PENDING_ATTEMPTS] = attempts
        security_event_record(
            kind="sign_in_failed",
            request=request,
            username=user.get_username(),
            detail={"reason": "wrong two-factor code", "attempt": attempts},
        )
        if attempts >= MAX_TOKEN_ATTEMPTS:
            for key in (PENDING_USER, PENDING_BACKEND, PENDING_NEXT, PENDING_ATTEMPTS):
                request.session.pop(key, None)
            messages.error(request, "Too many wrong codes. Sign in again.")
            return redirect("login")
        form.add_error("token", "This code is not valid. Check your app and try again.")
    return render(request, "accounts/two_factor_verify.html", {"form": form})


def admin_login_redirect(request):
    """The admin signs in through the portal's sign-in (lockout and second factor included).

    A signed-in user who is not staff is refused here (403) rather than sent to sign in again,
    which would loop between the sign-in page and the admin.
    """
    next_url = request.GET.get("next") or reverse("admin:index")
    if not url_has_allowed_host_and_scheme(next_url, allowed_hosts={request.get_host()}):
        next_url = reverse("admin:index")
    if request.user.is_authenticated:
        if request.user.is_active and request.user.is_staff:
            return HttpResponseRedirect(next_url)
        raise PermissionDenied("Your account has no access to the administration.")
    return HttpResponseRedirect(f"{reverse('login')}?{urlencode({'next': next_url})}")


# What other apps show on the profile page (the API its tokens): callables taking the request
# and returning context, appended in their AppConfig.ready(). Accounts stands below them.
profile_sections: list[Callable[[HttpRequest], dict[str, Any]]] = []


def profile_context(request, **extra) -> dict[str, Any]:
    """The profile page's context: two-factor state, every registered section, then `extra`."""
    context = {
        "two_factor_on": user_has_device(request.user, confirmed=True),
        "two_factor_required": two_factor_required_for(request.user),
    }
    for section in profile_sections:
        context.update(section(request))
    return {**context, **extra}


@login_required
def profile(request):
    return render(request, "accounts/profile.html", profile_context(request))


def _qr_svg(device) -> str:
    image = qrcode.make(device.config_url, image_factory=qrcode.image.svg.SvgPathImage, box_size=8)
    svg = image.to_string(encoding="unicode")
    return svg.replace(
        "<svg ", '<svg role="img" aria-label="QR code to add the portal to your authenticator app" ', 1
    )


@login_required
def two_factor_setup(request):
    """Turn on two-factor sign-in: POST starts it, GET shows the QR code and the confirm form."""
    if request.method == "POST":
        two_factor_device_start(user=request.user)
        return redirect("accounts:two_factor_setup")
    device = TOTPDevice.objects.filter(user=request.user, confirmed=False).first()
    context = {
        "device": device,
        "form": OTPTokenForm(),
        "two_factor_on": user_has_device(request.user, confirmed=True),
        "two_factor_required": two_factor_required_for(request.user),
    }
    if device is not None:
        context["qr_svg"] = _qr_svg(device)
        context["secret"] = _base32(device)
    return render(request, "accounts/two_factor_setup.html", context)


def _base32(device) -> str:
    from base64 import b32encode

    secret = b32encode(device.bin_key).decode()
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


@login_required
@require_POST
def two_factor_confirm(request):
    device = get_object_or_404(TOTPDevice.objects.filter(user=request.user, confirmed=False))
    form = OTPTokenForm(request.POST)
    if form.is_valid() and two_factor_device_confirm(
        device=device, token=form.cleaned_data["token"], request=request
    ):
        otp_login(request, device)
        messages.success(request, "Two-factor sign-in is on. You will be asked for a code when you sign in.")
        return redirect("accounts:profile")
    if form.is_valid():
        form.add_error("token", "This code is not valid. Check the time on your phone and try again.")
    context = {
        "device": device,
        "form": form,
        "qr_svg": _qr_svg(device),
        "secret": _base32(device),
        "two_factor_on": False,
        "two_factor_required": two_factor_required_for(request.user),
    }
    return render(request, "accounts/two_factor_setup.html", context, status=400)


@login_required
@require_POST
def two_factor_disable_view(request):
    if two_factor_required_for(request.user):
        messages.error(request, "Your role must sign in with two factors; it cannot be turned off.")
        return redirect("accounts:profile")
    form = OTPTokenForm(request.POST)
    if form.is_valid() and match_token(request.user, form.cleaned_data["token"]) is not None:
        two_factor_disable(user=request.user, request=request)
        messages.success(request, "Two-factor sign-in is off.")
        return redirect("accounts:profile")
    messages.error(request, "Enter a valid code from your app to turn two-factor sign-in off.")
    return redirect("accounts:profile")
