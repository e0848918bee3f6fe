"""Every periodic job is safe to run from two beats at once: the database decides, not a lock.

Beat may run on more than one host (docs/deploy.md), so each entry of CELERY_BEAT_SCHEDULE is run
here twice at the same moment, in two threads with their own database connections, and must
leave exactly what one run leaves.
"""

import datetime
import threading

import pytest
import time_machine
from django.conf import settings
from django.core.cache import cache
from django.db import connections
from django.utils import timezone

from communications import sending, services
from communications.digests import digests_compose_weekly, week_of
from communications.models import Communication, Delivery
from meetings.models import ActionItemReminder
from meetings.tasks import action_item_reminders_send_task
from projects.models import ActivityMonth, RollupWatermark
from projects.services.rollups import _aggregate, activity_month_refresh
from r2cc_portal.tasks import BEAT_HEARTBEAT_KEY, heartbeat_task
from tests.accounts.factories import FacilitatorFactory
from tests.communications.factories import compose
from tests.meetings.conftest import ct_member, rab  # noqa: F401 - fixtures
from tests.meetings.factories import ActionItemFactory, MeetingFactory, eastern
from tests.projects.factories import ActivityFactory, ProjectFactory, condition
from tests.stakeholders.factories import SEAFactory, StakeholderFactory

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

# The test below that runs each periodic task twice at once.
CHECKED = {
    "r2cc_portal.tasks.heartbeat_task": "test_heartbeat_twice_at_once",
    "projects.tasks.activity_month_refresh_task": "test_activity_rollup_twice_at_once",
    "communications.tasks.communications_tick_task": "test_communications_tick_twice_at_once",
    "communications.tasks.digests_compose_task": "test_weekly_digests_twice_at_once",
    "meetings.tasks.action_item_reminders_send_task": "test_action_item_reminders_twice_at_once",
    "accountability.tasks.attestation_reminders_send_task": "test_attestation_reminders_twice_at_once",
    "accountability.tasks.statements_prepare_task": "test_monthly_statements_twice_at_once",
    "accountability.tasks.surveys_for_delivered_products_task": "test_product_surveys_twice_at_once",
    "accountability.tasks.service_month_refresh_task": "test_services_rollup_twice_at_once",
}


def twice_at_once(job):
    """Run `job` in two threads released together; return both results."""
    barrier = threading.Barrier(2)
    results, errors = [None, None], []

    def run(slot):
        try:
            barrier.wait(10)
            results[slot] = job()
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(slot,)) for slot in (0, 1)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert not errors, errors
    return results


@pytest.mark.django_db
def test_every_periodic_job_is_checked_here():
    tasks = {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}
    assert tasks == set(CHECKED), "A new beat entry needs a test here that runs it twice at once."
    assert set(CHECKED.values()) <= set(globals())


def test_heartbeat_twice_at_once():
    cache.delete(BEAT_HEARTBEAT_KEY)
    twice_at_once(heartbeat_task)
    recorded = datetime.datetime.fromisoformat(cache.get(BEAT_HEARTBEAT_KEY))
    assert abs((timezone.now() - recorded).total_seconds()) < 60


def rollup_rows():
    return sorted(
        ActivityMonth.objects.values_list("sea_id", "month", "condition_number", "hours", "activities")
    )


def expected_rollup():
    from projects.models import Activity

    rows = _aggregate(Activity.objects.all())
    return sorted((r.sea_id, r.month, r.condition_number, r.hours, r.activities) for r in rows)


def test_activity_rollup_twice_at_once():
    sea = SEAFactory(state_code="CT")
    project = ProjectFactory(sea=sea)
    for day in (3, 17):
        ActivityFactory(project=project, date=datetime.date(2025, 2, day)).conditions.add(condition(2))
    # The very first refresh (no watermark yet) from two beats at once.
    twice_at_once(activity_month_refresh)
    assert RollupWatermark.objects.count() == 1
    assert rollup_rows() == expected_rollup()
    # Then an incremental one after new activities, again twice at once.
    ActivityFactory(project=project, date=datetime.date(2025, 3, 5)).conditions.add(condition(4))
    twice_at_once(activity_month_refresh)
    assert rollup_rows() == expected_rollup()


def test_communications_tick_twice_at_once():
    sea = SEAFactory(state_code="CT")
    people = StakeholderFactory.create_batch(5, sea=sea)
    author = FacilitatorFactory(username="tick.author")
    communication = compose(author, audience={"seas": [sea.pk]})
    services.communication_schedule(communication=communication)
    twice_at_once(sending.communications_tick)
    twice_at_once(sending.communications_tick)
    deliveries = Delivery.objects.filter(communication=communication)
    assert deliveries.count() == len(people)
    assert set(deliveries.values_list("stakeholder_id", flat=True)) == {p.pk for p in people}


