import datetime
import re

import pytest
from django.core import mail
from django.core.mail.backends import locmem
from django.db import connection
from django.test.utils import CaptureQueriesContext
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

    async def handle_RCPT(self, _server, _session, envelope, address, _rcpt_options):  # noqa: N802
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


def test_each_recipients_choice_is_written_with_their_delivery(facilitator, ct):
    later, weekly, out = (StakeholderFactory(sea=ct, first_name=name) for name in ("Later", "Weekly", "Out"))
    comm = compose(facilitator, audience={"seas": [ct.pk]})
    services.stakeholder_set_preference(stakeholder=weekly, category=comm.category, delivery="weekly")
    services.stakeholder_unsubscribe(stakeholder=out, category=comm.category)
    services.communication_schedule(communication=comm)
    result = sending.communications_tick()
    assert result.deliveries_created == 3
    statuses = {
        d.stakeholder.first_name: (d.status, d.email) for d in Delivery.objects.select_related("stakeholder")
    }
    assert statuses == {
        "Later": ("pending", later.email),
        "Weekly": ("deferred", weekly.email),
        "Out": ("opted_out", out.email),
    }
    assert Occurrence.objects.get().audience_count == 2  # the weekly reader hears of it in the digest


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
    assert "<script>" not in html
    assert "onerror" not in html
    assert "&lt;script&gt;" in html


def _database_now():
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT statement_timestamp()")
        return cursor.fetchone()[0]


def test_leases_come_from_the_database_clock_not_the_workers(facilitator, ct):
    import time_machine

    StakeholderFactory(sea=ct)
    services.communication_schedule(communication=compose(facilitator, audience={"seas": [ct.pk]}))
    sending.communications_tick()
    # A worker whose clock runs a day ahead still leases for COMMUNICATIONS_LEASE_SECONDS.
    with time_machine.travel(timezone.now() + datetime.timedelta(days=1), tick=True):
        [claimed] = sending.deliveries_claim(token="fast-clock", limit=10)
    lease = Delivery.objects.get(pk=claimed).lease_until - _database_now()
    assert abs(lease.total_seconds() - sending.lease_seconds()) < 30


@register_context_provider("tests.freezes_after_the_first")
def freezing_provider(*, communication, stakeholder) -> ProviderResult:
    """The worker freezes while making the first message; meanwhile its other rows' lease runs
    out and a second worker takes them over."""
    if stakeholder.first_name == "First":
        others = Delivery.objects.exclude(stakeholder=stakeholder)
        others.update(lease_until=timezone.now() - datetime.timedelta(seconds=1))
        taken.extend(sending.deliveries_claim(token="second-worker", limit=10))
    return ProviderResult()


taken: list[int] = []


def test_a_batch_whose_lease_was_taken_over_sends_nothing_more(facilitator, ct):
    taken.clear()
    StakeholderFactory(sea=ct, first_name="First")
    StakeholderFactory.create_batch(4, sea=ct, first_name="Later")
    comm = services.communication_compose(
        author=facilitator,
        subject="Update",
        body="Dear {{ first_name }}",
        category="project_update",
        audience={"seas": [ct.pk]},
        context_provider="tests.freezes_after_the_first",
    )
    services.communication_schedule(communication=comm)
    sending.communications_tick()
    first = Delivery.objects.get(stakeholder__first_name="First").pk
    frozen = sorted(sending.deliveries_claim(token="frozen-worker", limit=10), key=lambda pk: pk != first)
    assert len(frozen) == 5
    stale = sending._Batch(token="frozen-worker", ids=frozen)
    stale.run()
    # It resumes: the message it was making goes out; the rows it lost are skipped and counted.
    assert [m.body.split()[1] for m in mail.outbox] == ["First"]
    assert sorted(stale.lost) == sorted(taken) == sorted(set(frozen) - {first})
    sending._Batch(token="second-worker", ids=taken).run()
    assert len(mail.outbox) == 5
    assert len({m.extra_headers["Message-ID"] for m in mail.outbox}) == 5
    assert set(Delivery.objects.values_list("status", flat=True)) == {"sent"}


