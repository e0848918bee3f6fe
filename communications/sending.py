"""The sending loop: due schedules become occurrences, due occurrences become deliveries,
workers claim deliveries under a lease and send them.

Every step is safe to run twice or concurrently (a second beat, a redelivered task, a worker
killed mid-batch or frozen past its lease): occurrences are unique per (schedule, time),
deliveries per (communication, occurrence, recipient), rows are claimed with FOR UPDATE SKIP
LOCKED and a lease, and leases are fenced: their expiry comes from the database's clock, and
before each message goes to the SMTP server (DATA) one conditional statement confirms that this
worker still holds the row (its token, an unexpired lease), re-reads what may stop the mail
(cancellation, opt-out, bounce, inactive recipient) and holds the row for the transaction. The
same statement records the previous message's acceptance, so no message is accepted before the
previous one is recorded. A row the worker lost is skipped, counted and logged. The only window
for a duplicate is a message accepted but not yet recorded when its worker died (at most one
per worker process); the resend then carries the same Message-ID.
"""

import contextlib
import datetime
import logging
import os
import smtplib
import socket
import time
import uuid
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from email.utils import formataddr

from django.conf import settings
from django.core.mail import get_connection
from django.core.mail.backends.smtp import EmailBackend as SMTPBackend
from django.core.mail.message import sanitize_address
from django.db import connection as db_connection
from django.db import connections, transaction
from django.db.models import Case, Count, Exists, F, OuterRef, Q, Value, When
from django.db.models.functions import Concat, Left, Now
from django.utils import timezone

from stakeholders.models import CommunicationPreference, Stakeholder

from . import recurrence
from .audience import audience_queryset, held_for_digest, too_large, with_preference
from .bounces import stakeholder_record_bounce
from .fastmail import FastTemplate, PreparedEmail
from .models import Communication, Delivery, MailServerStatus, Occurrence, Schedule
from .rendering import PreparedMessage, message_prepare, recipient_message

logger = logging.getLogger(__name__)


def _setting(name: str, default):
    return getattr(settings, name, default)


def lease_seconds() -> int:
    return int(_setting("COMMUNICATIONS_LEASE_SECONDS", 120))


def batch_size() -> int:
    return int(_setting("COMMUNICATIONS_BATCH_SIZE", 500))


def max_attempts() -> int:
    return int(_setting("COMMUNICATIONS_MAX_ATTEMPTS", 5))


def in_flight_seconds() -> int:
    """How long a row whose SMTP transaction began stays held by its worker (see settings)."""
    return max(int(_setting("COMMUNICATIONS_IN_FLIGHT_SECONDS", 600)), lease_seconds())


def delivery_deadline() -> datetime.timedelta:
    """A delivery not sent this long after it was queued fails (an MTA's queue lifetime)."""
    return datetime.timedelta(seconds=int(_setting("COMMUNICATIONS_DELIVERY_DEADLINE_SECONDS", 48 * 3600)))


def duration_text(delta: datetime.timedelta) -> str:
    seconds = int(delta.total_seconds())
    for unit, size in (("day", 86400), ("hour", 3600), ("minute", 60)):
        if seconds >= size and seconds % size == 0 and not (unit == "day" and seconds < 3 * 86400):
            count = seconds // size
            return f"{count} {unit}{'s' if count != 1 else ''}"
    return f"{seconds} seconds"


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
        # Everyone but those who opted out (no choice recorded is the default, immediate).
        counts = people.aggregate(
            everyone=Count("pk"),
            opted_out=Count("pk", filter=Q(delivery_choice=CommunicationPreference.Delivery.NONE)),
        )
        receiving = counts["everyone"] - counts["opted_out"]
        if receiving == 0:
            return close(Occurrence.Status.REFUSED, "The audience is empty.")
        if too_large(receiving, schedule.expected_count):
            return close(
                Occurrence.Status.REFUSED,
                f"The audience grew to {receiving}, much more than the {schedule.expected_count} previewed.",
            )
        created = _deliveries_insert(
            communication=communication, occurrence=occurrence, people=people, now=now
        )
        occurrence.subject = communication.subject
        occurrence.body = communication.body
        occurrence.audience_count = receiving
        occurrence.status = Occurrence.Status.SENDING
        occurrence.materialized_at = now
        occurrence.save(update_fields=["subject", "body", "audience_count", "status", "materialized_at"])
        return created


