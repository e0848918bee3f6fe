"""Meetings of the advisory bodies: agendas, attendance, minutes, decisions, action items, feedback."""

import datetime
import secrets
import uuid

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone
from simple_history.models import HistoricalRecords

from core.fields import BoundedTextField
from projects.models import Product, Project
from stakeholders.models import AdvisoryBody, BodyPurpose, Membership, Stakeholder

from .querysets import (
    ActionItemQuerySet,
    FeedbackQuerySet,
    MeetingChildQuerySet,
    MeetingQuerySet,
)


class Meeting(models.Model):
    """One meeting of an advisory body. Times are stored in UTC and shown in the center's zone."""

    class Mode(models.TextChoices):
        IN_PERSON = "in_person", "In person"
        VIRTUAL = "virtual", "Virtual"
        HYBRID = "hybrid", "Hybrid"

    class Status(models.TextChoices):
        SCHEDULED = "scheduled", "Scheduled"
        CANCELLED = "cancelled", "Cancelled"

    body = models.ForeignKey(AdvisoryBody, on_delete=models.PROTECT, related_name="meetings")
    title = models.CharField(max_length=200)
    starts_at = models.DateTimeField("starts")
    ends_at = models.DateTimeField("ends")
    mode = models.CharField(max_length=20, choices=Mode.choices, default=Mode.VIRTUAL)
    location = models.CharField(max_length=300, blank=True, help_text="Address and room.")
    link = models.URLField("video link", blank=True)
    description = BoundedTextField(max_length=5000, blank=True)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.SCHEDULED)
    cancel_reason = BoundedTextField(max_length=1000, blank=True)
    cancelled_at = models.DateTimeField(null=True, blank=True)
    # Calendar identity: the UID never changes, the sequence grows with every change invitees see.
    uid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    sequence = models.PositiveIntegerField(default=0, editable=False)
    copied_from = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = MeetingQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        ordering = ["-starts_at"]
        constraints = [
            models.CheckConstraint(condition=Q(ends_at__gt=F("starts_at")), name="meeting_ends_after_start"),
        ]
        indexes = [models.Index(fields=["body", "-starts_at"])]

    def __str__(self):
        return f"{self.title} ({timezone.localtime(self.starts_at):%Y-%m-%d})"

    def get_absolute_url(self):
        return reverse("meetings:meeting_detail", args=[self.pk])

    def clean(self):
        super().clean()
        errors = {}
        if self.starts_at and self.ends_at and self.ends_at <= self.starts_at:
            errors["ends_at"] = "The meeting must end after it starts."
        if self.mode in (self.Mode.IN_PERSON, self.Mode.HYBRID) and not self.location.strip():
            errors["location"] = "Give the location of an in-person or hybrid meeting."
        if self.mode in (self.Mode.VIRTUAL, self.Mode.HYBRID) and not self.link.strip():
            errors["link"] = "Give the video link of a virtual or hybrid meeting."
        if self.status == self.Status.CANCELLED and not self.cancel_reason.strip():
            errors["cancel_reason"] = "Say why the meeting is cancelled."
        if errors:
            raise ValidationError(errors)

    # The one rule for attendance and minutes: they are recorded from the day of the meeting
    # (12 hours before it starts), never for a meeting still days away.
    RECORD_OPENS_BEFORE = datetime.timedelta(hours=12)

    @property
    def record_opens_at(self) -> datetime.datetime:
        return self.starts_at - self.RECORD_OPENS_BEFORE

    @property
    def is_open_for_record(self) -> bool:
        """Whether attendance and minutes may be recorded yet."""
        return timezone.now() >= self.record_opens_at

    @property
    def is_cancelled(self) -> bool:
        return self.status == self.Status.CANCELLED

    @property
    def length_minutes(self) -> int:
        return int((self.ends_at - self.starts_at).total_seconds() // 60)

    @property
    def is_past(self) -> bool:
        return self.ends_at < timezone.now()


class AgendaItem(models.Model):
    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="agenda_items")
    position = models.PositiveSmallIntegerField()
    title = models.CharField(max_length=200)
    description = BoundedTextField(max_length=2000, blank=True)
    presenter = models.ForeignKey(
        Stakeholder, null=True, blank=True, on_delete=models.SET_NULL, related_name="agenda_items"
    )
    presenter_name = models.CharField(
        max_length=200, blank=True, help_text="A presenter who is not in the directory, e.g. center staff."
    )
    minutes = models.PositiveSmallIntegerField("minutes allotted", validators=[MinValueValidator(1)])
    project = models.ForeignKey(Project, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    product = models.ForeignKey(Product, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    purpose = models.ForeignKey(
        BodyPurpose,
        verbose_name="purpose served",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="agenda_items",
    )

    objects = MeetingChildQuerySet.as_manager()

    class Meta:
        ordering = ["meeting", "position"]
        constraints = [
            models.UniqueConstraint(fields=["meeting", "position"], name="agenda_item_unique_position"),
        ]

    def __str__(self):
        return f"{self.position}. {self.title}"

    @property
    def presenter_display(self) -> str:
        return str(self.presenter) if self.presenter_id else self.presenter_name

    def clean(self):
        super().clean()
        if self.purpose_id and self.meeting_id and self.purpose.body_id != self.meeting.body_id:
            raise ValidationError({"purpose": "Choose one of this body's purposes."})
        if self.product_id and self.project_id and self.product.project_id != self.project_id:
            raise ValidationError({"product": "This product belongs to another project."})


class Participant(models.Model):
    """An invitee of a meeting (member or guest): their RSVP and, afterwards, their attendance."""

    class Rsvp(models.TextChoices):
        PENDING = "pending", "No answer yet"
        YES = "yes", "Yes"
        NO = "no", "No"
        MAYBE = "maybe", "Maybe"

    class Attendance(models.TextChoices):
        UNKNOWN = "", "Not recorded"
        PRESENT = "present", "Present"
        ABSENT = "absent", "Absent"
        DELEGATE = "delegate", "Sent a delegate"

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="participants")
    stakeholder = models.ForeignKey(
        Stakeholder, on_delete=models.CASCADE, related_name="meeting_participations"
    )
    membership = models.ForeignKey(
        Membership,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="participations",
        help_text="The seat the person held on the meeting day; empty for guests.",
    )
    invited_at = models.DateTimeField(null=True, blank=True)
    rsvp = models.CharField("RSVP", max_length=10, choices=Rsvp.choices, default=Rsvp.PENDING)
    rsvp_at = models.DateTimeField(null=True, blank=True)
    attendance = models.CharField(max_length=10, choices=Attendance.choices, blank=True, default="")
    delegate_name = models.CharField(max_length=200, blank=True, help_text="Who attended in their place.")

    objects = MeetingChildQuerySet.as_manager()

    class Meta:
        ordering = ["meeting", "stakeholder__last_name", "stakeholder__first_name"]
        constraints = [
            models.UniqueConstraint(fields=["meeting", "stakeholder"], name="participant_once_per_meeting"),
            models.CheckConstraint(
                condition=~Q(attendance="delegate") | ~Q(delegate_name=""), name="participant_delegate_named"
            ),
        ]

    def __str__(self):
        return f"{self.stakeholder} at {self.meeting}"

    @property
    def is_guest(self) -> bool:
        return self.membership_id is None

    def clean(self):
        super().clean()
        if self.attendance == self.Attendance.DELEGATE and not self.delegate_name.strip():
            raise ValidationError({"delegate_name": "Say who attended as the delegate."})


class Minutes(models.Model):
    """The minutes of one meeting, in Markdown; read-only once approved."""

    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        APPROVED = "approved", "Approved"

    meeting = models.OneToOneField(Meeting, on_delete=models.CASCADE, related_name="minutes")
    text = BoundedTextField(max_length=50_000, help_text="Markdown: headings, lists, links, emphasis.")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.DRAFT)
    approved_at = models.DateTimeField(null=True, blank=True)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)

    objects = MeetingChildQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        verbose_name_plural = "minutes"
        constraints = [
            models.CheckConstraint(
                condition=Q(status="draft") | Q(approved_at__isnull=False), name="minutes_approved_has_date"
            ),
        ]

    def __str__(self):
        return f"Minutes of {self.meeting}"

    @property
    def is_approved(self) -> bool:
        return self.status == self.Status.APPROVED


