"""The sending loop: due schedules become occurrences, due occurrences become deliveries,
workers claim deliveries under a lease and send them.

Every step is safe to run twice or concurrently (a second beat, a redelivered task, a worker
killed mid-batch): occurrences are unique per (schedule, time), deliveries per
(communication, occurrence, stakeholder), rows are claimed with FOR UPDATE SKIP LOCKED and a
lease, and a message is marked sent by the worker holding the lease right after the SMTP
server accepted it. The only window for a duplicate is a crash between that acceptance and
the commit; the resend then carries the same Message-ID.
"""

import contextlib
import datetime
import logging
import os
import smtplib
import socket
import uuid
from dataclasses import dataclass
from email.utils import formataddr

from django.conf import settings
from django.core.mail import EmailMultiAlternatives, get_connection
from django.core.mail.backends.smtp import EmailBackend as SMTPBackend
from django.core.mail.message import sanitize_address
from django.db import connection as db_connection
from django.db import transaction
from django.db.models import Exists, F, OuterRef, Subquery
from django.utils import timezone

from stakeholders.models import CommunicationPreference

from . import recurrence
from .audience import audience_queryset, held_for_digest, too_large, with_preference
from .fastmail import FastTemplate, PreparedEmail
from .models import Communication, Delivery, Occurrence, Schedule
from .providers import get_context_provider
from .rendering import PreparedMessage, prepare_message, recipient_values

logger = logging.getLogger(__name__)


def _setting(name: str, default):
    return getattr(settings, name, default)


def lease_seconds() -> int:
    return int(_setting("COMMUNICATIONS_LEASE_SECONDS", 120))


def batch_size() -> int:
    return int(_setting("COMMUNICATIONS_BATCH_SIZE", 100))


def max_attempts() -> int:
    return int(_setting("COMMUNICATIONS_MAX_ATTEMPTS", 5))


def retry_base_seconds() -> int:
    return int(_setting("COMMUNICATIONS_RETRY_BASE_SECONDS", 60))


def missed_after() -> datetime.timedelta:
    """An occurrence found later than this (beat was down) is recorded as missed, not sent."""
    return datetime.timedelta(seconds=int(_setting("COMMUNICATIONS_MISSED_AFTER_SECONDS", 6 * 3600)))


def backoff(attempts: int) -> datetime.timedelta:
    seconds = retry_base_seconds() * (2 ** max(0, attempts - 1))
    return datetime.timedelta(seconds=min(seconds, 3600))


# --- Beat: schedules -> occurrences -> deliveries -------------------------------------------


@dataclass
class TickResult:
    occurrences_created: int = 0
    occurrences_materialized: int = 0
    deliveries_created: int = 0
    claimable: int = 0


def schedules_advance(*, now=None) -> int:
    """Create the occurrences of every due schedule and move the schedules on."""
    now = now or timezone.now()
    created = 0
    while True:
        with transaction.atomic():
            due = list(
                Schedule.objects.due(now).select_for_update(skip_locked=True).order_by("next_run_at")[:50]
            )
            if not due:
                return created
            for schedule in due:
                when = schedule.next_run_at
                _, was_created = Occurrence.objects.get_or_create(
                    schedule=schedule,
                    scheduled_for=when,
                    defaults={"communication_id": schedule.communication_id},
                )
                created += int(was_created)
                nxt = recurrence.next_run_after(schedule, when)
                schedule.next_run_at = nxt
                schedule.occurrences_created = F("occurrences_created") + int(was_created)
                if nxt is None:
                    schedule.status = Schedule.Status.FINISHED
                schedule.save(update_fields=["next_run_at", "occurrences_created", "status", "updated_at"])