def _deliveries_insert(*, communication, occurrence, people, now) -> int:
    """One delivery per person of `people` (annotated with their `delivery_choice`), written by
    the database from the audience query itself: a campaign's tens of thousands of rows are
    neither loaded nor sent back. Existing rows (a materialization run twice) are kept."""
    vendor = db_connection.vendor
    clock = _clock_sql(vendor)[0]
    audience = people.values(recipient=F("pk"), address=F("email"), choice=F("delivery_choice"))
    sql, params = audience.query.sql_with_params()
    weekly = Delivery.Status.DEFERRED if held_for_digest(communication.category) else Delivery.Status.PENDING
    # Table names are the models' own; retry times, like leases, are read against the database's
    # clock. WHERE true: SQLite reads ON CONFLICT after a SELECT only then.
    insert = (
        f"INSERT INTO {_D} (communication_id, occurrence_id, stakeholder_id, email, status, "  # noqa: S608
        "attempts, next_attempt_at, claimed_by, last_error, queued_at, created_at, updated_at) "
        "SELECT %s, %s, audience.recipient, audience.address, "
        "CASE audience.choice WHEN %s THEN %s WHEN %s THEN %s ELSE %s END, "
        f"0, {clock}, '', '', %s, %s, %s FROM ({sql}) AS audience WHERE true "
        "ON CONFLICT DO NOTHING"
    )
    choices = CommunicationPreference.Delivery
    with db_connection.cursor() as cursor:
        cursor.execute(
            insert,
            [
                communication.pk,
                occurrence.pk,
                choices.NONE,
                Delivery.Status.OPTED_OUT,
                choices.WEEKLY,
                weekly,
                Delivery.Status.PENDING,
                now,
                now,
                now,
                *params,
            ],
        )
        return cursor.rowcount


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
    deliveries_expire(now=now)
    occurrences_finish()
    result.claimable = Delivery.objects.claimable().count()
    return result


UNREACHABLE = "Mail server unavailable"


def deliveries_expire(*, now=None) -> int:
    """Fail the deliveries still waiting past their deadline, with the last reason they waited.

    Workers fail a row themselves when an attempt past the deadline fails; this catches the rows
    no worker reached in time (all workers down, or a backoff ending after the deadline).
    """
    now = now or timezone.now()
    deadline = delivery_deadline()
    span = duration_text(deadline)
    prefix = f"Not sent within {span}"
    return Delivery.objects.filter(status=Delivery.Status.PENDING, queued_at__lte=now - deadline).update(
        status=Delivery.Status.FAILED,
        last_error=Left(
            Case(
                When(last_error="", then=Value(prefix + ".")),
                When(
                    last_error__startswith=UNREACHABLE,
                    then=Concat(Value(f"Mail server unreachable for {span}: "), F("last_error")),
                ),
                default=Concat(Value(prefix + ": "), F("last_error")),
            ),
            500,
        ),
        lease_until=None,
        updated_at=now,
    )


# --- Workers: claim, confirm, send, record ---------------------------------------------------


def worker_token() -> str:
    return f"{socket.gethostname()[:30]}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


def _db_clock_later(seconds: int):
    """The database's clock plus `seconds` (never a worker's clock: leases are fenced on it)."""
    return Now() + datetime.timedelta(seconds=seconds)


def deliveries_claim(*, token: str, limit: int) -> list[int]:
    """Claim up to `limit` deliveries (pending and due, or with an expired lease).

    The lease ends `COMMUNICATIONS_LEASE_SECONDS` after the database's clock.
    """
    with transaction.atomic():
        # On PostgreSQL the rows are locked and others skip them; the update repeats the
        # conditions, so on databases without SKIP LOCKED (the embedded SQLite) a row another
        # worker claimed in the meantime is not taken twice.
        ids = list(
            Delivery.objects.claimable()
            .order_by("pk")
            .select_for_update(skip_locked=True)
            .values_list("pk", flat=True)[:limit]
        )
        if not ids:
            return []
        Delivery.objects.claimable().filter(pk__in=ids).update(
            status=Delivery.Status.SENDING,
            claimed_by=token,
            lease_until=_db_clock_later(lease_seconds()),
            updated_at=Now(),
        )
    return list(
        Delivery.objects.filter(pk__in=ids, claimed_by=token, status=Delivery.Status.SENDING).values_list(
            "pk", flat=True
        )
    )


TRANSIENT_CONNECTION_ERRORS = (smtplib.SMTPServerDisconnected, smtplib.SMTPConnectError, OSError)


def _clock_sql(vendor: str) -> tuple[str, str]:
    """(now, now plus a parameter) in the database's own clock, for the raw statements below."""
    if vendor == "postgresql":
        return "statement_timestamp()", "statement_timestamp() + %s * interval '1 second'"
    # SQLite keeps datetimes as UTC text in this format (Django's own Now() on SQLite).
    return "strftime('%%Y-%%m-%%d %%H:%%M:%%f', 'now')", "strftime('%%Y-%%m-%%d %%H:%%M:%%f', 'now', %s)"


def _seconds_param(vendor: str, seconds: int):
    return seconds if vendor == "postgresql" else f"+{int(seconds)} seconds"


