import datetime

import pytest
from django.core import mail
from django.utils import timezone

from communications import sending, services
from communications.devtools import SinkHandler, SmtpSink
from communications.models import Delivery, Occurrence
from communications.providers import Attachment, ProviderResult, register_context_provider
from tests.communications.factories import compose
from tests.stakeholders.factories import StakeholderFactory

pytestmark = pytest.mark.django_db


def drain():
    sending.communications_tick()
    while sending.deliveries_send_batch():
        pass


class PickyHandler(SinkHandler):
    """A real SMTP server that refuses some addresses for good and defers others."""

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):  # noqa: N802
        if address.startswith("gone"):
            return "550 5.1.1 No such user"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):  # noqa: N802
        if any(a.startswith("busy") for a in envelope.rcpt_tos):
            return "451 4.3.0 Try again later"
        return await super().handle_DATA(server, session, envelope)


@pytest.fixture
def picky_smtp(settings):
    sink = SmtpSink()
    sink.handler = PickyHandler()
    from aiosmtpd.controller import Controller

    sink.controller = Controller(sink.handler, hostname="127.0.0.1", port=sink.port)
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", sink.port
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    settings.COMMUNICATIONS_MAX_ATTEMPTS = 2
    with sink:
        yield sink


def test_transient_errors_retry_with_backoff_then_fail_and_hard_bounces_are_recorded(
    picky_smtp, facilitator, ct
):
    ok = StakeholderFactory(sea=ct, email="ok@example.org")
    busy = StakeholderFactory(sea=ct, email="busy@example.org")
    gone = StakeholderFactory(sea=ct, email="gone@example.org")
    comm = compose(facilitator, audience={"seas": [ct.pk]})
    services.communication_schedule(communication=comm)
    drain()
    by_email = {d.email: d for d in Delivery.objects.all()}
    assert by_email[ok.email].status == "sent"
    assert by_email[busy.email].status == "pending"
    assert by_email[busy.email].attempts == 1
    assert by_email[busy.email].next_attempt_at > timezone.now()
    assert "451" in by_email[busy.email].last_error
    assert by_email[gone.email].status == "failed"
    assert "Hard bounce" in by_email[gone.email].last_error
    gone.refresh_from_db()
    assert gone.email_bounced_at is not None
    # The second attempt is the last one allowed here: it ends as failed with the reason.
    Delivery.objects.filter(email=busy.email).update(next_attempt_at=timezone.now())
    drain()
    busy_delivery = Delivery.objects.get(email=busy.email)
    assert busy_delivery.status == "failed"
    assert busy_delivery.last_error.startswith("Gave up after 2 attempts")
    assert picky_smtp.handler.accepted == 1


def test_one_smtp_connection_per_batch(settings, facilitator, ct):
    with SmtpSink() as sink:
        settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
        settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", sink.port
        StakeholderFactory.create_batch(5, sea=ct)
        services.communication_schedule(communication=compose(facilitator, audience={"seas": [ct.pk]}))
        sending.communications_tick()
        connections = []
        import smtplib

        original = smtplib.SMTP.connect

        def counting(self, *args, **kwargs):
            connections.append(args)
            return original(self, *args, **kwargs)

        smtplib.SMTP.connect = counting
        try:
            assert sending.deliveries_send_batch() == 5
        finally:
            smtplib.SMTP.connect = original
        assert len(connections) == 1
        assert sink.handler.accepted == 5


def test_expired_lease_is_reclaimed(facilitator, ct):
    StakeholderFactory(sea=ct)
    services.communication_schedule(communication=compose(facilitator, audience={"seas": [ct.pk]}))
    sending.communications_tick()
    [claimed] = sending.deliveries_claim(token="dead-worker", limit=10)
    assert sending.deliveries_claim(token="other", limit=10) == []  # leased
    Delivery.objects.filter(pk=claimed).update(lease_until=timezone.now() - datetime.timedelta(seconds=1))
    assert sending.deliveries_claim(token="other", limit=10) == [claimed]
    assert sending.deliveries_send_batch() == 0  # still leased by "other"
    Delivery.objects.filter(pk=claimed).update(lease_until=timezone.now() - datetime.timedelta(seconds=1))
    drain()
    assert Delivery.objects.get().status == "sent"
    assert len(mail.outbox) == 1
    assert mail.outbox[0].extra_headers["Message-ID"] == Delivery.objects.get().message_id


