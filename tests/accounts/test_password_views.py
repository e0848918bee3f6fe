import re
from email.utils import parseaddr

import pytest
from django.conf import settings
from django.core import mail
from django.urls import reverse

from communications.devtools import free_port
from communications.models import Delivery
from communications.sending import communications_tick, deliveries_send_all

pytestmark = pytest.mark.django_db


def test_password_change_needs_sign_in(client):
    response = client.get(reverse("password_change"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_password_change(client, ct_staff, password):
    client.force_login(ct_staff)
    response = client.get(reverse("password_change"))
    assert "Change your password" in response.text
    response = client.post(
        reverse("password_change"),
        {"old_password": "wrong", "new_password1": "x", "new_password2": "y"},
    )
    assert "Your old password was entered incorrectly" in response.text
    new = "a brand new passphrase 2025"
    response = client.post(
        reverse("password_change"),
        {"old_password": password, "new_password1": new, "new_password2": new},
    )
    assert response["Location"] == reverse("password_change_done")
    ct_staff.refresh_from_db()
    assert ct_staff.check_password(new)
    assert "Your password is changed" in client.get(reverse("password_change_done")).text


def test_password_reset_by_email(client, ct_staff):
    response = client.get(reverse("password_reset"))
    assert "Reset your password" in response.text
    response = client.post(reverse("password_reset"), {"email": ct_staff.email})
    assert response["Location"] == reverse("password_reset_done")
    # Queued in the outbox like every mail of the portal; the link is made when it is sent.
    assert mail.outbox == []
    delivery = Delivery.objects.get(user=ct_staff)
    assert "/accounts/password/reset/" not in delivery.occurrence.body
    communications_tick()
    deliveries_send_all(budget_seconds=10)
    [message] = mail.outbox
    assert message.subject == "Reset your R2CC Portal password"
    assert [parseaddr(a)[1] for a in message.to] == [ct_staff.email]
    assert message.body.count(settings.PORTAL_BASE_URL.rstrip("/") + "/accounts/password/reset/") == 1
    link = re.search(r"https?://[^/]+(/accounts/password/reset/\S+/)", message.body).group(1)
    response = client.get(link, follow=True)
    assert "Choose a new password" in response.text
    new = "another fresh passphrase 77"
    response = client.post(response.redirect_chain[-1][0], {"new_password1": new, "new_password2": new})
    assert response["Location"] == reverse("password_reset_complete")
    ct_staff.refresh_from_db()
    assert ct_staff.check_password(new)
    # The link works once.
    assert "This link does not work any more" in client.get(link, follow=True).text


def test_password_reset_for_unknown_address_sends_nothing(client):
    response = client.post(reverse("password_reset"), {"email": "nobody@example.org"})
    assert response["Location"] == reverse("password_reset_done")
    assert not Delivery.objects.exists()
    assert mail.outbox == []


def test_password_reset_request_survives_a_mail_server_outage(client, ct_staff, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", free_port(8480)  # nothing listens
    response = client.post(reverse("password_reset"), {"email": ct_staff.email})
    assert response["Location"] == reverse("password_reset_done")
    assert Delivery.objects.get(user=ct_staff).status == Delivery.Status.PENDING


def test_sign_in_page_links_to_password_reset(client):
    body = client.get("/accounts/login/").content.decode()
    assert '<a href="/accounts/password/reset/">Forgot your password?</a>' in body


def test_profile_links_to_password_change(client, ct_staff):
    client.force_login(ct_staff)
    body = client.get("/accounts/profile/").content.decode()
    assert '<a href="/accounts/password/change/">Change your password</a>' in body
