"""The record confirmed by the states, the participants' ratings and the annual report's measures.

This app stands above projects, communications and meetings (it reads their records and plugs
into their registries); nothing below imports it.
"""

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from simple_history.models import HistoricalRecords

from core.fields import BoundedTextField
from projects.models import Activity, Objective, Product, Project, ProjectMember
from stakeholders.models import Stakeholder

from .querysets import AttestationQuerySet, ServiceStatementQuerySet, SurveyInvitationQuerySet


class Decision(models.TextChoices):
    PENDING = "pending", "Waiting for confirmation"
    CONFIRMED = "confirmed", "Confirmed"
    COMMENTED = "commented", "Commented"
    DISPUTED = "disputed", "Disputed"
    SUPERSEDED = "superseded", "Superseded by a later version"


class Attestation(models.Model):
    """The counterpart's answer on one version of an activity.

    `version` is the id of the activity's history record the answer is about, so an edit makes a
    new version (a new row, pending again) and the rows of earlier versions stay as they were:
    the activity's history shows what was confirmed and what changed since. Exactly one row per
    activity is `is_current`.
    """

    activity = models.ForeignKey(Activity, on_delete=models.CASCADE, related_name="attestations")
    version = models.PositiveBigIntegerField(help_text="The activity's history id this answer is about.")
    is_current = models.BooleanField(default=True)
    counterpart_role = models.CharField(
        max_length=20,
        choices=ProjectMember.Role.choices,
        help_text="Who on the project's team confirms it (see accountability.counterparts).",
    )
    status = models.CharField(max_length=20, choices=Decision.choices, default=Decision.PENDING)
    requested_at = models.DateTimeField()
    reminded_at = models.DateTimeField(null=True, blank=True)
    decided_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    comment = BoundedTextField("comment or reason", max_length=2000, blank=True)

    objects = AttestationQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        ordering = ["activity", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["activity", "version"], name="attestation_one_per_version"),
            models.UniqueConstraint(
                fields=["activity"], condition=Q(is_current=True), name="attestation_one_current"
            ),
            models.CheckConstraint(
                condition=~Q(status="disputed") | ~Q(comment=""), name="attestation_dispute_has_reason"
            ),
        ]
        indexes = [
            models.Index(fields=["status", "requested_at"], condition=Q(is_current=True), name="attest_open"),
            # The API's newest-first cursor pages.
            models.Index(fields=["requested_at", "id"], name="attest_requested"),
        ]

    def __str__(self):
        return f"{self.activity_id} v{self.version}: {self.get_status_display()}"

    def clean(self):
        super().clean()
        if self.status == Decision.DISPUTED and not (self.comment or "").strip():
            raise ValidationError({"comment": "Say why you dispute this activity."})


