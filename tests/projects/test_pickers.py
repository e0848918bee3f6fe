"""Type-ahead pickers: scoped matches, and forms that render only the chosen options."""

import pytest
from django.urls import reverse

from tests.projects.factories import ActivityFactory, ProjectFactory
from tests.stakeholders.factories import DistrictFactory, StakeholderFactory

pytestmark = pytest.mark.django_db

PROJECTS = reverse("projects:pick_project")
PEOPLE = reverse("projects:pick_person")
DISTRICTS = reverse("projects:pick_district")
CREATE = reverse("projects:activity_create")
LIST = reverse("projects:activity_list")


@pytest.fixture
def ct_project(ct):
    return ProjectFactory(sea=ct, title="Diversifying Connecticut's educator workforce")


@pytest.fixture
def ny_project(ny):
    return ProjectFactory(sea=ny, title="New York literacy network")


def texts(response):
    assert response.status_code == 200
    return [row["text"] for row in response.json()["results"]]


def test_pickers_need_sign_in(client):
    for url in (PROJECTS, PEOPLE, DISTRICTS):
        response = client.get(url, {"q": "a"})
        assert response.status_code == 302
        assert "/login" in response["Location"]


def test_project_matches_are_scoped_and_all_words_must_match(client, ct_staff, ct_project, ny_project):
    ProjectFactory(sea=ct_project.sea, title="Hiring data pilot")
    client.force_login(ct_staff)
    assert texts(client.get(PROJECTS, {"q": "hiring pilot"})) == ["Hiring data pilot (CT)"]
    assert ny_project.title not in " ".join(texts(client.get(PROJECTS, {"q": ""})))
    assert texts(client.get(PROJECTS, {"q": ny_project.title})) == []


def test_people_and_district_matches_stay_in_the_projects_state(client, facilitator, ct_project, ny_project):
    StakeholderFactory(sea=ct_project.sea, first_name="Ana", last_name="Zeta")
    StakeholderFactory(sea=ny_project.sea, first_name="Ana", last_name="Zorro")
    DistrictFactory(sea=ct_project.sea, name="Zeta City Schools")
    DistrictFactory(sea=ny_project.sea, name="Zeta Town Schools")
    client.force_login(facilitator)
    assert len(texts(client.get(PEOPLE, {"q": "ana z"}))) == 2
    people = texts(client.get(PEOPLE, {"q": "ana z", "project": ct_project.pk}))
    assert len(people) == 1
    assert people[0].startswith("Ana Zeta")
    assert texts(client.get(DISTRICTS, {"q": "zeta", "project": ct_project.pk}))[0].startswith("Zeta City")
    assert texts(client.get(DISTRICTS, {"q": "zeta", "project": "99999999999999999999"})) != []


def test_other_states_people_are_not_matched(client, ct_staff, ny_project):
    StakeholderFactory(sea=ny_project.sea, first_name="Hidden", last_name="Person")
    DistrictFactory(sea=ny_project.sea, name="Hidden District")
    client.force_login(ct_staff)
    assert texts(client.get(PEOPLE, {"q": "hidden"})) == []
    assert texts(client.get(DISTRICTS, {"q": "hidden"})) == []
    assert texts(client.get(PEOPLE, {"q": "hidden", "project": ny_project.pk})) == []


def test_log_form_renders_only_the_chosen_project(client, facilitator, ct_project):
    others = [ProjectFactory(sea=ct_project.sea, title=f"Other project {i}") for i in range(30)]
    client.force_login(facilitator)
    page = client.get(CREATE, {"project": ct_project.pk}).text
    assert f'<option value="{ct_project.pk}" selected>' in page
    assert "Other project" not in page
    assert 'data-picker-url="/projects/pick/projects/"' in page
    # Without JavaScript, "Find projects" lists matches and keeps what was typed.
    found = client.post(CREATE, {"_search": "project", "project_search": "other project 1"}).text
    assert f'value="{others[1].pk}"' in found
    assert ">Other project 2 (CT)<" not in found