class Decision(models.Model):
    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="decisions")
    agenda_item = models.ForeignKey(
        AgendaItem, null=True, blank=True, on_delete=models.SET_NULL, related_name="decisions"
    )
    text = BoundedTextField("decision", max_length=2000)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = MeetingChildQuerySet.as_manager()

    class Meta:
        ordering = ["meeting", "created_at", "pk"]

    def __str__(self):
        return self.text[:80]

    def clean(self):
        super().clean()
        if self.agenda_item_id and self.agenda_item.meeting_id != self.meeting_id:
            raise ValidationError({"agenda_item": "This agenda item belongs to another meeting."})


class ActionItem(models.Model):
    """Something to do after a meeting, tracked across the body's meetings until done or dropped."""

    class Status(models.TextChoices):
        OPEN = "open", "Open"
        DONE = "done", "Done"
        DROPPED = "dropped", "Dropped"

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="action_items")
    agenda_item = models.ForeignKey(
        AgendaItem, null=True, blank=True, on_delete=models.SET_NULL, related_name="action_items"
    )
    description = BoundedTextField(max_length=2000)
    owner_stakeholder = models.ForeignKey(
        Stakeholder,
        verbose_name="owner (member)",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="action_items",
    )
    owner_user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="owner (staff)",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="meeting_action_items",
    )
    due_date = models.DateField()
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.OPEN)
    status_note = models.CharField(max_length=300, blank=True)
    closed_on = models.DateField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ActionItemQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        ordering = ["due_date", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(owner_stakeholder__isnull=False) | Q(owner_user__isnull=False),
                name="action_item_has_owner",
            ),
        ]
        indexes = [models.Index(fields=["status", "due_date"])]

    def __str__(self):
        return self.description[:80]

    @property
    def owner_display(self) -> str:
        if self.owner_stakeholder_id:
            return str(self.owner_stakeholder)
        return str(self.owner_user) if self.owner_user_id else ""

    @property
    def is_overdue(self) -> bool:
        return self.status == self.Status.OPEN and self.due_date < timezone.localdate()

    def clean(self):
        super().clean()
        errors = {}
        if not self.owner_stakeholder_id and not self.owner_user_id:
            errors["owner_stakeholder"] = "Choose an owner: a member or a staff member."
        elif self.owner_stakeholder_id and self.owner_user_id:
            errors["owner_user"] = "Choose one owner, a member or a staff member, not both."
        if self.meeting_id and self.due_date:
            meeting_day = timezone.localdate(self.meeting.starts_at)
            if self.due_date < meeting_day:
                errors["due_date"] = f"The due date cannot be before the meeting ({meeting_day:%B %-d, %Y})."
        if self.agenda_item_id and self.meeting_id and self.agenda_item.meeting_id != self.meeting_id:
            errors["agenda_item"] = "This agenda item belongs to another meeting."
        if errors:
            raise ValidationError(errors)


