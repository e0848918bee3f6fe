import datetime

import pytest
import time_machine

from stakeholders.models import AdvisoryBody, BodyPurpose
from tests.meetings.factories import eastern
from tests.stakeholders.factories import (
    AdvisoryBodyFactory,
    MembershipFactory,
    PartnerCenterFactory,
    StakeholderFactory,
)

NOW = eastern(2026, 3, 1, 9, 0)


@pytest.fixture
def frozen():
    """The portal's clock on March 1, 2026, 9:00 Eastern (ticking)."""
    with time_machine.travel(NOW, tick=True) as traveller:
        yield traveller


@pytest.fixture
def rab(db):
    body = AdvisoryBodyFactory(
        name="Regional Advisory Board",
        short_name="RAB",
        meetings_per_year=2,
        quorum_rule=AdvisoryBody.QuorumRule.MAJORITY,
    )
    for number, text in enumerate(
        ["Assess needs and high-leverage problems.", "Raise awareness of services.", "Give feedback."],
        start=1,
    ):
        BodyPurpose.objects.create(body=body, number=number, text=text)
    return body


@pytest.fixture
def ct_member(rab, ct):
    person = StakeholderFactory(first_name="Dana", last_name="Todd", sea=ct, email="dana.todd@example.org")
    MembershipFactory(body=rab, stakeholder=person, represents_sea=ct, term_start=datetime.date(2024, 7, 1))
    return person


@pytest.fixture
def center_member(rab):
    center = PartnerCenterFactory(short_name="REL NEI", name="REL Northeast & Islands")
    person = StakeholderFactory(first_name="Victor", last_name="Lin", sea=None, partner_center=center)
    MembershipFactory(
        body=rab,
        stakeholder=person,
        represents_sea=None,
        represents_center=center,
        term_start=datetime.date(2024, 7, 1),
    )
    return person


@pytest.fixture
def members(ct_member, center_member):
    return [ct_member, center_member]
