from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from simple_history.models import HistoricalRecords

from r2cc_portal.fields import BoundedTextField, text_length_check
from stakeholders.models import SEA, District, Office, PartnerCenter, Stakeholder

from .querysets import (
    ActivityQuerySet,
    ConditionAssessmentQuerySet,
    IndicatorValueQuerySet,
    ProjectChildQuerySet,
    ProjectQuerySet,
)


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


class Project(models.Model):
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
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.PROPOSED)
    start_date = models.DateField()
    end_date = models.DateField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ProjectQuerySet.as_manager()
    history = HistoricalRecords()

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

    class Meta:
        ordering = ["project", "changed_on"]

    def __str__(self):
        return f"{self.changed_on}: {self.summary}"


class Goal(models.Model):
    """Part of a project's common agenda."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="goals")
    number = models.PositiveSmallIntegerField()
    statement = BoundedTextField(max_length=2000)

    objects = ProjectChildQuerySet.as_manager()

    class Meta:
        ordering = ["project", "number"]
        constraints = [
            models.UniqueConstraint(fields=["project", "number"], name="goal_unique_number"),
        ]

    def __str__(self):
        return f"Goal {self.number}: {self.statement[:60]}"


class Objective(models.Model):
    goal = models.ForeignKey(Goal, on_delete=models.CASCADE, related_name="objectives")
    number = models.PositiveSmallIntegerField()
    statement = BoundedTextField(max_length=2000)
    target_date = models.DateField(null=True, blank=True)

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
    history = HistoricalRecords()

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


class Product(models.Model):
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
        CANCELLED = "cancelled", "Cancelled"

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="products")
    title = models.CharField(max_length=200)
    kind = models.CharField(max_length=20, choices=Kind.choices)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.PLANNED)
    due_date = models.DateField(null=True, blank=True)
    delivered_on = models.DateField(null=True, blank=True)
    link = models.URLField(blank=True)
    lead_center = models.ForeignKey(PartnerCenter, on_delete=models.PROTECT, related_name="products")

    objects = ProjectChildQuerySet.as_manager()
    history = HistoricalRecords()

    OPEN_STATUSES = (Status.PLANNED, Status.IN_DEVELOPMENT, Status.IN_REVIEW)

    class Meta:
        ordering = ["project", "due_date", "title"]
        constraints = [
            models.UniqueConstraint(fields=["project", "title"], name="product_unique_title_per_project"),
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


class ActivityMonth(models.Model):
    """Hours logged per SEA, month and condition: the rollup the dashboards chart.

    Summing a million activities on every page view is too slow, so the dashboards read this
    table instead. `condition_number` 0 counts every activity of the month once; rows 1-5 count
    the activities that advance that condition (an activity advancing two conditions counts
    toward both). Kept current by `projects.services.rollups.activity_month_refresh`, which beat
    runs every few minutes and `manage.py refresh_activity_months` runs on demand.
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

    def __str__(self):
        return f"{self.name} at {self.refreshed_at}"
