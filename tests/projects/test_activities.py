import datetime
import io
from decimal import Decimal
from urllib.parse import quote

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from projects.models import Activity
from projects.services.activities import activity_delete, activity_log, activity_update
from tests.accounts.factories import SEAStaffFactory
from tests.projects.factories import ActivityFactory, ProjectFactory, condition
from tests.stakeholders.factories import DistrictFactory, PartnerCenterFactory, StakeholderFactory

pytestmark = pytest.mark.django_db

LIST = reverse("projects:activity_list")
CREATE = reverse("projects:activity_create")


def csv_rows(response):
    import csv

    assert response["Content-Type"].startswith("text/csv")
    text = b"".join(response.streaming_content).decode("utf-8").lstrip("\ufeff")
    return list(csv.DictReader(io.StringIO(text)))


@pytest.fixture
def ct_project(ct):
    return ProjectFactory(sea=ct, title="Diversifying Connecticut's educator workforce")


@pytest.fixture
def ny_project(ny):
    return ProjectFactory(sea=ny, title="New York literacy network")


def form_data(project, **overrides):
    data = {
        "project": project.pk,
        "date": "2025-03-04",
        "type": Activity.Type.COACHING,
        "mode": Activity.Mode.VIRTUAL,
        "hours": "1.5",
        "summary": "Coached two districts on their hiring pipelines.",
        "next_steps": "Share the action-plan template.",
        "conditions": [condition(1).pk, condition(3).pk],
    }
    data.update(overrides)
    return data


# The list ----------------------------------------------------------------------------------


def test_list_needs_sign_in(client):
    response = client.get(LIST)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_sea_staff_list_only_their_state(client, ct_staff, ct_project, ny_project):
    ActivityFactory(project=ct_project, summary="Connecticut coaching")
    ActivityFactory(project=ny_project, summary="New York workshop")
    client.force_login(ct_staff)
    response = client.get(LIST)
    assert response.status_code == 200
    assert "Connecticut coaching" in response.text
    assert "New York workshop" not in response.text
    # A tampered filter for another state's project shows nothing of it.
    response = client.get(LIST, {"project": ny_project.pk})
    assert "New York workshop" not in response.text
    assert "Select a valid choice" in response.text


def test_facilitator_lists_every_state(client, facilitator, ct_project, ny_project):
    ActivityFactory(project=ct_project, summary="Connecticut coaching")
    ActivityFactory(project=ny_project, summary="New York workshop")
    client.force_login(facilitator)
    response = client.get(LIST)
    assert "Connecticut coaching" in response.text
    assert "New York workshop" in response.text


def test_filters_combine(client, facilitator, ct_project, ny_project, ct_staff):
    wanted = ActivityFactory(
        project=ct_project,
        type=Activity.Type.ROOT_CAUSE,
        date=datetime.date(2025, 2, 10),
        summary="Root-cause analysis of hiring barriers",
        author=ct_staff,
    )
    wanted.conditions.add(condition(2))
    ActivityFactory(project=ct_project, type=Activity.Type.ROOT_CAUSE, date=datetime.date(2024, 1, 1))
    ActivityFactory(project=ct_project, type=Activity.Type.COACHING, date=datetime.date(2025, 2, 11))
    ActivityFactory(project=ny_project, type=Activity.Type.ROOT_CAUSE, date=datetime.date(2025, 2, 12))
    client.force_login(facilitator)
    query = {
        "state": ct_project.sea_id,
        "type": "root_cause",
        "date_from": "2025-01-01",
        "date_to": "2025-12-31",
        "condition": condition(2).pk,
        "author": ct_staff.pk,
        "q": "hiring BARRIERS",
    }
    response = client.get(LIST, query)
    assert list(response.context["object_list"]) == [wanted]
    rows = csv_rows(client.get(LIST, {**query, "format": "csv"}))
    assert [row["Activity id"] for row in rows] == [str(wanted.pk)]
    assert rows[0]["Conditions advanced"] == "Shared measurement"


