"""Behind PgBouncer in transaction mode there are no server-side cursors: exports still stream.

A streamed CSV is read after the view's transaction has committed; a server-side cursor would then
be a WITH HOLD cursor on a server connection PgBouncer has lent to someone else. With
DISABLE_SERVER_SIDE_CURSORS (set by DATABASE_PGBOUNCER) `.iterator()` reads each query whole.
"""

import csv
import io

import pytest
from django.db import connections
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from communications import sending, services
from tests.communications.factories import compose
from tests.projects.factories import ActivityFactory, ProjectFactory
from tests.stakeholders.factories import StakeholderFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(params=[False, True], ids=["server-side cursors", "PgBouncer: none"])
def server_side_cursors_disabled(request):
    settings_dict = connections["default"].settings_dict
    saved = settings_dict.get("DISABLE_SERVER_SIDE_CURSORS", False)
    settings_dict["DISABLE_SERVER_SIDE_CURSORS"] = request.param
    yield request.param
    settings_dict["DISABLE_SERVER_SIDE_CURSORS"] = saved


def export(client, url, params) -> tuple[list[dict], list[str]]:
    with CaptureQueriesContext(connections["default"]) as captured:
        response = client.get(url, params)
        assert response.status_code == 200
        content = b"".join(response.streaming_content) if response.streaming else response.content
    rows = list(csv.DictReader(io.StringIO(content.decode("utf-8").lstrip("\ufeff"))))
    return rows, [q["sql"] for q in captured.captured_queries]


def test_activity_and_directory_exports(client, ct, ct_staff, server_side_cursors_disabled):
    project = ProjectFactory(sea=ct)
    for n in range(7):
        ActivityFactory(project=project, summary=f"Export row {n}")
    StakeholderFactory.create_batch(4, sea=ct)
    client.force_login(ct_staff)
    activities, statements = export(client, reverse("projects:activity_list"), {"format": "csv"})
    assert sorted(row["Summary"] for row in activities) == [f"Export row {n}" for n in range(7)]
    people, more = export(client, reverse("stakeholders:stakeholder_list"), {"format": "csv"})
    assert len(people) == 4
    declared = any(sql.startswith("DECLARE") for sql in statements + more)
    assert declared is not server_side_cursors_disabled


def test_delivery_report_export(client, ct, facilitator, server_side_cursors_disabled):
    StakeholderFactory.create_batch(3, sea=ct)
    communication = compose(facilitator, audience={"seas": [ct.pk]})
    services.communication_schedule(communication=communication)
    sending.communications_tick()
    client.force_login(facilitator)
    rows, statements = export(
        client, reverse("communications:report", args=[communication.pk]), {"format": "csv"}
    )
    assert len(rows) == 3
    assert any(sql.startswith("DECLARE") for sql in statements) is not server_side_cursors_disabled
