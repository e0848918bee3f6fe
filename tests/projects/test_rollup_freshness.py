"""The dashboards' hours rollup changes in the same transaction as the activity it counts."""

import datetime
import threading
from decimal import Decimal
from unittest import mock

import pytest
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.urls import reverse
from rest_framework.test import APIClient

from projects.models import Activity, ActivityMonth
from projects.services import rollups
from projects.services.activities import activity_delete, activity_log, activity_update
from tests.accounts.factories import SEAStaffFactory
from tests.projects.factories import ActivityFactory, ProjectFactory, condition

DAY = datetime.date(2025, 3, 4)
MARCH = datetime.date(2025, 3, 1)
JANUARY = datetime.date(2025, 1, 1)


def cell(sea, month, number=0):
    row = ActivityMonth.objects.filter(sea=sea, month=month, condition_number=number).first()
    return (row.hours, row.activities) if row else (Decimal(0), 0)


def log(author, project, hours="2", day=DAY, conditions=()):
    return activity_log(
        author=author,
        project=project,
        date=day,
        type="coaching",
        summary="Coaching",
        hours=Decimal(hours),
        mode="virtual",
        conditions=conditions,
    )


@pytest.mark.django_db
def test_log_edit_move_and_delete_show_at_once(ct, ny, ct_staff, facilitator):
    ct_project, ny_project = ProjectFactory(sea=ct), ProjectFactory(sea=ny)
    first = log(ct_staff, ct_project, "2", conditions=[condition(1)])
    log(ct_staff, ct_project, "1.5")
    assert cell(ct, MARCH) == (Decimal("3.5"), 2)
    assert cell(ct, MARCH, 1) == (Decimal("2"), 1)

    activity_update(activity=first, editor=ct_staff, hours=Decimal("3"), conditions=[condition(2)])
    assert cell(ct, MARCH) == (Decimal("4.5"), 2)
    assert cell(ct, MARCH, 1) == (Decimal(0), 0)
    assert cell(ct, MARCH, 2) == (Decimal("3"), 1)

    activity_update(activity=first, editor=facilitator, project=ny_project, date=datetime.date(2025, 1, 20))
    assert cell(ct, MARCH) == (Decimal("1.5"), 1)
    assert cell(ny, JANUARY) == (Decimal("3"), 1)
    assert cell(ny, JANUARY, 2) == (Decimal("3"), 1)

    activity_delete(activity=first, editor=facilitator)
    assert cell(ny, JANUARY) == (Decimal(0), 0)
    assert not ActivityMonth.objects.filter(sea=ny).exists()
    assert rollups.activity_month_refresh() == 0, "the consistency check finds nothing to repair"


@pytest.mark.django_db
def test_a_refused_edit_leaves_the_rollup_alone(ct, ct_staff):
    project = ProjectFactory(sea=ct)
    activity = log(ct_staff, project, "2")
    with pytest.raises(ValidationError):
        activity_update(activity=activity, editor=ct_staff, hours=Decimal("99"))
    assert cell(ct, MARCH) == (Decimal("2"), 1)


@pytest.mark.django_db
def test_api_writes_count_at_once(ct, ct_staff):
    project = ProjectFactory(sea=ct)
    api = APIClient()
    api.force_authenticate(ct_staff)
    payload = {
        "project": project.pk,
        "date": "2025-03-04",
        "type": "coaching",
        "summary": "Through the API",
        "hours": "4",
        "mode": "virtual",
    }
    response = api.post("/api/v1/activities/", payload, format="json")
    assert response.status_code == 201, response.content
    assert cell(ct, MARCH) == (Decimal("4"), 1)
    api.delete(f"/api/v1/activities/{response.json()['id']}/")
    assert cell(ct, MARCH) == (Decimal(0), 0)