_D = Delivery._meta.db_table
_C = Communication._meta.db_table
_S = Stakeholder._meta.db_table
_P = CommunicationPreference._meta.db_table

CONFIRM_COLUMNS = (
    "communication_status",
    "stakeholder_active",
    "stakeholder_bounced",
    "stakeholder_email",
    "choice",
    "user_active",
    "user_email",
)


def _confirm_parts(vendor: str) -> tuple[str, list[str]]:
    """(the fenced UPDATE without its RETURNING, the expressions it returns, in CONFIRM_COLUMNS'
    order); see `_confirm_sql`."""
    from django.contrib.auth import get_user_model

    users = get_user_model()._meta.db_table
    now, later = _clock_sql(vendor)
    # Table names are the models' own, never input.
    update = (
        f"UPDATE {_D} SET lease_until = {later}, updated_at = {now} "  # noqa: S608
        f"WHERE id = %s AND claimed_by = %s AND status = 'sending' AND lease_until > {now}"
    )
    returning = [
        f"(SELECT c.status FROM {_C} c WHERE c.id = {_D}.communication_id)",  # noqa: S608
        f"(SELECT s.is_active FROM {_S} s WHERE s.id = {_D}.stakeholder_id)",  # noqa: S608
        f"(SELECT s.email_bounced_at IS NOT NULL FROM {_S} s WHERE s.id = {_D}.stakeholder_id)",  # noqa: S608
        f"(SELECT s.email FROM {_S} s WHERE s.id = {_D}.stakeholder_id)",  # noqa: S608
        (
            f"(SELECT p.delivery FROM {_P} p JOIN {_C} c ON c.category = p.category "  # noqa: S608
            f"WHERE c.id = {_D}.communication_id AND p.stakeholder_id = {_D}.stakeholder_id)"
        ),
        f"(SELECT u.is_active FROM {users} u WHERE u.id = {_D}.user_id)",  # noqa: S608
        f"(SELECT u.email FROM {users} u WHERE u.id = {_D}.user_id)",  # noqa: S608
    ]
    return update, returning


def _confirm_sql(vendor: str) -> str:
    """Right before an SMTP transaction, in one statement: does this worker still hold the row
    (its token, status sending, an unexpired lease by the database's clock)? If so, hold it for
    the transaction and return what may stop the mail, read at this very moment."""
    update, returning = _confirm_parts(vendor)
    return f"{update} RETURNING {', '.join(returning)}"


# Fenced on the token: a row another worker has taken over is not marked by this one.
MARK_SENT_SQL = (
    f"UPDATE {_D} SET status = 'sent', sent_at = %s, attempts = attempts + 1, "  # noqa: S608
    "last_error = '', lease_until = NULL, updated_at = %s "
    "WHERE id = %s AND claimed_by = %s AND status = 'sending'"
)


# The parameters of MARK_AND_CONFIRM, in the order of a prepared statement's $1, $2...
MARK_AND_CONFIRM_PARAMETERS = ("previous", "next", "token", "sent_at", "in_flight")
MARK_AND_CONFIRM_NAME = "r2cc_delivery_sent_and_next"


def _mark_and_confirm_sql(placeholder) -> str:
    """PostgreSQL: the mark of the previous message's acceptance (like MARK_SENT_SQL) and the
    next row's confirmation (like `_confirm_sql`) in one single-table statement on two rows, so a
    message costs one short round trip. Each row is fenced on the token; the next one also on its
    lease. It returns the ids it changed, and for the next row what may stop the mail.
    `placeholder(name)` writes a parameter (see MARK_AND_CONFIRM_PARAMETERS)."""
    returning = _confirm_parts("postgresql")[1]
    now = "statement_timestamp()"
    previous = f"id = {placeholder('previous')}"
    state = ", ".join(
        f"CASE WHEN {previous} THEN NULL ELSE {expression} END"
        for expression in returning  # the previous row's state is not needed
    )
    return (
        f"UPDATE {_D} SET "  # noqa: S608 - table names are the models' own, never input
        f"status = CASE WHEN {previous} THEN 'sent' ELSE status END, "
        f"sent_at = CASE WHEN {previous} THEN {placeholder('sent_at')}::timestamptz ELSE sent_at END, "
        f"attempts = CASE WHEN {previous} THEN attempts + 1 ELSE attempts END, "
        f"last_error = CASE WHEN {previous} THEN '' ELSE last_error END, "
        f"lease_until = CASE WHEN {previous} THEN NULL "
        f"ELSE {now} + {placeholder('in_flight')}::integer * interval '1 second' END, "
        f"updated_at = {now} "
        f"WHERE claimed_by = {placeholder('token')}::text AND status = 'sending' "
        f"AND ({previous} OR (id = {placeholder('next')}::bigint AND lease_until > {now})) "
        f"RETURNING id, {state}"
    )


