# Scheduled and recurring communications to stakeholders. Stakeholders' per-category
# preferences live on the stakeholders app (stakeholders.CommunicationPreference).
#
# PostgreSQL is the source of truth: a Schedule yields Occurrences (unique per schedule and
# time), an Occurrence yields one Delivery per recipient (unique per communication, occurrence
# and stakeholder, or portal user). Workers claim deliveries with a lease fenced by the
# database clock; the broker only rings the bell. Every mail the portal sends is a Delivery.
import datetime
import zoneinfo

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from simple_history.models import HistoricalRecords

from stakeholders.models import SEA, AdvisoryBody, CommunicationCategory, Stakeholder

from .querysets import CommunicationQuerySet, DeliveryQuerySet, OccurrenceQuerySet, ScheduleQuerySet


class Communication(models.Model):
    """A message to stakeholders: content, category and the rules of its audience."""

    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        SCHEDULED = "scheduled", "Scheduled"
        CANCELLED = "cancelled", "Cancelled"

    subject = models.CharField(max_length=200)
    body = models.TextField(help_text="Markdown with merge fields such as {{ first_name }}.")
    category = models.CharField(
        max_length=30,
        choices=CommunicationCategory.choices,
        blank=True,
        help_text="Empty only for the portal's own mail to user accounts (password resets).",
    )
    audience = models.JSONField(default=dict, blank=True)
    project = models.ForeignKey(
        "projects.Project", null=True, blank=True, on_delete=models.SET_NULL, related_name="communications"
    )
    advisory_body = models.ForeignKey(
        AdvisoryBody, null=True, blank=True, on_delete=models.SET_NULL, related_name="communications"
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="communications",
        help_text="Empty for messages the portal composes itself (digests).",
    )
    # The state whose people the message may reach: the author's SEA for SEA staff, the digest's
    # SEA for digests, empty for facilitators and administrators (whole portfolio).
    scope_sea = models.ForeignKey(
        SEA, null=True, blank=True, on_delete=models.PROTECT, related_name="communications"
    )
    context_provider = models.CharField(max_length=100, blank=True)
    context_object_id = models.BigIntegerField(null=True, blank=True)
    digest_key = models.CharField(
        max_length=100,
        null=True,
        blank=True,
        unique=True,
        help_text="Set on composed digests so that one week's digest of a state exists once.",
    )
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.DRAFT)
    cancelled_at = models.DateTimeField(null=True, blank=True)
    cancelled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    cancel_reason = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = CommunicationQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["scope_sea", "-created_at"])]

    def __str__(self):
        return self.subject

    @property
    def is_cancelled(self) -> bool:
        return self.status == self.Status.CANCELLED


