"""The indicator page and recording a value: scoping, bad input, the service."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from projects.models import IndicatorValue
from projects.services.indicators import indicator_value_record
from tests.accounts.factories import UserFactory
from tests.projects.factories import IndicatorFactory, IndicatorValueFactory, ProjectFactory
from tests.projects.query_budget import assert_page_queries

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()


@pytest.fixture
def indicator(ct):
    indicator = IndicatorFactory(
        project=ProjectFactory(sea=ct),
        name="Share of new hires who are teachers of color",
        baseline=8,
        target=15,
    )
    IndicatorValueFactory(
        indicator=indicator, measured_on=TODAY - datetime.timedelta(days=200), value=Decimal("9.5")
    )
    IndicatorValueFactory(
        indicator=indicator, measured_on=TODAY - datetime.timedelta(days=20), value=Decimal("11.25")
    )
    return indicator


def new_value_url(indicator):
    return reverse("projects:indicator_value_create", args=[indicator.pk])


def test_indicator_page_shows_chart_values_baseline_and_target(client, indicator, ct_staff):
    client.force_login(ct_staff)
    response = client.get(reverse("projects:indicator_detail", args=[indicator.pk]))
    html = response.content.decode()
    assert response.status_code == 200
    assert 'class="chart chart-indicator"' in html
    assert "Baseline 8" in html
    assert "Target 15" in html
    table = html.split('id="indicator-values"')[1].split("</table>")[0]
    assert "9.5" in table
    assert "11.25" in table
    assert "Off target" in html
    assert new_value_url(indicator) in html
    assert "style=" not in html


@pytest.mark.parametrize("name", ["projects:indicator_detail", "projects:indicator_value_create"])
def test_other_state_gets_404_and_anonymous_is_sent_to_sign_in(client, indicator, ny_staff, name):
    url = reverse(name, args=[indicator.pk])
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))
    client.force_login(ny_staff)
    assert client.get(url).status_code == 404
    assert client.post(url, {"measured_on": TODAY.isoformat(), "value": "12"}).status_code == 404
    assert indicator.values.count() == 2


@pytest.mark.parametrize("who", ["ct_staff", "facilitator"])
def test_sea_staff_and_facilitators_record_a_value(client, indicator, who, request):
    user = request.getfixturevalue(who)
    client.force_login(user)
    response = client.post(
        new_value_url(indicator),
        {"measured_on": TODAY.isoformat(), "value": "15.5", "note": "Fall hiring round"},
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("projects:indicator_detail", args=[indicator.pk])
    value = indicator.values.get(measured_on=TODAY)
    assert (value.value, value.note, value.recorded_by) == (Decimal("15.5"), "Fall hiring round", user)
    page = client.get(response["Location"]).content.decode()
    assert "Value recorded" in page
    assert "On target" in page


def test_a_user_without_a_role_may_not_record(client, indicator):
    client.force_login(UserFactory())
    assert client.get(new_value_url(indicator)).status_code == 404  # sees nothing at all


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"measured_on": "", "value": "12"}, "measured_on", "This field is required"),
        ({"measured_on": "not a date", "value": "12"}, "measured_on", "Enter a valid date"),
        ({"measured_on": TODAY.isoformat(), "value": "lots"}, "value", "Enter a number"),
        (
            {"measured_on": (TODAY + datetime.timedelta(days=1)).isoformat(), "value": "12"},
            "measured_on",
            "future",
        ),
        (
            {"measured_on": (TODAY - datetime.timedelta(days=20)).isoformat(), "value": "12"},
            "measured_on",
            "already recorded",
        ),
    ],
)
def test_bad_input_is_shown_next_to_the_field_and_nothing_is_saved(
    client, indicator, ct_staff, data, field, message
):
    client.force_login(ct_staff)
    response = client.post(new_value_url(indicator), data)
    assert response.status_code == 200
    form = response.context["form"]
    assert message in " ".join(form.errors[field])
    html = response.content.decode()
    assert f'id="id_{field}"' in html
    assert "is-invalid" in html
    assert indicator.values.count() == 2


def test_get_changes_nothing_and_the_form_needs_csrf(indicator, ct_staff, password):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(ct_staff)
    assert client.get(new_value_url(indicator)).status_code == 200
    response = client.post(new_value_url(indicator), {"measured_on": TODAY.isoformat(), "value": "12"})
    assert response.status_code == 403
    assert indicator.values.count() == 2


def test_service_refuses_another_states_indicator_and_users_without_a_role(indicator, ny_staff):
    with pytest.raises(ValidationError) as error:
        indicator_value_record(recorded_by=ny_staff, indicator=indicator, measured_on=TODAY, value=Decimal(1))
    assert "indicator" in error.value.message_dict
    with pytest.raises(PermissionDenied):
        indicator_value_record(
            recorded_by=UserFactory(), indicator=indicator, measured_on=TODAY, value=Decimal(1)
        )
    assert not IndicatorValue.objects.filter(measured_on=TODAY).exists()


def test_service_keeps_history_of_who_recorded(indicator, facilitator):
    value = indicator_value_record(
        recorded_by=facilitator,
        indicator=indicator,
        measured_on=TODAY,
        value=Decimal("13"),
        note="  Spring  ",
    )
    assert value.note == "Spring"
    assert value.history.count() == 1


@pytest.mark.parametrize("size", [2, 40])
def test_indicator_page_queries_do_not_grow_with_values(
    client, indicator, ct_staff, size, django_assert_max_num_queries
):
    for n in range(size):
        IndicatorValueFactory(indicator=indicator, measured_on=TODAY - datetime.timedelta(days=300 + n))
    client.force_login(ct_staff)
    assert_page_queries(
        client, reverse("projects:indicator_detail", args=[indicator.pk]), django_assert_max_num_queries
    )
    assert_page_queries(client, new_value_url(indicator), django_assert_max_num_queries)