def occurrence_materialize(*, occurrence_id: int, now=None) -> int:
    """Freeze the content and create one delivery per recipient of a due occurrence.

    Returns the number of deliveries created. Runs under a row lock taken with SKIP LOCKED,
    so a second beat passes over an occurrence the first is working on.
    """
    now = now or timezone.now()
    with transaction.atomic():
        occurrence = (
            Occurrence.objects.select_for_update(skip_locked=True)
            .filter(pk=occurrence_id, status=Occurrence.Status.DUE)
            .first()
        )
        if occurrence is None:
            return 0
        communication = Communication.objects.select_related("author", "project", "advisory_body").get(
            pk=occurrence.communication_id
        )
        schedule = Schedule.objects.get(pk=occurrence.schedule_id)

        def close(status, reason):
            occurrence.status = status
            occurrence.reason = reason
            occurrence.materialized_at = now
            occurrence.save(update_fields=["status", "reason", "materialized_at"])
            return 0

        if communication.is_cancelled or schedule.status == Schedule.Status.CANCELLED:
            return close(Occurrence.Status.CANCELLED, "Cancelled")
        if now - occurrence.scheduled_for > missed_after():
            return close(Occurrence.Status.MISSED, "Not sent: the portal found it too late.")
        people = with_preference(audience_queryset(communication), communication.category)
        rows = list(people.values_list("pk", "email", "delivery_choice"))
        weekly_held = held_for_digest(communication.category)
        receiving = sum(1 for _, _, choice in rows if choice != "none")
        if receiving == 0:
            return close(Occurrence.Status.REFUSED, "The audience is empty.")
        if too_large(receiving, schedule.expected_count):
            return close(
                Occurrence.Status.REFUSED,
                f"The audience grew to {receiving}, much more than the {schedule.expected_count} previewed.",
            )
        status_for = {
            "none": Delivery.Status.OPTED_OUT,
            "weekly": Delivery.Status.DEFERRED if weekly_held else Delivery.Status.PENDING,
        }
        deliveries = [
            Delivery(
                communication_id=communication.pk,
                occurrence_id=occurrence.pk,
                stakeholder_id=pk,
                email=email,
                status=status_for.get(choice, Delivery.Status.PENDING),
                next_attempt_at=now,
            )
            for pk, email, choice in rows
        ]
        Delivery.objects.bulk_create(deliveries, batch_size=2000, ignore_conflicts=True)
        occurrence.subject = communication.subject
        occurrence.body = communication.body
        occurrence.audience_count = receiving
        occurrence.status = Occurrence.Status.SENDING
        occurrence.materialized_at = now
        occurrence.save(update_fields=["subject", "body", "audience_count", "status", "materialized_at"])
        return len(deliveries)


def occurrences_finish() -> int:
    """Occurrences whose every delivery reached a final state are done."""
    open_deliveries = Delivery.objects.filter(
        occurrence=OuterRef("pk"), status__in=[Delivery.Status.PENDING, Delivery.Status.SENDING]
    )
    return (
        Occurrence.objects.filter(status=Occurrence.Status.SENDING)
        .exclude(Exists(open_deliveries))
        .update(status=Occurrence.Status.DONE)
    )


def communications_tick(*, now=None) -> TickResult:
    """The periodic sweep beat runs every minute; safe to run twice at once."""
    now = now or timezone.now()
    result = TickResult()
    result.occurrences_created = schedules_advance(now=now)
    due = Occurrence.objects.filter(status=Occurrence.Status.DUE, scheduled_for__lte=now).order_by(
        "scheduled_for"
    )
    for occurrence_id in due.values_list("pk", flat=True)[:100]:
        made = occurrence_materialize(occurrence_id=occurrence_id, now=now)
        result.deliveries_created += made
        result.occurrences_materialized += int(made > 0)
    occurrences_finish()
    result.claimable = Delivery.objects.claimable(now).count()
    return result


# --- Workers: claim, send, record ------------------------------------------------------------


def worker_token() -> str:
    return f"{socket.gethostname()[:30]}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


def deliveries_claim(*, token: str, limit: int, now=None) -> list[int]:
    """Claim up to `limit` deliveries (pending and due, or with an expired lease)."""
    now = now or timezone.now()
    lease_until = now + datetime.timedelta(seconds=lease_seconds())
    with transaction.atomic():
        # On PostgreSQL the rows are locked and others skip them; the update repeats the
        # conditions, so on databases without SKIP LOCKED (the embedded SQLite) a row another
        # worker claimed in the meantime is not taken twice.
        ids = list(
            Delivery.objects.claimable(now)
            .order_by("pk")
            .select_for_update(skip_locked=True)
            .values_list("pk", flat=True)[:limit]
        )
        if not ids:
            return []
        Delivery.objects.claimable(now).filter(pk__in=ids).update(
            status=Delivery.Status.SENDING, claimed_by=token, lease_until=lease_until, updated_at=now
        )
    return list(
        Delivery.objects.filter(
            pk__in=ids, claimed_by=token, status=Delivery.Status.SENDING, lease_until=lease_until
        ).values_list("pk", flat=True)
    )