def test_bad_filter_values_are_reported_and_ignored(client, ct_staff, ct_project):
    ActivityFactory(project=ct_project, summary="Still listed")
    client.force_login(ct_staff)
    response = client.get(
        LIST,
        {"date_from": "not-a-date", "type": "nonsense", "project": "abc", "page": "zzz", "sort": "password"},
    )
    assert response.status_code == 200
    assert "Enter a valid date." in response.text
    assert "Still listed" in response.text


def test_date_range_end_before_start_is_a_form_error(client, ct_staff, ct_project):
    ActivityFactory(project=ct_project, date=datetime.date(2025, 3, 1))
    client.force_login(ct_staff)
    response = client.get(LIST, {"date_from": "2025-04-01", "date_to": "2025-02-01"})
    assert response.status_code == 200
    assert "The end of the date range is before its start." in response.text
    assert response.context["keyset"].count == 0  # the valid start still filters


def test_sorting_and_aria_sort(client, facilitator, ct_project):
    ActivityFactory(project=ct_project, hours=Decimal("3"), date=datetime.date(2025, 1, 1))
    ActivityFactory(project=ct_project, hours=Decimal("1"), date=datetime.date(2025, 1, 2))
    client.force_login(facilitator)
    response = client.get(LIST, {"sort": "hours"})
    assert [a.hours for a in response.context["object_list"]] == [Decimal("1"), Decimal("3")]
    assert 'aria-sort="ascending"' in response.text
    assert "sort=-hours" in response.text  # the header link turns the order around
    response = client.get(LIST, {"sort": "-hours"})
    assert [a.hours for a in response.context["object_list"]] == [Decimal("3"), Decimal("1")]
    assert 'aria-sort="descending"' in response.text


def test_pagination_keeps_the_filters(client, facilitator, ct_project):
    for day in range(1, 56):
        ActivityFactory(project=ct_project, date=datetime.date(2025, 1, 1) + datetime.timedelta(days=day))
    client.force_login(facilitator)
    response = client.get(LIST, {"type": "coaching", "sort": "date"})
    page = response.context["keyset"]
    assert (page.count, page.count_is_capped, page.has_previous) == (55, False, False)
    assert f"?type=coaching&amp;sort=date&amp;after={quote(page.next_cursor)}" in response.text
    second = client.get(LIST, {"type": "coaching", "sort": "date", "after": page.next_cursor})
    dates = [a.date for a in second.context["object_list"]]
    assert len(dates) == 5
    assert dates == sorted(dates)
    assert dates[0] > max(a.date for a in response.context["object_list"])
    assert not second.context["keyset"].has_next
    back = client.get(
        LIST, {"type": "coaching", "sort": "date", "before": second.context["keyset"].previous_cursor}
    )
    assert list(back.context["object_list"]) == list(response.context["object_list"])
    assert back.context["keyset"].is_first


def test_newest_first_pages_are_newer_and_older_by_keyset(client, facilitator, ct_project):
    same_day = datetime.date(2025, 5, 1)
    made = [ActivityFactory(project=ct_project, date=same_day) for _ in range(60)]
    client.force_login(facilitator)
    first = client.get(LIST)
    assert 'rel="next">Older</a>' in first.text
    second = client.get(LIST, {"after": first.context["keyset"].next_cursor})
    assert 'rel="prev">Newer</a>' in second.text
    shown = [a.pk for a in first.context["object_list"]] + [a.pk for a in second.context["object_list"]]
    assert shown == sorted((a.pk for a in made), reverse=True)  # ties on the date split by id


@pytest.mark.parametrize("cursor", ["zzz", "W3siZCI6IngifSwxXQ", "a" * 5000, "é"])
def test_hand_edited_cursor_shows_the_first_page(client, facilitator, ct_project, cursor):
    ActivityFactory(project=ct_project, summary="Listed")
    client.force_login(facilitator)
    for name in ("after", "before"):
        response = client.get(LIST, {name: cursor, "sort": "hours"})
        assert response.status_code == 200
        assert "Listed" in response.text


def test_a_cursor_of_another_sort_is_ignored(client, facilitator, ct_project):
    for hours in range(1, 56):
        ActivityFactory(project=ct_project, hours=Decimal(hours % 24 + 1))
    client.force_login(facilitator)
    by_type = client.get(LIST, {"sort": "type"}).context["keyset"].next_cursor
    response = client.get(LIST, {"sort": "hours", "after": by_type})
    assert response.status_code == 200
    assert response.context["keyset"].is_first


