"""Writes of the communications app: compose, schedule, cancel, pause, retry, preferences.

Views, the admin, management commands and other apps (meetings) call these; sending itself
lives in communications/sending.py and runs on Celery workers.
"""

import datetime
import logging
import zoneinfo

from celery import current_app
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models.functions import Now
from django.utils import timezone

from core.history import history_by
from stakeholders.models import CommunicationCategory, CommunicationPreference, Stakeholder

from . import recurrence
from .audience import audience_preview, check_audience_visible, is_empty, normalize_audience, too_large
from .models import Communication, Delivery, Occurrence, ProjectCadence, Schedule
from .providers import get_context_provider
from .rendering import check_merge_fields, recipient_message

logger = logging.getLogger(__name__)


def may_compose(user) -> bool:
    """Whether `user` may write communications (`User.may_compose`; anonymous users may not)."""
    return bool(user is not None and user.is_authenticated and user.may_compose)


def _check_may_change(*, by, communication: Communication, message: str) -> None:
    """The actor composes and sees `communication`, or the change is refused with `message`."""
    if not may_compose(by) or not Communication.objects.visible_to(by).filter(pk=communication.pk).exists():
        raise ValidationError(message)


def _check_related(*, author, project, advisory_body) -> None:
    from projects.models import Project

    if project is not None and not Project.objects.visible_to(author).filter(pk=project.pk).exists():
        raise ValidationError({"project": "You cannot write about this project."})
    if (
        advisory_body is not None
        and not advisory_body.__class__.objects.visible_to(author).filter(pk=advisory_body.pk).exists()
    ):
        raise ValidationError({"advisory_body": "You cannot write for this body."})


def communication_compose(
    *,
    author,
    subject: str,
    body: str,
    category: str,
    audience: dict,
    project=None,
    advisory_body=None,
    context_provider: str = "",
    context_object_id: int | None = None,
) -> Communication:
    """Create a draft communication from Markdown `body` and audience rules.

    The rules are checked against what `author` may see (a rule naming another state's
    project, district or person is refused); the audience itself is resolved when each
    occurrence is due, within the author's state for SEA staff.
    """
    if not may_compose(author):
        raise ValidationError("You cannot send communications.")
    audience = normalize_audience(audience)
    check_audience_visible(audience, author)
    _check_related(author=author, project=project, advisory_body=advisory_body)
    if context_provider and get_context_provider(context_provider) is None:
        raise ValidationError(
            {"context_provider": f"No context provider is registered as {context_provider!r}."}
        )
    check_merge_fields(subject=subject, body=body, context_provider=context_provider)
    communication = Communication(
        author=author,
        scope_sea_id=None if author.sees_whole_portfolio else author.sea_id,
        subject=subject.strip(),
        body=body,
        category=category,
        audience=audience,
        project=project,
        advisory_body=advisory_body,
        context_provider=context_provider,
        context_object_id=context_object_id,
    )
    communication.full_clean()
    history_by(communication, author)
    communication.save()
    return communication


def communication_update(*, communication: Communication, editor, **fields) -> Communication:
    """Edit content or audience. Occurrences already sending keep what they froze; only
    occurrences still to come use the new version."""
    if communication.is_cancelled:
        raise ValidationError("A cancelled communication cannot be edited.")
    allowed = {"subject", "body", "category", "audience", "project", "advisory_body"}
    unknown = set(fields) - allowed
    if unknown:
        raise ValidationError(f"Cannot edit {', '.join(sorted(unknown))}.")
    if "audience" in fields:
        fields["audience"] = normalize_audience(fields["audience"])
        check_audience_visible(fields["audience"], editor)
    _check_related(
        author=editor,
        project=fields.get("project", communication.project),
        advisory_body=fields.get("advisory_body", communication.advisory_body),
    )
    for name, value in fields.items():
        setattr(communication, name, value)
    check_merge_fields(
        subject=communication.subject,
        body=communication.body,
        context_provider=communication.context_provider,
    )
    communication.full_clean()
    history_by(communication, editor)
    with transaction.atomic():
        communication.save()
        if "audience" in fields or "category" in fields:
            # The editor has seen the new audience's preview; future occurrences compare to it.
            total = audience_preview(communication).total
            communication.schedules.filter(
                status__in=[Schedule.Status.ACTIVE, Schedule.Status.PAUSED]
            ).update(expected_count=total, updated_at=timezone.now())
    return communication