def test_an_expired_lease_is_not_used_by_its_old_holder_even_if_nobody_took_it(facilitator, ct):
    StakeholderFactory.create_batch(2, sea=ct)
    services.communication_schedule(communication=compose(facilitator, audience={"seas": [ct.pk]}))
    sending.communications_tick()
    ids = sending.deliveries_claim(token="late-worker", limit=10)
    Delivery.objects.update(lease_until=timezone.now() - datetime.timedelta(seconds=1))
    late = sending._Batch(token="late-worker", ids=ids)
    late.run()
    assert mail.outbox == []
    assert sorted(late.lost) == sorted(ids)
    drain()  # the rows are claimable again and go out once
    assert len(mail.outbox) == 2


@register_context_provider("tests.unsubscribes_the_next")
def unsubscribing_provider(*, communication, stakeholder) -> ProviderResult:
    """While the first recipient's message is being made, the second one unsubscribes."""
    if stakeholder.first_name == "First":
        second = stakeholder.__class__.objects.get(first_name="Second")
        services.stakeholder_unsubscribe(stakeholder=second, category=communication.category)
    return ProviderResult()


def test_an_opt_out_during_a_batch_is_honoured_up_to_the_send(facilitator, ct):
    StakeholderFactory(sea=ct, first_name="First")
    StakeholderFactory(sea=ct, first_name="Second")
    comm = services.communication_compose(
        author=facilitator,
        subject="Update",
        body="Dear {{ first_name }}",
        category="project_update",
        audience={"seas": [ct.pk]},
        context_provider="tests.unsubscribes_the_next",
    )
    services.communication_schedule(communication=comm)
    sending.communications_tick()
    assert len(sending.deliveries_claim(token="one-batch", limit=10)) == 2  # both in one batch
    Delivery.objects.update(claimed_by="one-batch")
    sending._Batch(
        token="one-batch",
        ids=list(Delivery.objects.order_by("stakeholder__first_name").values_list("pk", flat=True)),
    ).run()
    assert [m.body.split()[1] for m in mail.outbox] == ["First"]
    second = Delivery.objects.get(stakeholder__first_name="Second")
    assert (second.status, second.last_error) == ("opted_out", "Opted out before sending")


@pytest.fixture
def unreachable_smtp(settings):
    from communications.devtools import free_port

    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", free_port(8450)  # nothing listens
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    settings.EMAIL_TIMEOUT = 5
    return settings


def test_a_long_outage_ends_failed_at_the_deadline_and_is_reported(unreachable_smtp, client, facilitator, ct):
    from communications.models import MailServerStatus
    from r2cc_portal.tasks import heartbeat_task

    StakeholderFactory.create_batch(2, sea=ct)
    comm = compose(facilitator, audience={"seas": [ct.pk]})
    services.communication_schedule(communication=comm)
    drain()
    waiting = list(Delivery.objects.all())
    # Refused at connect: put back with a delay, no attempt counted.
    assert [(d.status, d.attempts) for d in waiting] == [("pending", 0)] * 2
    assert all(d.last_error.startswith("Mail server unavailable") for d in waiting)
    assert all(d.next_attempt_at > timezone.now() for d in waiting)
    status = MailServerStatus.objects.get()
    assert status.is_unreachable
    assert status.last_error.startswith("Mail server unavailable")
    client.force_login(facilitator)
    report = client.get(f"/communications/{comm.pk}/report/").content.decode()
    assert "Waiting: mail server unreachable since" in report
    heartbeat_task()
    health = client.get("/healthz")
    assert health.status_code == 200  # the web still works: degraded, not down
    assert health.json()["status"] == "degraded"
    assert health.json()["checks"]["mail"]["state"] == "unreachable"
    assert health.json()["checks"]["mail"]["since"] == status.since.isoformat()
    # Retried until the deadline, then failed with the reason, and the occurrence finishes.
    Delivery.objects.update(
        queued_at=timezone.now() - datetime.timedelta(hours=48, minutes=1), next_attempt_at=timezone.now()
    )
    drain()
    failed = list(Delivery.objects.all())
    assert [d.status for d in failed] == ["failed"] * 2
    assert all(d.last_error.startswith("Mail server unreachable for 48 hours: ") for d in failed)
    sending.communications_tick()
    assert Occurrence.objects.get().status == Occurrence.Status.DONE
    assert "Waiting: mail server" not in client.get(f"/communications/{comm.pk}/report/").content.decode()


