"""The status machines of projects, goals and products, through projects.services.workflow."""

import datetime
import threading

import pytest
from django.core.exceptions import ValidationError
from django.db import connections
from django_fsm import ConcurrentTransition

from projects.models import Goal, Product, Project, StatusChange
from projects.services.workflow import moves_for, status_history, status_move
from tests.accounts.factories import FacilitatorFactory
from tests.projects.factories import ProductFactory, ProjectFactory


@pytest.mark.django_db
def test_status_field_is_protected():
    project = ProjectFactory(status=Project.Status.PROPOSED)
    with pytest.raises(AttributeError):
        project.status = Project.Status.ACTIVE


@pytest.mark.django_db
def test_project_move_records_who_when_and_why(facilitator):
    project = ProjectFactory(status=Project.Status.PROPOSED)
    moved = status_move(
        obj=project, transition="activate", by=facilitator, note="Kick-off held", note_required=True
    )
    assert moved.status == Project.Status.ACTIVE
    assert Project.objects.get(pk=project.pk).status == "active"
    (change,) = status_history(project)
    assert (change.source, change.target, change.by, change.note) == (
        "proposed",
        "active",
        facilitator,
        "Kick-off held",
    )


@pytest.mark.django_db
def test_move_needs_a_reason_when_asked(facilitator):
    project = ProjectFactory(status=Project.Status.ACTIVE)
    with pytest.raises(ValidationError) as error:
        status_move(obj=project, transition="pause", by=facilitator, note=" ", note_required=True)
    assert "note" in error.value.message_dict
    assert Project.objects.get(pk=project.pk).status == "active"


@pytest.mark.django_db
def test_illegal_move_is_refused(facilitator):
    project = ProjectFactory(status=Project.Status.COMPLETED)
    with pytest.raises(ValidationError, match="cannot be moved"):
        status_move(obj=project, transition="pause", by=facilitator)
    with pytest.raises(ValidationError, match="does not exist"):
        status_move(obj=project, transition="delete", by=facilitator)
    assert not StatusChange.objects.exists()


@pytest.mark.django_db
def test_sea_staff_may_not_move(ct_staff):
    project = ProjectFactory(sea=ct_staff.sea, status=Project.Status.PROPOSED)
    assert moves_for(project, ct_staff) == []
    with pytest.raises(ValidationError, match="may not"):
        status_move(obj=project, transition="activate", by=ct_staff)


@pytest.mark.django_db
def test_stale_page_is_refused(facilitator):
    project = ProjectFactory(status=Project.Status.ACTIVE)
    status_move(obj=project, transition="pause", by=facilitator, expected_status="active")
    with pytest.raises(ValidationError, match="Someone else"):
        status_move(obj=project, transition="complete", by=facilitator, expected_status="active")
    assert Project.objects.get(pk=project.pk).status == "paused"


@pytest.mark.django_db
def test_concurrent_transition_mixin_refuses_stale_save():
    project = ProjectFactory(status=Project.Status.ACTIVE)
    first, second = Project.objects.get(pk=project.pk), Project.objects.get(pk=project.pk)
    first.pause()
    first.save()
    second.complete()
    with pytest.raises(ConcurrentTransition):
        second.save()


@pytest.mark.django_db
def test_product_delivery_needs_a_date(facilitator):
    product = ProductFactory(status=Product.Status.IN_REVIEW)
    with pytest.raises(ValidationError, match="needs its delivery date"):
        status_move(obj=product, transition="deliver", by=facilitator)

    def dated(locked):
        locked.delivered_on = datetime.date(2025, 5, 1)

    moved = status_move(obj=product, transition="deliver", by=facilitator, before_save=dated)
    assert (moved.status, moved.delivered_on) == ("delivered", datetime.date(2025, 5, 1))


@pytest.mark.django_db
def test_goal_moves(facilitator):
    project = ProjectFactory()
    goal = Goal.objects.create(project=project, number=1, statement="Diversify hiring")
    assert {m.name for m in moves_for(goal, facilitator)} == {"start", "meet", "revise", "drop"}
    goal = status_move(obj=goal, transition="start", by=facilitator)
    goal = status_move(obj=goal, transition="meet", by=facilitator)
    assert goal.status == "met"
    assert [c.target for c in status_history(goal)] == ["in_progress", "met"]


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_facilitators_at_once_only_one_wins():
    """Two connections decline and accept the same active project at the same moment."""
    project = ProjectFactory(status=Project.Status.ACTIVE)
    people = [FacilitatorFactory(username=f"f{i}") for i in range(2)]
    barrier = threading.Barrier(2)
    outcomes = [None, None]

    def act(slot, transition):
        try:
            barrier.wait(10)
            status_move(obj=project, transition=transition, by=people[slot], expected_status="active")
            outcomes[slot] = "won"
        except ValidationError:
            outcomes[slot] = "refused"
        finally:
            connections.close_all()

    threads = [
        threading.Thread(target=act, args=(0, "pause")),
        threading.Thread(target=act, args=(1, "complete")),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert sorted(outcomes) == ["refused", "won"]
    assert StatusChange.objects.filter(object_id=project.pk).count() == 1
    assert Project.objects.get(pk=project.pk).status in ("paused", "completed")
