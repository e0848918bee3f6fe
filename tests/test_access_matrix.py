"""The access matrix: every route of the URL configuration × method × role.

The expectations live in tests/access_matrix.py, one declarative table. This test walks the URL
configuration, fails for any route the table does not cover (and for table rows whose route is
gone), requests each route with each declared method as each role, asserts the declared status,
and asserts that no response to an SEA staff member contains another state's data.

`ACCESS_MATRIX_PRINT=1 pytest tests/test_access_matrix.py -s` prints what each route answers, to
help write a new route's row (read it; do not copy it blindly).
"""

import datetime
import json
import os
import re

import pytest
from django.core.files.base import ContentFile
from django.db import transaction
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.models import SecurityEvent  # noqa: F401  (the log must not break any route)
from api.services import api_token_create
from communications.models import Delivery, Occurrence
from intake.models import TARequest
from projects.models import Goal, GoalProposal, Objective, ProductAdoption, ProductVersion
from tests import access_matrix as matrix
from tests.accounts.factories import AdministratorFactory, FacilitatorFactory, SEAStaffFactory
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
    AdvisoryBodyFactory,
    DistrictFactory,
    MembershipFactory,
    OfficeFactory,
    OrganizationFactory,
    PartnerCenterFactory,
    SEAFactory,
    StakeholderFactory,
)

# Strings that exist only in one state's records: an SEA staff member of the other state must
# never receive them.
SECRETS = {
    "CT": (
        "Nutmeg Educator Pipeline",
        "Hartford Matrix District",
        "nutmeg.person@example.org",
        "Nutmeg Council",
    ),
    "NY": ("Empire Hidden Pilot", "Albany Matrix District", "empire.person@example.org", "Empire Council"),
}


def walk(patterns, prefix="", namespace=""):
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
            yield from walk(pattern.url_patterns, prefix + str(pattern.pattern), inner)
        elif isinstance(pattern, URLPattern):
            key = f"{namespace}{pattern.name}" if pattern.name else prefix + str(pattern.pattern)
            yield key, prefix + str(pattern.pattern)


def all_routes() -> dict[str, str]:
    return dict(walk(get_resolver().url_patterns))


def test_every_route_is_in_the_matrix():
    routes = all_routes()
    missing = sorted(key for key in routes if matrix.spec_for(key) is None)
    assert not missing, "Routes missing from tests/access_matrix.py:\n" + "\n".join(missing)
    stale = sorted(set(matrix.ROUTES) - set(routes))
    assert not stale, "Rows in tests/access_matrix.py for routes that no longer exist:\n" + "\n".join(stale)


