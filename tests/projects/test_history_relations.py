"""History keeps many-to-many changes (old and new) and covers the reference records too."""

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse

from communications.models import Communication
from projects.models import Goal, Objective, Project, ScopeChange
from projects.services.activities import activity_log, activity_update
from stakeholders.models import SEA, District, Stakeholder
from tests.projects.factories import ProjectFactory, condition
from tests.stakeholders.factories import DistrictFactory, PartnerCenterFactory, StakeholderFactory

pytestmark = pytest.mark.django_db


def _ids(record, field, column):
    return sorted(getattr(record, field).values_list(column, flat=True))


def test_activity_history_keeps_old_and_new_related_records(client, ct, ct_staff):
    project = ProjectFactory(sea=ct)
    ada, ben = StakeholderFactory(sea=ct, first_name="Ada"), StakeholderFactory(sea=ct, first_name="Ben")
    hartford, bristol = DistrictFactory(sea=ct, name="Hartford"), DistrictFactory(sea=ct, name="Bristol")
    center = PartnerCenterFactory(short_name="REL-NEI")
    activity = activity_log(
        author=ct_staff,
        project=project,
        date=datetime.date(2025, 3, 4),
        type="coaching",
        summary="Coaching",
        hours=Decimal("2"),
        mode="virtual",
        participants=[ada],
        districts=[hartford],
        conditions=[condition(1)],
    )
    activity_update(
        activity=activity,
        editor=ct_staff,
        participants=[ben],
        districts=[hartford, bristol],
        partner_centers=[center],
        conditions=[condition(2)],
    )
    records = list(activity.history.order_by("history_date", "history_id"))
    assert [r.history_type for r in records] == ["+", "~"], "one record per write, not one per relation"
    old, new = records
    assert _ids(old, "participants", "stakeholder_id") == [ada.pk]
    assert _ids(new, "participants", "stakeholder_id") == [ben.pk]
    assert _ids(old, "districts", "district_id") == [hartford.pk]
    assert _ids(new, "districts", "district_id") == sorted([hartford.pk, bristol.pk])
    assert _ids(new, "partner_centers", "partnercenter_id") == [center.pk]
    assert _ids(old, "conditions", "condition_id") == [condition(1).pk]
    assert old.history_user == ct_staff

    client.force_login(ct_staff)
    page = client.get(reverse("projects:activity_detail", args=[activity.pk]))
    changes = {c["field"]: (c["old"], c["new"]) for c in page.context["history"][0]["changes"]}
    assert changes["participants"][0] == str(ada)
    assert changes["participants"][1] == str(ben)
    assert "Bristol" in changes["districts"][1]
    assert "Bristol" not in changes["districts"][0]
    assert changes["partner centers"] == ("—", "REL-NEI")
    assert "Hartford" in page.text
    assert "REL-NEI" in page.text


def test_project_history_keeps_district_and_center_changes(ct):
    project = ProjectFactory(sea=ct)
    district, center = DistrictFactory(sea=ct), PartnerCenterFactory()
    project.districts.add(district)
    project.partner_centers.add(center)
    latest = project.history.latest()
    assert _ids(latest, "districts", "district_id") == [district.pk]
    assert _ids(latest, "partner_centers", "partnercenter_id") == [center.pk]
    project.districts.remove(district)
    assert _ids(project.history.latest(), "districts", "district_id") == []


@pytest.mark.parametrize(
    "model", [SEA, District, Stakeholder, Goal, Objective, ScopeChange, Communication, Project]
)
def test_reference_records_have_history(model):
    assert hasattr(model, "history"), f"{model.__name__} keeps no history"


def test_history_of_a_goal_and_a_scope_change(ct):
    project = ProjectFactory(sea=ct)
    goal = Goal.objects.create(project=project, number=1, statement="First")
    goal.statement = "Revised"
    goal.save()
    change = ScopeChange.objects.create(
        project=project, changed_on=datetime.date(2020, 4, 1), summary="Pivot", reason="Schools closed"
    )
    assert [r.statement for r in goal.history.order_by("history_id")] == ["First", "Revised"]
    assert change.history.count() == 1