def test_weekly_digests_twice_at_once():
    for code in ("CT", "NY"):
        StakeholderFactory(sea=SEAFactory(state_code=code))
    monday = week_of(timezone.localdate())
    later = datetime.datetime.combine(monday, datetime.time(9, 0), tzinfo=timezone.get_current_timezone())
    composed = twice_at_once(lambda: digests_compose_weekly(now=later))
    assert sum(len(c) for c in composed) == 2
    assert Communication.objects.filter(digest_key__isnull=False).exclude(digest_key="").count() == 2


def test_action_item_reminders_twice_at_once(rab, ct_member):  # noqa: F811 - fixtures
    facilitator = FacilitatorFactory(username="reminders.author")
    meeting = MeetingFactory(body=rab, starts_at=eastern(2026, 3, 10, 10, 0), created_by=facilitator)
    ActionItemFactory(
        meeting=meeting,
        owner_stakeholder=ct_member,
        description="Share the district hiring data",
        due_date=datetime.date(2026, 4, 10),
        created_by=facilitator,
    )
    with time_machine.travel(eastern(2026, 4, 8, 8, 0), tick=False):
        sent = twice_at_once(action_item_reminders_send_task)
    assert sorted(sent) == [0, 1]
    assert ActionItemReminder.objects.count() == 1


def _team():
    """A CT project with a center lead and an SEA contact (accountability's counterparts)."""
    from projects.models import ProjectMember
    from tests.accounts.factories import SEAStaffFactory

    sea = SEAFactory()
    project = ProjectFactory(sea=sea)
    lead = FacilitatorFactory(username="periodic.lead")
    contact = SEAStaffFactory(username="periodic.contact", sea=sea, email="contact@example.org")
    ProjectMember.objects.create(project=project, user=lead, role=ProjectMember.Role.CENTER_LEAD)
    ProjectMember.objects.create(project=project, user=contact, role=ProjectMember.Role.SEA_CONTACT)
    return project, lead, contact


def _log(project, author, day: datetime.date):
    from decimal import Decimal

    from projects.services.activities import activity_log

    return activity_log(
        author=author,
        project=project,
        date=day,
        type="coaching",
        summary="Coaching session on hiring pipelines.",
        hours=Decimal("2.5"),
        mode="virtual",
    )


def test_attestation_reminders_twice_at_once():
    from accountability.models import Attestation
    from accountability.tasks import attestation_reminders_send_task

    project, lead, _contact = _team()
    with time_machine.travel(datetime.datetime(2026, 11, 3, 15, 0, tzinfo=datetime.UTC), tick=False):
        _log(project, lead, datetime.date(2026, 11, 3))
    assert Attestation.objects.filter(reminded_at__isnull=True).count() == 1
    with time_machine.travel(datetime.datetime(2026, 11, 20, 15, 0, tzinfo=datetime.UTC), tick=False):
        sent = twice_at_once(attestation_reminders_send_task)
    assert sorted(sent) == [0, 1]
    assert Attestation.objects.filter(reminded_at__isnull=False).count() == 1


def test_monthly_statements_twice_at_once():
    from accountability.models import ServiceStatement
    from accountability.tasks import statements_prepare_task

    project, lead, _contact = _team()
    with time_machine.travel(datetime.datetime(2026, 11, 3, 15, 0, tzinfo=datetime.UTC), tick=False):
        _log(project, lead, datetime.date(2026, 11, 3))
    with time_machine.travel(datetime.datetime(2026, 12, 2, 15, 0, tzinfo=datetime.UTC), tick=False):
        twice_at_once(statements_prepare_task)
    assert list(ServiceStatement.objects.values_list("project_id", "month", "activities")) == [
        (project.pk, datetime.date(2026, 11, 1), 1)
    ]


def test_product_surveys_twice_at_once():
    from accountability.models import SurveyInvitation
    from accountability.tasks import surveys_for_delivered_products_task
    from tests.projects.factories import ProductFactory

    project, lead, _contact = _team()
    person = StakeholderFactory(sea=project.sea, email="participant@example.org")
    project.stakeholders.add(person)
    with time_machine.travel(datetime.datetime(2026, 11, 20, 15, 0, tzinfo=datetime.UTC), tick=False):
        ProductFactory(project=project, status="delivered", delivered_on=datetime.date(2026, 11, 18))
        twice_at_once(surveys_for_delivered_products_task)
    invitations = SurveyInvitation.objects.filter(project=project)
    assert invitations.count() == invitations.values("product_id", "stakeholder_id").distinct().count()
    assert invitations.count() <= 1


def test_services_rollup_twice_at_once():
    from accountability.models import ServiceMonth
    from accountability.tasks import service_month_refresh_task

    project, lead, _contact = _team()
    with time_machine.travel(datetime.datetime(2026, 11, 3, 15, 0, tzinfo=datetime.UTC), tick=False):
        _log(project, lead, datetime.date(2026, 11, 2))
        _log(project, lead, datetime.date(2026, 11, 3))
    twice_at_once(service_month_refresh_task)
    assert list(ServiceMonth.objects.filter(sea=project.sea).values_list("month", "type", "activities")) == [
        (datetime.date(2026, 11, 1), "coaching", 2)
    ]
