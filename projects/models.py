from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django_fsm import FSMField, transition
from simple_history.models import HistoricalRecords

from core.fields import BoundedTextField, text_length_check
from stakeholders.models import SEA, District, Office, PartnerCenter, Stakeholder

from .querysets import (
    ActivityQuerySet,
    ConditionAssessmentQuerySet,
    GoalProposalQuerySet,
    IndicatorValueQuerySet,
    ObjectiveQuerySet,
    ProductAdoptionQuerySet,
    ProjectChildQuerySet,
    ProjectQuerySet,
)
from .workflow import StatusMachineMixin, is_center_staff


def end_after_start(start: str, end: str, name: str) -> models.CheckConstraint:
    return models.CheckConstraint(
        condition=Q(**{f"{end}__isnull": True}) | Q(**{f"{end}__gte": F(start)}), name=name
    )


class Condition(models.Model):
    """One of the five conditions of collective impact (reference data, see migration 0002)."""

    number = models.PositiveSmallIntegerField(unique=True)
    slug = models.SlugField(unique=True)
    name = models.CharField(max_length=100, unique=True)
    description = BoundedTextField(max_length=2000)

    class Meta:
        ordering = ["number"]

    def __str__(self):
        return self.name


class Stage(models.IntegerChoices):
    """How far a project has put a condition in place."""

    NOT_STARTED = 0, "Not started"
    EMERGING = 1, "Emerging"
    DEVELOPING = 2, "Developing"
    ESTABLISHED = 3, "Established"
    SUSTAINING = 4, "Sustaining"


class Topic(models.Model):
    """A service area of the controlled vocabulary on requests, projects and products.

    Administrators manage the list in the admin; a topic no longer offered is retired (inactive)
    rather than deleted, so older records keep it.
    """

    name = models.CharField(max_length=100, unique=True)
    slug = models.SlugField(unique=True)
    description = models.CharField(max_length=300, blank=True)
    is_active = models.BooleanField("offered", default=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name


class Project(StatusMachineMixin, models.Model):
    class Status(models.TextChoices):
        PROPOSED = "proposed", "Proposed"
        ACTIVE = "active", "Active"
        PAUSED = "paused", "Paused"
        COMPLETED = "completed", "Completed"
        CANCELLED = "cancelled", "Cancelled"

    title = models.CharField(max_length=200, unique=True)
    problem_statement = BoundedTextField(max_length=5000)
    sea = models.ForeignKey(SEA, verbose_name="client SEA", on_delete=models.PROTECT, related_name="projects")
    offices = models.ManyToManyField(Office, blank=True, related_name="projects")
    districts = models.ManyToManyField(District, blank=True, related_name="projects")
    lead_center = models.ForeignKey(PartnerCenter, on_delete=models.PROTECT, related_name="led_projects")
    partner_centers = models.ManyToManyField(
        PartnerCenter,
        blank=True,
        related_name="partner_projects",
        help_text="Other centers fielding the project team with the lead center.",
    )
    stakeholders = models.ManyToManyField(Stakeholder, blank=True, related_name="projects")
    topics = models.ManyToManyField(Topic, blank=True, related_name="projects")
    # Moved only by the transitions below (projects.services.workflow.status_move).
    status = FSMField(max_length=20, choices=Status.choices, default=Status.PROPOSED, protected=True)
    start_date = models.DateField()
    end_date = models.DateField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ProjectQuerySet.as_manager()
    # Relations are kept with each version, so a change of districts or centers shows old and new.
    history = HistoricalRecords(m2m_fields=["offices", "districts", "partner_centers"])

    class Meta:
        ordering = ["title"]
        constraints = [end_after_start("start_date", "end_date", "project_end_after_start")]
        indexes = [models.Index(fields=["sea", "status"])]

    def __str__(self):
        return self.title

    def clean(self):
        super().clean()
        if self.end_date and self.start_date and self.end_date < self.start_date:
            raise ValidationError({"end_date": "The end date cannot be before the start date."})

    # Status moves: facilitators and administrators only; each takes a reason (StatusChange).
    @transition(
        field=status,
        source=[Status.PROPOSED, Status.PAUSED],
        target=Status.ACTIVE,
        permission=is_center_staff,
    )
    def activate(self):
        """Start or resume the work."""

    @transition(field=status, source=Status.ACTIVE, target=Status.PAUSED, permission=is_center_staff)
    def pause(self):
        """Put the work on hold."""

    @transition(
        field=status,
        source=[Status.ACTIVE, Status.PAUSED],
        target=Status.COMPLETED,
        permission=is_center_staff,
    )
    def complete(self):
        """Close the project: the work is done."""

    @transition(
        field=status,
        source=[Status.PROPOSED, Status.ACTIVE, Status.PAUSED],
        target=Status.CANCELLED,
        permission=is_center_staff,
    )
    def cancel(self):
        """Stop the project before its work is done."""


class ProjectMember(models.Model):
    """A person on a project's team: the center's lead and staff, and the state's contacts.

    The team answers "who confirms this activity" and "whose work is this": activities logged by
    center staff are the SEA contacts' to confirm, those logged by SEA staff the center lead's.
    """

    class Role(models.TextChoices):
        CENTER_LEAD = "center_lead", "Center lead"
        CENTER_STAFF = "center_staff", "Center staff"
        SEA_CONTACT = "sea_contact", "SEA contact"

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="team")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="project_roles")
    role = models.CharField(max_length=20, choices=Role.choices)

    objects = ProjectChildQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        ordering = ["project", "role", "user"]
        constraints = [
            models.UniqueConstraint(fields=["project", "user"], name="project_member_once_per_project"),
            models.UniqueConstraint(
                fields=["project"], condition=Q(role="center_lead"), name="project_one_center_lead"
            ),
        ]

    def __str__(self):
        return f"{self.user} ({self.get_role_display()}, {self.project})"

    def clean(self):
        super().clean()
        if not (self.user_id and self.project_id):
            return
        user, project = self.user, self.project
        if self.role == self.Role.SEA_CONTACT:
            if user.sea_id != project.sea_id:
                raise ValidationError({"user": "An SEA contact works for the project's own SEA."})
        elif not user.sees_whole_portfolio:
            raise ValidationError({"user": "Center roles are held by facilitators or administrators."})