class ServiceStatement(models.Model):
    """A project's services of one month, attested as a whole by the state's contact."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="service_statements")
    month = models.DateField(help_text="First day of the month.")
    activities = models.PositiveIntegerField()
    hours = models.DecimalField(max_digits=10, decimal_places=2)
    products = models.PositiveIntegerField(help_text="Products delivered in the month.")
    status = models.CharField(max_length=20, choices=Decision.choices, default=Decision.PENDING)
    prepared_at = models.DateTimeField()
    decided_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    comment = BoundedTextField("comment or reason", max_length=2000, blank=True)

    objects = ServiceStatementQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        ordering = ["project", "-month"]
        constraints = [
            models.UniqueConstraint(fields=["project", "month"], name="statement_one_per_month"),
            models.CheckConstraint(condition=Q(month__day=1), name="statement_month_first_day"),
        ]

    def __str__(self):
        return f"{self.project} {self.month:%B %Y}"

    @property
    def sentence(self) -> str:
        hours = f"{self.hours.normalize():f}" if self.hours is not None else "0"
        return (
            f"{self.project.sea.short_name} confirms the {self.month:%B %Y} services: "
            f"{self.activities} activities, {hours} hours, {self.products} products delivered"
        )


class Dimension(models.TextChoices):
    QUALITY = "quality", "Quality"
    RELEVANCE = "relevance", "Relevance"
    USEFULNESS = "usefulness", "Usefulness"


class SurveyItem(models.Model):
    """A 1-5 statement of the survey bank; the active items of each dimension are asked."""

    dimension = models.CharField(max_length=20, choices=Dimension.choices)
    text = models.CharField(max_length=300)
    order = models.PositiveSmallIntegerField(default=0)
    is_active = models.BooleanField(default=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["dimension", "order", "pk"]

    def __str__(self):
        return f"{self.get_dimension_display()}: {self.text}"


class SurveyInvitation(models.Model):
    """A participant asked to rate one service (a completed activity) or one delivered product."""

    stakeholder = models.ForeignKey(Stakeholder, on_delete=models.CASCADE, related_name="survey_invitations")
    activity = models.ForeignKey(
        Activity, null=True, blank=True, on_delete=models.CASCADE, related_name="survey_invitations"
    )
    product = models.ForeignKey(
        Product, null=True, blank=True, on_delete=models.CASCADE, related_name="survey_invitations"
    )
    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="survey_invitations")
    activity_type = models.CharField(max_length=20, blank=True, help_text="Empty for a product.")
    sent_at = models.DateTimeField()
    responded_at = models.DateTimeField(null=True, blank=True)

    objects = SurveyInvitationQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        ordering = ["-sent_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(activity__isnull=True, product__isnull=False)
                | Q(activity__isnull=False, product__isnull=True),
                name="survey_rates_one_thing",
            ),
            models.UniqueConstraint(fields=["activity", "stakeholder"], name="survey_once_per_activity"),
            models.UniqueConstraint(fields=["product", "stakeholder"], name="survey_once_per_product"),
        ]
        indexes = [models.Index(fields=["project", "sent_at"])]

    def __str__(self):
        return f"{self.stakeholder} on {self.activity or self.product}"

    @property
    def subject(self):
        return self.activity or self.product


def _score_field(name):
    return models.DecimalField(
        name,
        max_digits=3,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(5)],
    )


class SurveyResponse(models.Model):
    """One participant's answers; the per-dimension means are kept for the rollups."""

    invitation = models.OneToOneField(SurveyInvitation, on_delete=models.CASCADE, related_name="response")
    quality = _score_field("quality")
    relevance = _score_field("relevance")
    usefulness = _score_field("usefulness")
    comment = BoundedTextField(max_length=2000, blank=True)
    submitted_at = models.DateTimeField()

    history = HistoricalRecords()

    class Meta:
        ordering = ["-submitted_at"]
        # The API's newest-first cursor pages, and the report's responses of a period.
        indexes = [models.Index(fields=["submitted_at", "id"], name="survey_response_submitted")]

    def __str__(self):
        return f"{self.invitation}: {self.quality}/{self.relevance}/{self.usefulness}"


class SurveyAnswer(models.Model):
    response = models.ForeignKey(SurveyResponse, on_delete=models.CASCADE, related_name="answers")
    item = models.ForeignKey(SurveyItem, on_delete=models.PROTECT, related_name="answers")
    score = models.PositiveSmallIntegerField(validators=[MinValueValidator(1), MaxValueValidator(5)])

    class Meta:
        ordering = ["response", "item"]
        constraints = [
            models.UniqueConstraint(fields=["response", "item"], name="survey_answer_once"),
            models.CheckConstraint(condition=Q(score__gte=1, score__lte=5), name="survey_score_1_to_5"),
        ]

    def __str__(self):
        return f"{self.item_id}: {self.score}"