def test_deliveries_no_worker_reached_fail_past_the_deadline(facilitator, ct):
    StakeholderFactory(sea=ct)
    services.communication_schedule(communication=compose(facilitator, audience={"seas": [ct.pk]}))
    sending.communications_tick()
    Delivery.objects.update(queued_at=timezone.now() - datetime.timedelta(hours=49))
    sending.communications_tick()
    delivery = Delivery.objects.get()
    assert (delivery.status, delivery.last_error) == ("failed", "Not sent within 48 hours.")
    assert Occurrence.objects.get().status == Occurrence.Status.DONE


def test_the_mail_server_state_recovers_with_the_next_connection(unreachable_smtp, client, facilitator, ct):
    from communications.models import MailServerStatus

    StakeholderFactory(sea=ct)
    services.communication_schedule(communication=compose(facilitator, audience={"seas": [ct.pk]}))
    drain()
    assert MailServerStatus.objects.get().is_unreachable
    with SmtpSink() as sink:
        unreachable_smtp.EMAIL_PORT = sink.port
        Delivery.objects.update(next_attempt_at=timezone.now())
        drain()
        assert sink.handler.accepted == 1
    status = MailServerStatus.objects.get()
    assert (status.state, status.last_error) == ("ok", "")
    assert client.get("/healthz").json()["checks"]["mail"]["ok"] is True


class StealingBackend(locmem.EmailBackend):
    """Accepts every message; right after accepting the first one, another worker takes that
    row over (as if the SMTP transaction had outlived the worker's hold on it)."""

    def send_messages(self, messages):
        sent = super().send_messages(messages)
        for message in messages:
            if message.body.startswith("Dear First"):
                Delivery.objects.filter(email=message.to[0].split("<")[-1].rstrip(">")).update(
                    claimed_by="another-worker"
                )
        return sent


def test_each_acceptance_is_recorded_with_the_next_confirmation_and_at_the_end(facilitator, ct):
    StakeholderFactory.create_batch(3, sea=ct, first_name="Later")
    services.communication_schedule(communication=compose(facilitator, audience={"seas": [ct.pk]}))
    sending.communications_tick()
    ids = sending.deliveries_claim(token="worker", limit=10)
    batch = sending._Batch(token="worker", ids=ids)
    with CaptureQueriesContext(connection) as captured:
        batch.run()
    # One write per message (its confirmation, carrying the previous acceptance) and one for the
    # last acceptance.
    # The combined statement is prepared once per database session and executed by name.
    delivery_write = re.compile(
        rf'UPDATE "?communications_delivery"? SET|^EXECUTE {sending.MARK_AND_CONFIRM_NAME}\('
    )
    writes = [q["sql"] for q in captured.captured_queries if delivery_write.search(q["sql"])]
    assert len(writes) == 3 + 1
    assert sum(sql.startswith("EXECUTE") for sql in writes) == 2
    assert len(mail.outbox) == 3
    assert set(Delivery.objects.values_list("status", flat=True)) == {"sent"}
    assert batch.accepted_after_loss == []


