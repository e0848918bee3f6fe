import datetime
from email.utils import parseaddr

from django.core import mail
from icalendar import Calendar

from communications.models import Delivery
from communications.sending import communications_tick, deliveries_send_all


def send_due() -> list:
    """Run the communications sweep and send what is due now; returns the new messages."""
    before = len(mail.outbox)
    communications_tick()
    deliveries_send_all(budget_seconds=20)
    return mail.outbox[before:]


def recipient(message) -> str:
    return parseaddr(message.to[0])[1]


def ics_of(message) -> Calendar:
    (attachment,) = [a for a in message.attachments if a[0].endswith(".ics")]
    content = attachment[1]
    return Calendar.from_ical(content if isinstance(content, bytes | str) else content.get_payload())


def event_of(calendar: Calendar):
    (event,) = calendar.walk("VEVENT")
    return event


def skipped_reasons() -> list[str]:
    return list(Delivery.objects.filter(status=Delivery.Status.SKIPPED).values_list("last_error", flat=True))


def days(n: int) -> datetime.timedelta:
    return datetime.timedelta(days=n)