TRANSIENT_CONNECTION_ERRORS = (smtplib.SMTPServerDisconnected, smtplib.SMTPConnectError, OSError)


# The table name is the model's own, never input.
MARK_SENT_SQL = (
    f"UPDATE {Delivery._meta.db_table} SET status = 'sent', sent_at = %s, attempts = attempts + 1, "  # noqa: S608
    "last_error = '', lease_until = NULL, updated_at = %s "
    "WHERE id = %s AND claimed_by = %s AND status = 'sending'"
)


class _Batch:
    """One claimed batch: one SMTP connection, each delivery recorded as soon as it is known."""

    RECHECK_EVERY = 20

    def __init__(self, *, token: str, ids: list[int]):
        self.token = token
        self.ids = ids
        self.claimed_at = timezone.now()
        self.prepared: dict[int, PreparedMessage] = {}
        self.templates: dict[int, FastTemplate] = {}
        # Over SMTP each recipient's bytes are made from a per-occurrence template (fastmail).
        self.smtp = isinstance(get_connection(), SMTPBackend)
        self.envelope_from = sanitize_address(settings.DEFAULT_FROM_EMAIL, settings.DEFAULT_CHARSET)
        self.processed = 0

    def _mine(self, delivery_id: int):
        return Delivery.objects.filter(pk=delivery_id, claimed_by=self.token, status=Delivery.Status.SENDING)

    def finish(self, delivery: Delivery, status: str, error: str = "", **extra) -> None:
        now = timezone.now()
        self._mine(delivery.pk).update(
            status=status, last_error=error[:500], lease_until=None, updated_at=now, **extra
        )
        self.processed += 1

    def mark_sent(self, delivery: Delivery, *, held_ids=None) -> None:
        """Record the acceptance at once, in one statement: the shorter the gap between the SMTP
        server's acceptance and this commit, the smaller the chance a crash resends the mail."""
        now = timezone.now()
        with transaction.atomic() if held_ids else contextlib.nullcontext(), db_connection.cursor() as cursor:
            # Plain SQL: this runs once per message of every large send.
            cursor.execute(MARK_SENT_SQL, [now, now, delivery.pk, self.token])
            updated = cursor.rowcount
            if updated and held_ids:
                # Messages held for this person's weekly digest were listed in it.
                Delivery.objects.filter(
                    pk__in=held_ids, stakeholder_id=delivery.stakeholder_id, status=Delivery.Status.DEFERRED
                ).update(status=Delivery.Status.DIGESTED, sent_at=now, updated_at=now)
        if not updated:
            logger.warning(
                "Delivery %s was sent but another worker had taken it over (lease expired).", delivery.pk
            )
        self.processed += 1

    def retry_later(self, delivery: Delivery, error: str) -> None:
        attempts = delivery.attempts + 1
        if attempts >= max_attempts():
            self.finish(
                delivery,
                Delivery.Status.FAILED,
                f"Gave up after {attempts} attempts: {error}",
                attempts=attempts,
            )
            return
        self.finish(
            delivery,
            Delivery.Status.PENDING,
            error,
            attempts=attempts,
            next_attempt_at=timezone.now() + backoff(attempts),
        )

    def release(self, ids: list[int], *, delay: datetime.timedelta, error: str) -> None:
        """Give back deliveries this batch did not get to (the connection broke)."""
        if ids:
            Delivery.objects.filter(pk__in=ids, claimed_by=self.token, status=Delivery.Status.SENDING).update(
                status=Delivery.Status.PENDING,
                next_attempt_at=timezone.now() + delay,
                lease_until=None,
                last_error=error[:500],
            )

    def renew_lease(self, ids: list[int]) -> None:
        now = timezone.now()
        if (now - self.claimed_at).total_seconds() > lease_seconds() / 3 and ids:
            Delivery.objects.filter(pk__in=ids, claimed_by=self.token, status=Delivery.Status.SENDING).update(
                lease_until=now + datetime.timedelta(seconds=lease_seconds())
            )
            self.claimed_at = now

    def current_state(self, ids: list[int]) -> dict[int, dict]:
        """Re-read what may have changed since the claim: cancellation, opt-outs, bounces."""
        choice = CommunicationPreference.objects.filter(
            stakeholder=OuterRef("stakeholder_id"), category=OuterRef("communication__category")
        ).values("delivery")[:1]
        rows = (
            Delivery.objects.filter(pk__in=ids)
            .annotate(choice=Subquery(choice))
            .values(
                "pk",
                "choice",
                "communication__status",
                "stakeholder__is_active",
                "stakeholder__email_bounced_at",
                "stakeholder__email",
            )
        )
        return {row["pk"]: row for row in rows}

    def message_for(self, delivery: Delivery, state: dict):
        """The EmailMessage for `delivery`, or (status, reason) when it must not go out."""
        communication = delivery.communication
        occurrence = delivery.occurrence
        if state["communication__status"] == Communication.Status.CANCELLED:
            return None, (Delivery.Status.CANCELLED, "Cancelled")
        if not state["stakeholder__is_active"]:
            return None, (Delivery.Status.SKIPPED, "The stakeholder is no longer active.")
        if state["stakeholder__email_bounced_at"] is not None:
            return None, (Delivery.Status.SKIPPED, "Address bounced")
        if state["choice"] == CommunicationPreference.Delivery.NONE:
            return None, (Delivery.Status.OPTED_OUT, "Opted out before sending")
        if state["choice"] == CommunicationPreference.Delivery.WEEKLY and held_for_digest(
            communication.category
        ):
            return None, (Delivery.Status.DEFERRED, "Held for the weekly digest")
        extra, attachments, held_ids = {}, [], None
        if communication.context_provider:
            provider = get_context_provider(communication.context_provider)
            if provider is None:
                raise LookupError(f"No context provider {communication.context_provider!r} in this process")
            result = provider(communication=communication, stakeholder=delivery.stakeholder)
            if result.skip:
                return None, (Delivery.Status.SKIPPED, result.reason or "Skipped by its context provider")
            extra, attachments = result.context, result.attachments
            held_ids = result.context.get("digest_held_ids")
        prepared = self.prepared.get(occurrence.pk)
        if prepared is None:
            prepared = prepare_message(
                subject=occurrence.subject or communication.subject,
                body=occurrence.body or communication.body,
                category_label=communication.get_category_display(),
            )
            self.prepared[occurrence.pk] = prepared
        values = recipient_values(communication=communication, stakeholder=delivery.stakeholder, extra=extra)
        if self.smtp and not attachments:
            template = self.templates.get(occurrence.pk)
            if template is None:
                template = FastTemplate(
                    prepared=prepared, build_email=build_email, category=communication.category
                )
                self.templates[occurrence.pk] = template
            to = formataddr((delivery.stakeholder.full_name, state["stakeholder__email"]))
            fast = template.render(
                values=values, to=to, message_id=delivery.message_id, envelope_to=state["stakeholder__email"]
            )
            if fast is not None:
                return (fast, held_ids), None
        subject, text, html = prepared.for_recipient(values)
        message = build_email(
            subject=subject,
            text=text,
            html=html,
            to=state["stakeholder__email"],
            name=delivery.stakeholder.full_name,
            message_id=delivery.message_id,
            unsubscribe=values["unsubscribe_url"],
            category=communication.category,
        )
        for attachment in attachments:
            message.attach(attachment.filename, attachment.content, attachment.mimetype)
        return (message, held_ids), None

    def run(self) -> int:
        deliveries = {
            d.pk: d
            for d in Delivery.objects.filter(pk__in=self.ids, claimed_by=self.token).select_related(
                "communication__project",
                "communication__advisory_body",
                "communication__author",
                "occurrence",
                "stakeholder__sea",
                "stakeholder__office__sea",
                "stakeholder__district",
                "stakeholder__partner_center",
                "stakeholder__organization",
            )
        }
        order = [pk for pk in self.ids if pk in deliveries]
        connection = None
        relaxed = db_connection.vendor == "postgresql" and not db_connection.in_atomic_block
        # A session-level SET would stick to whichever server connection PgBouncer lent us.
        relaxed = relaxed and not getattr(settings, "DATABASE_PGBOUNCER", False)
        if relaxed:
            # The mails are already out when their rows are marked: waiting for each WAL flush
            # would only widen the window in which a crash resends one. Should PostgreSQL itself
            # crash before a flush, that delivery is sent again with the same Message-ID; it is
            # never lost.
            with db_connection.cursor() as cursor:
                cursor.execute("SET synchronous_commit TO OFF")
        try:
            for start in range(0, len(order), self.RECHECK_EVERY):
                chunk = order[start : start + self.RECHECK_EVERY]
                self.renew_lease(order[start:])
                state = self.current_state(chunk)
                for position, pk in enumerate(chunk):
                    delivery = deliveries[pk]
                    self.renew_lease(order[start + position :])
                    try:
                        built, verdict = self.message_for(delivery, state[pk])
                    except Exception as exc:  # noqa: BLE001 - a provider or template failing is retried, bounded
                        logger.exception("Could not build delivery %s", pk)
                        self.retry_later(delivery, f"Could not build the message: {exc}")
                        continue
                    if verdict is not None:
                        self.finish(delivery, *verdict)
                        continue
                    message, held_ids = built
                    if connection is None:
                        connection = get_connection()
                        try:
                            connection.open()
                        except TRANSIENT_CONNECTION_ERRORS + (smtplib.SMTPException,) as exc:
                            self.release(
                                order[start + position :],
                                delay=backoff(1),
                                error=f"Mail server unavailable: {exc}",
                            )
                            connection = None
                            return self.processed
                    message.connection = connection
                    try:
                        if isinstance(message, PreparedEmail):
                            # Ready-made bytes over the backend's open SMTP connection.
                            connection.connection.sendmail(
                                self.envelope_from, [message.envelope_to], message.raw
                            )
                        else:
                            connection.send_messages([message])
                    except smtplib.SMTPRecipientsRefused as exc:
                        code, reason = next(iter(exc.recipients.values()), (550, b""))
                        text = f"{code} {reason.decode(errors='replace') if isinstance(reason, bytes) else reason}"
                        if code >= 500:
                            self.finish(delivery, Delivery.Status.FAILED, f"Hard bounce: {text}")
                            from .services import stakeholder_record_bounce

                            stakeholder_record_bounce(stakeholder=delivery.stakeholder, reason=text)
                        else:
                            self.retry_later(delivery, f"Recipient deferred: {text}")
                    except smtplib.SMTPResponseException as exc:
                        text = f"{exc.smtp_code} {exc.smtp_error!r}"
                        if 400 <= exc.smtp_code < 500:
                            self.retry_later(delivery, f"Temporary failure: {text}")
                        else:
                            self.finish(
                                delivery, Delivery.Status.FAILED, f"Refused by the mail server: {text}"
                            )
                    except TRANSIENT_CONNECTION_ERRORS as exc:
                        self.retry_later(delivery, f"Connection failed: {exc!r}")
                        rest = chunk[position + 1 :] + order[start + len(chunk) :]
                        self.release(rest, delay=backoff(1), error=f"Connection failed: {exc!r}")
                        return self.processed
                    else:
                        self.mark_sent(delivery, held_ids=held_ids)
        finally:
            if connection is not None:
                with contextlib.suppress(Exception):  # closing a broken connection
                    connection.close()
            if relaxed:
                with contextlib.suppress(Exception), db_connection.cursor() as cursor:
                    cursor.execute("RESET synchronous_commit")
        return self.processed