class ScopeChange(models.Model):
    """A recorded change of a project's plan, e.g. the pivot when schools closed in 2020."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="scope_changes")
    changed_on = models.DateField()
    summary = models.CharField(max_length=200, help_text="What changed, in a line.")
    reason = BoundedTextField(max_length=5000)
    details = BoundedTextField(max_length=5000, blank=True, help_text="Before and after, in more detail.")
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    objects = ProjectChildQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        ordering = ["project", "changed_on"]

    def __str__(self):
        return f"{self.changed_on}: {self.summary}"


class AgendaStatus(models.TextChoices):
    NOT_STARTED = "not_started", "Not started"
    IN_PROGRESS = "in_progress", "In progress"
    MET = "met", "Met"
    REVISED = "revised", "Revised"
    DROPPED = "dropped", "Dropped"


class AgendaItemStatusMixin(StatusMachineMixin, models.Model):
    """The status machine shared by goals and objectives."""

    Status = AgendaStatus
    OPEN_STATUSES = (AgendaStatus.NOT_STARTED, AgendaStatus.IN_PROGRESS, AgendaStatus.REVISED)

    status = FSMField(
        max_length=20, choices=AgendaStatus.choices, default=AgendaStatus.NOT_STARTED, protected=True
    )
    target_date = models.DateField(null=True, blank=True)

    class Meta:
        abstract = True

    @transition(
        field=status,
        source=[AgendaStatus.NOT_STARTED, AgendaStatus.REVISED],
        target=AgendaStatus.IN_PROGRESS,
        permission=is_center_staff,
    )
    def start(self):
        """Work toward it has begun."""

    @transition(
        field=status,
        source=[AgendaStatus.NOT_STARTED, AgendaStatus.IN_PROGRESS, AgendaStatus.REVISED],
        target=AgendaStatus.MET,
        permission=is_center_staff,
    )
    def meet(self):
        """It was reached."""

    @transition(
        field=status,
        source=[AgendaStatus.NOT_STARTED, AgendaStatus.IN_PROGRESS, AgendaStatus.MET],
        target=AgendaStatus.REVISED,
        permission=is_center_staff,
    )
    def revise(self):
        """Its statement or target changed with the plan (say how in the note)."""

    @transition(
        field=status,
        source=[AgendaStatus.NOT_STARTED, AgendaStatus.IN_PROGRESS, AgendaStatus.REVISED],
        target=AgendaStatus.DROPPED,
        permission=is_center_staff,
    )
    def drop(self):
        """It is no longer pursued."""

    @transition(
        field=status,
        source=[AgendaStatus.MET, AgendaStatus.DROPPED],
        target=AgendaStatus.IN_PROGRESS,
        permission=is_center_staff,
    )
    def reopen(self):
        """Work toward it resumes."""


class Goal(AgendaItemStatusMixin):
    """Part of a project's common agenda."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="goals")
    number = models.PositiveSmallIntegerField()
    statement = BoundedTextField(max_length=2000)
    indicators = models.ManyToManyField("Indicator", blank=True, related_name="goals")
    products = models.ManyToManyField("Product", blank=True, related_name="goals")
    activities = models.ManyToManyField("Activity", blank=True, related_name="goals")

    objects = ProjectChildQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        ordering = ["project", "number"]
        constraints = [
            models.UniqueConstraint(fields=["project", "number"], name="goal_unique_number"),
        ]

    def __str__(self):
        return f"Goal {self.number}: {self.statement[:60]}"