def _mark_and_confirm_statement() -> tuple[str, list[str] | None]:
    """(SQL, parameter order) of the statement each message runs (see `_mark_and_confirm_sql`).

    Prepared once per database session, it is planned once rather than for every message; the
    order is None for the plain statement, which takes named parameters. Behind PgBouncer in
    transaction mode a session's prepared statements are not ours to keep: the plain one is used.
    """
    if getattr(settings, "DATABASE_PGBOUNCER", False):
        return _mark_and_confirm_sql(lambda name: f"%({name})s"), None
    with db_connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_prepared_statements WHERE name = %s", [MARK_AND_CONFIRM_NAME])
        if cursor.fetchone() is None:
            sql = _mark_and_confirm_sql(lambda name: f"${MARK_AND_CONFIRM_PARAMETERS.index(name) + 1}")
            # % doubled: Django passes the statement through the driver's parameter formatting.
            cursor.execute(f"PREPARE {MARK_AND_CONFIRM_NAME} AS {sql}".replace("%", "%%"), [])
    placeholders = ", ".join(["%s"] * len(MARK_AND_CONFIRM_PARAMETERS))
    return f"EXECUTE {MARK_AND_CONFIRM_NAME}({placeholders})", list(MARK_AND_CONFIRM_PARAMETERS)


def mail_server_record(*, reachable: bool, error: str = "") -> MailServerStatus:
    """Record how a worker just found the mail server (one row; one statement when it exists)."""
    state = MailServerStatus.State.OK if reachable else MailServerStatus.State.UNREACHABLE
    now = timezone.now()
    fields = {"state": state, "checked_at": now, "last_error": error[:500]}
    updated = MailServerStatus.objects.filter(pk=MailServerStatus.SINGLETON).update(
        since=Case(When(state=state, then=F("since")), default=Value(now)), **fields
    )
    if not updated:
        MailServerStatus.objects.bulk_create(
            [MailServerStatus(pk=MailServerStatus.SINGLETON, since=now, **fields)], ignore_conflicts=True
        )
    return MailServerStatus.objects.get(pk=MailServerStatus.SINGLETON)


def mail_server_status() -> MailServerStatus | None:
    return MailServerStatus.objects.filter(pk=MailServerStatus.SINGLETON).first()


def _smtp_reset(smtp: smtplib.SMTP, code: int) -> None:
    """After a refusal, like smtplib's sendmail: a 421 ends the session, anything else resets it."""
    if code == 421:
        smtp.close()
    else:
        with contextlib.suppress(smtplib.SMTPServerDisconnected):
            smtp.rset()


def smtp_envelope(smtp: smtplib.SMTP, sender: str, message: PreparedEmail) -> None:
    """MAIL FROM and RCPT TO of `message`: the first half of smtplib's sendmail, raising what it
    raises. Nothing is accepted until `smtp_data`; a session stopped here is reset with RSET."""
    smtp.ehlo_or_helo_if_needed()
    options = [f"size={len(message.raw)}"] if smtp.does_esmtp and smtp.has_extn("size") else []
    code, reply = smtp.mail(sender, options)
    if code != 250:
        _smtp_reset(smtp, code)
        raise smtplib.SMTPSenderRefused(code, reply, sender)
    code, reply = smtp.rcpt(message.envelope_to)
    if code not in (250, 251):
        _smtp_reset(smtp, code)
        raise smtplib.SMTPRecipientsRefused({message.envelope_to: (code, reply)})


def smtp_data(smtp: smtplib.SMTP, message: PreparedEmail) -> None:
    """DATA and the message: the second half of smtplib's sendmail. The server accepts the
    message when it has read the final dot."""
    code, reply = smtp.data(message.raw)
    if code != 250:
        _smtp_reset(smtp, code)
        raise smtplib.SMTPDataError(code, reply)


@dataclass
class MessageCache:
    """Each occurrence's message, made once for every batch of a sending run (its content was
    frozen when the occurrence was materialized)."""

    prepared: dict[tuple[int, bool], PreparedMessage] = field(default_factory=dict)
    templates: dict[int, FastTemplate] = field(default_factory=dict)


