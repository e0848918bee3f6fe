import datetime
from decimal import Decimal

import pytest
from django.test import RequestFactory

from core.lists import csv_cell, stream_csv
from projects.views.activities import ActivityListView

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (None, ""),
        (True, "yes"),
        (Decimal("2.50"), Decimal("2.50")),
        (datetime.date(2025, 3, 4), "2025-03-04"),
        ("=1+1", "'=1+1"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("+cmd", "'+cmd"),
        ("plain text", "plain text"),
    ],
)
def test_csv_cell(value, expected):
    assert csv_cell(value) == expected


def test_stream_csv_is_a_streaming_attachment():
    response = stream_csv(header=["a", "b"], rows=iter([[1, "x,y"], [2, None]]), filename="t.csv")
    assert response.streaming
    body = b"".join(response.streaming_content).decode("utf-8")
    assert body == '\ufeffa,b\r\n1,"x,y"\r\n2,\r\n'
    assert response["Content-Disposition"] == 'attachment; filename="t.csv"'


def view_for(user, query):
    request = RequestFactory().get("/projects/activities/", query)
    request.user = user
    view = ActivityListView()
    view.setup(request)
    return view


def test_sort_whitelist_and_direction(facilitator):
    assert view_for(facilitator, {"sort": "-hours"}).get_ordering() == ["-hours", "date", "pk"]
    assert view_for(facilitator, {"sort": "hours"}).get_ordering() == ["hours", "-date", "-pk"]
    # Unknown keys (or attempts at other fields) fall back to the default sort.
    assert view_for(facilitator, {"sort": "author__password"}).get_ordering() == ["-date", "-pk"]


def test_header_links_keep_filters_and_drop_the_page(facilitator):
    view = view_for(facilitator, {"type": "coaching", "page": "3", "sort": "hours"})
    headers = {header["label"]: header for header in view.get_headers()}
    assert headers["Hours"]["aria_sort"] == "ascending"
    assert headers["Hours"]["query"] == "type=coaching&sort=-hours"
    assert headers["Date"]["aria_sort"] == ""
    assert headers["Date"]["query"] == "type=coaching&sort=date"
    assert not headers["Summary"]["sortable"]
    assert view.query_without("page", format="csv") == "type=coaching&sort=hours&format=csv"
