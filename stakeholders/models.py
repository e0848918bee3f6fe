from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models
from django.db.models import F, Q
from django.db.models.functions import Lower
from simple_history.models import HistoricalRecords

from .querysets import (
    AdvisoryBodyQuerySet,
    DistrictQuerySet,
    MembershipQuerySet,
    OfficeQuerySet,
    OrganizationQuerySet,
    PartnerCenterQuerySet,
    SEAQuerySet,
    StakeholderQuerySet,
)

state_code_validator = RegexValidator(r"^[A-Z]{2}$", "Use the two-letter postal code, e.g. CT.")
nces_lea_validator = RegexValidator(r"^\d{7}$", "An NCES LEA id has seven digits.")


class SEA(models.Model):
    """A state education agency, the center's client."""

    name = models.CharField(max_length=200, unique=True)
    short_name = models.CharField(max_length=20, unique=True, help_text="e.g. CSDE")
    state_code = models.CharField(max_length=2, unique=True, validators=[state_code_validator])
    website = models.URLField(blank=True)

    objects = SEAQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        verbose_name = "SEA"
        verbose_name_plural = "SEAs"
        ordering = ["state_code"]
        constraints = [
            models.CheckConstraint(
                condition=Q(state_code__regex=r"^[A-Z]{2}$"), name="sea_state_code_two_capitals"
            ),
        ]

    def __str__(self):
        return f"{self.short_name} ({self.state_code})"


class Office(models.Model):
    sea = models.ForeignKey(SEA, verbose_name="SEA", on_delete=models.CASCADE, related_name="offices")
    name = models.CharField(max_length=200)

    objects = OfficeQuerySet.as_manager()

    class Meta:
        ordering = ["sea__state_code", "name"]
        constraints = [
            models.UniqueConstraint(fields=["sea", "name"], name="office_unique_name_per_sea"),
        ]

    def __str__(self):
        return f"{self.sea.short_name} {self.name}"


class District(models.Model):
    """A local education agency (LEA)."""

    sea = models.ForeignKey(SEA, verbose_name="SEA", on_delete=models.PROTECT, related_name="districts")
    name = models.CharField(max_length=200)
    nces_id = models.CharField("NCES LEA id", max_length=7, unique=True, validators=[nces_lea_validator])
    is_demo = models.BooleanField(
        "demo data", default=False, help_text="Fictitious district loaded for demonstrations."
    )

    objects = DistrictQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        ordering = ["sea__state_code", "name"]
        constraints = [
            models.UniqueConstraint(fields=["sea", "name"], name="district_unique_name_per_sea"),
        ]

    def __str__(self):
        return self.name


class PartnerCenter(models.Model):
    """A federally funded technical-assistance center the portal coordinates with."""

    class Kind(models.TextChoices):
        REGIONAL_COMPREHENSIVE_CENTER = "rcc", "Regional comprehensive center"
        REGIONAL_EDUCATIONAL_LABORATORY = "rel", "Regional educational laboratory"
        EQUITY_ASSISTANCE_CENTER = "eac", "Equity assistance center"
        NATIONAL_CENTER = "national", "National center"
        CONTENT_CENTER = "content", "Content center"
        OTHER = "other", "Other"

    name = models.CharField(max_length=200, unique=True)
    short_name = models.CharField(max_length=40, unique=True)
    kind = models.CharField(max_length=20, choices=Kind.choices)
    funder = models.CharField(max_length=200, blank=True, help_text="Funding agency or program.")
    contract = models.CharField(max_length=200, blank=True, help_text="Contract or award number.")
    operators = models.CharField(
        max_length=200, blank=True, help_text="Organizations that run the center, e.g. EDC, WestEd."
    )
    website = models.URLField(blank=True)

    objects = PartnerCenterQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.short_name


class Organization(models.Model):
    """Another stakeholder organization, e.g. a school boards association."""

    class Kind(models.TextChoices):
        SCHOOL_BOARDS_ASSOCIATION = "school_boards", "School boards association"
        PROFESSIONAL_ASSOCIATION = "professional", "Professional association"
        HIGHER_EDUCATION = "higher_ed", "Institution of higher education"
        COMMUNITY = "community", "Community or nonprofit organization"
        FAMILY = "family", "Family or student organization"
        OTHER = "other", "Other"

    name = models.CharField(max_length=200, unique=True)
    kind = models.CharField(max_length=20, choices=Kind.choices)
    sea = models.ForeignKey(
        SEA,
        verbose_name="state",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="organizations",
        help_text="The state it works in, if it is a state organization.",
    )
    website = models.URLField(blank=True)

    objects = OrganizationQuerySet.as_manager()

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name


