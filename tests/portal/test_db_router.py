"""Which reads go to the replica: pure-read pages for signed-in users, never after a write.

The test settings point the "replica" alias at the test database (TEST MIRROR), on a connection
of its own: these tests watch which connection each query took. The real hot standby, its lag and
stale reads are exercised by benchmarks/topology.py.
"""

import socket

import pytest
from django.core.cache import cache
from django.db import connections, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.models import User
from api.services import api_token_create
from projects.models import Activity
from r2cc_portal import db_router
from tests.accounts.factories import FacilitatorFactory, SEAStaffFactory
from tests.projects.factories import ActivityFactory, ProjectFactory, condition
from tests.stakeholders.factories import SEAFactory

BOTH = ["default", "replica"]
pytestmark = pytest.mark.django_db(databases=BOTH)

LIST = reverse("projects:activity_list")


@pytest.fixture(autouse=True)
def fresh_router():
    db_router.health.reset()
    yield
    db_router.health.reset()
    connections["replica"].close()


@pytest.fixture
def staff(db):
    user = SEAStaffFactory(username="router.staff", sea=SEAFactory(state_code="CT"))
    cache.delete(db_router._sticky_key(user.pk))
    yield user
    cache.delete(db_router._sticky_key(user.pk))


def queries(alias):
    return CaptureQueriesContext(connections[alias])


def page_queries(captured) -> list[str]:
    """The statements of the page itself, without the router's lag check."""
    return [q["sql"] for q in captured.captured_queries if "pg_is_in_recovery" not in q["sql"]]


def get(client, url, **params):
    with queries("replica") as on_replica, queries("default") as on_primary:
        response = client.get(url, params)
    assert response.status_code == 200
    return page_queries(on_replica), page_queries(on_primary)


def test_list_page_reads_from_the_replica(client, staff):
    client.force_login(staff)
    on_replica, on_primary = get(client, LIST)
    assert any("projects_" in sql for sql in on_replica)
    # The session's user is read before the view, on the primary; the page's rows are not.
    assert not any("projects_" in sql for sql in on_primary)


def test_forms_and_unlisted_pages_read_from_the_primary(client, staff):
    client.force_login(staff)
    on_replica, on_primary = get(client, reverse("projects:activity_create"))
    assert on_replica == []
    assert on_primary


def test_anonymous_requests_never_read_from_the_replica(client):
    with queries("replica") as on_replica:
        client.get(LIST)
        client.get(reverse("login"))
    assert page_queries(on_replica) == []


def test_a_write_sends_the_user_to_the_primary_until_the_mark_expires(client, staff):
    client.force_login(staff)
    # Any unsafe request marks the user, whether or not the form was valid.
    response = client.post(reverse("projects:activity_create"), {"summary": ""})
    assert response.status_code == 200
    on_replica, on_primary = get(client, LIST)
    assert on_replica == []
    assert any("projects_" in sql for sql in on_primary)
    # The mark lives in the cache (shared by every web process) for the sticky seconds.
    key = cache.make_and_validate_key(db_router._sticky_key(staff.pk))
    assert 0 < cache._cache.get_client(key).ttl(key) <= 5
    cache.delete(db_router._sticky_key(staff.pk))
    on_replica, _ = get(client, LIST)
    assert any("projects_" in sql for sql in on_replica)


def test_a_mark_set_by_another_web_process_is_honoured(client, staff):
    client.force_login(staff)
    db_router.user_mark_wrote(staff.pk)  # as another process would, through Redis
    on_replica, _ = get(client, LIST)
    assert on_replica == []


def test_unsafe_methods_on_read_pages_use_the_primary(client, staff):
    client.force_login(staff)
    with queries("replica") as on_replica:
        client.post(LIST)
    assert page_queries(on_replica) == []


# The replica's own connection sees only committed rows: the user's role must be committed.
@pytest.mark.django_db(databases=BOTH, transaction=True, serialized_rollback=True)
def test_api_token_reads_come_from_the_replica_after_authentication(staff):
    ProjectFactory(sea=staff.sea)
    _, key = api_token_create(user=staff, name="router test", expires_in_days=30)
    client = Client(HTTP_AUTHORIZATION=f"Token {key}")
    # The first use records the token's last use (a write, at most once a minute): that request
    # reads from the primary and marks the user.
    with queries("replica") as on_replica:
        assert client.get("/api/v1/projects/").status_code == 200
    assert page_queries(on_replica) == []
    cache.delete(db_router._sticky_key(staff.pk))
    with queries("replica") as on_replica, queries("default") as on_primary:
        response = client.get("/api/v1/projects/")
    assert response.status_code == 200
    assert any("projects_project" in sql for sql in page_queries(on_replica))
    # The token itself is looked up on the primary, before the user is known.
    assert any("api_apitoken" in sql for sql in page_queries(on_primary))


