"""Action items: reminders on a frozen clock, the cross-body list with filters and CSV."""

import csv
import datetime
import io

import pytest
import time_machine
from django.core import mail
from django.urls import reverse

from communications.devtools import free_port
from communications.models import Delivery
from meetings.models import ActionItemReminder
from meetings.services.actions import action_item_reminders_send, action_item_update
from meetings.tasks import action_item_reminders_send_task
from tests.accounts.factories import FacilitatorFactory
from tests.meetings.factories import ActionItemFactory, MeetingFactory, eastern
from tests.meetings.helpers import recipient, send_due

pytestmark = pytest.mark.django_db


@pytest.fixture
def item(rab, ct_member, facilitator):
    meeting = MeetingFactory(body=rab, starts_at=eastern(2026, 3, 10, 10, 0), created_by=facilitator)
    return ActionItemFactory(
        meeting=meeting,
        owner_stakeholder=ct_member,
        description="Share the district hiring data",
        due_date=datetime.date(2026, 4, 10),
        created_by=facilitator,
    )


def at(*args):
    return time_machine.travel(eastern(*args), tick=False)


def test_reminder_schedule_before_due_and_on_the_day_it_becomes_overdue(item, ct_member):
    with at(2026, 4, 6, 8, 0):  # four days before: nothing yet
        assert action_item_reminders_send() == 0
        assert send_due() == []
    with at(2026, 4, 7, 8, 0):  # three days before
        assert action_item_reminders_send() == 1
        (message,) = send_due()
    assert recipient(message) == ct_member.email
    assert message.subject == "Action item due April 10, 2026"
    assert "Share the district hiring data" in message.body
    with at(2026, 4, 8, 8, 0):
        assert action_item_reminders_send() == 0  # once per due date
    with at(2026, 4, 10, 18, 0):  # due today: not overdue yet
        assert action_item_reminders_send() == 0
    with at(2026, 4, 11, 7, 0):  # the day it becomes overdue
        assert action_item_reminders_send() == 1
        (overdue,) = send_due()
    assert overdue.subject == "Action item overdue since April 10, 2026"
    with at(2026, 4, 12, 7, 0):
        assert action_item_reminders_send() == 0
    assert list(ActionItemReminder.objects.order_by("sent_at").values_list("kind", flat=True)) == [
        "before_due",
        "overdue",
    ]


def test_the_sweep_is_idempotent_when_run_twice(item):
    with at(2026, 4, 8, 8, 0):
        assert action_item_reminders_send_task() == 1
        assert action_item_reminders_send_task() == 0
        assert len(send_due()) == 1


def test_done_items_and_changed_due_dates(item, facilitator):
    with at(2026, 4, 8, 8, 0):
        action_item_reminders_send()
        item = action_item_update(item=item, editor=facilitator, due_date=datetime.date(2026, 4, 30))
        # The reminder made for the old due date is skipped when it would go out.
        assert send_due() == []
    with at(2026, 4, 28, 8, 0):
        assert action_item_reminders_send() == 1
        action_item_update(item=item, editor=facilitator, status="done")
        assert send_due() == []
    with at(2026, 5, 1, 8, 0):
        assert action_item_reminders_send() == 0


def test_staff_owner_is_reminded_through_the_outbox(rab, facilitator):
    owner = FacilitatorFactory(email="center.staff@example.org", first_name="Dana")
    meeting = MeetingFactory(body=rab, starts_at=eastern(2026, 3, 10, 10, 0))
    ActionItemFactory(
        meeting=meeting, owner_stakeholder=None, owner_user=owner, due_date=datetime.date(2026, 4, 10)
    )
    with at(2026, 4, 11, 8, 0):
        assert action_item_reminders_send() == 1
        assert mail.outbox == []  # queued as a delivery, sent by the workers
        [delivery] = Delivery.objects.all()
        assert (delivery.user, delivery.stakeholder, delivery.status) == (
            owner,
            None,
            Delivery.Status.PENDING,
        )
        [message] = send_due()
    assert recipient(message) == "center.staff@example.org"
    assert "overdue" in message.subject
    assert "Dear Dana," in message.body
    assert "List-Unsubscribe" not in message.extra_headers  # staff mail has nothing to unsubscribe from
    assert "Stop receiving" not in message.body
    delivery.refresh_from_db()
    assert delivery.status == Delivery.Status.SENT


def test_reminder_sweep_survives_a_mail_server_outage(rab, facilitator, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", free_port(8400)  # nothing listens there
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    meeting = MeetingFactory(body=rab, starts_at=eastern(2026, 3, 10, 10, 0))
    owners = [FacilitatorFactory(email=f"staff{n}@example.org") for n in range(2)]
    for owner in owners:
        ActionItemFactory(
            meeting=meeting, owner_stakeholder=None, owner_user=owner, due_date=datetime.date(2026, 4, 10)
        )
    with at(2026, 4, 11, 8, 0):
        assert action_item_reminders_send() == 2  # the loop goes on whatever the mail server does
        send_due()
    assert ActionItemReminder.objects.count() == 2
    waiting = Delivery.objects.filter(user__in=owners)
    assert [d.status for d in waiting] == [Delivery.Status.PENDING] * 2
    assert all(d.attempts == 0 and d.last_error.startswith("Mail server unavailable") for d in waiting)


@pytest.fixture
def listing(rab, ct_member, center_member, facilitator):
    meeting = MeetingFactory(body=rab, starts_at=eastern(2026, 3, 10, 10, 0))
    ActionItemFactory(
        meeting=meeting,
        owner_stakeholder=ct_member,
        description="=HYPERLINK(evil)",
        due_date=datetime.date(2026, 3, 20),
    )
    ActionItemFactory(
        meeting=meeting,
        owner_stakeholder=center_member,
        description="Send the REL brief",
        due_date=datetime.date(2026, 5, 1),
    )
    ActionItemFactory(
        meeting=meeting, owner_stakeholder=center_member, description="Closed one", status="done"
    )
    return meeting


def test_list_filters_and_csv(client, facilitator, listing):
    url = reverse("meetings:action_item_list")
    with at(2026, 4, 1, 9, 0):
        client.force_login(facilitator)
        page = client.get(url).content.decode()
        assert "Send the REL brief" in page and "Closed one" not in page
        overdue = client.get(url, {"overdue": "on"}).content.decode()
        assert "HYPERLINK" in overdue and "Send the REL brief" not in overdue
        by_owner = client.get(url, {"owner": "Lin"}).content.decode()
        assert "Send the REL brief" in by_owner and "HYPERLINK" not in by_owner
        everything = client.get(url, {"status": "all"}).content.decode()
        assert "Closed one" in everything
        response = client.get(url, {"format": "csv", "status": "open"})
        bad = client.get(url, {"due_before": "not a date"})
        assert bad.status_code == 200 and "Enter a valid date" in bad.content.decode()
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig"))))
    assert rows[0][:3] == ["id", "body", "meeting"]
    assert [r[4] for r in rows[1:]] == ["'=HYPERLINK(evil)", "Send the REL brief"]
