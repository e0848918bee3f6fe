"""The portal's own mail to user accounts (password resets), through the outbox like all mail.

Django's PasswordResetView sends from the web request, so an SMTP outage fails the request and
the time it takes tells whether an address has an account. Here the form queues one delivery
to the user (`communication_send_to_user`); the worker makes the reset link when it sends the
message (no token is ever stored), from PORTAL_BASE_URL rather than the request's Host header.
"""

from django.conf import settings
from django.contrib.auth.forms import PasswordResetForm
from django.contrib.auth.tokens import default_token_generator
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from typing_extensions import override

from .models import Delivery
from .providers import ProviderResult, register_context_provider

PASSWORD_RESET_PROVIDER = "communications.password_reset"  # noqa: S105 - a name, not a secret
PASSWORD_RESET_BODY = (
    "Hello {{ full_name }},\n\n"  # noqa: S105 - a message, not a secret
    "Someone asked to reset the password of your R2CC Portal account ({{ username }}). "
    "To choose a new password, open this link:\n\n"
    "[Choose a new password]({{ reset_url }})\n\n"
    "The link works once. If you did not ask for this, ignore this message: your password "
    "stays as it is."
)


def password_reset_queue(*, user) -> Delivery:
    """Queue the password-reset message of `user` (an active account with an address)."""
    from .services import communication_send_to_user

    subject = "".join(render_to_string("registration/password_reset_subject.txt").splitlines())
    return communication_send_to_user(
        user=user,
        subject=subject,
        body=PASSWORD_RESET_BODY,
        category="",
        context_provider=PASSWORD_RESET_PROVIDER,
    )


@register_context_provider(PASSWORD_RESET_PROVIDER)
def password_reset_link(*, communication, stakeholder, user=None) -> ProviderResult:  # noqa: ARG001 - the context provider interface
    if user is None or not user.is_active or not user.has_usable_password():
        return ProviderResult(skip=True, reason="The account can no longer reset its password.")
    uid = urlsafe_base64_encode(force_bytes(user.pk))
    token = default_token_generator.make_token(user)
    url = settings.PORTAL_BASE_URL.rstrip("/") + reverse("password_reset_confirm", args=[uid, token])
    return ProviderResult(context={"reset_url": url, "username": user.get_username()})


class OutboxPasswordResetForm(PasswordResetForm):
    """Django's password-reset form, queueing its message instead of sending it."""

    @override
    def send_mail(self, subject_template_name, email_template_name, context, *args, **kwargs):
        password_reset_queue(user=context["user"])