def build_email(
    *,
    subject: str,
    text: str,
    html: str,
    to: str,
    name: str,
    message_id: str,
    unsubscribe: str,
    category: str,
) -> EmailMultiAlternatives:
    message = EmailMultiAlternatives(
        subject=subject,
        body=text,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[formataddr((name, to))],
        headers={
            "Message-ID": message_id,
            # RFC 8058 one-click unsubscribe (RFC 2369 List-Unsubscribe).
            "List-Unsubscribe": f"<{unsubscribe}>",
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
            "X-R2CC-Category": category,
        },
    )
    message.attach_alternative(html, "text/html")
    return message


def deliveries_send_batch(*, token: str | None = None, limit: int | None = None) -> int:
    """Claim one batch and send it; returns how many deliveries were settled (0: nothing to do)."""
    token = token or worker_token()
    ids = deliveries_claim(token=token, limit=limit or batch_size())
    if not ids:
        return 0
    return _Batch(token=token, ids=ids).run() or len(ids)


def deliveries_send_all(*, budget_seconds: float = 45.0) -> tuple[int, bool]:
    """Send batches until nothing is claimable or the time budget is used up.

    Returns (settled, more_left).
    """
    token = worker_token()
    started = timezone.now()
    settled = 0
    while True:
        done = deliveries_send_batch(token=token)
        if not done:
            return settled, False
        settled += done
        if (timezone.now() - started).total_seconds() > budget_seconds:
            return settled, Delivery.objects.claimable().exists()