def test_log_form_error_keeps_the_chosen_project_and_bad_ids_are_field_errors(
    client, ct_staff, ct_project, ny_project
):
    client.force_login(ct_staff)
    response = client.post(CREATE, {"project": ct_project.pk, "summary": ""})
    assert response.status_code == 200
    assert f'<option value="{ct_project.pk}" selected>' in response.text
    for bad in (ny_project.pk, "abc", "99999999999999999999999", "-1"):
        response = client.post(CREATE, {"project": bad, "summary": "x", "hours": "1", "type": "coaching"})
        assert response.status_code == 200
        assert "invalid-feedback" in response.text
        assert "project" in response.context["form"].errors


def test_activity_filter_project_is_a_picker(client, facilitator, ct_project, ny_project):
    ActivityFactory(project=ct_project, summary="Kept")
    ActivityFactory(project=ny_project, summary="Filtered out")
    client.force_login(facilitator)
    response = client.get(LIST, {"project": ct_project.pk})
    assert "Kept" in response.text
    assert "Filtered out" not in response.text
    assert f'<option value="{ct_project.pk}" selected>' in response.text
    assert ny_project.title not in response.text.split('id="results"')[0]
    for bad in ("abc", "99999999999999999999999"):
        response = client.get(LIST, {"project": bad})
        assert response.status_code == 200
        assert "project" in response.context["filterset"].form.errors


def test_communication_audience_pickers_render_only_chosen_and_refuse_bad_ids(client, facilitator, ct, ny):
    from communications.forms import CommunicationForm

    districts = [DistrictFactory(sea=ct, name=f"Audience district {i}") for i in range(40)]
    projects = [ProjectFactory(sea=ny, title=f"Audience project {i}") for i in range(40)]
    data = {
        "subject": "Update",
        "body": "Hello",
        "category": "newsletter",
        "districts": [districts[3].pk, "abc"],
        "projects": [projects[5].pk],
    }
    form = CommunicationForm(data, user=facilitator)
    assert not form.is_valid()
    assert "districts" in form.errors
    html = str(form["districts"]) + str(form["projects"])
    assert html.count("<option") == 2  # the two chosen ones survive the error, nothing else
    assert "Audience district 3" in html
    assert "Audience project 5" in html
    assert 'data-picker-url="/projects/pick/districts/"' in html
    assert "multiple" in html
    data["districts"] = [districts[3].pk, "99999999999999999999999"]
    assert "districts" in CommunicationForm(data, user=facilitator).errors


def test_other_states_ids_are_refused_by_the_audience_picker(ct_staff, ny):
    from communications.forms import CommunicationForm

    hidden = DistrictFactory(sea=ny, name="Hidden district")
    form = CommunicationForm(
        {"subject": "s", "body": "b", "category": "newsletter", "districts": [hidden.pk]}, user=ct_staff
    )
    assert "districts" in form.errors
    assert "Hidden district" not in str(form["districts"])


def test_meeting_guests_picker_renders_only_chosen(facilitator, ct):
    from meetings.forms import InviteForm

    people = [StakeholderFactory(sea=ct, last_name=f"Guest{i}") for i in range(30)]
    form = InviteForm({"guests": [people[2].pk]}, user=facilitator)
    assert form.is_valid()
    html = str(form["guests"])
    assert html.count("<option") == 1
    assert "Guest2" in html


def test_membership_form_pickers_render_only_chosen(facilitator, ct):
    from meetings.forms import MembershipForm
    from tests.stakeholders.factories import AdvisoryBodyFactory

    people = [StakeholderFactory(sea=ct, last_name=f"Member{i}") for i in range(30)]
    districts = [DistrictFactory(sea=ct, name=f"Represented {i}") for i in range(30)]
    form = MembershipForm(
        {"stakeholder": people[4].pk, "represents_district": districts[7].pk, "role": "member"},
        body=AdvisoryBodyFactory(),
        user=facilitator,
    )
    form.is_valid()
    html = str(form["stakeholder"]) + str(form["represents_district"])
    assert "Member4" in html
    assert "Represented 7" in html
    assert "Member5" not in html
    assert "Represented 8" not in html