def test_count_stops_at_the_cap(client, facilitator, ct_project, settings, monkeypatch):
    monkeypatch.setattr("core.keyset.COUNT_CAP", 10)
    for _ in range(12):
        ActivityFactory(project=ct_project)
    client.force_login(facilitator)
    response = client.get(LIST)
    assert response.context["keyset"].count_is_capped
    assert "10+ activities" in response.text


def test_search_is_full_text_ranked_and_scoped(client, ct_staff, ct_project, ny_project):
    best = ActivityFactory(project=ct_project, summary="Coaching on hiring data", next_steps="")
    weaker = ActivityFactory(project=ct_project, summary="Site visit", next_steps="Review the hiring plans")
    ActivityFactory(project=ct_project, summary="Hiring fair, no data work")
    ActivityFactory(project=ny_project, summary="Coaching on hiring data")  # another state
    client.force_login(ct_staff)
    response = client.get(LIST, {"q": "hiring -data"})
    assert [a.pk for a in response.context["object_list"]] == [weaker.pk]
    response = client.get(LIST, {"q": "hire"})  # stemmed: hiring matches hire
    pks = [a.pk for a in response.context["object_list"]]
    assert len(pks) == 3
    assert pks.index(best.pk) < pks.index(weaker.pk)
    assert "best match first" in response.text
    response = client.get(LIST, {"q": '"hiring data"'})
    assert [a.pk for a in response.context["object_list"]] == [best.pk]
    rows = csv_rows(client.get(LIST, {"q": '"hiring data"', "format": "csv"}))
    assert [row["Activity id"] for row in rows] == [str(best.pk)]


def test_relevance_sort_without_a_search_falls_back_to_date(client, facilitator, ct_project):
    ActivityFactory(project=ct_project, summary="Listed")
    client.force_login(facilitator)
    response = client.get(LIST, {"sort": "relevance"})
    assert response.status_code == 200
    assert "Listed" in response.text


def test_csv_export_is_exactly_the_filtered_list(client, ct_staff, ct_project, ny_project):
    district = DistrictFactory(sea=ct_project.sea, name="Harbor City Public Schools")
    person = StakeholderFactory(sea=ct_project.sea, first_name="Ana", last_name="Reyes")
    first = ActivityFactory(project=ct_project, summary="=HYPERLINK(evil)", type=Activity.Type.MEETING)
    first.districts.add(district)
    first.participants.add(person)
    ActivityFactory(project=ct_project, type=Activity.Type.COACHING)
    ActivityFactory(project=ny_project, type=Activity.Type.MEETING)
    client.force_login(ct_staff)
    response = client.get(LIST, {"type": "meeting", "format": "csv"})
    assert response["Content-Disposition"].startswith('attachment; filename="activities-')
    rows = csv_rows(response)
    page = client.get(LIST, {"type": "meeting"})
    assert [row["Activity id"] for row in rows] == [str(a.pk) for a in page.context["object_list"]]
    assert rows[0]["Summary"] == "'=HYPERLINK(evil)"  # no formula reaches a spreadsheet
    assert rows[0]["Districts"] == "Harbor City Public Schools"
    assert rows[0]["Participants"] == "Ana Reyes"
    assert rows[0]["State"] == "CT"


def test_csv_export_scoped_to_the_user(client, ct_staff, ct_project, ny_project):
    ActivityFactory(project=ct_project)
    ActivityFactory(project=ny_project)
    client.force_login(ct_staff)
    rows = csv_rows(client.get(LIST, {"format": "csv"}))
    assert {row["State"] for row in rows} == {"CT"}


def make_activities(projects, count):
    for i in range(count):
        activity = ActivityFactory(project=projects[i % len(projects)])
        activity.conditions.add(condition(1 + i % 5))