class ActionItemReminder(models.Model):
    """One reminder sent for an action item; the unique key makes the daily sweep idempotent."""

    class Kind(models.TextChoices):
        BEFORE_DUE = "before_due", "Before the due date"
        OVERDUE = "overdue", "Overdue"

    action_item = models.ForeignKey(ActionItem, on_delete=models.CASCADE, related_name="reminders")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    due_date = models.DateField(help_text="The due date the reminder was about.")
    sent_at = models.DateTimeField(default=timezone.now)
    communication_pk = models.PositiveBigIntegerField(null=True, blank=True)

    class Meta:
        ordering = ["-sent_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["action_item", "kind", "due_date"], name="action_item_reminder_once"
            ),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} reminder for {self.action_item}"


class MeetingNotice(models.Model):
    """A message about a meeting handed to the communications feature.

    `sequence` is the meeting's calendar sequence when the notice was made: a reminder made for
    an older version of the meeting is stale and is skipped at send time.
    """

    class Kind(models.TextChoices):
        INVITATION = "invitation", "Invitation"
        REMINDER = "reminder", "Reminder"
        UPDATE = "update", "Change notice"
        CANCELLATION = "cancellation", "Cancellation"

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="notices")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    sequence = models.PositiveIntegerField()
    send_at = models.DateTimeField()
    communication_pk = models.PositiveBigIntegerField(null=True, blank=True, unique=True)
    is_withdrawn = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = MeetingChildQuerySet.as_manager()

    class Meta:
        ordering = ["meeting", "send_at"]

    def __str__(self):
        return f"{self.get_kind_display()} for {self.meeting}"


def _rating_field(name):
    return models.PositiveSmallIntegerField(name, validators=[MinValueValidator(1), MaxValueValidator(5)])


class Feedback(models.Model):
    """A member's rating of one of the center's resources or services (the RAB's third purpose)."""

    class Channel(models.TextChoices):
        LINK = "link", "Signed link"
        MEETING = "meeting", "In the meeting"

    body = models.ForeignKey(AdvisoryBody, on_delete=models.CASCADE, related_name="feedback")
    meeting = models.ForeignKey(
        Meeting, null=True, blank=True, on_delete=models.SET_NULL, related_name="feedback"
    )
    stakeholder = models.ForeignKey(
        Stakeholder, null=True, blank=True, on_delete=models.SET_NULL, related_name="feedback_given"
    )
    product = models.ForeignKey(Product, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    resource = models.CharField(
        "resource or service", max_length=200, help_text="What is rated, e.g. a guidebook or coaching."
    )
    quality = _rating_field("quality")
    relevance = _rating_field("relevance")
    usefulness = _rating_field("usefulness")
    comment = BoundedTextField(max_length=2000, blank=True)
    channel = models.CharField(max_length=10, choices=Channel.choices, default=Channel.MEETING)
    submitted_at = models.DateTimeField(default=timezone.now)

    objects = FeedbackQuerySet.as_manager()

    class Meta:
        verbose_name_plural = "feedback"
        ordering = ["-submitted_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(quality__gte=1, quality__lte=5)
                & Q(relevance__gte=1, relevance__lte=5)
                & Q(usefulness__gte=1, usefulness__lte=5),
                name="feedback_ratings_1_to_5",
            ),
        ]

    def __str__(self):
        return f"{self.resource}: {self.quality}/{self.relevance}/{self.usefulness}"


class CalendarFeed(models.Model):
    """A user's secret calendar-feed key: subscribing needs no login, rotating it revokes old URLs."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="calendar_feed"
    )
    key = models.CharField(max_length=64, unique=True, default=secrets.token_urlsafe)
    created_at = models.DateTimeField(auto_now=True)

    def __str__(self):
        return f"Calendar feed of {self.user}"