ACTIVITIES = reverse("projects:pick_activity")


def test_district_matches_keep_to_the_sea_param_and_ignore_junk(client, facilitator, ct_staff, ct, ny):
    DistrictFactory(sea=ct, name="Maple Valley Schools")
    DistrictFactory(sea=ny, name="Maple Ridge Schools")
    client.force_login(facilitator)
    assert texts(client.get(DISTRICTS, {"q": "maple", "sea": ct.pk}))[0].startswith("Maple Valley")
    assert len(texts(client.get(DISTRICTS, {"q": "maple", "sea": ct.pk}))) == 1
    for junk in ("x", "-1", "99999999999999999999999"):
        assert len(texts(client.get(DISTRICTS, {"q": "maple", "sea": junk}))) == 2, junk
    assert client.get(DISTRICTS, {"q": "maple", "sea": "1\x00"}).status_code == 400
    client.force_login(ct_staff)
    assert texts(client.get(DISTRICTS, {"q": "maple", "sea": ny.pk})) == []


def test_activity_matches_keep_to_the_project_and_the_users_state(client, ct_staff, ct_project, ny_project):
    ActivityFactory(project=ct_project, summary="Coaching on hiring data")
    ActivityFactory(project=ProjectFactory(sea=ct_project.sea), summary="Coaching elsewhere")
    ActivityFactory(project=ny_project, summary="Coaching in New York")
    client.force_login(ct_staff)
    found = texts(client.get(ACTIVITIES, {"q": "coaching", "project": ct_project.pk}))
    assert found == ["2025-03-04 Coaching session: Coaching on hiring data"]
    # One project's activities only: without a project nothing matches (no scan of them all).
    assert texts(client.get(ACTIVITIES, {"q": "coaching"})) == []
    assert texts(client.get(ACTIVITIES, {"q": "coaching", "project": ny_project.pk})) == []
    assert client.get(ACTIVITIES).status_code == 200


def district_form_html(form) -> str:
    return str(form["districts"])


def test_project_form_districts_are_a_picker_of_the_state(facilitator, ct, ny):
    from projects.forms.projects import ProjectForm

    districts = [DistrictFactory(sea=ct, name=f"State district {i}") for i in range(40)]
    stranger = DistrictFactory(sea=ny, name="Stranger district")
    form = ProjectForm({"title": "T", "districts": [districts[2].pk]}, sea=ct, user=facilitator)
    form.is_valid()
    html = district_form_html(form)
    assert html.count("<option") == 1
    assert "State district 2" in html
    assert f'data-picker-url="/projects/pick/districts/?sea={ct.pk}"' in html
    for bad in (stranger.pk, "abc", "99999999999999999999999", "1\x00"):
        form = ProjectForm({"title": "T", "districts": [bad]}, sea=ct, user=facilitator)
        assert "districts" in form.errors, bad
        assert "Stranger district" not in district_form_html(form)


def test_request_form_districts_are_a_picker_of_what_the_user_sees(ct_staff, ct, ny):
    from intake.forms import TARequestForm

    districts = [DistrictFactory(sea=ct, name=f"Request district {i}") for i in range(40)]
    stranger = DistrictFactory(sea=ny, name="Stranger district")
    form = TARequestForm({"districts": [districts[5].pk]}, sea=ct, user=ct_staff)
    form.is_valid()
    html = district_form_html(form)
    assert html.count("<option") == 1
    assert "Request district 5" in html
    assert f"?sea={ct.pk}" in html
    # Another state's district is refused even if the form were built for that state.
    assert "districts" in TARequestForm({"districts": [stranger.pk]}, sea=ct, user=ct_staff).errors
    assert "districts" in TARequestForm({"districts": [stranger.pk]}, sea=ny, user=ct_staff).errors


