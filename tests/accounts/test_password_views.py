import re

import pytest
from django.core import mail
from django.urls import reverse

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
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.subject == "Reset your R2CC Portal password"
    assert message.to == [ct_staff.email]
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
    assert mail.outbox == []


def test_sign_in_page_links_to_password_reset(client):
    body = client.get("/accounts/login/").content.decode()
    assert '<a href="/accounts/password/reset/">Forgot your password?</a>' in body


def test_profile_links_to_password_change(client, ct_staff):
    client.force_login(ct_staff)
    body = client.get("/accounts/profile/").content.decode()
    assert '<a href="/accounts/password/change/">Change your password</a>' in body