class Schedule(models.Model):
    """When a communication goes out: once, or on a recurrence in the center's local time."""

    class Frequency(models.TextChoices):
        ONCE = "once", "Once"
        DAILY = "daily", "Daily"
        WEEKLY = "weekly", "Weekly"
        MONTHLY = "monthly", "Monthly"

    class Status(models.TextChoices):
        ACTIVE = "active", "Active"
        PAUSED = "paused", "Paused"
        FINISHED = "finished", "Finished"
        CANCELLED = "cancelled", "Cancelled"

    WEEKDAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]

    communication = models.ForeignKey(Communication, on_delete=models.CASCADE, related_name="schedules")
    frequency = models.CharField(max_length=10, choices=Frequency.choices, default=Frequency.ONCE)
    # The first occurrence, as local wall-clock time in `timezone`; recurrences keep its
    # time of day in local time across DST changes.
    start_date = models.DateField(help_text="Local date of the first occurrence.")
    start_time = models.TimeField(help_text="Local time of day of every occurrence.")
    timezone = models.CharField(max_length=64, default=settings.TIME_ZONE)
    interval = models.PositiveSmallIntegerField(default=1, validators=[MinValueValidator(1)])
    weekdays = models.JSONField(default=list, blank=True, help_text="0 = Monday … 6 = Sunday.")
    month_day = models.PositiveSmallIntegerField(
        null=True, blank=True, validators=[MinValueValidator(1), MaxValueValidator(31)]
    )
    until = models.DateField(null=True, blank=True, help_text="Last local date (inclusive).")
    count = models.PositiveIntegerField(null=True, blank=True, validators=[MinValueValidator(1)])
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.ACTIVE)
    next_run_at = models.DateTimeField(null=True, blank=True)
    occurrences_created = models.PositiveIntegerField(default=0)
    expected_count = models.PositiveIntegerField(
        default=0, help_text="Audience size when it was previewed; a much larger audience refuses to send."
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ScheduleQuerySet.as_manager()

    class Meta:
        ordering = ["communication", "created_at"]
        indexes = [models.Index(fields=["status", "next_run_at"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(month_day__isnull=True) | (Q(month_day__gte=1) & Q(month_day__lte=31)),
                name="schedule_month_day_1_to_31",
            ),
        ]

    def __str__(self):
        return f"{self.communication} · {self.describe()}"

    @property
    def starts_local(self) -> datetime.datetime:
        """The first occurrence as a naive local date and time."""
        return datetime.datetime.combine(self.start_date, self.start_time)

    @starts_local.setter
    def starts_local(self, value: datetime.datetime) -> None:
        self.start_date, self.start_time = value.date(), value.time().replace(microsecond=0)

    @property
    def tz(self) -> zoneinfo.ZoneInfo:
        return zoneinfo.ZoneInfo(self.timezone)

    def describe(self) -> str:
        time = self.starts_local.strftime("%H:%M")
        if self.frequency == self.Frequency.ONCE:
            text = f"once on {self.starts_local:%Y-%m-%d} at {time}"
        elif self.frequency == self.Frequency.DAILY:
            text = "daily" if self.interval == 1 else f"every {self.interval} days"
            text += f" at {time}"
        elif self.frequency == self.Frequency.WEEKLY:
            days = ", ".join(self.WEEKDAYS[d] for d in sorted(self.weekdays or [self.starts_local.weekday()]))
            text = (
                "weekly" if self.interval == 1 else f"every {self.interval} weeks"
            ) + f" on {days} at {time}"
        else:
            day = self.month_day or self.starts_local.day
            text = (
                "monthly" if self.interval == 1 else f"every {self.interval} months"
            ) + f" on day {day} at {time}"
        if self.frequency != self.Frequency.ONCE:
            text += f" from {self.starts_local:%Y-%m-%d}"
            if self.until:
                text += f" until {self.until:%Y-%m-%d}"
            if self.count:
                text += f", {self.count} times"
        return f"{text} ({self.timezone})"

    def clean(self):
        super().clean()
        try:
            zoneinfo.ZoneInfo(self.timezone)
        except (zoneinfo.ZoneInfoNotFoundError, ValueError) as exc:
            raise ValidationError({"timezone": "Unknown time zone."}) from exc
        if self.frequency == self.Frequency.WEEKLY:
            if not self.weekdays:
                raise ValidationError({"weekdays": "Choose at least one day of the week."})
            if any(not isinstance(d, int) or not 0 <= d <= 6 for d in self.weekdays):
                raise ValidationError({"weekdays": "Days are numbered 0 (Monday) to 6 (Sunday)."})
        if self.frequency == self.Frequency.MONTHLY and not self.month_day:
            raise ValidationError({"month_day": "Choose the day of the month."})
        if self.frequency != self.Frequency.ONCE and not (self.until or self.count):
            raise ValidationError({"until": "A recurrence needs an end date or a number of occurrences."})
        if self.until and self.start_date and self.until < self.start_date:
            raise ValidationError({"until": "The end date is before the first occurrence."})


class Occurrence(models.Model):
    """One due sending of a schedule. Content is frozen when its deliveries are created, so
    later edits of the communication apply only to occurrences still to come."""

    class Status(models.TextChoices):
        DUE = "due", "Due"
        SENDING = "sending", "Sending"
        DONE = "done", "Done"
        REFUSED = "refused", "Refused"
        MISSED = "missed", "Missed"
        CANCELLED = "cancelled", "Cancelled"

    # Empty for occurrences made directly rather than by a schedule: test sends, and messages
    # to portal users (communications.services.communication_send_to_user).
    schedule = models.ForeignKey(
        Schedule, null=True, blank=True, on_delete=models.CASCADE, related_name="occurrences"
    )
    communication = models.ForeignKey(Communication, on_delete=models.CASCADE, related_name="occurrences")
    scheduled_for = models.DateTimeField()
    is_test = models.BooleanField(
        default=False,
        help_text="A test send to its sender: not part of the communication's report or status.",
    )
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.DUE)
    subject = models.CharField(max_length=200, blank=True)
    body = models.TextField(blank=True)
    audience_count = models.PositiveIntegerField(default=0)
    reason = models.CharField(max_length=300, blank=True)
    materialized_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = OccurrenceQuerySet.as_manager()

    class Meta:
        ordering = ["-scheduled_for"]
        constraints = [
            models.UniqueConstraint(fields=["schedule", "scheduled_for"], name="occurrence_once_per_time"),
        ]
        indexes = [models.Index(fields=["status", "scheduled_for"])]

    def __str__(self):
        return f"{self.communication} at {self.scheduled_for:%Y-%m-%d %H:%M %Z}"


class Delivery(models.Model):
    """One recipient of one occurrence: the unit that is claimed, sent and reported."""

    class Status(models.TextChoices):
        PENDING = "pending", "Pending"
        SENDING = "sending", "Sending"
        SENT = "sent", "Sent"
        FAILED = "failed", "Failed"
        OPTED_OUT = "opted_out", "Opted out"
        DEFERRED = "deferred", "Held for weekly digest"
        DIGESTED = "digested", "Sent in weekly digest"
        SKIPPED = "skipped", "Skipped"
        CANCELLED = "cancelled", "Cancelled"

    FINAL = (Status.SENT, Status.FAILED, Status.OPTED_OUT, Status.DIGESTED, Status.SKIPPED, Status.CANCELLED)

    # Every sent message rewrites its row, and a row's every index with it: the indexes are the
    # few the portal reads by (the unique constraints lead with the communication; the stakeholder
    # index with its history, below; a user's index holds only rows to users).
    communication = models.ForeignKey(
        Communication, on_delete=models.CASCADE, related_name="deliveries", db_index=False
    )
    occurrence = models.ForeignKey(Occurrence, on_delete=models.CASCADE, related_name="deliveries")
    # Whose message it is (merge fields, context providers, opt-outs). Empty for a message to a
    # portal user without a directory entry.
    stakeholder = models.ForeignKey(
        Stakeholder,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="deliveries",
        db_index=False,
    )
    # Set when the mail goes to a portal user rather than to the stakeholder: center staff
    # without a directory entry, or the sender of a test (then `stakeholder` is the person the
    # test shows the message for).
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="deliveries",
        db_index=False,
    )
    email = models.EmailField(max_length=254)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    lease_until = models.DateTimeField(null=True, blank=True)
    claimed_by = models.CharField(max_length=64, blank=True)
    last_error = models.CharField(max_length=500, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    # When it entered the queue (created, or put back by "Retry the failed"): the delivery
    # deadline (COMMUNICATIONS_DELIVERY_DEADLINE_SECONDS) counts from here.
    queued_at = models.DateTimeField(default=timezone.now)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = DeliveryQuerySet.as_manager()

    class Meta:
        verbose_name_plural = "deliveries"
        ordering = ["occurrence", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["communication", "occurrence", "stakeholder"], name="delivery_once_per_recipient"
            ),
            models.UniqueConstraint(
                fields=["communication", "occurrence", "user"],
                condition=Q(stakeholder__isnull=True),
                name="delivery_once_per_user",
            ),
            models.CheckConstraint(
                condition=Q(stakeholder__isnull=False) | Q(user__isnull=False),
                name="delivery_has_a_recipient",
            ),
        ]
        indexes = [
            # What workers claim: due pending rows, and held rows whose lease has expired. A
            # settled row leaves both.
            models.Index(
                fields=["next_attempt_at"], condition=Q(status="pending"), name="delivery_pending_due"
            ),
            models.Index(
                fields=["lease_until"], condition=Q(status="sending"), name="delivery_sending_lease"
            ),
            models.Index(fields=["stakeholder", "-sent_at"]),
            models.Index(fields=["user"], condition=Q(user__isnull=False), name="delivery_to_user"),
        ]

    def __str__(self):
        return f"{self.communication} → {self.email} ({self.status})"

    @property
    def to_user(self) -> bool:
        """The mail goes to a portal user (its `email`), not to the stakeholder's address."""
        return self.user_id is not None

    @property
    def message_id(self) -> str:
        """Stable across retries, so a resend after a crash is recognisable as the same mail."""
        domain = getattr(settings, "COMMUNICATIONS_MESSAGE_ID_DOMAIN", "r2cc.example.org")
        return f"<r2cc.{self.communication_id}.{self.occurrence_id}.{self.pk}@{domain}>"