def test_list_query_count_does_not_grow(
    client, facilitator, ct_project, ny_project, django_assert_max_num_queries
):
    client.force_login(facilitator)
    make_activities([ct_project, ny_project], 3)
    with django_assert_max_num_queries(15):
        client.get(LIST, {"q": "coaching"})
    make_activities([ct_project, ny_project], 60)
    with django_assert_max_num_queries(15) as small:
        client.get(LIST)
    make_activities([ProjectFactory(sea=ct_project.sea) for _ in range(5)], 60)
    with django_assert_max_num_queries(15) as large:
        client.get(LIST)
    assert len(large.captured_queries) == len(small.captured_queries)


def test_csv_query_count_does_not_grow(client, ct_staff, ct_project, django_assert_max_num_queries):
    client.force_login(ct_staff)
    make_activities([ct_project], 5)
    with django_assert_max_num_queries(15) as small:
        assert len(csv_rows(client.get(LIST, {"format": "csv"}))) == 5
    make_activities([ct_project], 40)
    with django_assert_max_num_queries(15) as large:
        assert len(csv_rows(client.get(LIST, {"format": "csv"}))) == 45
    assert len(large.captured_queries) == len(small.captured_queries)


# Logging an activity -----------------------------------------------------------------------


def test_create_needs_sign_in(client):
    response = client.get(CREATE)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))
    response = client.post(CREATE, {})
    assert response.status_code == 302
    assert Activity.objects.count() == 0


def test_form_offers_only_visible_projects_and_defaults(client, ct_staff, ct_project, ny_project):
    client.force_login(ct_staff)
    response = client.get(CREATE)
    form = response.context["form"]
    assert [value for value, _ in form.fields["project"].choices] == ["", str(ct_project.pk)]
    assert form["date"].value() == timezone.localdate()
    assert form["project"].value() == ct_project.pk  # their only active project is preselected
    assert ny_project.title not in response.text


def test_project_query_preselects(client, facilitator, ct_project, ny_project):
    person = StakeholderFactory(sea=ny_project.sea, first_name="Nia", last_name="Ortiz")
    ny_project.stakeholders.add(person)
    client.force_login(facilitator)
    response = client.get(CREATE, {"project": ny_project.pk})
    assert response.context["form"]["project"].value() == str(ny_project.pk)
    assert "Nia Ortiz" in response.text


def test_sea_staff_logs_an_activity(client, ct_staff, ct_project):
    district = DistrictFactory(sea=ct_project.sea)
    person = StakeholderFactory(sea=ct_project.sea)
    center = PartnerCenterFactory()
    client.force_login(ct_staff)
    data = form_data(
        ct_project, participants=[person.pk], districts=[district.pk], partner_centers=[center.pk]
    )
    response = client.post(CREATE, data)
    activity = Activity.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("projects:activity_detail", args=[activity.pk])
    assert activity.author == ct_staff
    assert activity.hours == Decimal("1.5")
    assert list(activity.participants.all()) == [person]
    assert list(activity.districts.all()) == [district]
    assert list(activity.partner_centers.all()) == [center]
    assert set(activity.conditions.values_list("number", flat=True)) == {1, 3}
    assert activity.history.get().history_user == ct_staff


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"date": "2999-01-01"}, "date", "the date is in the future"),
        ({"hours": "-1"}, "hours", "more than 0 and at most 24 hours"),
        ({"hours": "0"}, "hours", "more than 0 and at most 24 hours"),
        ({"hours": "5000"}, "hours", "more than 0 and at most 24 hours"),
        ({"hours": "24.01"}, "hours", "more than 0 and at most 24 hours"),
        ({"hours": "99999999999999999999"}, "hours", "Ensure that there are no more than 6 digits"),
        ({"summary": "x" * 5001}, "summary", "at most 5000 characters (it has 5001)"),
        ({"next_steps": "x" * 2001}, "next_steps", "at most 2000 characters (it has 2001)"),
        ({"summary": ""}, "summary", "This field is required."),
        ({"type": "party"}, "type", "Select a valid choice"),
    ],
)
def test_bad_input_is_refused_with_field_messages(client, ct_staff, ct_project, overrides, field, message):
    client.force_login(ct_staff)
    response = client.post(CREATE, form_data(ct_project, **overrides))
    assert response.status_code == 200
    assert message in " ".join(response.context["form"].errors[field])
    assert message in response.text
    assert Activity.objects.count() == 0


