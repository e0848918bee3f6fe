import datetime
import io

import pytest
from django.core.management import CommandError, call_command
from django.db.models import F
from django.utils import timezone

from accountability.models import (
    Attestation,
    ServiceStatement,
    SurveyAnswer,
    SurveyInvitation,
    SurveyItem,
    SurveyResponse,
)
from communications.models import Communication, Delivery, Occurrence, Schedule
from intake.models import TARequest
from meetings.models import ActionItem, AgendaItem, Decision, Feedback, Meeting, Minutes, Participant
from projects.models import (
    Activity,
    ConditionAssessment,
    Goal,
    Indicator,
    IndicatorValue,
    Objective,
    Product,
    ProductAdoption,
    Project,
)
from stakeholders.models import (
    SEA,
    AdvisoryBody,
    BodyPurpose,
    District,
    Membership,
    Office,
    Organization,
    PartnerCenter,
    Stakeholder,
)
from tests.stakeholders.factories import SEAFactory

pytestmark = pytest.mark.django_db

SMALL = {"seas": 3, "districts": 20, "stakeholders": 50, "projects": 10, "activities": 200, "seed": 7}
SMALL |= {"meetings": 20, "communications": 12}
MODELS = (SEA, Office, PartnerCenter, Organization, District, Stakeholder, Project, Goal, Objective)
MODELS += (ConditionAssessment, Indicator, IndicatorValue, Product, ProductAdoption, Activity)
MODELS += (TARequest, AdvisoryBody, BodyPurpose, Membership, Meeting, Participant, AgendaItem, Minutes)
MODELS += (Decision, ActionItem, Feedback, Communication, Schedule, Occurrence, Delivery)
MODELS += (Attestation, ServiceStatement, SurveyInvitation, SurveyResponse, SurveyAnswer)
ACTIVITY_LINKS = ("conditions", "participants", "districts", "partner_centers")


def seed(**options):
    call_command("seed_scale", **{**SMALL, **options}, stdout=io.StringIO())


def row_counts() -> dict[str, int]:
    counts = {model._meta.label: model.objects.count() for model in MODELS}
    for model, names in ((Activity, ACTIVITY_LINKS), (Project, ("offices", "districts", "stakeholders"))):
        for name in names:
            through = getattr(model, name).through
            counts[through._meta.label] = through.objects.count()
    return counts


@pytest.mark.parametrize("no_copy", [False, True], ids=["copy", "bulk_create"])
def test_seed_scale_loads_the_requested_sizes(no_copy):
    seed(no_copy=no_copy)

    counts = row_counts()
    assert counts["stakeholders.SEA"] == 3
    assert counts["stakeholders.District"] == 20
    assert counts["stakeholders.Stakeholder"] == 50
    assert counts["projects.Project"] == 10
    assert counts["projects.Activity"] == 200
    assert counts["stakeholders.PartnerCenter"] == 30
    assert 3 * 3 <= counts["stakeholders.Office"] <= 3 * 6
    assert 10 * 2 <= counts["projects.Goal"] <= 10 * 4
    assert 10 <= counts["projects.Indicator"] <= 30
    assert counts["projects.IndicatorValue"] >= counts["projects.Indicator"]
    assert counts["projects.ConditionAssessment"] >= 10 * 5 * 2
    assert counts["projects.Product"] >= 10
    assert Product.objects.filter(
        status__in=Product.OPEN_STATUSES, due_date__lt=timezone.localdate()
    ).exists(), "some products are overdue"

    # Every activity advances one or two conditions; the other links are optional but present.
    conditions = Activity.conditions.through.objects
    assert 200 <= conditions.count() <= 400
    for name in ACTIVITY_LINKS:
        assert counts[getattr(Activity, name).through._meta.label] > 0, name

    today = timezone.localdate()
    for model, field in (
        (Activity, "date"),
        (ConditionAssessment, "assessed_on"),
        (IndicatorValue, "measured_on"),
        (Product, "delivered_on"),
    ):
        assert not model.objects.filter(**{f"{field}__gt": today}).exists(), model
    assert not Activity.objects.filter(date__lt=F("project__start_date")).exists()
    assert not Activity.participants.through.objects.exclude(
        stakeholder__sea=F("activity__project__sea")
    ).exists()
    assert not Activity.districts.through.objects.exclude(district__sea=F("activity__project__sea")).exists()
    assert not Project.stakeholders.through.objects.exclude(stakeholder__sea=F("project__sea")).exists()

    # Bulk loading bypasses django-simple-history.
    assert Activity.history.count() == 0
    assert Project.history.count() == 0
    assert TARequest.history.count() == 0
    assert Meeting.history.count() == 0
    assert Attestation.history.count() == 0