def _local(send_at: datetime.datetime | None, tz: zoneinfo.ZoneInfo) -> datetime.datetime:
    if send_at is None:
        return timezone.now().astimezone(tz).replace(tzinfo=None, microsecond=0)
    if timezone.is_naive(send_at):
        return send_at.replace(microsecond=0)
    return send_at.astimezone(tz).replace(tzinfo=None, microsecond=0)


# By name: the tasks module (an adapter above this one) imports the services, not the reverse.
TICK_TASK = "communications.tasks.communications_tick_task"


def _kick() -> None:
    """Ring the doorbell after commit; if the broker is down, beat finds the work a minute later."""

    def ring():
        try:
            current_app.send_task(TICK_TASK)
        except Exception:  # noqa: BLE001 - the periodic sweep is the safety net
            logger.warning("Could not enqueue the communications tick; beat will pick it up.", exc_info=True)

    transaction.on_commit(ring)


def _audience_checked(*, communication: Communication, expected_count: int | None) -> int:
    """The audience's size now, once it is known to be worth scheduling: not cancelled, not
    empty, and not much larger than the `expected_count` the sender previewed."""
    if communication.is_cancelled:
        raise ValidationError("This communication was cancelled.")
    if is_empty(normalize_audience(communication.audience)):
        raise ValidationError({"audience": "The audience is empty: add at least one rule."})
    preview = audience_preview(communication, limit=0)
    if preview.total == 0:
        raise ValidationError(
            {"audience": "Nobody is in this audience (after opt-outs): nothing would be sent."}
        )
    if expected_count is not None and too_large(preview.total, expected_count):
        raise ValidationError(
            {
                "audience": f"The audience is now {preview.total} people, much more than the "
                f"{expected_count} previewed. Preview it again before scheduling."
            }
        )
    return preview.total


def _recurrence_defaults(schedule: Schedule) -> None:
    """A weekly schedule without weekdays repeats on its first day's weekday, a monthly one on
    its first day's date."""
    if schedule.frequency == Schedule.Frequency.WEEKLY and not schedule.weekdays:
        schedule.weekdays = [schedule.starts_local.weekday()]
    if schedule.frequency == Schedule.Frequency.MONTHLY and not schedule.month_day:
        schedule.month_day = schedule.starts_local.day


def communication_schedule(
    *,
    communication: Communication,
    send_at: datetime.datetime | None = None,
    recurrence: dict | None = None,
    expected_count: int | None = None,
    by=None,
) -> Schedule:
    """Schedule `communication` now (`send_at` None), at `send_at`, or on a recurrence.

    `send_at` is an aware instant or a naive time in the center's zone; for a recurrence it
    is the first occurrence. `recurrence` is
    `{"frequency": "daily"|"weekly"|"monthly", "interval": 1, "weekdays": [0, 3],
      "month_day": 15, "until": date, "count": 10}` (an end date or a count is required).
    `expected_count` is the audience size the sender previewed; by default the current one.
    An empty audience, or one much larger than the preview, is refused.
    """
    preview_total = _audience_checked(communication=communication, expected_count=expected_count)
    tz = zoneinfo.ZoneInfo(settings.TIME_ZONE)
    recurrence = dict(recurrence or {})
    schedule = Schedule(
        communication=communication,
        frequency=recurrence.pop("frequency", Schedule.Frequency.ONCE),
        timezone=settings.TIME_ZONE,
        interval=recurrence.pop("interval", 1) or 1,
        weekdays=sorted(int(d) for d in (recurrence.pop("weekdays", None) or [])),
        month_day=recurrence.pop("month_day", None),
        until=recurrence.pop("until", None),
        count=recurrence.pop("count", None),
        expected_count=expected_count if expected_count is not None else preview_total,
        created_by=by,
    )
    schedule.starts_local = _local(send_at, tz)  # a property over the stored fields
    if recurrence:
        raise ValidationError({"recurrence": f"Unknown recurrence fields: {', '.join(sorted(recurrence))}."})
    _recurrence_defaults(schedule)
    schedule.full_clean()
    schedule.next_run_at = recurrence_first = recurrence_first_run(schedule)
    if recurrence_first is None:
        raise ValidationError({"until": "This recurrence has no occurrence."})
    with transaction.atomic():
        schedule.save()
        if communication.status != Communication.Status.SCHEDULED:
            communication.status = Communication.Status.SCHEDULED
            communication.save(update_fields=["status", "updated_at"])
    if recurrence_first <= timezone.now() + datetime.timedelta(seconds=5):
        _kick()
    return schedule