def test_tampered_post_with_another_states_project_is_refused(client, ct_staff, ny_project):
    client.force_login(ct_staff)
    response = client.post(CREATE, form_data(ny_project))
    assert "project" in response.context["form"].errors
    assert Activity.objects.count() == 0


def test_tampered_post_with_another_states_people_and_districts(client, ct_staff, ct_project, ny):
    client.force_login(ct_staff)
    stranger = StakeholderFactory(sea=ny)
    far_district = DistrictFactory(sea=ny)
    response = client.post(
        CREATE, form_data(ct_project, participants=[stranger.pk], districts=[far_district.pk])
    )
    errors = response.context["form"].errors
    assert "participants" in errors
    assert "districts" in errors
    assert Activity.objects.count() == 0


def test_facilitator_cannot_mix_states_either(client, facilitator, ct_project, ny):
    client.force_login(facilitator)
    response = client.post(CREATE, form_data(ct_project, districts=[DistrictFactory(sea=ny).pk]))
    assert "districts" in response.context["form"].errors
    assert Activity.objects.count() == 0


def test_no_script_search_keeps_the_values_and_saves_nothing(client, ct_staff, ct_project):
    StakeholderFactory(sea=ct_project.sea, first_name="Quincy", last_name="Adler")
    StakeholderFactory(sea=ct_project.sea, first_name="Rosa", last_name="Baker")
    client.force_login(ct_staff)
    data = form_data(ct_project, participant_search="quin", _search="participants")
    response = client.post(CREATE, data)
    assert response.status_code == 200
    assert "Quincy Adler" in response.text
    assert "Rosa Baker" not in response.text
    assert "Coached two districts" in response.text
    assert Activity.objects.count() == 0


def test_type_ahead_keeps_ticked_people_and_stays_in_state(client, ct_staff, ct_project, ny):
    ticked = StakeholderFactory(sea=ct_project.sea, first_name="Tia", last_name="Chosen")
    StakeholderFactory(sea=ct_project.sea, first_name="Quincy", last_name="Adler")
    StakeholderFactory(sea=ny, first_name="Quentin", last_name="Faraway")
    client.force_login(ct_staff)
    response = client.get(
        CREATE, {"project": ct_project.pk, "participant_search": "qu", "participants": [ticked.pk]}
    )
    assert "Quincy Adler" in response.text
    assert "Tia Chosen" in response.text
    assert "Quentin Faraway" not in response.text
    assert response.context["form"]["participants"].value() == [ticked.pk]


# Detail, edit and delete ---------------------------------------------------------------------


def test_detail_shows_history(client, ct_staff, ct_project):
    activity = activity_log(
        author=ct_staff,
        project=ct_project,
        date=datetime.date(2025, 3, 4),
        type="coaching",
        summary="First summary",
        hours=Decimal("1"),
        mode="virtual",
    )
    activity_update(activity=activity, editor=ct_staff, hours=Decimal("2.5"), summary="Better summary")
    client.force_login(ct_staff)
    response = client.get(reverse("projects:activity_detail", args=[activity.pk]))
    assert response.status_code == 200
    history = response.context["history"]
    assert [entry["kind"] for entry in history] == ["Changed", "Logged"]
    changes = {change["field"]: (change["old"], change["new"]) for change in history[0]["changes"]}
    assert changes["hours"] == (Decimal("1.00"), Decimal("2.50"))
    assert changes["summary"] == ("First summary", "Better summary")
    assert history[0]["who"] == ct_staff
    assert "Better summary" in response.text


def test_detail_of_another_state_is_404_and_anonymous_redirects(client, ct_staff, ny_project):
    activity = ActivityFactory(project=ny_project)
    url = reverse("projects:activity_detail", args=[activity.pk])
    assert client.get(url).status_code == 302
    client.force_login(ct_staff)
    assert client.get(url).status_code == 404


def test_author_edits_own_activity(client, ct_staff, ct_project):
    activity = ActivityFactory(project=ct_project, author=ct_staff)
    activity.conditions.add(condition(4))
    url = reverse("projects:activity_update", args=[activity.pk])
    client.force_login(ct_staff)
    response = client.get(url)
    assert response.status_code == 200
    assert response.context["form"]["summary"].value() == activity.summary
    assert response.context["form"]["conditions"].value() == [condition(4).pk]
    response = client.post(url, form_data(ct_project, summary="Revised", conditions=[condition(5).pk]))
    assert response.status_code == 302
    activity.refresh_from_db()
    assert activity.summary == "Revised"
    assert list(activity.conditions.values_list("number", flat=True)) == [5]