class Objective(AgendaItemStatusMixin):
    goal = models.ForeignKey(Goal, on_delete=models.CASCADE, related_name="objectives")
    number = models.PositiveSmallIntegerField()
    statement = BoundedTextField(max_length=2000)
    indicators = models.ManyToManyField("Indicator", blank=True, related_name="objectives")
    products = models.ManyToManyField("Product", blank=True, related_name="objectives")

    objects = ObjectiveQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        ordering = ["goal", "number"]
        constraints = [
            models.UniqueConstraint(fields=["goal", "number"], name="objective_unique_number"),
        ]

    def __str__(self):
        return f"Objective {self.goal.number}.{self.number}"


class ConditionAssessment(models.Model):
    """A dated rating of how far a project has put one condition in place."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="assessments")
    condition = models.ForeignKey(Condition, on_delete=models.PROTECT, related_name="assessments")
    stage = models.PositiveSmallIntegerField(
        choices=Stage.choices, validators=[MinValueValidator(0), MaxValueValidator(4)]
    )
    assessed_on = models.DateField(default=timezone.localdate)
    evidence = BoundedTextField(max_length=5000)
    assessor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ConditionAssessmentQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        ordering = ["project", "condition__number", "-assessed_on"]
        constraints = [
            models.CheckConstraint(
                condition=Q(stage__gte=0) & Q(stage__lte=4), name="assessment_stage_0_to_4"
            ),
            text_length_check("evidence", 5000, name="assessment_evidence_length"),
        ]
        indexes = [models.Index(fields=["project", "condition", "-assessed_on"])]

    def __str__(self):
        return f"{self.project} · {self.condition}: {self.get_stage_display()} ({self.assessed_on})"

    def clean(self):
        super().clean()
        if self.assessed_on and self.assessed_on > timezone.localdate():
            raise ValidationError({"assessed_on": "An assessment cannot be dated in the future."})


# An activity is logged per day: a training of several days is one activity per day.
MAX_ACTIVITY_HOURS = 24


def validate_activity_hours(value):
    """The one rule for an activity's hours, used by the forms, the API, the admin and services."""
    if value is not None and not 0 < value <= MAX_ACTIVITY_HOURS:
        raise ValidationError(
            "An activity takes more than 0 and at most %(max)s hours: log an activity of several "
            "days once per day.",
            code="hours_out_of_range",
            params={"max": MAX_ACTIVITY_HOURS},
        )


# Kept by name: the activity services write one version per write, relations included
# (`ACTIVITY_HISTORY.create_historical_record`), rather than one per relation changed.
ACTIVITY_HISTORY = HistoricalRecords(
    m2m_fields=["participants", "districts", "partner_centers", "conditions"]
)