@pytest.mark.django_db
def test_admin_edits_and_deletes_count_at_once(client, admin_user, ct, ny):
    project = ProjectFactory(sea=ct)
    activity = log(admin_user, project, "2")
    client.force_login(admin_user)
    url = reverse("admin:projects_activity_change", args=[activity.pk])
    form = {
        "project": project.pk,
        "date": "2025-01-10",
        "type": "coaching",
        "mode": "virtual",
        "hours": "5",
        "author": admin_user.pk,
        "summary": "Edited in the admin",
        "next_steps": "",
        "conditions": [condition(3).pk],
    }
    response = client.post(url, form)
    assert response.status_code == 302, response.content.decode()[:2000]
    assert cell(ct, MARCH) == (Decimal(0), 0)
    assert cell(ct, JANUARY) == (Decimal("5"), 1)
    assert cell(ct, JANUARY, 3) == (Decimal("5"), 1)
    changelist = reverse("admin:projects_activity_changelist")
    response = client.post(
        changelist, {"action": "delete_selected", "_selected_action": [activity.pk], "post": "yes"}
    )
    assert response.status_code == 302
    assert not ActivityMonth.objects.exists()


@pytest.mark.django_db
def test_a_project_moved_to_another_state_in_the_admin_takes_its_hours(client, admin_user, ct, ny):
    project = ProjectFactory(sea=ct)
    log(admin_user, project, "2", conditions=[condition(1)])
    client.force_login(admin_user)
    page = client.get(reverse("admin:projects_project_change", args=[project.pk]))
    form = page.context["adminform"].form
    data = {name: form[name].value() for name in form.fields if form[name].value() is not None}
    for formset in page.context["inline_admin_formsets"]:
        management = formset.formset.management_form
        for name in management.fields:
            data[f"{management.prefix}-{name}"] = management[name].value()
    data["sea"] = ny.pk
    response = client.post(reverse("admin:projects_project_change", args=[project.pk]), data)
    assert response.status_code == 302, response.content.decode()[:3000]
    assert cell(ct, MARCH) == (Decimal(0), 0)
    assert cell(ny, MARCH) == (Decimal("2"), 1)
    assert cell(ny, MARCH, 1) == (Decimal("2"), 1)


@pytest.mark.django_db
def test_full_rebuild_counts_data_loaded_around_the_services(ct):
    project = ProjectFactory(sea=ct)
    ActivityFactory(project=project, date=DAY, hours=Decimal("3")).conditions.add(condition(4))
    assert rollups.activity_month_refresh() == 2, "the check repairs the two cells it found wrong"
    assert cell(ct, MARCH) == (Decimal("3"), 1)
    ActivityFactory(project=project, date=DAY, hours=Decimal("1"))
    rollups.activity_month_refresh(full=True)
    assert cell(ct, MARCH) == (Decimal("4"), 2)
    assert cell(ct, MARCH, 4) == (Decimal("3"), 1)


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
@pytest.mark.parametrize("existing", [False, True], ids=["new month", "existing month"])
def test_two_activities_logged_at_once_both_count(ct, existing):
    """Both writers reach the rollup while the other's transaction is open; neither is lost."""
    condition(1)
    project = ProjectFactory(sea=ct)
    authors = [SEAStaffFactory(sea=ct), SEAStaffFactory(sea=ct)]
    if existing:
        log(authors[0], project, "1")
    before = cell(ct, MARCH)
    barrier = threading.Barrier(2, timeout=20)
    real_apply = rollups._apply
    errors = []

    def apply_after_both_arrive(*args, **kwargs):
        barrier.wait()
        return real_apply(*args, **kwargs)

    def write(author, hours):
        try:
            with transaction.atomic():
                log(author, project, hours)
        except Exception as exc:  # noqa: BLE001 - reported below
            errors.append(exc)
        finally:
            connection.close()

    with mock.patch.object(rollups, "_apply", apply_after_both_arrive):
        threads = [
            threading.Thread(target=write, args=(a, h)) for a, h in zip(authors, ("2", "3"), strict=True)
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(30)
    assert not errors, errors
    assert Activity.objects.count() == before[1] + 2
    assert cell(ct, MARCH) == (before[0] + Decimal("5"), before[1] + 2)
