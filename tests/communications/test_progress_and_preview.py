"""A communication's status follows its deliveries; the preview shows the real message."""

import pytest
from django.urls import reverse

from communications.models import Communication, Delivery
from communications.rendering import markdown_to_text
from communications.selectors import communication_progress
from tests.communications.factories import compose
from tests.stakeholders.factories import StakeholderFactory


@pytest.fixture
def ct_comm(ct_staff, ct):
    StakeholderFactory.create_batch(3, sea=ct)
    return compose(
        ct_staff,
        audience={"seas": [ct.pk]},
        body="Hello **{{ first_name }}**, see [the plan](https://x.example/p).",
    )


def progress(status="scheduled", sent=0, failed=0, waiting=0, next_run=None):
    communication = Communication(status=status)
    communication.sent, communication.failed, communication.waiting = sent, failed, waiting
    communication.held, communication.next_run = 0, next_run
    return communication_progress(communication)


def test_the_status_follows_the_deliveries():
    assert progress(status="draft").label == "Draft"
    assert progress().label == "Scheduled"
    assert progress(waiting=3).label == "Sending"
    sending = progress(sent=2, failed=1, waiting=3)
    assert (sending.label, sending.detail) == ("Sending", "3 of 6 done: 2 sent, 1 failed, 3 waiting")
    assert progress(sent=5).label == "Sent"
    assert progress(sent=4, failed=1).label == "Sent with failures"
    assert progress(failed=5).label == "Failed"
    assert progress(status="cancelled", sent=1).label == "Cancelled"


def test_plain_text_is_text_with_links_spelled_out():
    text = markdown_to_text(
        "Will you come? **Please** answer: [Yes](https://x.example/y) or [No](https://x.example/n).\n\n- one\n- two"
    )
    assert text == (
        "Will you come? Please answer: Yes (https://x.example/y) or No (https://x.example/n).\n\n- one\n- two"
    )


@pytest.mark.django_db
def test_the_list_separates_campaigns_from_notices(client, ct_staff, ct_comm):
    notice = Communication.objects.create(
        subject="Invitation: RAB",
        body="Hi",
        category="meeting",
        context_provider="meetings.invitation",
        scope_sea=ct_comm.scope_sea,
        status="scheduled",
    )
    client.force_login(ct_staff)
    campaigns = client.get(reverse("communications:list")).content.decode()
    assert ct_comm.subject in campaigns
    assert notice.subject not in campaigns
    notices = client.get(reverse("communications:list") + "?kind=notices").content.decode()
    assert notice.subject in notices
    assert ct_comm.subject not in notices


@pytest.mark.django_db
def test_the_html_preview_is_the_rendered_message_under_its_own_policy(client, ct_staff, ny_staff, ct_comm):
    client.force_login(ct_staff)
    detail = client.get(reverse("communications:detail", args=[ct_comm.pk])).content.decode()
    assert '<iframe id="preview-html" class="mail-preview" sandbox src="/communications/' in detail
    response = client.get(reverse("communications:preview", args=[ct_comm.pk]))
    assert response.status_code == 200
    assert "default-src 'none'" in response["Content-Security-Policy"]
    assert "sandbox" in response["Content-Security-Policy"]
    assert response["X-Frame-Options"] == "SAMEORIGIN"
    html = response.content.decode()
    assert "<strong>" in html
    assert 'href="https://x.example/p"' in html
    assert "&lt;p&gt;" not in html
    assert "see the plan (https://x.example/p)" in detail
    assert "**" not in detail
    client.force_login(ny_staff)
    assert client.get(reverse("communications:preview", args=[ct_comm.pk])).status_code == 404
    client.logout()
    assert client.get(reverse("communications:preview", args=[ct_comm.pk])).status_code == 302
    assert Delivery.objects.count() == 0


@pytest.mark.django_db
def test_the_schedule_form_previews_its_next_dates(client, ct_staff, ny_staff, ct_comm):
    url = reverse("communications:schedule_dates", args=[ct_comm.pk])
    answers = {
        "mode": "recurring",
        "date": "2031-01-06",
        "time": "09:00",
        "frequency": "weekly",
        "interval": "1",
        "weekdays": ["0"],
        "count": "3",
    }
    client.force_login(ct_staff)
    html = client.get(url, answers).content.decode()
    assert html.count("<li>") == 3
    assert 'datetime="2031-01-06T09:00-05:00"' in html
    assert 'datetime="2031-01-20T09:00-05:00"' in html
    assert "Complete the fields" in client.get(url, {"mode": "at"}).content.decode()
    client.force_login(ny_staff)
    assert client.get(url, answers).status_code == 404