class Activity(models.Model):
    """A piece of work SEA staff or center staff log against a project."""

    class Type(models.TextChoices):
        COACHING = "coaching", "Coaching session"
        ROOT_CAUSE = "root_cause", "Root-cause analysis"
        DATA_ANALYSIS = "data_analysis", "Data analysis"
        MEETING = "meeting", "Meeting"
        TRAINING = "training", "Training"
        PRODUCT_DEVELOPMENT = "product", "Product development"
        CONSULTATION = "consultation", "Consultation"
        OTHER = "other", "Other"

    class Mode(models.TextChoices):
        IN_PERSON = "in_person", "In person"
        VIRTUAL = "virtual", "Virtual"
        HYBRID = "hybrid", "Hybrid"

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="activities")
    date = models.DateField(default=timezone.localdate)
    type = models.CharField(max_length=20, choices=Type.choices)
    summary = BoundedTextField(max_length=5000)
    hours = models.DecimalField(
        max_digits=6,
        decimal_places=2,
        validators=[validate_activity_hours],
        help_text="More than 0 and at most 24: log an activity of several days once per day.",
    )
    mode = models.CharField("delivery mode", max_length=20, choices=Mode.choices, default=Mode.VIRTUAL)
    participants = models.ManyToManyField(Stakeholder, blank=True, related_name="activities")
    districts = models.ManyToManyField(District, blank=True, related_name="activities")
    partner_centers = models.ManyToManyField(PartnerCenter, blank=True, related_name="activities")
    conditions = models.ManyToManyField(
        Condition, blank=True, related_name="activities", verbose_name="conditions advanced"
    )
    next_steps = BoundedTextField(max_length=2000, blank=True)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="activities"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ActivityQuerySet.as_manager()
    history = ACTIVITY_HISTORY

    class Meta:
        verbose_name_plural = "activities"
        ordering = ["-date", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(hours__gt=0, hours__lte=MAX_ACTIVITY_HOURS), name="activity_hours_within_a_day"
            ),
            text_length_check("summary", 5000, name="activity_summary_length"),
            text_length_check("next_steps", 2000, name="activity_next_steps_length"),
        ]
        indexes = [
            models.Index(fields=["project", "-date"]),
            models.Index(fields=["-date"]),
            # The activity list's sorts by type and by hours, read in order by keyset pages.
            models.Index(fields=["type", "-date", "-id"], name="activity_type_date_id"),
            models.Index(fields=["hours", "-date", "-id"], name="activity_hours_date_id"),
        ]

    def __str__(self):
        return f"{self.date} {self.get_type_display()}: {self.project}"

    def clean(self):
        super().clean()
        if self.date and self.date > timezone.localdate():
            raise ValidationError({"date": "Log activities that have happened: the date is in the future."})


class Indicator(models.Model):
    """An agreed measure of a project's progress (shared measurement)."""

    class Direction(models.TextChoices):
        INCREASE = "increase", "Higher is better"
        DECREASE = "decrease", "Lower is better"
        MAINTAIN = "maintain", "Stay at target"

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="indicators")
    name = models.CharField(max_length=200)
    definition = BoundedTextField(max_length=2000)
    unit = models.CharField(max_length=40, help_text="e.g. percent, districts, teachers")
    baseline = models.DecimalField(max_digits=14, decimal_places=2)
    baseline_date = models.DateField(null=True, blank=True)
    target = models.DecimalField(max_digits=14, decimal_places=2)
    target_date = models.DateField(null=True, blank=True)
    direction = models.CharField(max_length=10, choices=Direction.choices, default=Direction.INCREASE)
    data_source = models.CharField(max_length=200, blank=True)

    objects = ProjectChildQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        ordering = ["project", "name"]
        constraints = [
            models.UniqueConstraint(fields=["project", "name"], name="indicator_unique_name_per_project"),
        ]

    def __str__(self):
        return self.name

    def is_on_target(self, value) -> bool:
        if self.direction == self.Direction.INCREASE:
            return value >= self.target
        if self.direction == self.Direction.DECREASE:
            return value <= self.target
        return value == self.target