class ProjectCadence(models.Model):
    """How often a project's stakeholders expect to hear from the center."""

    class Every(models.IntegerChoices):
        WEEKLY = 7, "Weekly"
        FORTNIGHTLY = 14, "Every two weeks"
        MONTHLY = 31, "Monthly"
        QUARTERLY = 92, "Quarterly"

    project = models.OneToOneField("projects.Project", on_delete=models.CASCADE, related_name="cadence")
    expected_days = models.PositiveSmallIntegerField(choices=Every.choices, default=Every.MONTHLY)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["project"]

    def __str__(self):
        return f"{self.project}: {self.get_expected_days_display()}"

    @property
    def expected(self) -> datetime.timedelta:
        return datetime.timedelta(days=self.expected_days)


class MailServerStatus(models.Model):
    """The mail server as the workers last found it: one row, written at every connection.

    Shown on delivery reports ("waiting: mail server unreachable since …") and in /healthz.
    """

    class State(models.TextChoices):
        OK = "ok", "Reachable"
        UNREACHABLE = "unreachable", "Unreachable"

    SINGLETON = 1

    state = models.CharField(max_length=12, choices=State.choices, default=State.OK)
    since = models.DateTimeField(help_text="When the mail server entered its current state.")
    checked_at = models.DateTimeField(help_text="The last connection attempt.")
    last_error = models.CharField(max_length=500, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "mail server status"
        constraints = [models.CheckConstraint(condition=Q(pk=1), name="mail_server_status_single_row")]

    def __str__(self):
        return f"Mail server {self.get_state_display().lower()} since {self.since:%Y-%m-%d %H:%M}"

    @property
    def is_unreachable(self) -> bool:
        return self.state == self.State.UNREACHABLE