@pytest.mark.parametrize("no_copy", [False, True], ids=["copy", "bulk_create"])
def test_seed_scale_loads_the_records_of_the_apps_above_projects(no_copy):
    seed(no_copy=no_copy)
    counts = row_counts()
    today = timezone.localdate()

    # About three requests per project: the ones that became a project point at it.
    assert 10 * 1 <= counts["intake.TARequest"] <= 10 * 4
    became = TARequest.objects.filter(status=TARequest.Status.BECAME_PROJECT)
    assert became.exists()
    assert not became.filter(project=None).exists()
    assert not became.exclude(sea=F("project__sea")).exists()
    assert TARequest.objects.exclude(status=TARequest.Status.BECAME_PROJECT).exists()
    assert not TARequest.objects.filter(status=TARequest.Status.REFERRED, referred_to=None).exists()
    assert TARequest.topics.through.objects.exists()

    assert counts["projects.Objective"] >= counts["projects.Goal"]
    assert counts["projects.ProductAdoption"] > 0
    assert not ProductAdoption.objects.exclude(product__status=Product.Status.DELIVERED).exists()
    assert not ProductAdoption.objects.filter(adopted_on__gt=today).exists()

    # A board per regional comprehensive center and a council; the requested number of meetings,
    # whose participants hold a seat on the meeting's body, and whose past ones left a record.
    assert counts["stakeholders.AdvisoryBody"] == 12 + 1
    assert counts["stakeholders.BodyPurpose"] == 3 * 13
    assert counts["stakeholders.Membership"] > 0
    assert counts["meetings.Meeting"] == 20
    assert counts["meetings.Participant"] > 0
    assert not Participant.objects.exclude(membership__body=F("meeting__body")).exists()
    assert not Participant.objects.exclude(membership__stakeholder=F("stakeholder")).exists()
    for label in ("meetings.AgendaItem", "meetings.Minutes", "meetings.ActionItem", "meetings.Feedback"):
        assert counts[label] > 0, label
    assert not Minutes.objects.filter(meeting__starts_at__gt=timezone.now()).exists()
    assert Participant.objects.filter(attendance=Participant.Attendance.PRESENT).exists()

    # Communications: those sent have one occurrence and a delivery per recipient.
    assert counts["communications.Communication"] == 12
    sent = Communication.objects.filter(status=Communication.Status.SCHEDULED)
    assert counts["communications.Occurrence"] == sent.count() > 0
    assert counts["communications.Delivery"] > counts["communications.Occurrence"]
    assert not Delivery.objects.exclude(communication__status=Communication.Status.SCHEDULED).exists()

    # Attestations for most activities since the last fiscal year began, none before.
    fiscal_year = today.year + 1 if today.month >= 10 else today.year
    attested_from = datetime.date(fiscal_year - 2, 10, 1)
    recent = Activity.objects.filter(date__gte=attested_from)
    assert counts["accountability.Attestation"] >= 0.7 * recent.count() > 0
    assert not Attestation.objects.filter(activity__date__lt=attested_from).exists()
    assert Attestation.objects.filter(status="confirmed").exists()
    assert not Attestation.objects.filter(status="disputed", comment="").exists()
    assert counts["accountability.ServiceStatement"] > 0
    assert not ServiceStatement.objects.filter(month__gte=today.replace(day=1)).exists()

    # Survey invitations to the rated activity's participants; answers to every active item.
    assert counts["accountability.SurveyInvitation"] > counts["accountability.SurveyResponse"] > 0
    invited = SurveyInvitation.objects.exclude(activity=None)
    assert not invited.exclude(activity__participants=F("stakeholder")).exists()
    items = SurveyItem.objects.filter(is_active=True).count()
    assert counts["accountability.SurveyAnswer"] == items * counts["accountability.SurveyResponse"]
    assert not SurveyResponse.objects.filter(quality=None).exists()


def test_seed_scale_refuses_to_load_twice_unless_cleared():
    seed()
    first = row_counts()

    with pytest.raises(CommandError, match="--clear"):
        seed()
    assert row_counts() == first

    seed(clear=True)
    assert row_counts() == first
    assert Activity.history.count() == 0


def test_seed_scale_reuses_existing_seas_and_clear_keeps_them():
    alaska = SEAFactory(state_code="AK", name="Alaska Department of Education", short_name="AKDEED")
    seed()
    assert SEA.objects.count() == 3
    alaska.refresh_from_db()
    assert alaska.name == "Alaska Department of Education"
    assert Project.objects.filter(sea=alaska).exists()

    seed(clear=True, projects=0, activities=0, districts=0, stakeholders=0)
    assert SEA.objects.filter(pk=alaska.pk).exists()
    assert not Project.objects.exists()
    assert not Stakeholder.objects.exists()