class IndicatorValue(models.Model):
    indicator = models.ForeignKey(Indicator, on_delete=models.CASCADE, related_name="values")
    measured_on = models.DateField()
    value = models.DecimalField(max_digits=14, decimal_places=2)
    note = models.CharField(max_length=300, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    objects = IndicatorValueQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        ordering = ["indicator", "measured_on"]
        constraints = [
            models.UniqueConstraint(fields=["indicator", "measured_on"], name="indicator_value_one_per_date"),
        ]

    def __str__(self):
        return f"{self.indicator}: {self.value} on {self.measured_on}"

    def clean(self):
        super().clean()
        if self.measured_on and self.measured_on > timezone.localdate():
            raise ValidationError({"measured_on": "A value cannot be recorded for a future date."})


def product_upload_path(instance, filename: str) -> str:
    return f"products/{instance.project_id}/{filename}"


class Product(StatusMachineMixin, models.Model):
    """A deliverable: a template, guidebook, tool, best-practice set or report."""

    class Kind(models.TextChoices):
        TEMPLATE = "template", "Template"
        GUIDEBOOK = "guidebook", "Guidebook"
        TOOL = "tool", "Tool"
        BEST_PRACTICES = "best_practices", "Best-practice set"
        REPORT = "report", "Report"
        OTHER = "other", "Other"

    class Status(models.TextChoices):
        PLANNED = "planned", "Planned"
        IN_DEVELOPMENT = "in_development", "In development"
        IN_REVIEW = "in_review", "In review"
        DELIVERED = "delivered", "Delivered"
        RETIRED = "retired", "Retired"
        CANCELLED = "cancelled", "Cancelled"

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="products")
    title = models.CharField(max_length=200)
    kind = models.CharField(max_length=20, choices=Kind.choices)
    description = BoundedTextField(max_length=2000, blank=True)
    # Moved only by the transitions below (projects.services.workflow.status_move).
    status = FSMField(max_length=20, choices=Status.choices, default=Status.PLANNED, protected=True)
    due_date = models.DateField(null=True, blank=True)
    delivered_on = models.DateField(null=True, blank=True)
    link = models.URLField(blank=True)
    file = models.FileField(upload_to=product_upload_path, max_length=300, blank=True)
    topics = models.ManyToManyField(Topic, blank=True, related_name="products")
    lead_center = models.ForeignKey(PartnerCenter, on_delete=models.PROTECT, related_name="products")

    objects = ProjectChildQuerySet.as_manager()
    history = HistoricalRecords()

    OPEN_STATUSES = (Status.PLANNED, Status.IN_DEVELOPMENT, Status.IN_REVIEW)

    class Meta:
        ordering = ["project", "due_date", "title"]
        indexes = [
            # A project's open products by due date: the overdue and due-soon lists of the
            # dashboards and of "my work", and the projects with overdue products, read these
            # entries instead of every product.
            models.Index(
                fields=["project", "due_date"],
                name="product_open_due",
                condition=Q(status__in=["planned", "in_development", "in_review"]),
            ),
        ]
        constraints = [
            models.UniqueConstraint(fields=["project", "title"], name="product_unique_title_per_project"),
            models.CheckConstraint(
                condition=~Q(status__in=["delivered", "retired"]) | Q(delivered_on__isnull=False),
                name="product_delivered_has_date",
            ),
        ]

    def __str__(self):
        return self.title

    @property
    def is_overdue(self) -> bool:
        return (
            self.status in self.OPEN_STATUSES
            and self.due_date is not None
            and self.due_date < timezone.localdate()
        )

    def has_delivery_date(self) -> bool:
        """A delivered product needs its delivery date."""
        return self.delivered_on is not None

    @transition(field=status, source=Status.PLANNED, target=Status.IN_DEVELOPMENT, permission=is_center_staff)
    def start_development(self):
        """Work on it has begun."""

    @transition(
        field=status, source=Status.IN_DEVELOPMENT, target=Status.IN_REVIEW, permission=is_center_staff
    )
    def submit_for_review(self):
        """A draft is out for review."""

    @transition(
        field=status, source=Status.IN_REVIEW, target=Status.IN_DEVELOPMENT, permission=is_center_staff
    )
    def return_to_development(self):
        """The review asked for changes."""

    @transition(
        field=status,
        source=Status.IN_REVIEW,
        target=Status.DELIVERED,
        permission=is_center_staff,
        conditions=[has_delivery_date],
    )
    def deliver(self):
        """Handed to the state (needs the delivery date)."""

    @transition(field=status, source=Status.DELIVERED, target=Status.RETIRED, permission=is_center_staff)
    def retire(self):
        """No longer offered or maintained."""

    @transition(
        field=status,
        source=[Status.PLANNED, Status.IN_DEVELOPMENT, Status.IN_REVIEW],
        target=Status.CANCELLED,
        permission=is_center_staff,
    )
    def cancel(self):
        """It will not be made."""


class ActivityMonth(models.Model):
    """Hours logged per SEA, month and condition: the rollup the dashboards chart.

    Summing a million activities on every page view is too slow, so the dashboards read this
    table instead. `condition_number` 0 counts every activity of the month once; rows 1-5 count
    the activities that advance that condition (an activity advancing two conditions counts
    toward both). Changed in the same transaction as every activity write
    (`projects.services.rollups.activity_month_change`); `manage.py refresh_activity_months
    --full` rebuilds it after bulk loads, and beat checks it nightly.
    """

    ALL_CONDITIONS = 0

    sea = models.ForeignKey(SEA, on_delete=models.CASCADE, related_name="+")
    month = models.DateField(help_text="First day of the month.")
    condition_number = models.PositiveSmallIntegerField(help_text="0 for all activities.")
    hours = models.DecimalField(max_digits=14, decimal_places=2)
    activities = models.PositiveIntegerField()

    class Meta:
        ordering = ["sea", "month", "condition_number"]
        constraints = [
            models.UniqueConstraint(
                fields=["sea", "month", "condition_number"], name="activity_month_unique"
            ),
        ]
        indexes = [models.Index(fields=["month", "sea"])]

    def __str__(self):
        return f"{self.sea_id} {self.month:%Y-%m} condition {self.condition_number}: {self.hours} h"