class PerformanceMeasure(models.Model):
    """A measure of the annual report: program-wide, or one project's (optionally one objective's).

    What it counts is chosen from `Counts`, so next year's measure set is an admin edit.
    """

    class Counts(models.TextChoices):
        ACTIVITIES = "activities", "Activities logged"
        HOURS = "hours", "Hours of service"
        PARTICIPANTS = "participants", "Participants (distinct people)"
        DISTRICTS = "districts", "Districts reached"
        PRODUCTS_DELIVERED = "products_delivered", "Products delivered"
        RATED_HIGHLY = "rated_highly", "Percent of ratings of 4 or 5"
        ATTESTED = "attested", "Percent of activities confirmed by the state"

    name = models.CharField(max_length=200)
    definition = BoundedTextField(max_length=2000)
    counts = models.CharField("which records count", max_length=30, choices=Counts.choices)
    activity_type = models.CharField(
        max_length=20, blank=True, choices=Activity.Type.choices, help_text="Only activities of this type."
    )
    project = models.ForeignKey(
        Project,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="performance_measures",
        help_text="Empty for a program measure (all projects).",
    )
    objective = models.ForeignKey(
        Objective, null=True, blank=True, on_delete=models.SET_NULL, related_name="performance_measures"
    )
    order = models.PositiveSmallIntegerField(default=0)

    history = HistoricalRecords()

    class Meta:
        ordering = ["project", "order", "name"]

    def __str__(self):
        return self.name

    def clean(self):
        super().clean()
        if self.objective_id and self.project_id and self.objective.goal.project_id != self.project_id:
            raise ValidationError({"objective": "Choose an objective of the measure's project."})
        if self.objective_id and not self.project_id:
            raise ValidationError({"objective": "A program measure has no objective: choose a project."})

    @property
    def is_percent(self) -> bool:
        return self.counts in (self.Counts.RATED_HIGHLY, self.Counts.ATTESTED)


class MeasureTarget(models.Model):
    """A measure's target for one reporting period."""

    measure = models.ForeignKey(PerformanceMeasure, on_delete=models.CASCADE, related_name="targets")
    period_start = models.DateField()
    period_end = models.DateField()
    target = models.DecimalField(max_digits=14, decimal_places=2, validators=[MinValueValidator(0)])

    history = HistoricalRecords()

    class Meta:
        ordering = ["measure", "period_start"]
        constraints = [
            models.UniqueConstraint(
                fields=["measure", "period_start", "period_end"], name="target_one_per_period"
            ),
            models.CheckConstraint(
                condition=Q(period_end__gte=F("period_start")), name="target_period_order"
            ),
        ]

    def __str__(self):
        return f"{self.measure}: {self.target} ({self.period_start} – {self.period_end})"


class ProgressExplanation(models.Model):
    """The explanation of progress on a measure, written for one reporting period."""

    measure = models.ForeignKey(PerformanceMeasure, on_delete=models.CASCADE, related_name="explanations")
    period_start = models.DateField()
    period_end = models.DateField()
    text = BoundedTextField(max_length=5000)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["measure", "period_start"]
        constraints = [
            models.UniqueConstraint(
                fields=["measure", "period_start", "period_end"], name="explanation_one_per_period"
            ),
        ]

    def __str__(self):
        return f"{self.measure} ({self.period_start} – {self.period_end})"


class ServiceMonth(models.Model):
    """The services of one state, month and activity type: the rollup the annual report reads.

    Distinct participants and districts cannot be summed across months, so each row keeps their
    ids; the report counts the distinct ids of the months it covers. Kept current by
    `accountability.rollup.service_month_refresh` (beat, every few minutes); the days of a period
    that do not fill a whole month are read from the activities themselves.
    """

    sea = models.ForeignKey("stakeholders.SEA", on_delete=models.CASCADE, related_name="+")
    month = models.DateField(help_text="First day of the month.")
    type = models.CharField(max_length=20)
    activities = models.PositiveIntegerField()
    hours = models.DecimalField(max_digits=14, decimal_places=2)
    confirmed = models.PositiveIntegerField(default=0)
    disputed = models.PositiveIntegerField(default=0)
    participant_ids = ArrayField(models.IntegerField(), default=list)
    district_ids = ArrayField(models.IntegerField(), default=list)

    class Meta:
        ordering = ["sea", "month", "type"]
        constraints = [models.UniqueConstraint(fields=["sea", "month", "type"], name="service_month_unique")]
        indexes = [models.Index(fields=["month", "sea"])]

    def __str__(self):
        return f"{self.sea_id} {self.month:%Y-%m} {self.type}: {self.activities}"