def recurrence_first_run(schedule: Schedule) -> datetime.datetime | None:
    return recurrence.first_run(schedule)


def communication_cancel(*, communication: Communication, by, reason: str = "") -> None:
    """Stop `communication`: nothing of it that is not yet sent is sent afterwards.

    Workers re-check the communication's status just before each message goes out, so a
    delivery already claimed by a worker is dropped too.
    """
    now = timezone.now()
    with transaction.atomic():
        locked = Communication.objects.select_for_update().get(pk=communication.pk)
        locked.status = Communication.Status.CANCELLED
        locked.cancelled_at = now
        locked.cancelled_by = by
        locked.cancel_reason = reason[:300]
        history_by(locked, by)
        locked.save(update_fields=["status", "cancelled_at", "cancelled_by", "cancel_reason", "updated_at"])
        locked.schedules.exclude(status=Schedule.Status.FINISHED).update(
            status=Schedule.Status.CANCELLED, next_run_at=None, updated_at=now
        )
        locked.occurrences.filter(status=Occurrence.Status.DUE).update(
            status=Occurrence.Status.CANCELLED, reason="Cancelled"
        )
        locked.deliveries.filter(
            status__in=[Delivery.Status.PENDING, Delivery.Status.SENDING, Delivery.Status.DEFERRED]
        ).update(status=Delivery.Status.CANCELLED, last_error="Cancelled", lease_until=None, updated_at=now)
    communication.refresh_from_db()


def schedule_pause(*, schedule: Schedule, by) -> Schedule:
    """Stop future occurrences until resumed (occurrences already sending continue)."""
    _check_may_change(by=by, communication=schedule.communication, message="You cannot change this schedule.")
    if schedule.status != Schedule.Status.ACTIVE:
        raise ValidationError("Only an active schedule can be paused.")
    schedule.status = Schedule.Status.PAUSED
    schedule.save(update_fields=["status", "updated_at"])
    return schedule


def schedule_resume(*, schedule: Schedule, by) -> Schedule:
    """Resume from the next occurrence after now; occurrences missed while paused are skipped."""
    _check_may_change(by=by, communication=schedule.communication, message="You cannot change this schedule.")
    if schedule.status != Schedule.Status.PAUSED:
        raise ValidationError("Only a paused schedule can be resumed.")
    if schedule.communication.is_cancelled:
        raise ValidationError("This communication was cancelled.")
    nxt = recurrence.first_run_from(schedule, timezone.now())
    schedule.next_run_at = nxt
    schedule.status = Schedule.Status.ACTIVE if nxt else Schedule.Status.FINISHED
    schedule.save(update_fields=["status", "next_run_at", "updated_at"])
    return schedule


def _occurrence_direct(*, communication: Communication, subject: str, is_test: bool) -> Occurrence:
    """An occurrence made without a schedule, already sending: its one delivery follows."""
    now = timezone.now()
    occurrence = Occurrence(
        communication=communication,
        schedule=None,
        scheduled_for=now,
        is_test=is_test,
        status=Occurrence.Status.SENDING,
        subject=subject[:200],
        body=communication.body,
        audience_count=1,
        materialized_at=now,
    )
    occurrence.full_clean()
    occurrence.save()
    return occurrence


def _delivery_queue(*, occurrence: Occurrence, user, stakeholder=None) -> Delivery:
    delivery = Delivery(
        communication_id=occurrence.communication_id,
        occurrence=occurrence,
        stakeholder=stakeholder,
        user=user,
        email=user.email,
        status=Delivery.Status.PENDING,
    )
    delivery.full_clean(exclude=["next_attempt_at"])
    delivery.next_attempt_at = Now()  # due now by the database's clock, which leases also use
    delivery.save()
    return delivery


def communication_send_test(*, communication: Communication, recipient: Stakeholder, by) -> Delivery:
    """Queue `communication`, as `recipient` would get it, for `by` alone (a test send).

    It goes through the outbox like every mail (claimed, retried and reported by the workers)
    in an occurrence of its own marked as a test: it is not part of the communication's report
    or status, and `recipient`'s opt-outs and bounces do not stop it (it is not sent to them).
    """
    _check_may_change(by=by, communication=communication, message="You cannot send this communication.")
    if communication.is_cancelled:
        raise ValidationError("This communication was cancelled.")
    if not by.email:
        raise ValidationError("Your account has no e-mail address to send the test to.")
    checked = recipient_message(communication=communication, stakeholder=recipient, strict=False)
    if checked.skipped:
        raise ValidationError(
            f"This recipient would be skipped: {checked.skip_reason or 'by its context provider'}"
        )
    with transaction.atomic():
        occurrence = _occurrence_direct(
            communication=communication, subject=f"[Test] {communication.subject}", is_test=True
        )
        delivery = _delivery_queue(occurrence=occurrence, user=by, stakeholder=recipient)
    _kick()
    return delivery