class RollupWatermark(models.Model):
    """When a rollup was last brought up to date (activity history before it is accounted for)."""

    name = models.CharField(max_length=50, unique=True)
    refreshed_at = models.DateTimeField()
    # How many history rows each source held from `refreshed_at` less the look-back when the
    # refresh began (accountability.rollup): a count that moved means a change not yet seen.
    seen = models.JSONField(default=dict, blank=True)

    def __str__(self):
        return f"{self.name} at {self.refreshed_at}"


class ProductVersion(models.Model):
    """One published version of a product: a file or a link, with what changed."""

    product = models.ForeignKey(Product, on_delete=models.CASCADE, related_name="versions")
    label = models.CharField(max_length=40, help_text="e.g. 1.0, 2025 edition")
    file = models.FileField(upload_to="products/versions/%Y/", max_length=300, blank=True)
    link = models.URLField(blank=True)
    note = models.CharField("what changed", max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    history = HistoricalRecords()

    class Meta:
        ordering = ["product", "-created_at"]
        constraints = [
            models.UniqueConstraint(fields=["product", "label"], name="product_version_unique_label"),
        ]

    def __str__(self):
        return f"{self.product} {self.label}"

    def clean(self):
        super().clean()
        if not self.file and not self.link:
            raise ValidationError({"link": "Give a link or upload a file for this version."})


class ProductAdoption(models.Model):
    """A district of the project that adopted a product (a template, a guidebook) and when."""

    product = models.ForeignKey(Product, on_delete=models.CASCADE, related_name="adoptions")
    district = models.ForeignKey(District, on_delete=models.PROTECT, related_name="product_adoptions")
    adopted_on = models.DateField()
    note = models.CharField(max_length=300, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ProductAdoptionQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        ordering = ["product", "district__name"]
        constraints = [
            models.UniqueConstraint(
                fields=["product", "district"], name="product_adoption_once_per_district"
            ),
        ]

    def __str__(self):
        return f"{self.district} adopted {self.product} on {self.adopted_on}"

    def clean(self):
        super().clean()
        if self.adopted_on and self.adopted_on > timezone.localdate():
            raise ValidationError({"adopted_on": "An adoption cannot be dated in the future."})
        if (
            self.product_id
            and self.district_id
            and not self.product.project.districts.filter(pk=self.district_id).exists()
        ):
            raise ValidationError({"district": "This district does not take part in the product's project."})


class StatusChange(models.Model):
    """One move of a status machine (request, project, goal, objective, product): who, when, why."""

    content_type = models.ForeignKey("contenttypes.ContentType", on_delete=models.CASCADE, related_name="+")
    object_id = models.PositiveBigIntegerField()
    transition = models.CharField(max_length=40)
    source = models.CharField("from", max_length=20)
    target = models.CharField("to", max_length=20)
    note = BoundedTextField(max_length=2000, blank=True)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    at = models.DateTimeField(default=timezone.now)

    history = HistoricalRecords()

    # The labels of `source` and `target`, set for pages by workflow.status_history.
    source_label: str
    target_label: str

    class Meta:
        ordering = ["content_type", "object_id", "at", "pk"]
        indexes = [models.Index(fields=["content_type", "object_id", "at"])]

    def __str__(self):
        return f"{self.source} → {self.target} ({self.at:%Y-%m-%d})"


class GoalProposal(models.Model):
    """An edit of a goal proposed by the state's staff, applied when a facilitator approves it."""

    class Status(models.TextChoices):
        PENDING = "pending", "Awaiting a decision"
        APPROVED = "approved", "Approved"
        DECLINED = "declined", "Declined"

    goal = models.ForeignKey(Goal, on_delete=models.CASCADE, related_name="proposals")
    statement = BoundedTextField("proposed statement", max_length=2000)
    target_date = models.DateField("proposed target date", null=True, blank=True)
    reason = BoundedTextField(max_length=2000)
    proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="goal_proposals"
    )
    proposed_at = models.DateTimeField(auto_now_add=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_note = models.CharField(max_length=300, blank=True)

    objects = GoalProposalQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        ordering = ["-proposed_at"]

    def __str__(self):
        return f"Proposed edit of {self.goal}"
