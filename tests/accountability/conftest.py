import datetime
from decimal import Decimal

import pytest

from projects.models import ProjectMember
from projects.services.activities import activity_log
from tests.accounts.factories import FacilitatorFactory, SEAStaffFactory
from tests.projects.factories import ProjectFactory


@pytest.fixture
def team(ct, facilitator):
    """A CT project with a center lead (the facilitator), two SEA contacts and CT staff."""
    project = ProjectFactory(sea=ct, title="Diversifying Connecticut's educator workforce")
    contact = SEAStaffFactory(username="ct.contact", sea=ct, first_name="Dana", last_name="Contact")
    second = SEAStaffFactory(username="ct.contact2", sea=ct)
    staff = FacilitatorFactory(username="center.staff")
    ProjectMember.objects.create(project=project, user=facilitator, role=ProjectMember.Role.CENTER_LEAD)
    ProjectMember.objects.create(project=project, user=staff, role=ProjectMember.Role.CENTER_STAFF)
    ProjectMember.objects.create(project=project, user=contact, role=ProjectMember.Role.SEA_CONTACT)
    ProjectMember.objects.create(project=project, user=second, role=ProjectMember.Role.SEA_CONTACT)
    return {"project": project, "lead": facilitator, "staff": staff, "contact": contact, "second": second}


def log(project, author, **fields):
    values = {
        "date": datetime.date(2026, 11, 3),
        "type": "coaching",
        "summary": "Coaching session on hiring pipelines.",
        "hours": Decimal("2.5"),
        "mode": "virtual",
    }
    values.update(fields)
    return activity_log(author=author, project=project, **values)