def communication_send_to_user(
    *,
    user,
    subject: str,
    body: str,
    category: str,
    author=None,
    project=None,
    advisory_body=None,
    context_provider: str = "",
    context_object_id: int | None = None,
) -> Delivery:
    """Send one message to a portal user who has no directory entry (center staff).

    Like every mail of the portal it goes through the outbox: a communication composed by the
    portal (`author` is recorded, not checked: the caller decided to send), one occurrence and
    one delivery to the user's address, claimed, retried and reported like the others. The
    context provider, if any, is called with `stakeholder=None, user=user`.
    """
    if not user.email:
        raise ValidationError({"user": "This user has no e-mail address."})
    if context_provider and get_context_provider(context_provider) is None:
        raise ValidationError(
            {"context_provider": f"No context provider is registered as {context_provider!r}."}
        )
    check_merge_fields(subject=subject, body=body, context_provider=context_provider)
    communication = Communication(
        author=author,
        subject=subject.strip(),
        body=body,
        category=category,
        audience={},
        project=project,
        advisory_body=advisory_body,
        context_provider=context_provider,
        context_object_id=context_object_id,
        status=Communication.Status.SCHEDULED,
    )
    communication.full_clean()
    with transaction.atomic():
        communication.save()
        occurrence = _occurrence_direct(
            communication=communication, subject=communication.subject, is_test=False
        )
        delivery = _delivery_queue(occurrence=occurrence, user=user)
    _kick()
    return delivery


def deliveries_retry_failed(*, communication: Communication, by, occurrence: Occurrence | None = None) -> int:
    """Put failed deliveries back in the queue; returns how many."""
    _check_may_change(by=by, communication=communication, message="You cannot retry this communication.")
    if communication.is_cancelled:
        raise ValidationError("This communication was cancelled.")
    now = timezone.now()
    failed = Delivery.objects.of_campaign().filter(communication=communication, status=Delivery.Status.FAILED)
    if occurrence is not None:
        failed = failed.filter(occurrence=occurrence)
    with transaction.atomic():
        occurrence_ids = set(failed.values_list("occurrence_id", flat=True))
        count = failed.update(
            status=Delivery.Status.PENDING,
            attempts=0,
            next_attempt_at=Now(),
            queued_at=now,
            last_error="",
            updated_at=now,
        )
        Occurrence.objects.filter(pk__in=occurrence_ids).update(status=Occurrence.Status.SENDING)
    if count:
        _kick()
    return count


def stakeholder_set_preference(
    *, stakeholder: Stakeholder, category: str, delivery: str
) -> CommunicationPreference:
    """Record how `stakeholder` wants to hear about `category`; takes effect for the next message,
    even one already queued."""
    preference, _ = CommunicationPreference.objects.get_or_create(
        stakeholder=stakeholder, category=category, defaults={"delivery": delivery}
    )
    if preference.delivery != delivery:
        preference.delivery = delivery
        preference.full_clean()
        preference.save(update_fields=["delivery", "updated_at"])
    return preference


def stakeholder_unsubscribe(*, stakeholder: Stakeholder, category: str) -> CommunicationPreference:
    """One-click unsubscribe from one category."""
    if category not in CommunicationCategory.values:
        raise ValidationError({"category": "Unknown category."})
    return stakeholder_set_preference(
        stakeholder=stakeholder, category=category, delivery=CommunicationPreference.Delivery.NONE
    )


def project_cadence_set(*, project, expected_days: int, by) -> ProjectCadence:
    """Set how often a project's stakeholders should hear from the center."""
    from projects.models import Project

    if not Project.objects.visible_to(by).filter(pk=project.pk).exists():
        raise ValidationError({"project": "You cannot change this project."})
    cadence, _ = ProjectCadence.objects.get_or_create(
        project=project, defaults={"expected_days": expected_days}
    )
    cadence.expected_days = expected_days
    cadence.full_clean()
    cadence.save()
    return cadence