def test_a_second_tick_creates_nothing_twice(facilitator, ct):
    StakeholderFactory.create_batch(3, sea=ct)
    comm = compose(facilitator, audience={"seas": [ct.pk]})
    schedule = services.communication_schedule(communication=comm)
    sending.communications_tick()
    # A second beat re-running everything, even for the same occurrence time.
    Occurrence.objects.update(status=Occurrence.Status.DUE)
    schedule.refresh_from_db()
    sending.communications_tick()
    assert Occurrence.objects.count() == 1
    assert Delivery.objects.count() == 3


def test_edits_apply_to_future_occurrences_only(facilitator, ct):
    import time_machine

    StakeholderFactory(sea=ct)
    comm = compose(facilitator, audience={"seas": [ct.pk]}, subject="First version")
    now = timezone.now()
    services.communication_schedule(
        communication=comm,
        send_at=now - datetime.timedelta(minutes=1),
        recurrence={"frequency": "daily", "count": 3},
    )
    drain()
    services.communication_update(communication=comm, editor=facilitator, subject="Second version")
    with time_machine.travel(now + datetime.timedelta(days=1), tick=True):
        drain()
    assert [m.subject for m in mail.outbox] == ["First version", "Second version"]
    assert list(comm.occurrences.order_by("scheduled_for").values_list("subject", flat=True)) == [
        "First version",
        "Second version",
    ]


def test_occurrences_found_too_late_are_missed(facilitator, ct):
    StakeholderFactory(sea=ct)
    comm = compose(facilitator, audience={"seas": [ct.pk]})
    services.communication_schedule(communication=comm, send_at=timezone.now() - datetime.timedelta(days=2))
    drain()
    assert Occurrence.objects.get().status == Occurrence.Status.MISSED
    assert mail.outbox == []


@register_context_provider("tests.calendar")
def calendar_provider(*, communication, stakeholder) -> ProviderResult:
    if stakeholder.first_name == "Stale":
        return ProviderResult(skip=True, reason="The meeting moved.")
    return ProviderResult(
        context={"meeting_when": "Tuesday 10:00"},
        attachments=[Attachment(filename="invite.ics", content="BEGIN:VCALENDAR", mimetype="text/calendar")],
    )


def test_context_provider_adds_fields_attachments_and_skips(facilitator, ct):
    StakeholderFactory(sea=ct, first_name="Fresh")
    StakeholderFactory(sea=ct, first_name="Stale")
    comm = services.communication_compose(
        author=facilitator,
        subject="Meeting {{ meeting_when }}",
        body="See you {{ meeting_when }}, {{ first_name }}.",
        category="meeting",
        audience={"seas": [ct.pk]},
        context_provider="tests.calendar",
    )
    services.communication_schedule(communication=comm)
    drain()
    [message] = mail.outbox
    assert message.subject == "Meeting Tuesday 10:00"
    assert "See you Tuesday 10:00, Fresh." in message.body
    assert message.attachments[0][0] == "invite.ics"
    skipped = Delivery.objects.get(status="skipped")
    assert skipped.last_error == "The meeting moved."


def test_merge_values_cannot_inject_markup(facilitator, ct):
    StakeholderFactory(sea=ct, first_name="<script>alert(1)</script>")
    comm = compose(
        facilitator, audience={"seas": [ct.pk]}, body="Hi {{ first_name }} <img src=x onerror=alert(1)>"
    )
    services.communication_schedule(communication=comm)
    drain()
    html = mail.outbox[0].alternatives[0][0]
    assert "<script>" not in html and "onerror" not in html
    assert "&lt;script&gt;" in html
