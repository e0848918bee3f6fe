import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from projects.models import Activity, Condition, ConditionAssessment, Project
from tests.projects.factories import (
    ActivityFactory,
    ConditionAssessmentFactory,
    IndicatorFactory,
    IndicatorValueFactory,
    ProductFactory,
    ProjectFactory,
    condition,
)

pytestmark = pytest.mark.django_db


def test_the_five_conditions_are_reference_data():
    assert list(Condition.objects.values_list("number", "name")) == [
        (1, "Common agenda"),
        (2, "Shared measurement"),
        (3, "Mutually reinforcing activities"),
        (4, "Continuous communication"),
        (5, "Backbone support"),
    ]


def test_project_cannot_end_before_it_starts(ct):
    with pytest.raises(IntegrityError), transaction.atomic():
        ProjectFactory(sea=ct, start_date=datetime.date(2025, 1, 1), end_date=datetime.date(2024, 12, 31))
    project = ProjectFactory.build(
        sea=ct, start_date=datetime.date(2025, 1, 1), end_date=datetime.date(2024, 12, 31)
    )
    with pytest.raises(ValidationError) as error:
        project.full_clean(exclude=["lead_center"])
    assert "end_date" in error.value.message_dict


def test_project_titles_are_unique(ct):
    ProjectFactory(title="Diversifying the workforce", sea=ct)
    with pytest.raises(IntegrityError), transaction.atomic():
        ProjectFactory(title="Diversifying the workforce", sea=ct)


@pytest.mark.parametrize("hours", ["-1", "0", "24.01", "5000"])
def test_activity_hours_outside_a_day_are_refused_by_the_model_and_the_database(hours):
    activity = ActivityFactory.build(project=ProjectFactory(), hours=Decimal(hours))
    with pytest.raises(ValidationError) as error:
        activity.full_clean(exclude=["author"])
    assert error.value.message_dict["hours"] == [
        "An activity takes more than 0 and at most 24 hours: log an activity of several days once per day."
    ]
    with pytest.raises(IntegrityError), transaction.atomic():
        ActivityFactory(hours=Decimal(hours))


def test_free_text_longer_than_its_limit_is_refused_by_the_model_and_the_database():
    activity = ActivityFactory.build(project=ProjectFactory(), summary="x" * 5001)
    with pytest.raises(ValidationError) as error:
        activity.full_clean(exclude=["author"])
    assert "summary" in error.value.message_dict
    with pytest.raises(IntegrityError), transaction.atomic():
        ActivityFactory(summary="x" * 5001)
    with pytest.raises(IntegrityError), transaction.atomic():
        ActivityFactory(next_steps="x" * 2001)
    assert ActivityFactory(summary="x" * 5000).summary == "x" * 5000


def test_activity_cannot_be_logged_in_the_future():
    activity = ActivityFactory.build(
        project=ProjectFactory(), date=timezone.localdate() + datetime.timedelta(days=1)
    )
    with pytest.raises(ValidationError) as error:
        activity.full_clean(exclude=["author"])
    assert "date" in error.value.message_dict


@pytest.mark.parametrize("stage", [-1, 5])
def test_assessment_stage_is_within_zero_to_four(stage):
    with pytest.raises(IntegrityError), transaction.atomic():
        ConditionAssessmentFactory(stage=stage)


def test_latest_assessment_per_condition():
    project = ProjectFactory()
    ConditionAssessmentFactory(project=project, stage=1, assessed_on=datetime.date(2024, 1, 1))
    newest = ConditionAssessmentFactory(project=project, stage=3, assessed_on=datetime.date(2025, 1, 1))
    other = ConditionAssessmentFactory(project=project, condition=condition(2), stage=2)
    latest = set(ConditionAssessment.objects.latest_per_condition())
    assert latest == {newest, other}


def test_one_indicator_value_per_date():
    value = IndicatorValueFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        IndicatorValueFactory(indicator=value.indicator, measured_on=value.measured_on)


def test_indicator_names_unique_within_project():
    indicator = IndicatorFactory(name="Hires of color")
    IndicatorFactory(name="Hires of color")  # another project
    with pytest.raises(IntegrityError), transaction.atomic():
        IndicatorFactory(project=indicator.project, name="Hires of color")


def test_indicator_on_target_follows_direction():
    rising = IndicatorFactory.build(target=Decimal("15"), direction="increase")
    falling = IndicatorFactory.build(target=Decimal("5"), direction="decrease")
    assert rising.is_on_target(Decimal("16"))
    assert not rising.is_on_target(Decimal("14"))
    assert falling.is_on_target(Decimal("4"))
    assert not falling.is_on_target(Decimal("6"))


def test_product_is_overdue_only_while_open():
    yesterday = timezone.localdate() - datetime.timedelta(days=1)
    assert ProductFactory(due_date=yesterday, status="in_development").is_overdue
    assert not ProductFactory(due_date=yesterday, status="delivered").is_overdue


def test_history_records_who_changed_an_activity(ct_staff):
    activity = ActivityFactory(project=ProjectFactory(sea=ct_staff.sea))
    activity._history_user = ct_staff
    activity.hours = Decimal("3")
    activity.save()
    assert [h.history_type for h in activity.history.order_by("history_date")] == ["+", "~"]
    assert activity.history.latest().history_user == ct_staff


def test_projects_visible_to_follows_role_and_state(ct_staff, ny_staff, facilitator, ct, ny):
    ct_project = ProjectFactory(sea=ct)
    ny_project = ProjectFactory(sea=ny)
    assert set(Project.objects.visible_to(ct_staff)) == {ct_project}
    assert set(Project.objects.visible_to(ny_staff)) == {ny_project}
    assert set(Project.objects.visible_to(facilitator)) == {ct_project, ny_project}
    assert set(Activity.objects.visible_to(ct_staff)) == set()


def test_project_team_roles_follow_who_people_are(ct, ny):
    from projects.models import ProjectMember
    from tests.accounts.factories import FacilitatorFactory, SEAStaffFactory

    project = ProjectFactory(sea=ct)
    facilitator = FacilitatorFactory()
    ct_staff, ny_staff = SEAStaffFactory(sea=ct), SEAStaffFactory(sea=ny)

    ProjectMember(project=project, user=facilitator, role=ProjectMember.Role.CENTER_LEAD).full_clean()
    ProjectMember(project=project, user=ct_staff, role=ProjectMember.Role.SEA_CONTACT).full_clean()
    with pytest.raises(ValidationError) as error:
        ProjectMember(project=project, user=ny_staff, role=ProjectMember.Role.SEA_CONTACT).full_clean()
    assert "project's own SEA" in str(error.value)
    with pytest.raises(ValidationError):
        ProjectMember(project=project, user=ct_staff, role=ProjectMember.Role.CENTER_LEAD).full_clean()


def test_a_project_has_one_center_lead(ct):
    from projects.models import ProjectMember
    from tests.accounts.factories import FacilitatorFactory

    project = ProjectFactory(sea=ct)
    ProjectMember.objects.create(project=project, user=FacilitatorFactory(), role="center_lead")
    with pytest.raises(IntegrityError), transaction.atomic():
        ProjectMember.objects.create(project=project, user=FacilitatorFactory(), role="center_lead")