def build_world():
    ct = SEAFactory(state_code="CT", short_name="CSDE", name="Connecticut State Department of Education")
    ny = SEAFactory(state_code="NY", short_name="NYSED", name="New York State Education Department")
    owner = SEAStaffFactory(username="ct.owner", sea=ct)
    other = SEAStaffFactory(username="ny.other", sea=ny)
    users = {
        "anonymous": None,
        "owner": owner,
        "other": other,
        "facilitator": FacilitatorFactory(username="matrix.facilitator"),
        "admin": AdministratorFactory(username="matrix.admin"),
    }
    world = {"users": users}
    center = PartnerCenterFactory()
    for sea, prefix, (title, district_name, email, body_name) in (
        (ct, "ct", SECRETS["CT"]),
        (ny, "ny", SECRETS["NY"]),
    ):
        author = owner if prefix == "ct" else other
        project = ProjectFactory(sea=sea, title=title, lead_center=center)
        district = DistrictFactory(sea=sea, name=district_name)
        project.districts.add(district)
        person = StakeholderFactory(sea=sea, email=email, district=district)
        body = AdvisoryBodyFactory(name=body_name, short_name=body_name.split()[0][:8])
        membership = MembershipFactory(body=body, stakeholder=person)
        meeting = MeetingFactory(body=body, title=f"{body_name} meeting")
        owner_person = StakeholderFactory(sea=sea, user=author)
        indicator = IndicatorFactory(project=project)
        product = ProductFactory(
            project=project, lead_center=center, file=ContentFile(b"%PDF-1.7", name="g.pdf")
        )
        goal = Goal.objects.create(project=project, number=1, statement=f"{title} goal")
        ta_request = TARequest.objects.create(
            sea=sea,
            title=f"{title} request",
            problem="A problem",
            desired_outcome="An outcome",
            contact_name="Contact",
            contact_email=email,
            submitted_by=author,
        )
        communication = compose(author, subject=f"{title} update", project=project)
        schedule = communication.schedules.create(
            start_date=timezone.localdate() + datetime.timedelta(days=7),
            start_time=datetime.time(9, 0),
            created_by=author,
        )
        occurrence = Occurrence.objects.create(
            schedule=schedule, communication=communication, scheduled_for=timezone.now()
        )
        world.update(
            {
                f"{prefix}_sea": sea,
                f"{prefix}_project": project,
                f"{prefix}_district": district,
                f"{prefix}_stakeholder": person,
                f"{prefix}_office": OfficeFactory(sea=sea),
                f"{prefix}_body": body,
                f"{prefix}_membership": membership,
                f"{prefix}_meeting": meeting,
                f"{prefix}_agenda_item": AgendaItemFactory(meeting=meeting),
                f"{prefix}_action_item": ActionItemFactory(meeting=meeting, owner_stakeholder=owner_person),
                f"{prefix}_activity": ActivityFactory(project=project, author=author),
                f"{prefix}_assessment": ConditionAssessmentFactory(project=project),
                f"{prefix}_indicator": indicator,
                f"{prefix}_indicator_value": IndicatorValueFactory(indicator=indicator),
                f"{prefix}_product": product,
                f"{prefix}_product_version": ProductVersion.objects.create(
                    product=product, label="1.0", link="https://example.org/guide"
                ),
                f"{prefix}_goal": goal,
                f"{prefix}_objective": Objective.objects.create(
                    goal=goal, number=1, statement=f"{title} objective"
                ),
                f"{prefix}_goal_proposal": GoalProposal.objects.create(
                    goal=goal, statement=f"{title} goal, reworded", reason="Board asked", proposed_by=author
                ),
                f"{prefix}_request": ta_request,
                f"{prefix}_adoption": ProductAdoption.objects.create(
                    product=product, district=district, adopted_on=datetime.date(2025, 9, 1)
                ),
                f"{prefix}_communication": communication,
                f"{prefix}_schedule": schedule,
                f"{prefix}_delivery": Delivery.objects.create(
                    communication=communication, occurrence=occurrence, stakeholder=person, email=person.email
                ),
                f"{prefix}_token": api_token_create(user=author, name="matrix", expires_in_days=30)[0],
            }
        )
        world.update(accountability_world(prefix, world))
    world["organization"] = OrganizationFactory()
    world["admin_device"] = TOTPDevice.objects.create(user=users["admin"], name="matrix", confirmed=False)
    world["partner_center"] = center
    return world


def accountability_world(prefix: str, world) -> dict:
    from accountability.models import Attestation, ServiceStatement, SurveyInvitation, SurveyResponse

    activity = world[f"{prefix}_activity"]
    attestation = Attestation.objects.create(
        activity=activity, version=1, counterpart_role="center_lead", requested_at=timezone.now()
    )
    statement = ServiceStatement.objects.create(
        project=world[f"{prefix}_project"],
        month=datetime.date(2026, 1, 1),
        activities=1,
        hours=2,
        products=0,
        prepared_at=timezone.now(),
    )
    invitation = SurveyInvitation.objects.create(
        stakeholder=world[f"{prefix}_stakeholder"],
        activity=activity,
        project=world[f"{prefix}_project"],
        activity_type=activity.type,
        sent_at=timezone.now(),
    )
    response = SurveyResponse.objects.create(invitation=invitation, quality=4, submitted_at=timezone.now())
    return {
        f"{prefix}_attestation": attestation,
        f"{prefix}_statement": statement,
        f"{prefix}_survey_response": response,
    }


def resolve_value(value, world):
    if isinstance(value, str) and value.startswith("@"):
        obj = world[value[1:]]
        return obj.pk
    if isinstance(value, str) and value.startswith("="):
        return getattr(world[value[1:].split(".")[0]], value.split(".", 1)[1])
    return value


def url_for(key: str, pattern: str, spec: dict, world) -> str:
    kwargs = {name: resolve_value(value, world) for name, value in spec.get("kwargs", {}).items()}
    if key in matrix.PLAIN_NAMES or (":" in key and "/" not in key):
        args = [resolve_value(value, world) for value in spec.get("args", [])]
        url = reverse(key, args=args) if args else reverse(key, kwargs=kwargs)
    else:
        # Unnamed patterns (the admin's object redirects and catch-all): fill the placeholders.
        url = "/" + re.sub(
            r"<[^>]+>|\(\?P<\w+>[^)]*\)\$?|\^|\$", lambda _m: str(spec.get("fill", "0")), pattern
        )
    return url + spec.get("query", "")