def test_a_lagging_replica_is_not_read(client, staff, settings):
    settings.DATABASE_REPLICA_MAX_LAG_SECONDS = -1  # any lag, even none, is too much
    client.force_login(staff)
    with queries("replica") as on_replica, queries("default") as on_primary:
        client.get(LIST)
    assert [q["sql"] for q in on_replica.captured_queries if "pg_is_in_recovery" in q["sql"]]
    assert page_queries(on_replica) == []
    assert any("projects_" in sql for sql in page_queries(on_primary))
    assert db_router.replica_status(force=True) == {"configured": True, "ok": False, "lag_seconds": 0.0}


@pytest.fixture
def dead_replica():
    """Point the replica alias at a port where nothing listens."""
    replica = connections["replica"]
    replica.close()
    saved = replica.settings_dict["PORT"]
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    replica.settings_dict["PORT"] = str(port)
    yield
    replica.close()
    replica.settings_dict["PORT"] = saved


def test_an_unreachable_replica_falls_back_to_the_primary(client, staff, dead_replica):
    client.force_login(staff)
    with queries("default") as on_primary:
        response = client.get(LIST)
    assert response.status_code == 200
    assert any("projects_" in sql for sql in page_queries(on_primary))
    status = db_router.replica_status()
    assert status["ok"] is False
    # It is left alone for a while rather than tried on every request.
    assert db_router.health.down_until > db_router.health.checked_at


def test_a_replica_failing_during_a_request_is_answered_from_the_primary(staff, dead_replica):
    # The last check said the replica was fine; it died since.
    db_router.health.available, db_router.health.lag = True, 0.0
    db_router.health.checked_at = float("inf")
    client = Client(raise_request_exception=False)
    client.force_login(staff)
    ActivityFactory(project=ProjectFactory(sea=staff.sea), summary="Visible despite the replica")
    db_router.health.checked_at = float("inf")
    response = client.get(LIST)
    assert response.status_code == 200
    assert "Visible despite the replica" in response.text
    assert db_router.health.available is False


def test_router_decisions_inside_a_request():
    router = db_router.ReplicaRouter()
    user = User(pk=10**9, username="router.unit")
    request = type("Request", (), {"user": user})()
    cache.delete(db_router._sticky_key(user.pk))
    routing = db_router.RequestRouting.begin(request, replica_view=True)
    token = db_router._current.set(routing)
    try:
        with transaction.atomic():  # the request's own ATOMIC_REQUESTS block
            assert router.db_for_read(Activity) == "replica"
            with transaction.atomic():  # a transaction the view opened itself
                assert router.db_for_read(Activity) == "default"
            assert router.db_for_read(Activity) == "replica"
            assert router.db_for_write(Activity) == "default"
            # After any write in the request, every read is on the primary.
            assert router.db_for_read(Activity) == "default"
    finally:
        db_router._current.reset(token)
    # Outside a request (Celery tasks, commands) everything is on the primary.
    assert router.db_for_read(Activity) == "default"
    assert routing.replica_reads == 2


def test_objects_from_both_aliases_relate_and_the_replica_is_never_migrated(staff):
    project = ProjectFactory(sea=staff.sea)
    router = db_router.ReplicaRouter()
    from_replica = ProjectFactory.build(sea=staff.sea)
    from_replica._state.db = "replica"
    assert router.allow_relation(project, from_replica) is True
    assert router.allow_migrate("replica", "projects") is False
    assert router.allow_migrate("default", "projects") is None


@pytest.mark.django_db(databases=BOTH, transaction=True, serialized_rollback=True)
def test_a_user_reads_their_own_write_at_once(client):
    staff = SEAStaffFactory(username="router.writer", sea=SEAFactory(state_code="CT"))
    project = ProjectFactory(sea=staff.sea)
    client.force_login(staff)
    cache.delete(db_router._sticky_key(staff.pk))
    data = {
        "project": project.pk,
        "date": "2025-03-04",
        "type": Activity.Type.COACHING,
        "mode": Activity.Mode.VIRTUAL,
        "hours": "1.5",
        "summary": "Read back at once",
        "next_steps": "",
        "conditions": [condition(1).pk],
    }
    response = client.post(reverse("projects:activity_create"), data)
    assert response.status_code == 302
    on_replica, _ = get(client, LIST)
    assert on_replica == []
    assert "Read back at once" in client.get(LIST).text
    # Once the mark has gone, the same page comes from the replica and shows the same row.
    cache.delete(db_router._sticky_key(staff.pk))
    with queries("replica") as on_replica:
        text = client.get(LIST).text
    assert page_queries(on_replica)
    assert "Read back at once" in text


def test_healthz_reports_the_replica(client):
    body = client.get("/healthz").json()
    assert body["checks"]["replica"]["configured"] is True
    assert body["checks"]["replica"]["ok"] is True
    assert body["checks"]["replica"]["lag_seconds"] == 0.0


def test_facilitator_dashboards_read_from_the_replica(client):
    facilitator = FacilitatorFactory(username="router.facilitator")
    cache.delete(db_router._sticky_key(facilitator.pk))
    client.force_login(facilitator)
    on_replica, _ = get(client, reverse("home"))
    assert on_replica