def test_an_acceptance_after_the_row_was_lost_is_reported_not_recorded(settings, facilitator, ct):
    settings.EMAIL_BACKEND = "tests.communications.test_sending.StealingBackend"
    StakeholderFactory(sea=ct, first_name="First")
    StakeholderFactory(sea=ct, first_name="Second")
    services.communication_schedule(communication=compose(facilitator, audience={"seas": [ct.pk]}))
    sending.communications_tick()
    ids = sorted(
        sending.deliveries_claim(token="worker", limit=10),
        key=lambda pk: Delivery.objects.get(pk=pk).stakeholder.first_name != "First",
    )
    batch = sending._Batch(token="worker", ids=ids)
    batch.run()
    first, second = ids
    assert batch.accepted_after_loss == [first]
    assert Delivery.objects.get(pk=first).status == Delivery.Status.SENDING  # the other worker's now
    assert Delivery.objects.get(pk=second).status == Delivery.Status.SENT


def test_envelopes_open_ahead_but_only_confirmed_rows_are_sent(settings, monkeypatch, facilitator, ct):
    """Over SMTP a message's envelope opens while its row is confirmed; what the confirmation
    finds (an opt-out, a new address, a row taken over) still decides what goes out."""
    names = ["Ann", "Bob", "Cy", "Dee", "Eve", "Fay"]
    for name in names:
        StakeholderFactory(sea=ct, first_name=name, email=f"{name.lower()}@example.org")
    services.communication_schedule(communication=compose(facilitator, audience={"seas": [ct.pk]}))
    sending.communications_tick()
    ids = sending.deliveries_claim(token="worker", limit=10)
    row = {d.stakeholder.first_name: d for d in Delivery.objects.select_related("stakeholder")}

    changes = {
        # Opts out after the batch was loaded: its opened envelope is reset.
        "Bob": lambda d: services.stakeholder_unsubscribe(
            stakeholder=d.stakeholder, category=d.communication.category
        ),
        # Changes address: the message is made again for the new one.
        "Cy": lambda d: (
            type(d.stakeholder).objects.filter(pk=d.stakeholder_id).update(email="cy@new.example.org")
        ),
        # Taken over by another worker: not this worker's to send.
        "Dee": lambda d: Delivery.objects.filter(pk=d.pk).update(claimed_by="another-worker"),
    }
    confirm = sending._Batch.confirm

    def confirming(batch, delivery):
        for name, change in changes.items():
            if delivery.pk == row[name].pk:
                change(row[name])
        return confirm(batch, delivery)

    monkeypatch.setattr(sending._Batch, "confirm", confirming)
    opened = []
    envelope = sending.smtp_envelope

    def opening(smtp, sender, message):
        opened.append(message.envelope_to)
        return envelope(smtp, sender, message)

    monkeypatch.setattr(sending, "smtp_envelope", opening)
    with SmtpSink(keep=True) as sink:
        settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
        settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", sink.port
        settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
        batch = sending._Batch(
            token="worker",
            ids=sorted(ids, key=lambda pk: names.index(Delivery.objects.get(pk=pk).stakeholder.first_name)),
        )
        batch.run()
    # The first message opens the connection; every later one's envelope opened ahead.
    assert opened == [
        "bob@example.org",
        "cy@example.org",
        "dee@example.org",
        "eve@example.org",
        "fay@example.org",
    ]
    recipients = sorted(
        re.search(rb"^To: .*<(.+)>", raw, re.M).group(1).decode() for raw in sink.handler.messages
    )
    assert recipients == ["ann@example.org", "cy@new.example.org", "eve@example.org", "fay@example.org"]
    statuses = {d.stakeholder.first_name: d.status for d in Delivery.objects.select_related("stakeholder")}
    assert statuses == {
        "Ann": "sent",
        "Bob": "opted_out",
        "Cy": "sent",
        "Dee": "sending",  # the other worker's now
        "Eve": "sent",
        "Fay": "sent",
    }
    assert batch.lost == [row["Dee"].pk]
