"""Property-based checks of the API against its own OpenAPI schema (schemathesis).

Every GET operation is exercised with at least 50 generated requests, as an anonymous client and
as an SEA staff member with an API token, and every write operation with at least 50 as the SEA
staff member: no 5xx, every status, content type and body as the schema documents, and no byte
of another state's data in any response.
"""

import collections
import json
from pathlib import Path

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from drf_spectacular.generators import SchemaGenerator
from hypothesis import HealthCheck, settings
from schemathesis.specs.openapi.checks import positive_data_acceptance

from api.services import api_token_create
from stakeholders.models import SEA
from tests.accounts.factories import SEAStaffFactory
from tests.communications.factories import compose
from tests.meetings.factories import ActionItemFactory, AgendaItemFactory, MeetingFactory
from tests.projects.factories import (
    ActivityFactory,
    ConditionAssessmentFactory,
    IndicatorFactory,
    IndicatorValueFactory,
    ProductFactory,
    ProjectFactory,
)
from tests.stakeholders.factories import (
    DistrictFactory,
    MembershipFactory,
    OfficeFactory,
    SEAFactory,
    StakeholderFactory,
)

EXAMPLES = 50
CROSS_PARAMETER_RULES = {"/api/v1/report/{table}/", "/api/v1/survey-results/"}
NY_SECRETS = ("Hidden New York project", "Albany Secret District", "nysecret@example.org", "NYSED")
examples_run: collections.Counter = collections.Counter()


def _world():
    ct = SEAFactory(state_code="CT", short_name="CSDE", name="Connecticut State Department of Education")
    ny = SEAFactory(state_code="NY", short_name="NYSED", name="New York State Education Department")
    for sea, title, district, email in (
        (ct, "Educator diversity", "Hartford Demo District", "ct.person@example.org"),
        (ny, NY_SECRETS[0], NY_SECRETS[1], NY_SECRETS[2]),
    ):
        project = ProjectFactory(sea=sea, title=title)
        OfficeFactory(sea=sea)
        place = DistrictFactory(sea=sea, name=district)
        person = StakeholderFactory(sea=sea, email=email, district=place)
        membership = MembershipFactory(stakeholder=person)
        ActivityFactory(project=project)
        ConditionAssessmentFactory(project=project)
        IndicatorValueFactory(indicator=IndicatorFactory(project=project))
        ProductFactory(project=project)
        meeting = MeetingFactory(body=membership.body, title=f"{title} meeting")
        AgendaItemFactory(meeting=meeting)
        ActionItemFactory(meeting=meeting, owner_stakeholder=person)
        compose(SEAStaffFactory(sea=sea), subject=f"{title} update", project=project)
    return ct


def _load_schema():
    # Generated in-process (no database needed), then served to schemathesis as a dict; requests
    # go to the portal's WSGI application, inside each test's database transaction.
    generated = SchemaGenerator().get_schema(request=None, public=True)
    loaded = schemathesis.openapi.from_dict(json.loads(json.dumps(generated, default=str)))
    loaded.app = get_wsgi_application()
    # Requests the schema allows; what the API refuses is tested in test_api.py.
    # NUL characters are refused (400) by every text filter, as PostgreSQL cannot store them.
    loaded.config.generation.update(modes=["positive"], max_examples=EXAMPLES, allow_x00=False)
    return loaded


loaded_schema = _load_schema()
schema = loaded_schema.include(method="GET")
writes = loaded_schema.include(method=["POST", "PUT", "PATCH", "DELETE"])


@pytest.fixture(scope="module", autouse=True)
def keep_the_test_connection():
    """The WSGI handler closes the database connection after each request (Django's test client
    turns that off too); the test's transaction has to survive it."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture(scope="module", autouse=True)
def report_examples():
    yield
    if not examples_run:
        return
    out = Path(__file__).resolve().parents[2] / "var" / "log" / "schemathesis-examples.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(dict(sorted(examples_run.items())), indent=2))
    few = {label: count for label, count in examples_run.items() if count < EXAMPLES}
    assert not few, f"operations with fewer than {EXAMPLES} examples: {few}"


def _no_other_state(response):
    body = response.text
    for secret in NY_SECRETS:
        assert secret not in body, f"{secret!r} leaked"


@pytest.fixture
def ct_token(db):
    ct = _world()
    user = SEAStaffFactory(username="ct.fuzz", sea=SEA.objects.get(pk=ct.pk))
    _token, key = api_token_create(user=user, name="schemathesis", expires_in_days=1)
    return key


@schema.parametrize()
@settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=list(HealthCheck),
    derandomize=True,
    database=None,
)
def test_api_as_sea_staff(case, ct_token):
    examples_run[f"sea staff {case.method} {case.path}"] += 1
    # A report period is a fiscal year or both ends of a date range, the start not after the end:
    # a rule across parameters that OpenAPI cannot state, answered with a 400 and its message.
    cross_parameter_rules = case.path in CROSS_PARAMETER_RULES
    response = case.call_and_validate(
        headers={"Authorization": f"Token {ct_token}"},
        excluded_checks=[positive_data_acceptance] if cross_parameter_rules else None,
    )
    assert response.status_code < 500
    if cross_parameter_rules and response.status_code == 400:
        assert "period" in response.text or "date" in response.text or "range" in response.text
    _no_other_state(response)


@schema.parametrize()
@settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=list(HealthCheck),
    derandomize=True,
    database=None,
)
def test_api_as_anonymous(case, db):
    examples_run[f"anonymous {case.method} {case.path}"] += 1
    response = case.call_and_validate()
    assert response.status_code in (401, 429)


@writes.parametrize()
@settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=list(HealthCheck),
    derandomize=True,
    database=None,
)
def test_api_writes_as_sea_staff(case, ct_token):
    """Writes with generated bodies: mostly refused (ids of records that do not exist), never a 5xx."""
    examples_run[f"sea staff {case.method} {case.path}"] += 1
    response = case.call_and_validate(
        headers={"Authorization": f"Token {ct_token}"},
        # Generated ids rarely name a record the user may use, so a schema-valid body is often 400.
        excluded_checks=[positive_data_acceptance],
    )
    assert response.status_code < 500
    _no_other_state(response)
