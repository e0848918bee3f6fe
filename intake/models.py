"""Requests for technical assistance: how a state asks the center for help, and their triage.

Intake sits above meetings in the layers (a request entered at a RAB meeting links to it) and
below the API: it imports projects, communications and meetings, none of which import it.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django_fsm import FSMField, transition
from simple_history.models import HistoricalRecords

from core.fields import BoundedTextField
from projects.models import Project, Topic
from projects.workflow import StatusMachineMixin, is_center_staff
from stakeholders.models import SEA, District, Office, PartnerCenter

from .querysets import TARequestQuerySet


class TARequest(StatusMachineMixin, models.Model):
    class Status(models.TextChoices):
        NEW = "new", "New"
        IN_CONVERSATION = "in_conversation", "In conversation"
        ACCEPTED = "accepted", "Accepted"
        BECAME_PROJECT = "became_project", "Became a project"
        DECLINED = "declined", "Declined"
        REFERRED = "referred", "Referred"

    class Urgency(models.TextChoices):
        LOW = "low", "Low: within the school year"
        NORMAL = "normal", "Normal: within a few months"
        HIGH = "high", "High: within weeks"
        URGENT = "urgent", "Urgent: now"

    OPEN_STATUSES = (Status.NEW, Status.IN_CONVERSATION, Status.ACCEPTED)

    sea = models.ForeignKey(
        SEA, verbose_name="state (SEA)", on_delete=models.PROTECT, related_name="ta_requests"
    )
    title = models.CharField(max_length=200, help_text="A short name for the request.")
    problem = BoundedTextField(
        "problem", max_length=5000, help_text="What is the problem the state wants help with?"
    )
    desired_outcome = BoundedTextField(max_length=3000, help_text="What would success look like?")
    urgency = models.CharField(max_length=10, choices=Urgency.choices, default=Urgency.NORMAL)
    offices = models.ManyToManyField(Office, blank=True, related_name="ta_requests")
    districts = models.ManyToManyField(District, blank=True, related_name="ta_requests")
    topics = models.ManyToManyField(Topic, related_name="ta_requests")
    contact_name = models.CharField("contact person", max_length=200)
    contact_email = models.EmailField("contact e-mail")
    contact_phone = models.CharField("contact phone", max_length=40, blank=True)
    meeting = models.ForeignKey(
        "meetings.Meeting",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="ta_requests",
        help_text="The meeting where the request was raised, if any.",
    )
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="ta_requests"
    )
    submitted_at = models.DateTimeField(auto_now_add=True)
    # Moved only by the transitions below (projects.services.workflow.status_move).
    status = FSMField(max_length=20, choices=Status.choices, default=Status.NEW, protected=True)
    referred_to = models.ForeignKey(
        PartnerCenter,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="referred_requests",
        help_text="The partner center the request was referred to.",
    )
    decision_reason = BoundedTextField(max_length=2000, blank=True)
    project = models.OneToOneField(
        Project, null=True, blank=True, on_delete=models.SET_NULL, related_name="ta_request"
    )
    updated_at = models.DateTimeField(auto_now=True)

    objects = TARequestQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        verbose_name = "TA request"
        ordering = ["-submitted_at", "-pk"]
        indexes = [models.Index(fields=["sea", "status"])]
        constraints = [
            models.CheckConstraint(
                condition=~Q(status="referred") | Q(referred_to__isnull=False),
                name="ta_request_referred_has_center",
            ),
            models.CheckConstraint(
                condition=~Q(status="became_project") | Q(project__isnull=False),
                name="ta_request_became_project_has_project",
            ),
        ]

    def __str__(self):
        return self.title

    @property
    def is_open(self) -> bool:
        return self.status in self.OPEN_STATUSES

    def has_referral(self) -> bool:
        """Name the partner center the request goes to."""
        return self.referred_to_id is not None

    def has_project(self) -> bool:
        """The project made from the request."""
        return self.project_id is not None

    @transition(field=status, source=Status.NEW, target=Status.IN_CONVERSATION, permission=is_center_staff)
    def start_conversation(self):
        """The center has contacted the state about it."""

    @transition(
        field=status,
        source=[Status.NEW, Status.IN_CONVERSATION],
        target=Status.ACCEPTED,
        permission=is_center_staff,
    )
    def accept(self):
        """The center will serve it."""

    @transition(
        field=status,
        source=[Status.NEW, Status.IN_CONVERSATION, Status.ACCEPTED],
        target=Status.BECAME_PROJECT,
        permission=is_center_staff,
        conditions=[has_project],
    )
    def make_project(self):
        """A project was started from it."""

    @transition(
        field=status,
        source=[Status.NEW, Status.IN_CONVERSATION, Status.ACCEPTED],
        target=Status.DECLINED,
        permission=is_center_staff,
    )
    def decline(self):
        """The center will not serve it (say why)."""

    @transition(
        field=status,
        source=[Status.NEW, Status.IN_CONVERSATION, Status.ACCEPTED],
        target=Status.REFERRED,
        permission=is_center_staff,
        conditions=[has_referral],
    )
    def refer(self):
        """Another partner center is better placed to serve it (say which and why)."""