class Stakeholder(models.Model):
    """A person the center works with: SEA and district staff, center staff, partners."""

    first_name = models.CharField(max_length=100)
    last_name = models.CharField(max_length=100)
    email = models.EmailField(max_length=254)
    title = models.CharField(max_length=200, blank=True)
    sea = models.ForeignKey(
        SEA,
        verbose_name="state",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="stakeholders",
        help_text="The state the person belongs to; empty for regional or national partners.",
    )
    office = models.ForeignKey(
        Office, null=True, blank=True, on_delete=models.SET_NULL, related_name="stakeholders"
    )
    district = models.ForeignKey(
        District, null=True, blank=True, on_delete=models.SET_NULL, related_name="stakeholders"
    )
    partner_center = models.ForeignKey(
        PartnerCenter, null=True, blank=True, on_delete=models.SET_NULL, related_name="staff"
    )
    organization = models.ForeignKey(
        Organization, null=True, blank=True, on_delete=models.SET_NULL, related_name="people"
    )
    is_active = models.BooleanField("active", default=True)
    email_bounced_at = models.DateTimeField(
        null=True, blank=True, help_text="Set when mail to this address bounced hard."
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    user = models.OneToOneField(
        "accounts.User",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="stakeholder",
        help_text="The portal account of this person, if they sign in.",
    )

    objects = StakeholderQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        ordering = ["last_name", "first_name"]
        constraints = [
            models.UniqueConstraint(Lower("email"), name="stakeholder_email_unique_ci"),
        ]
        indexes = [
            models.Index(fields=["sea", "last_name"]),
            # The directory's default order, so a page of 100,000 people needs no sort.
            models.Index(fields=["last_name", "first_name", "id"], name="stakeholder_directory_order"),
        ]

    def __str__(self):
        return self.full_name

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}"

    @property
    def affiliation(self):
        """The most specific place the person works, for display."""
        return self.office or self.district or self.partner_center or self.organization or self.sea

    def clean(self):
        super().clean()
        self.email = self.email.strip()
        for field in ("office", "district"):
            related = getattr(self, field)
            if related is not None and related.sea_id != self.sea_id:
                raise ValidationError({field: f"This {field} belongs to another state."})
        clash = Stakeholder.objects.filter(email__iexact=self.email).exclude(pk=self.pk)
        if self.email and clash.exists():
            raise ValidationError({"email": "Another stakeholder already has this e-mail address."})