def clients_for(world) -> dict[str, Client]:
    clients = {}
    for role, user in world["users"].items():
        client = Client(REMOTE_ADDR="192.0.2.50")
        if user is not None:
            client.force_login(user)
        clients[role] = client
    return clients


def check_outcome(response, expected, *, label):
    if expected == matrix.LOGIN:
        assert response.status_code == 302, f"{label}: {response.status_code}, expected a sign-in redirect"
        assert response["Location"].startswith(reverse("login")), (
            f"{label}: redirected to {response['Location']}"
        )
    elif expected == matrix.ADMIN_LOGIN:
        assert response.status_code == 302, f"{label}: {response.status_code}, expected the admin sign-in"
        assert response["Location"].startswith("/admin/login/"), (
            f"{label}: redirected to {response['Location']}"
        )
    elif isinstance(expected, tuple):
        assert response.status_code in expected, (
            f"{label}: {response.status_code}, expected one of {expected}"
        )
    else:
        assert response.status_code == expected, f"{label}: {response.status_code}, expected {expected}"


def request(client, method, url, data):
    if method == "GET":
        return client.get(url)
    if method == "POST":
        return client.post(url, data)
    # PUT, PATCH and DELETE go to the API, which reads JSON.
    return getattr(client, method.lower())(url, json.dumps(data), content_type="application/json")


def body_of(response) -> str:
    if getattr(response, "streaming", False):
        return b"".join(response.streaming_content).decode(errors="replace")
    return response.content.decode(errors="replace")


def observed(response):
    if response.status_code == 302:
        location = response["Location"]
        if location.startswith(reverse("login")):
            return "LOGIN"
        if location.startswith("/admin/login/"):
            return "ADMIN_LOGIN"
    return response.status_code


KEYS = sorted(all_routes())


@pytest.mark.django_db
@pytest.mark.parametrize("group", sorted({matrix.group_of(key) for key in KEYS}))
def test_access_matrix(group, settings):
    settings.API_THROTTLE_RATES = {"anon": "100000/minute", "user": "100000/minute"}
    routes = all_routes()
    world = build_world()
    printing = os.environ.get("ACCESS_MATRIX_PRINT")
    failures = []
    for key in [k for k in KEYS if matrix.group_of(k) == group]:
        spec = matrix.spec_for(key)
        if spec is None:
            continue  # reported by test_every_route_is_in_the_matrix
        url = url_for(key, routes[key], spec, world)
        for method, expectations in spec["methods"].items():
            clients = clients_for(world)
            seen = {}
            for role in matrix.ROLES:
                client = clients[role]
                data = spec.get("data", {})
                # Each request runs in a savepoint that is rolled back: a delete as one role leaves
                # the record for the next.
                with transaction.atomic():
                    response = request(client, method, url, data)
                    text = body_of(response)
                    transaction.set_rollback(True)
                seen[role] = observed(response)
                label = f"{method} {url} as {role}"
                try:
                    expected = expectations[role] if isinstance(expectations, dict) else expectations
                    check_outcome(response, expected, label=label)
                    if role in ("owner", "other"):
                        foreign = SECRETS["NY"] if role == "owner" else SECRETS["CT"]
                        for secret in foreign:
                            assert secret not in text, (
                                f"{label}: another state's data in the response ({secret!r})"
                            )
                except AssertionError as error:
                    failures.append(str(error))
            if printing:
                print(f"{key!r}: {method} {seen}")
    assert not failures, "\n".join(failures)


@pytest.mark.django_db
def test_every_download_follows_its_pages_access_rule():
    """The files of tests/access_matrix.py's DOWNLOADS: the status of each role, and no other
    state's data in an SEA staff member's file."""
    routes = all_routes()
    world = build_world()
    clients = clients_for(world)
    failures = []
    for key, files in matrix.DOWNLOADS.items():
        spec = matrix.spec_for(key)
        assert spec is not None, key
        page = url_for(key, routes[key], {**spec, "query": ""}, world)
        for query, expectations in files:
            url = page + query.format(**{name: obj.pk for name, obj in world.items() if hasattr(obj, "pk")})
            for role in matrix.ROLES:
                response = clients[role].get(url)
                label = f"GET {url} as {role}"
                try:
                    check_outcome(response, expectations[role], label=label)
                    if response.status_code == 200:
                        assert response["Content-Disposition"].startswith("attachment"), label
                    if role in ("owner", "other") and response.status_code == 200:
                        text = body_of(response)
                        for secret in SECRETS["NY"] if role == "owner" else SECRETS["CT"]:
                            assert secret not in text, f"{label}: another state's data ({secret!r})"
                except AssertionError as error:
                    failures.append(str(error))
    assert not failures, "\n".join(failures)
