import datetime
from decimal import Decimal

import pytest
from django.core import mail
from django.utils import timezone

from communications import sending, services
from communications.digests import digest_compose, digests_compose_weekly, week_of
from communications.models import Communication, Delivery
from tests.communications.factories import compose
from tests.projects.factories import ActivityFactory, IndicatorValueFactory, ProductFactory, ProjectFactory
from tests.stakeholders.factories import StakeholderFactory

pytestmark = pytest.mark.django_db


def drain():
    sending.communications_tick()
    while sending.deliveries_send_batch():
        pass


def test_weekly_digest_of_a_state(ct, ny):
    monday = week_of(timezone.localdate())
    project = ProjectFactory(sea=ct, title="Educator diversity")
    ActivityFactory(
        project=project, date=monday - datetime.timedelta(days=3), summary="Coaching on pipelines"
    )
    ActivityFactory(
        project=ProjectFactory(sea=ny), date=monday - datetime.timedelta(days=3), summary="NY work"
    )
    IndicatorValueFactory(
        indicator__project=project, measured_on=monday - datetime.timedelta(days=2), value=Decimal("11.50")
    )
    ProductFactory(project=project, title="State guidebook", due_date=monday - datetime.timedelta(days=20))
    reader = StakeholderFactory(sea=ct, first_name="Ada")
    StakeholderFactory(sea=ny)
    digest = digest_compose(sea=ct, week_start=monday)
    assert digest is not None
    assert digest_compose(sea=ct, week_start=monday) is None  # once per state and week
    drain()
    assert list(Delivery.objects.values_list("status", "last_error")) == [("sent", "")]
    [message] = mail.outbox
    assert message.to[0].endswith(f"<{reader.email}>")
    assert "Dear Ada" in message.body
    assert "Coaching on pipelines" in message.body
    assert "NY work" not in message.body
    assert "11.50" in message.body
    assert "Product: State guidebook" in message.body
    assert digest.scope_sea == ct


def test_weekly_choice_holds_messages_for_the_digest(facilitator, ct):
    monday = week_of(timezone.localdate())
    reader = StakeholderFactory(sea=ct)
    services.stakeholder_set_preference(stakeholder=reader, category="newsletter", delivery="weekly")
    newsletter = compose(
        facilitator, audience={"seas": [ct.pk]}, category="newsletter", subject="Spring newsletter"
    )
    services.communication_schedule(communication=newsletter)
    drain()
    assert mail.outbox == []
    assert Delivery.objects.get(communication=newsletter).status == Delivery.Status.DEFERRED
    digest_compose(sea=ct, week_start=monday)
    drain()
    [message] = mail.outbox
    assert "Spring newsletter" in message.body
    assert Delivery.objects.get(communication=newsletter).status == Delivery.Status.DIGESTED


def test_digests_wait_for_monday_morning(ct):
    StakeholderFactory(sea=ct)
    tz = timezone.get_current_timezone()
    monday = week_of(timezone.localdate())
    early = datetime.datetime.combine(monday, datetime.time(6, 0), tzinfo=tz)
    assert digests_compose_weekly(now=early) == []
    later = datetime.datetime.combine(monday, datetime.time(8, 0), tzinfo=tz)
    assert len(digests_compose_weekly(now=later)) == 1
    assert digests_compose_weekly(now=later) == []
    assert Communication.objects.filter(digest_key__startswith="digest:CT:").count() == 1