class AdvisoryBody(models.Model):
    """A standing body the center convenes: the Regional Advisory Board or Coordinating Council."""

    class Kind(models.TextChoices):
        ADVISORY_BOARD = "advisory_board", "Advisory board"
        COORDINATING_COUNCIL = "coordinating_council", "Coordinating council"

    name = models.CharField(max_length=200, unique=True)
    short_name = models.CharField(max_length=20, unique=True)
    kind = models.CharField(max_length=30, choices=Kind.choices)
    description = models.TextField(blank=True)
    convened_by = models.ForeignKey(
        PartnerCenter, null=True, blank=True, on_delete=models.PROTECT, related_name="bodies"
    )
    meetings_per_year = models.PositiveSmallIntegerField(
        null=True, blank=True, help_text="Expected cadence, e.g. 2 for twice a year."
    )

    class QuorumRule(models.TextChoices):
        MAJORITY = "majority", "Majority of voting members"
        TWO_THIRDS = "two_thirds", "Two thirds of voting members"
        FIXED = "fixed", "A fixed number of voting members"

    quorum_rule = models.CharField(max_length=20, choices=QuorumRule.choices, default=QuorumRule.MAJORITY)
    quorum_count = models.PositiveSmallIntegerField(
        null=True, blank=True, help_text="Voting members needed when the rule is a fixed number."
    )

    objects = AdvisoryBodyQuerySet.as_manager()

    class Meta:
        verbose_name_plural = "advisory bodies"
        ordering = ["name"]

    def __str__(self):
        return self.short_name

    def clean(self):
        super().clean()
        if self.quorum_rule == self.QuorumRule.FIXED and not self.quorum_count:
            raise ValidationError({"quorum_count": "Give the number of voting members a quorum needs."})

    def quorum_needed(self, voting_members: int) -> int:
        """How many voting members must attend (in person or by delegate) for a quorum."""
        if self.quorum_rule == self.QuorumRule.FIXED:
            return self.quorum_count or 0
        if self.quorum_rule == self.QuorumRule.TWO_THIRDS:
            return -(-2 * voting_members // 3)
        return voting_members // 2 + 1


class BodyPurpose(models.Model):
    body = models.ForeignKey(AdvisoryBody, on_delete=models.CASCADE, related_name="purposes")
    number = models.PositiveSmallIntegerField()
    text = models.CharField(max_length=300)

    class Meta:
        ordering = ["body", "number"]
        constraints = [
            models.UniqueConstraint(fields=["body", "number"], name="body_purpose_unique_number"),
        ]

    def __str__(self):
        return f"({self.number}) {self.text}"


class Membership(models.Model):
    """A stakeholder's seat on an advisory body for a term, representing one organization."""

    class Role(models.TextChoices):
        CHAIR = "chair", "Chair"
        VICE_CHAIR = "vice_chair", "Vice chair"
        MEMBER = "member", "Member"
        EX_OFFICIO = "ex_officio", "Ex officio"
        OBSERVER = "observer", "Observer"

    body = models.ForeignKey(AdvisoryBody, on_delete=models.CASCADE, related_name="memberships")
    stakeholder = models.ForeignKey(Stakeholder, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(max_length=20, choices=Role.choices, default=Role.MEMBER)
    is_voting = models.BooleanField("voting member", default=True)
    represents_sea = models.ForeignKey(
        SEA, verbose_name="represents SEA", null=True, blank=True, on_delete=models.PROTECT
    )
    represents_district = models.ForeignKey(
        District, verbose_name="represents district", null=True, blank=True, on_delete=models.PROTECT
    )
    represents_center = models.ForeignKey(
        PartnerCenter,
        verbose_name="represents partner center",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="memberships",
    )
    represents_organization = models.ForeignKey(
        Organization,
        verbose_name="represents organization",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
    )
    term_start = models.DateField()
    term_end = models.DateField(null=True, blank=True, help_text="Leave empty for an open term.")

    objects = MembershipQuerySet.as_manager()
    history = HistoricalRecords()

    REPRESENTS_FIELDS = (
        "represents_sea",
        "represents_district",
        "represents_center",
        "represents_organization",
    )

    class Meta:
        ordering = ["body", "stakeholder__last_name", "term_start"]
        constraints = [
            models.CheckConstraint(
                condition=Q(term_end__isnull=True) | Q(term_end__gte=F("term_start")),
                name="membership_term_end_after_start",
            ),
            models.CheckConstraint(
                condition=(
                    Q(
                        represents_sea__isnull=False,
                        represents_district__isnull=True,
                        represents_center__isnull=True,
                        represents_organization__isnull=True,
                    )
                    | Q(
                        represents_sea__isnull=True,
                        represents_district__isnull=False,
                        represents_center__isnull=True,
                        represents_organization__isnull=True,
                    )
                    | Q(
                        represents_sea__isnull=True,
                        represents_district__isnull=True,
                        represents_center__isnull=False,
                        represents_organization__isnull=True,
                    )
                    | Q(
                        represents_sea__isnull=True,
                        represents_district__isnull=True,
                        represents_center__isnull=True,
                        represents_organization__isnull=False,
                    )
                ),
                name="membership_represents_exactly_one",
            ),
            models.UniqueConstraint(
                fields=["body", "stakeholder", "term_start"], name="membership_unique_term_start"
            ),
        ]

    def __str__(self):
        return f"{self.stakeholder} on {self.body}"

    @property
    def represents(self):
        for field in self.REPRESENTS_FIELDS:
            value = getattr(self, field)
            if value is not None:
                return value
        return None

    def clean(self):
        super().clean()
        chosen = [f for f in self.REPRESENTS_FIELDS if getattr(self, f"{f}_id") is not None]
        if len(chosen) != 1:
            raise ValidationError(
                "Choose exactly one thing the member represents: an SEA, a district, "
                "a partner center or an organization."
            )
        if self.term_end and self.term_start and self.term_end < self.term_start:
            raise ValidationError({"term_end": "The term cannot end before it starts."})
        if self.body_id and self.stakeholder_id and self.term_start:
            overlapping = Membership.objects.filter(
                body_id=self.body_id, stakeholder_id=self.stakeholder_id
            ).exclude(pk=self.pk)
            if self.term_end:
                overlapping = overlapping.filter(term_start__lte=self.term_end)
            overlapping = overlapping.filter(Q(term_end__isnull=True) | Q(term_end__gte=self.term_start))
            if overlapping.exists():
                raise ValidationError("This person already has a seat on this body for an overlapping term.")


class CommunicationCategory(models.TextChoices):
    """What a message is about; stakeholders choose per category how they hear from us."""

    PROJECT_UPDATE = "project_update", "Project updates"
    MEETING = "meeting", "Meetings"
    NEWSLETTER = "newsletter", "Newsletter"
    DIGEST = "digest", "Progress digest"
    FEEDBACK_REQUEST = "feedback_request", "Feedback requests"
    ACTION_ITEM_REMINDER = "action_item_reminder", "Action-item reminders"


class CommunicationPreference(models.Model):
    """A stakeholder's choice for one category; no row means immediate delivery."""

    class Delivery(models.TextChoices):
        IMMEDIATE = "immediate", "Send each message"
        WEEKLY = "weekly", "Weekly digest"
        NONE = "none", "Opted out"

    stakeholder = models.ForeignKey(Stakeholder, on_delete=models.CASCADE, related_name="preferences")
    category = models.CharField(max_length=30, choices=CommunicationCategory.choices)
    delivery = models.CharField(max_length=10, choices=Delivery.choices, default=Delivery.IMMEDIATE)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["stakeholder", "category"]
        constraints = [
            models.UniqueConstraint(fields=["stakeholder", "category"], name="preference_one_per_category"),
        ]

    def __str__(self):
        return f"{self.stakeholder}: {self.get_category_display()} → {self.get_delivery_display()}"
