"""Who a communication reaches: rules resolved against the database at send time.

A communication's `audience` is a dict of rules, e.g.
`{"bodies": [1], "projects": [4], "seas": [], "districts": [], "partner_centers": [],
  "organization_kinds": ["school_boards"], "include": [12], "exclude": [15]}`.
A stakeholder is in the audience when any inclusion rule matches and they are not excluded;
the result is always limited to what the communication's author may see (and to its state),
to active stakeholders whose address has not bounced. Opt-outs are counted separately.
"""

from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db.models import Count, OuterRef, Q, QuerySet, Subquery
from django.utils import timezone

from stakeholders.models import (
    SEA,
    AdvisoryBody,
    CommunicationCategory,
    CommunicationPreference,
    District,
    Membership,
    Organization,
    PartnerCenter,
    Stakeholder,
)

ID_RULES = ("bodies", "projects", "seas", "districts", "partner_centers", "include", "exclude")
RULES = (*ID_RULES, "organization_kinds")
RULE_LABELS = {
    "bodies": "Members of",
    "projects": "Stakeholders of project",
    "seas": "People of state",
    "districts": "People of district",
    "partner_centers": "Staff of partner center",
    "organization_kinds": "Organizations of kind",
    "include": "Added",
    "exclude": "Excluded",
}


def normalize_audience(audience: dict | None) -> dict:
    """Rules as sorted lists of ints (kinds as strings); unknown keys are an error."""
    audience = dict(audience or {})
    unknown = set(audience) - set(RULES)
    if unknown:
        raise ValidationError({"audience": f"Unknown audience rules: {', '.join(sorted(unknown))}."})
    result = {}
    for key in ID_RULES:
        values = audience.get(key) or []
        try:
            result[key] = sorted({int(v) for v in values})
        except (TypeError, ValueError) as exc:
            raise ValidationError({"audience": f"The {key} rule holds something that is not an id."}) from exc
    kinds = sorted({str(v) for v in (audience.get("organization_kinds") or [])})
    if set(kinds) - set(Organization.Kind.values):
        raise ValidationError({"audience": "Unknown organization kind."})
    result["organization_kinds"] = kinds
    return result


def check_audience_visible(audience: dict, user) -> None:
    """Every id in the rules must be something `user` may see (a tampered form is refused)."""
    models = {
        "bodies": AdvisoryBody.objects,
        "seas": SEA.objects,
        "districts": District.objects,
        "partner_centers": PartnerCenter.objects,
        "include": Stakeholder.objects,
        "exclude": Stakeholder.objects,
    }
    from projects.models import Project

    models["projects"] = Project.objects
    for key, manager in models.items():
        ids = audience.get(key) or []
        if ids and manager.visible_to(user).filter(pk__in=ids).count() != len(ids):
            raise ValidationError({"audience": "The audience names people or groups you cannot address."})


def is_empty(audience: dict) -> bool:
    return not any(audience.get(key) for key in RULES if key != "exclude")


def _matching(audience: dict) -> Q:
    today = timezone.localdate()
    condition = Q(pk__in=[])
    if audience.get("bodies"):
        members = (
            Membership.objects.current(today).filter(body__in=audience["bodies"]).values("stakeholder_id")
        )
        condition |= Q(pk__in=members)
    if audience.get("projects"):
        from projects.models import Project

        people = Project.stakeholders.through.objects.filter(project_id__in=audience["projects"])
        condition |= Q(pk__in=people.values("stakeholder_id"))
    if audience.get("seas"):
        condition |= Q(sea__in=audience["seas"])
    if audience.get("districts"):
        condition |= Q(district__in=audience["districts"])
    if audience.get("partner_centers"):
        condition |= Q(partner_center__in=audience["partner_centers"])
    if audience.get("organization_kinds"):
        condition |= Q(organization__kind__in=audience["organization_kinds"])
    if audience.get("include"):
        condition |= Q(pk__in=audience["include"])
    return condition


def scoped_stakeholders(communication) -> QuerySet:
    """The people `communication` may reach at all: its author's view, within its state."""
    people = Stakeholder.objects.all()
    if communication.author_id is not None:
        people = people.visible_to(communication.author)
    elif communication.scope_sea_id is None:
        # A message the portal composes itself always belongs to one state.
        return people.none()
    if communication.scope_sea_id is not None:
        people = people.filter(sea_id=communication.scope_sea_id)
    return people


def audience_queryset(communication) -> QuerySet:
    """Everyone the rules select, before preferences: active, not bounced, scoped."""
    audience = normalize_audience(communication.audience)
    people = scoped_stakeholders(communication).filter(_matching(audience))
    people = people.filter(is_active=True, email_bounced_at__isnull=True)
    if audience.get("exclude"):
        people = people.exclude(pk__in=audience["exclude"])
    return people


def with_preference(people: QuerySet, category: str) -> QuerySet:
    """Annotate `delivery_choice` (immediate, weekly or none) for `category`."""
    choice = CommunicationPreference.objects.filter(stakeholder=OuterRef("pk"), category=category).values(
        "delivery"
    )[:1]
    return people.annotate(delivery_choice=Subquery(choice))


def held_for_digest(category: str) -> bool:
    """Whether a weekly choice holds messages of `category` for the digest (not for digests)."""
    return category != CommunicationCategory.DIGEST


@dataclass
class AudiencePreview:
    count: int = 0
    deferred: int = 0
    opted_out: int = 0
    first_names: list[str] = field(default_factory=list)
    sample: list = field(default_factory=list)

    @property
    def total(self) -> int:
        """Everyone who will hear of it: now, or in their weekly digest."""
        return self.count + self.deferred


def audience_preview(communication, *, limit: int = 12) -> AudiencePreview:
    """Counts and the first names of who would receive `communication` if it went out now."""
    people = with_preference(audience_queryset(communication), communication.category)
    weekly_held = held_for_digest(communication.category)
    opted_out = Q(delivery_choice="none")
    deferred = Q(delivery_choice="weekly")
    aggregates = {"opted_out": Count("pk", filter=opted_out), "total": Count("pk")}
    if weekly_held:
        aggregates["deferred"] = Count("pk", filter=deferred)
    counts = people.aggregate(**aggregates)
    counts.setdefault("deferred", 0)
    # No preference row means "every message" (the annotation is NULL, which exclude() would drop).
    now = Q(delivery_choice__isnull=True) | Q(delivery_choice="immediate")
    if not weekly_held:
        now |= deferred
    receiving = people.filter(now)
    sample = list(receiving.order_by("first_name", "last_name", "pk")[:limit])
    return AudiencePreview(
        count=counts["total"] - counts["opted_out"] - counts["deferred"],
        deferred=counts["deferred"],
        opted_out=counts["opted_out"],
        first_names=[person.first_name for person in sample],
        sample=sample,
    )


def too_large(actual: int, expected: int) -> bool:
    """An audience that grew by half (and by more than ten people) since it was previewed."""
    return actual > expected + max(10, expected // 2)