def test_goal_form_activities_are_a_picker_of_the_project(facilitator, ct_project, ny_project):
    from projects.forms.work import GoalForm

    mine = [ActivityFactory(project=ct_project, summary=f"Own activity {i}") for i in range(60)]
    other = ActivityFactory(project=ny_project, summary="Someone else's activity")
    form = GoalForm({"statement": "S", "activities": [mine[59].pk]}, project=ct_project)
    assert form.is_valid(), form.errors
    assert list(form.cleaned_data["activities"]) == [mine[59]]  # older than the 50 latest is fine
    html = str(form["activities"])
    assert html.count("<option") == 1
    assert "Own activity 59" in html
    assert f'data-picker-url="/projects/pick/activities/?project={ct_project.pk}"' in html
    for bad in (other.pk, "abc", "99999999999999999999999"):
        form = GoalForm({"statement": "S", "activities": [bad]}, project=ct_project)
        assert "activities" in form.errors, bad
        assert "Someone else" not in str(form["activities"])


def test_without_javascript_find_lists_matches_of_the_state_and_saves_nothing(client, facilitator, ct, ny):
    from projects.models import Project

    project = ProjectFactory(sea=ct, title="Before the search")
    chosen = DistrictFactory(sea=ct, name="Chosen district")
    matches = [DistrictFactory(sea=ct, name=f"Maple district {i}") for i in range(30)]
    DistrictFactory(sea=ny, name="Maple district of New York")
    client.force_login(facilitator)
    url = reverse("projects:update", args=[project.pk])
    page = client.get(url).content.decode()
    assert 'data-picker-fallback="districts"' in page
    assert 'name="_search" value="districts" formnovalidate' in page
    data = {
        "title": "Typed but not saved",
        "districts": [chosen.pk],
        "districts_search": "maple",
        "_search": "districts",
    }
    response = client.post(url, data)
    assert response.status_code == 200
    html = response.content.decode()
    assert not response.context["form"].errors
    assert "invalid-feedback" not in html
    assert 'value="Typed but not saved"' in html  # what was typed is kept
    assert 'value="maple"' in html
    assert f'<option value="{chosen.pk}" selected>Chosen district</option>' in html
    assert f'<option value="{matches[0].pk}">Maple district 0</option>' in html
    assert html.count(">Maple district ") == 25  # at most FALLBACK_LIMIT matches
    assert "of New York" not in html
    assert Project.objects.get(pk=project.pk).title == "Before the search"
    # Junk in the box is only a search that finds nothing.
    response = client.post(url, {**data, "districts_search": "%' OR 1=1 --" + "x" * 500})
    assert response.status_code == 200
    assert ">Maple district " not in response.content.decode()


def test_without_javascript_find_works_on_the_request_and_goal_forms(
    client, ct_staff, facilitator, ct_project
):
    DistrictFactory(sea=ct_staff.sea, name="Birch district")
    ActivityFactory(project=ct_project, summary="Workshop on mentoring")
    ActivityFactory(summary="Workshop of another project")
    client.force_login(ct_staff)
    response = client.post(
        reverse("intake:create"), {"title": "Kept", "districts_search": "birch", "_search": "districts"}
    )
    assert response.status_code == 200
    assert not response.context["form"].errors
    assert ">Birch district (" not in response.content.decode()  # form labels are bare names
    assert ">Birch district<" in response.content.decode()
    client.force_login(facilitator)
    url = reverse("projects:goal_create", args=[ct_project.pk])
    response = client.post(url, {"statement": "", "activities_search": "workshop", "_search": "activities"})
    assert response.status_code == 200
    assert not response.context["form"].errors
    html = response.content.decode()
    assert "Workshop on mentoring" in html
    assert "another project" not in html
    # A "_search" naming no picker is an ordinary submission.
    response = client.post(url, {"statement": "", "_search": "statement"})
    assert "statement" in response.context["form"].errors