def test_edit_refuses_bad_input(client, ct_staff, ct_project):
    activity = ActivityFactory(project=ct_project, author=ct_staff, hours=Decimal("2"))
    client.force_login(ct_staff)
    response = client.post(
        reverse("projects:activity_update", args=[activity.pk]), form_data(ct_project, hours="-3")
    )
    assert "hours" in response.context["form"].errors
    activity.refresh_from_db()
    assert activity.hours == Decimal("2")


def test_colleague_of_the_same_state_cannot_edit_or_delete(client, ct_staff, ct_project):
    activity = ActivityFactory(project=ct_project, author=ct_staff)
    colleague = SEAStaffFactory(sea=ct_project.sea)
    client.force_login(colleague)
    assert client.get(reverse("projects:activity_detail", args=[activity.pk])).status_code == 200
    assert client.get(reverse("projects:activity_update", args=[activity.pk])).status_code == 404
    assert (
        client.post(
            reverse("projects:activity_update", args=[activity.pk]), form_data(ct_project)
        ).status_code
        == 404
    )
    assert client.post(reverse("projects:activity_delete", args=[activity.pk])).status_code == 404
    assert Activity.objects.filter(pk=activity.pk).exists()


def test_other_state_cannot_edit_and_anonymous_redirects(client, ny_staff, ct_staff, ct_project):
    activity = ActivityFactory(project=ct_project, author=ct_staff)
    url = reverse("projects:activity_update", args=[activity.pk])
    assert client.get(url).status_code == 302
    client.force_login(ny_staff)
    assert client.get(url).status_code == 404


def test_facilitator_edits_any_activity(client, facilitator, ct_staff, ct_project):
    activity = ActivityFactory(project=ct_project, author=ct_staff)
    client.force_login(facilitator)
    response = client.post(reverse("projects:activity_update", args=[activity.pk]), form_data(ct_project))
    assert response.status_code == 302
    activity.refresh_from_db()
    assert activity.author == ct_staff  # editing keeps the author
    assert activity.history.first().history_user == facilitator


def test_delete_confirms_on_get_and_deletes_on_post(client, ct_staff, ct_project):
    activity = ActivityFactory(project=ct_project, author=ct_staff)
    url = reverse("projects:activity_delete", args=[activity.pk])
    client.force_login(ct_staff)
    response = client.get(url)
    assert response.status_code == 200
    assert "Delete this activity?" in response.text
    assert Activity.objects.filter(pk=activity.pk).exists()  # no state change on GET
    response = client.post(url)
    assert response.status_code == 302
    assert response["Location"] == LIST
    assert not Activity.objects.filter(pk=activity.pk).exists()
    assert Activity.history.filter(id=activity.pk, history_type="-").get().history_user == ct_staff


def test_delete_needs_csrf(ct_staff, ct_project):
    from django.test import Client

    activity = ActivityFactory(project=ct_project, author=ct_staff)
    client = Client(enforce_csrf_checks=True)
    client.force_login(ct_staff)
    response = client.post(reverse("projects:activity_delete", args=[activity.pk]))
    assert response.status_code == 403
    assert Activity.objects.filter(pk=activity.pk).exists()


def test_delete_by_anonymous_and_other_state(client, ny_staff, ct_staff, ct_project):
    activity = ActivityFactory(project=ct_project, author=ct_staff)
    url = reverse("projects:activity_delete", args=[activity.pk])
    assert client.post(url).status_code == 302
    client.force_login(ny_staff)
    assert client.get(url).status_code == 404
    assert Activity.objects.filter(pk=activity.pk).exists()


# Services ----------------------------------------------------------------------------------


