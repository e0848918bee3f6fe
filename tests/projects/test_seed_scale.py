import io

import pytest
from django.core.management import CommandError, call_command
from django.db.models import F
from django.utils import timezone

from projects.models import (
    Activity,
    ConditionAssessment,
    Goal,
    Indicator,
    IndicatorValue,
    Product,
    Project,
)
from stakeholders.models import SEA, District, Office, Organization, PartnerCenter, Stakeholder
from tests.stakeholders.factories import SEAFactory

pytestmark = pytest.mark.django_db

SMALL = {"seas": 3, "districts": 20, "stakeholders": 50, "projects": 10, "activities": 200, "seed": 7}
MODELS = (SEA, Office, PartnerCenter, Organization, District, Stakeholder, Project, Goal)
MODELS += (ConditionAssessment, Indicator, IndicatorValue, Product, Activity)
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