class _Batch:
    """One claimed batch: one SMTP connection, each delivery confirmed right before its SMTP
    transaction and recorded as soon as its outcome is known."""

    def __init__(self, *, token: str, ids: list[int], cache: MessageCache | None = None):
        self.token = token
        self.ids = ids
        self.renewed_at = time.monotonic()
        cache = cache or MessageCache()
        self.prepared = cache.prepared
        self.templates = cache.templates
        # Over SMTP each recipient's bytes are made from a per-occurrence template (fastmail).
        self.smtp = isinstance(get_connection(), SMTPBackend)
        self.envelope_from = sanitize_address(settings.DEFAULT_FROM_EMAIL, settings.DEFAULT_CHARSET)
        self.vendor = db_connection.vendor
        self.confirm_sql = _confirm_sql(self.vendor)
        # PostgreSQL: an acceptance is recorded together with the next row's confirmation.
        self.mark_and_confirm_sql, self.mark_and_confirm_order = (
            _mark_and_confirm_statement() if self.vendor == "postgresql" else (None, None)
        )
        self.unrecorded: Delivery | None = None
        self.connection = None  # the batch's SMTP connection, once a message needs it
        self.in_flight = _seconds_param(self.vendor, in_flight_seconds())
        self.processed = 0
        self.lost: list[int] = []
        self.accepted_after_loss: list[int] = []

    def _mine(self, ids):
        return Delivery.objects.filter(pk__in=ids, claimed_by=self.token, status=Delivery.Status.SENDING)

    def confirm(self, delivery: Delivery) -> dict | None:
        """The fence: this worker's current state of `delivery`, or None if it lost the row.
        The previous message's acceptance, when not yet recorded, is recorded in the same
        statement."""
        previous, self.unrecorded = self.unrecorded, None
        with db_connection.cursor() as cursor:
            if previous is None:
                cursor.execute(self.confirm_sql, [self.in_flight, delivery.pk, self.token])
                row = cursor.fetchone()
            else:
                parameters = {
                    "previous": previous.pk,
                    "next": delivery.pk,
                    "token": self.token,
                    "sent_at": timezone.now(),
                    "in_flight": self.in_flight,
                }
                if self.mark_and_confirm_order is not None:
                    parameters = [parameters[name] for name in self.mark_and_confirm_order]
                cursor.execute(self.mark_and_confirm_sql, parameters)
                rows = {pk: columns for pk, *columns in cursor.fetchall()}
                self._check_marked(previous, int(previous.pk in rows))
                row = rows.get(delivery.pk)
        if row is None:
            self.lost.append(delivery.pk)
            return None
        return dict(zip(CONFIRM_COLUMNS, row, strict=True))

    def record_unrecorded(self) -> None:
        """Record the last acceptance that waits for the next confirmation (end of the batch)."""
        previous, self.unrecorded = self.unrecorded, None
        if previous is not None:
            now = timezone.now()
            with db_connection.cursor() as cursor:
                cursor.execute(MARK_SENT_SQL, [now, now, previous.pk, self.token])
                self._check_marked(previous, cursor.rowcount)

    def _check_marked(self, delivery: Delivery, updated: int) -> None:
        if not updated:
            # Only possible when an SMTP transaction outlived COMMUNICATIONS_IN_FLIGHT_SECONDS
            # (or the communication was cancelled while it ran).
            self.accepted_after_loss.append(delivery.pk)
            logger.error(
                "Delivery %s was accepted by the mail server after this worker had lost the row.",
                delivery.pk,
            )

    def finish(self, delivery: Delivery, status: str, error: str = "", **extra) -> None:
        self._mine([delivery.pk]).update(
            status=status, last_error=error[:500], lease_until=None, updated_at=Now(), **extra
        )
        self.processed += 1

    def mark_sent(self, delivery: Delivery, *, held_ids=None) -> None:
        """Record the acceptance as soon as possible: the shorter the gap between the SMTP
        server's acceptance and this commit, the smaller the chance a crash resends the mail.
        On PostgreSQL a plain acceptance rides on the next statement the batch sends anyway (the
        next row's confirmation, else the end of the batch), right after this returns."""
        if self.mark_and_confirm_sql is not None and not held_ids:
            self.unrecorded = delivery
            self.processed += 1
            return
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
        self._check_marked(delivery, updated)
        self.processed += 1

    def _past_deadline(self, delivery: Delivery) -> bool:
        return delivery.queued_at <= timezone.now() - delivery_deadline()

    def retry_later(self, delivery: Delivery, error: str) -> None:
        attempts = delivery.attempts + 1
        if attempts >= max_attempts():
            reason = f"Gave up after {attempts} attempts: {error}"
        elif self._past_deadline(delivery):
            reason = f"Not sent within {duration_text(delivery_deadline())}: {error}"
        else:
            self.finish(
                delivery,
                Delivery.Status.PENDING,
                error,
                attempts=attempts,
                next_attempt_at=_db_clock_later(int(backoff(attempts).total_seconds())),
            )
            return
        self.finish(delivery, Delivery.Status.FAILED, reason, attempts=attempts)

    def release(self, ids: list[int], *, error: str) -> None:
        """Give back deliveries this batch did not get to because the mail server could not be
        reached, without counting an attempt; past their deadline they fail with the reason."""
        if not ids:
            return
        status = mail_server_record(reachable=False, error=error)
        outage = (timezone.now() - status.since).total_seconds()
        # The longer the outage, the longer the wait (from the base retry time to 15 minutes).
        delay = int(min(max(retry_base_seconds(), outage), 900))
        expired = Q(queued_at__lte=timezone.now() - delivery_deadline())
        gave_up = f"Mail server unreachable for {duration_text(delivery_deadline())}: {error}"
        self._mine(ids).update(
            status=Case(
                When(expired, then=Value(Delivery.Status.FAILED)), default=Value(Delivery.Status.PENDING)
            ),
            last_error=Case(When(expired, then=Value(gave_up[:500])), default=Value(error[:500])),
            next_attempt_at=_db_clock_later(delay),
            lease_until=None,
            updated_at=Now(),
        )

    def renew_lease(self, ids: list[int]) -> None:
        """Extend the lease of the rows still to send, fenced like the claim: a row whose lease
        has already expired is not taken back (another worker may hold it now)."""
        if ids and time.monotonic() - self.renewed_at > lease_seconds() / 3:
            self._mine(ids).filter(lease_until__gt=Now()).update(lease_until=_db_clock_later(lease_seconds()))
            self.renewed_at = time.monotonic()

    def addressee(self, delivery: Delivery, state: dict):
        """((address, name), None) of `delivery`, or (None, (status, reason)) when it must not go out."""
        if state["communication_status"] == Communication.Status.CANCELLED:
            return None, (Delivery.Status.CANCELLED, "Cancelled")
        if delivery.to_user:
            # A portal user (center staff, or the sender of a test): the stakeholder's opt-outs
            # and bounces are not theirs.
            if not state["user_active"] or not state["user_email"]:
                return None, (Delivery.Status.SKIPPED, "The user is inactive or has no e-mail address.")
            return (state["user_email"], delivery.user.get_full_name() or delivery.user.get_username()), None
        if not state["stakeholder_active"]:
            return None, (Delivery.Status.SKIPPED, "The stakeholder is no longer active.")
        if state["stakeholder_bounced"]:
            return None, (Delivery.Status.SKIPPED, "Address bounced")
        if state["choice"] == CommunicationPreference.Delivery.NONE:
            return None, (Delivery.Status.OPTED_OUT, "Opted out before sending")
        if state["choice"] == CommunicationPreference.Delivery.WEEKLY and held_for_digest(
            delivery.communication.category
        ):
            return None, (Delivery.Status.DEFERRED, "Held for the weekly digest")
        return (state["stakeholder_email"], delivery.stakeholder.full_name), None

    def prepared_for(self, delivery: Delivery) -> PreparedMessage:
        """The occurrence's message rendered once per batch (for stakeholders, and for staff)."""
        to_staff = delivery.stakeholder_id is None
        key = (delivery.occurrence_id, to_staff)
        if key not in self.prepared:
            self.prepared[key] = message_prepare(
                communication=delivery.communication, occurrence=delivery.occurrence, to_staff=to_staff
            )
        return self.prepared[key]

    def fast_email(self, delivery: Delivery, recipient, address: str, name: str) -> PreparedEmail | None:
        """The ready-made bytes of a plain stakeholder mail over SMTP (fastmail), else None."""
        if not self.smtp or recipient.attachments or delivery.stakeholder_id is None:
            return None
        template = self.templates.get(delivery.occurrence_id)
        if template is None:
            template = FastTemplate(prepared=recipient.prepared, category=delivery.communication.category)
            self.templates[delivery.occurrence_id] = template
        return template.render(
            values=recipient.values,
            to=formataddr((name, address)),
            message_id=delivery.message_id,
            envelope_to=address,
        )

    def loaded_addressee(self, delivery: Delivery) -> tuple[str, str] | None:
        """(address, name) of a plain stakeholder mail as the batch loaded its row, when its
        message can be made and its envelope opened ahead of the confirmation (see `step`); None
        when the message depends on more than the loaded row (a context provider, staff)."""
        communication = delivery.communication
        stakeholder = delivery.stakeholder
        if self.connection is None or stakeholder is None or communication.context_provider:
            return None
        if communication.status == Communication.Status.CANCELLED or not stakeholder.is_active:
            return None
        return stakeholder.email, stakeholder.full_name

    def open_ahead(self, delivery: Delivery) -> PreparedEmail | None:
        """On the envelope thread: make the message of `delivery` from the loaded row and open its
        envelope (MAIL FROM, RCPT TO). None, with nothing sent, when it cannot be made ahead."""
        try:
            address, name = self.loaded_addressee(delivery)
            recipient = recipient_message(
                communication=delivery.communication,
                prepared=self.prepared_for(delivery),
                stakeholder=delivery.stakeholder,
            )
            email = self.fast_email(delivery, recipient, address, name)
        except Exception:  # noqa: BLE001 - made again after the confirmation, which records the error
            email = None
        finally:
            connections.close_all()  # none is opened here; should one ever be, it does not leak
        if email is not None:
            smtp_envelope(self.connection.connection, self.envelope_from, email)
        return email

    def message_for(self, delivery: Delivery, state: dict):
        """The EmailMessage for `delivery`, or (status, reason) when it must not go out."""
        to, verdict = self.addressee(delivery, state)
        if verdict is not None:
            return None, verdict
        address, name = to
        recipient = recipient_message(
            communication=delivery.communication,
            prepared=self.prepared_for(delivery),
            stakeholder=delivery.stakeholder,
            user=delivery.user,
        )
        if recipient.skipped:
            return None, (Delivery.Status.SKIPPED, recipient.skip_reason or "Skipped by its context provider")
        held_ids = None if delivery.to_user else recipient.provided.get("digest_held_ids")
        message = self.fast_email(delivery, recipient, address, name) or recipient.email(
            to=address, name=name, message_id=delivery.message_id, category=delivery.communication.category
        )
        return (message, held_ids), None

    def claimed_deliveries(self) -> dict[int, Delivery]:
        """The batch's rows with their recipients; the communication and occurrence (the same
        for most of a batch, with the whole text) are read once, not joined to every row."""
        deliveries = list(
            Delivery.objects.filter(pk__in=self.ids, claimed_by=self.token).select_related(
                "stakeholder__sea",
                "stakeholder__office__sea",
                "stakeholder__district",
                "stakeholder__partner_center",
                "stakeholder__organization",
                "user__sea",
            )
        )
        communications = Communication.objects.select_related("project", "advisory_body", "author").in_bulk(
            {d.communication_id for d in deliveries}
        )
        occurrences = Occurrence.objects.in_bulk({d.occurrence_id for d in deliveries})
        for delivery in deliveries:
            delivery.communication = communications[delivery.communication_id]
            delivery.occurrence = occurrences[delivery.occurrence_id]
        return {d.pk: d for d in deliveries}

    @contextlib.contextmanager
    def relaxed_commits(self):
        """Commits that do not wait for the WAL flush, for the length of the batch.

        The mails are already out when their rows are marked: waiting for each WAL flush would
        only widen the window in which a crash resends one. Should PostgreSQL itself crash before
        a flush, that delivery is sent again with the same Message-ID; it is never lost.
        """
        relaxed = db_connection.vendor == "postgresql" and not db_connection.in_atomic_block
        # A session-level SET would stick to whichever server connection PgBouncer lent us.
        relaxed = relaxed and not getattr(settings, "DATABASE_PGBOUNCER", False)
        if relaxed:
            with db_connection.cursor() as cursor:
                cursor.execute("SET synchronous_commit TO OFF")
        try:
            yield
        finally:
            if relaxed:
                with contextlib.suppress(Exception), db_connection.cursor() as cursor:
                    cursor.execute("RESET synchronous_commit")

    def build(self, delivery: Delivery, state: dict):
        """(message, held_ids) to send, or (None, None) once `delivery` is settled."""
        try:
            built, verdict = self.message_for(delivery, state)
        except Exception as exc:  # noqa: BLE001 - a provider or template failing is retried, bounded
            logger.exception("Could not build delivery %s", delivery.pk)
            self.retry_later(delivery, f"Could not build the message: {exc}")
            return None, None
        if verdict is not None:
            self.finish(delivery, *verdict)
            return None, None
        return built

    def connect(self, remaining: list[int]):
        """An open SMTP connection, or None after giving `remaining` back (server unreachable)."""
        connection = get_connection()
        try:
            connection.open()
        except TRANSIENT_CONNECTION_ERRORS + (smtplib.SMTPException,) as exc:
            self.release(remaining, error=f"{UNREACHABLE}: {exc}")
            return None
        mail_server_record(reachable=True)
        return connection

    def recipient_refused(self, delivery: Delivery, exc: smtplib.SMTPRecipientsRefused) -> None:
        code, reason = next(iter(exc.recipients.values()), (550, b""))
        text = f"{code} {reason.decode(errors='replace') if isinstance(reason, bytes) else reason}"
        if code >= 500:
            self.finish(delivery, Delivery.Status.FAILED, f"Hard bounce: {text}")
            if not delivery.to_user:
                stakeholder_record_bounce(stakeholder=delivery.stakeholder, reason=text)
        else:
            self.retry_later(delivery, f"Recipient deferred: {text}")

    def transmit(
        self,
        connection,
        delivery: Delivery,
        message,
        held_ids,
        rest: list[int],
        ahead: Future | None = None,
    ) -> bool:
        """Send one message and record its outcome; False when the connection failed (the rest
        of the batch is given back). `ahead`: the message made and its envelope opened ahead."""
        try:
            if ahead is not None:
                smtp_data(connection.connection, ahead.result())
            elif isinstance(message, PreparedEmail):
                # Ready-made bytes over the backend's open SMTP connection.
                connection.connection.sendmail(self.envelope_from, [message.envelope_to], message.raw)
            else:
                message.connection = connection
                connection.send_messages([message])
        except smtplib.SMTPRecipientsRefused as exc:
            self.recipient_refused(delivery, exc)
        except smtplib.SMTPResponseException as exc:
            text = f"{exc.smtp_code} {exc.smtp_error!r}"
            if 400 <= exc.smtp_code < 500:
                self.retry_later(delivery, f"Temporary failure: {text}")
            else:
                self.finish(delivery, Delivery.Status.FAILED, f"Refused by the mail server: {text}")
        except TRANSIENT_CONNECTION_ERRORS as exc:
            self.retry_later(delivery, f"Connection failed: {exc!r}")
            self.release(rest, error=f"Connection failed: {exc!r}")
            return False
        else:
            self.mark_sent(delivery, held_ids=held_ids)
        return True

    def abandon(self, ahead: Future) -> None:
        """Reset the envelope opened ahead for a message that does not go out (its row was lost
        or settled, or its address changed); a connection no longer usable is closed and the
        next message connects again."""
        try:
            if ahead.result() is not None:
                self.connection.connection.rset()
        except (smtplib.SMTPException, OSError):
            with contextlib.suppress(Exception):  # closing a broken connection
                self.connection.close()
            self.connection = None

    def step(self, delivery: Delivery, remaining: list[int], envelopes: ThreadPoolExecutor) -> bool:
        """Settle `delivery`, the first of `remaining`; False when the batch stops (the mail
        server became unreachable: the rest was given back).

        Over an open connection, a plain stakeholder mail is made and its envelope opened on a
        second thread while its row is confirmed; its DATA goes only if the confirmation finds
        the row held and addressed as loaded."""
        rest = remaining[1:]
        self.renew_lease(rest)
        loaded = self.loaded_addressee(delivery)
        ahead = envelopes.submit(self.open_ahead, delivery) if loaded is not None else None
        state = self.confirm(delivery)
        if ahead is not None:
            if state is not None and self.addressee(delivery, state) == (loaded, None):
                with contextlib.suppress(Exception):  # what MAIL or RCPT raised, transmit handles
                    if ahead.result() is None:
                        ahead = None  # not made ahead (nothing was sent): made below
                if ahead is not None:
                    return self.transmit(self.connection, delivery, None, None, rest, ahead)
            else:
                self.abandon(ahead)
        if state is None:
            return True  # lost (lease expired, perhaps taken over): not this worker's to send
        message, held_ids = self.build(delivery, state)
        if message is None:
            return True
        if self.connection is None:
            self.connection = self.connect(remaining)
            if self.connection is None:
                return False
        return self.transmit(self.connection, delivery, message, held_ids, rest)

    def run(self) -> int:
        """Send the batch (see `step`). A message's DATA goes only after its row's confirmation,
        which also records the previous acceptance: nothing is accepted for a row this worker
        does not hold, and no message is accepted before the previous one is recorded."""
        deliveries = self.claimed_deliveries()
        order = [pk for pk in self.ids if pk in deliveries]
        self.lost.extend(pk for pk in self.ids if pk not in deliveries)
        try:
            with (
                self.relaxed_commits(),
                ThreadPoolExecutor(1, thread_name_prefix="smtp-envelope") as envelopes,
            ):
                try:
                    for position, pk in enumerate(order):
                        if not self.step(deliveries[pk], order[position:], envelopes):
                            break
                finally:
                    self.record_unrecorded()
        finally:
            if self.connection is not None:
                with contextlib.suppress(Exception):  # closing a broken connection
                    self.connection.close()
            if self.lost:
                logger.warning(
                    "Skipped %d deliveries this worker no longer held (lease expired, taken over): %s",
                    len(self.lost),
                    self.lost[:20],
                )
        return self.processed


def deliveries_send_batch(
    *, token: str | None = None, limit: int | None = None, cache: MessageCache | None = None
) -> int:
    """Claim one batch and send it; returns how many deliveries were settled (0: nothing to do)."""
    token = token or worker_token()
    ids = deliveries_claim(token=token, limit=limit or batch_size())
    if not ids:
        return 0
    return _Batch(token=token, ids=ids, cache=cache).run() or len(ids)


def deliveries_send_all(*, budget_seconds: float = 45.0) -> tuple[int, bool]:
    """Send batches until nothing is claimable or the time budget is used up.

    Returns (settled, more_left).
    """
    token = worker_token()
    cache = MessageCache()
    started = timezone.now()
    settled = 0
    while True:
        done = deliveries_send_batch(token=token, cache=cache)
        if not done:
            return settled, False
        settled += done
        if (timezone.now() - started).total_seconds() > budget_seconds:
            return settled, Delivery.objects.claimable().exists()