def test_activity_log_rejects_a_project_out_of_scope(ct_staff, ny_project):
    with pytest.raises(ValidationError) as error:
        activity_log(
            author=ct_staff,
            project=ny_project,
            date=datetime.date(2025, 1, 1),
            type="coaching",
            summary="x",
            hours=Decimal("1"),
            mode="virtual",
        )
    assert "project" in error.value.message_dict
    assert Activity.objects.count() == 0


def test_activity_log_reports_every_bad_field(ct_staff, ct_project):
    with pytest.raises(ValidationError) as error:
        activity_log(
            author=ct_staff,
            project=ct_project,
            date=timezone.localdate() + datetime.timedelta(days=1),
            type="coaching",
            summary="x",
            hours=Decimal("-1"),
            mode="virtual",
        )
    assert {"date", "hours"} <= set(error.value.message_dict)


def test_update_and_delete_refuse_other_people(ct_staff, ct_project):
    activity = ActivityFactory(project=ct_project, author=ct_staff)
    colleague = SEAStaffFactory(sea=ct_project.sea)
    with pytest.raises(PermissionDenied):
        activity_update(activity=activity, editor=colleague, summary="Mine now")
    with pytest.raises(PermissionDenied):
        activity_delete(activity=activity, editor=colleague)
    activity.refresh_from_db()
    assert activity.summary != "Mine now"


def test_editable_by(ct_staff, facilitator, ct_project, ny_staff):
    own = ActivityFactory(project=ct_project, author=ct_staff)
    other = ActivityFactory(project=ct_project)
    assert list(Activity.objects.editable_by(ct_staff)) == [own]
    assert set(Activity.objects.editable_by(facilitator)) == {own, other}
    assert not Activity.objects.editable_by(ny_staff).exists()


def test_filtered_list_detail_and_forms_stay_within_budget(
    client, facilitator, ct_staff, ct_project, ny_project, django_assert_max_num_queries
):
    def grow(count):
        for _ in range(count):
            project = ProjectFactory(sea=ct_project.sea)
            project.stakeholders.add(StakeholderFactory(sea=ct_project.sea))
            project.districts.add(DistrictFactory(sea=ct_project.sea))
            activity = ActivityFactory(project=ct_project, author=ct_staff)
            activity.participants.add(*project.stakeholders.all())
            activity.districts.add(*project.districts.all())
            activity.conditions.add(condition(2), condition(4))
            activity_update(activity=activity, editor=ct_staff, hours=Decimal("4"))

    client.force_login(facilitator)
    grow(2)
    activity = Activity.objects.filter(project=ct_project).first()
    urls = [
        f"{LIST}?project={ct_project.pk}&state={ct_project.sea_id}&condition={condition(2).pk}",
        reverse("projects:activity_detail", args=[activity.pk]),
        f"{CREATE}?project={ct_project.pk}",
        reverse("projects:activity_update", args=[activity.pk]),
        reverse("projects:activity_delete", args=[activity.pk]),
    ]
    small = {}
    for url in urls:
        client.get(url)
        with django_assert_max_num_queries(15) as captured:
            assert client.get(url).status_code == 200
        small[url] = len(captured.captured_queries)
    grow(25)
    for url in urls:
        with django_assert_max_num_queries(15) as captured:
            client.get(url)
        assert len(captured.captured_queries) == small[url], url


def test_project_query_of_another_state_preselects_nothing(client, ct_staff, ct_project, ny_project):
    ProjectFactory(sea=ct_project.sea, title="A second Connecticut project")
    client.force_login(ct_staff)
    response = client.get(CREATE, {"project": ny_project.pk})
    assert response.status_code == 200
    assert response.context["form"].project is None
    assert ny_project.title not in response.text
    assert "Choose the project first" in response.text


@pytest.mark.parametrize("hours", ["0.01", "24"])
def test_an_activity_takes_more_than_0_and_at_most_24_hours(client, ct_staff, ct_project, hours):
    client.force_login(ct_staff)
    response = client.post(CREATE, form_data(ct_project, hours=hours))
    assert response.status_code == 302
    assert Activity.objects.get().hours == Decimal(hours)


def test_the_hours_field_says_its_bounds(client, ct_staff, ct_project):
    client.force_login(ct_staff)
    page = client.get(CREATE).text
    field = page[page.index('id="id_hours"') - 200 :][:400]
    assert 'max="24"' in field
    assert 'maxlength="5000"' in page


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"hours": Decimal("0")}, "hours"),
        ({"hours": Decimal("24.5")}, "hours"),
        ({"summary": "x" * 5001}, "summary"),
    ],
)
def test_the_services_hold_the_same_rule(ct_staff, ct_project, changes, field):
    fields = {
        "author": ct_staff,
        "project": ct_project,
        "date": datetime.date(2025, 1, 10),
        "type": "coaching",
        "summary": "Coaching",
        "hours": Decimal("1"),
        "mode": "virtual",
    }
    with pytest.raises(ValidationError) as error:
        activity_log(**{**fields, **changes})
    assert field in error.value.message_dict
    activity = activity_log(**fields)
    with pytest.raises(ValidationError) as error:
        activity_update(activity=activity, editor=ct_staff, **changes)
    assert field in error.value.message_dict
    activity.refresh_from_db()
    assert activity.hours == Decimal("1")
    assert activity.summary == "Coaching"


def test_csv_export_is_one_copy_statement_matching_the_portable_path(
    client, rf, ct_staff, ct_project, django_assert_max_num_queries
):
    from projects.views.activities import ActivityListView

    for n in range(3):
        activity = ActivityFactory(project=ct_project, summary=f"+row {n}", author=ct_staff)
        activity.conditions.add(condition(1 + n), condition(5))
        activity.participants.add(StakeholderFactory(sea=ct_project.sea, first_name="", last_name=f"Solo{n}"))
        activity.districts.add(DistrictFactory(sea=ct_project.sea), DistrictFactory(sea=ct_project.sea))
    client.force_login(ct_staff)
    with django_assert_max_num_queries(12) as captured:
        rows = csv_rows(client.get(LIST, {"format": "csv"}))
    assert sum(q["sql"].startswith("COPY") for q in captured.captured_queries) == 1
    assert rows[0]["Summary"].startswith("'+row")  # defused as before
    request = rf.get(LIST)
    request.user = ct_staff
    view = ActivityListView(request=request, kwargs={})
    queryset = view.get_queryset().prefetch_related(None).select_related(None)
    portable = list(view.chunked_rows(queryset, lambda *values: [*values[:9], *values[9], *values[10]]))
    by_id = {row["Activity id"]: row for row in rows}
    for values in portable:
        row = by_id[str(values[0])]
        assert [row["Conditions advanced"], row["Participants"], row["Districts"]] == values[9:12]


def test_a_search_with_more_matches_than_the_cap_comes_newest_first(
    client, ct_staff, ct_project, monkeypatch
):
    monkeypatch.setattr("core.keyset.COUNT_CAP", 2)
    old = ActivityFactory(project=ct_project, summary="Hiring hiring hiring", date=datetime.date(2025, 1, 1))
    new = ActivityFactory(project=ct_project, summary="Hiring once", date=datetime.date(2025, 3, 1))
    ActivityFactory(project=ct_project, summary="Hiring twice hiring", date=datetime.date(2025, 2, 1))
    client.force_login(ct_staff)
    response = client.get(LIST, {"q": "hiring"})
    pks = [a.pk for a in response.context["object_list"]]
    assert pks[0] == new.pk
    assert pks[-1] == old.pk
    assert "newest first (add words" in response.text


def test_sorting_by_project_is_refused_for_a_list_longer_than_the_cap(
    client, facilitator, ct_project, monkeypatch
):
    monkeypatch.setattr("core.keyset.COUNT_CAP", 2)
    other = ProjectFactory(sea=ct_project.sea, title="AAA first by title")
    ActivityFactory(project=ct_project, date=datetime.date(2025, 3, 1))
    ActivityFactory(project=other, date=datetime.date(2025, 1, 1))
    newest = ActivityFactory(project=ct_project, date=datetime.date(2025, 4, 1))
    client.force_login(facilitator)
    response = client.get(LIST, {"sort": "project"})
    assert response.context["object_list"][0].pk == newest.pk
    assert "Sorting by project needs at most 2 matches" in response.text
    response = client.get(LIST, {"sort": "project", "project": other.pk})
    assert response.context["object_list"][0].project == other
    assert "Sorting by" not in response.text
