"""Requests for help: submit, scope, triage moves with notes, overlap check, accept as project, notices."""

import pytest
from django.urls import reverse

from communications.models import Delivery
from intake.models import TARequest
from intake.services import request_move, request_submit
from projects.models import Project, ProjectMember, StatusChange, Topic
from stakeholders.models import CommunicationPreference
from tests.projects.factories import ProjectFactory
from tests.stakeholders.factories import (
    DistrictFactory,
    OfficeFactory,
    PartnerCenterFactory,
    StakeholderFactory,
)


@pytest.fixture
def topic(db):
    return Topic.objects.get(slug="educator-workforce")


def submit(user, sea, topic, **extra):
    fields = {
        "title": "Retaining teachers of color",
        "problem": "Districts lose new teachers of color in their first three years.",
        "desired_outcome": "A statewide retention strategy.",
        "urgency": TARequest.Urgency.NORMAL,
        "topics": [topic],
        "contact_name": "Pat Lee",
        "contact_email": "pat@example.org",
    }
    fields.update(extra)
    return request_submit(by=user, sea=sea, **fields)


def form_data(topic, **extra):
    data = {
        "title": "Literacy coaching",
        "problem": "Reading scores fell.",
        "desired_outcome": "A coaching model.",
        "urgency": "high",
        "topics": [topic.pk],
        "contact_name": "Pat Lee",
        "contact_email": "pat@example.org",
    }
    data.update(extra)
    return data


def test_sea_staff_submit_for_their_state(client, ct_staff, topic):
    district = DistrictFactory(sea=ct_staff.sea)
    client.force_login(ct_staff)
    response = client.post(reverse("intake:create"), form_data(topic, districts=[district.pk]))
    req = TARequest.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("intake:detail", args=[req.pk])
    assert (req.sea, req.submitted_by, req.status) == (ct_staff.sea, ct_staff, "new")
    assert list(req.districts.all()) == [district]


def test_bad_input_shows_errors_and_saves_nothing(client, ct_staff, ny, topic):
    other_district = DistrictFactory(sea=ny)
    client.force_login(ct_staff)
    response = client.post(
        reverse("intake:create"),
        form_data(topic, title="", topics=[], contact_email="not-an-address", districts=[other_district.pk]),
    )
    assert response.status_code == 200
    form = response.context["form"]
    assert {"title", "topics", "contact_email", "districts"} <= set(form.errors)
    assert not TARequest.objects.exists()


def test_service_refuses_another_states_district(ct_staff, ny, topic):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError) as error:
        submit(ct_staff, ct_staff.sea, topic, districts=[DistrictFactory(sea=ny)])
    assert "districts" in error.value.message_dict
    with pytest.raises(ValidationError) as error:
        submit(ct_staff, ny, topic)
    assert "sea" in error.value.message_dict


def test_facilitator_enters_for_a_state(client, facilitator, ct, topic):
    client.force_login(facilitator)
    assert client.get(reverse("intake:create")).status_code == 200  # the state chooser
    url = reverse("intake:create") + f"?sea={ct.pk}"
    response = client.post(url, form_data(topic))
    assert response.status_code == 302
    assert TARequest.objects.get().sea == ct


def test_other_state_gets_404_and_anonymous_signs_in(client, ct_staff, ny_staff, topic):
    req = submit(ct_staff, ct_staff.sea, topic)
    client.force_login(ny_staff)
    assert client.get(reverse("intake:detail", args=[req.pk])).status_code == 404
    assert req.title not in client.get(reverse("intake:list")).content.decode()
    client.logout()
    assert client.get(reverse("intake:detail", args=[req.pk])).status_code == 302


def test_sea_staff_cannot_triage(client, ct_staff, topic):
    req = submit(ct_staff, ct_staff.sea, topic)
    client.force_login(ct_staff)
    response = client.post(
        reverse("intake:move", args=[req.pk]), {"transition": "accept", "expected_status": "new"}
    )
    assert response.status_code == 404
    assert TARequest.objects.get().status == "new"
    assert client.get(reverse("intake:accept_as_project", args=[req.pk])).status_code == 404


def test_triage_moves_are_recorded_and_the_state_is_told(
    client, facilitator, ct_staff, topic, django_capture_on_commit_callbacks
):
    ct_staff.email = "ct.staff@example.org"
    ct_staff.save()
    req = submit(ct_staff, ct_staff.sea, topic)
    client.force_login(facilitator)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            reverse("intake:move", args=[req.pk]),
            {
                "transition": "start_conversation",
                "expected_status": "new",
                "note": "Called the Talent Office",
            },
        )
    req.refresh_from_db()
    assert req.status == "in_conversation"
    change = StatusChange.objects.get(object_id=req.pk, transition="start_conversation")
    assert (change.by, change.note) == (facilitator, "Called the Talent Office")
    delivery = Delivery.objects.get(email="ct.staff@example.org")
    assert "In conversation" in delivery.communication.subject
    page = client.get(reverse("intake:detail", args=[req.pk])).content.decode()
    assert "New → <strong>In conversation</strong>" in page
    assert "in_conversation" not in page.split('id="history-heading"')[1]


def test_state_that_turned_updates_off_hears_nothing(
    facilitator, ct_staff, topic, django_capture_on_commit_callbacks
):
    ct_staff.email = "ct.staff@example.org"
    ct_staff.save()
    person = StakeholderFactory(sea=ct_staff.sea, user=ct_staff)
    CommunicationPreference.objects.create(stakeholder=person, category="project_update", delivery="none")
    req = submit(ct_staff, ct_staff.sea, topic)
    with django_capture_on_commit_callbacks(execute=True):
        request_move(request=req, transition="start_conversation", by=facilitator)
    assert not Delivery.objects.exists()


def test_decline_needs_a_reason_and_refer_a_center(client, facilitator, ct_staff, topic):
    req = submit(ct_staff, ct_staff.sea, topic)
    client.force_login(facilitator)
    client.post(reverse("intake:move", args=[req.pk]), {"transition": "decline", "expected_status": "new"})
    assert TARequest.objects.get().status == "new"
    client.post(
        reverse("intake:move", args=[req.pk]),
        {"transition": "refer", "expected_status": "new", "note": "REL leads data work"},
    )
    assert TARequest.objects.get().status == "new"
    rel = PartnerCenterFactory(short_name="REL NEI")
    client.post(
        reverse("intake:move", args=[req.pk]),
        {
            "transition": "refer",
            "expected_status": "new",
            "note": "REL leads data work",
            "referred_to": rel.pk,
        },
    )
    req.refresh_from_db()
    assert (req.status, req.referred_to, req.decision_reason) == ("referred", rel, "REL leads data work")
    # A second facilitator acting on the page they loaded before is refused.
    response = client.post(
        reverse("intake:move", args=[req.pk]),
        {"transition": "decline", "expected_status": "new", "note": "x"},
    )
    assert response.status_code == 302
    assert TARequest.objects.get().status == "referred"


def test_overlap_check_lists_same_state_same_topic(client, facilitator, ct_staff, ny, topic):
    other_topic = Topic.objects.get(slug="literacy")
    req = submit(ct_staff, ct_staff.sea, topic)
    overlapping = ProjectFactory(sea=ct_staff.sea, title="Educator pipeline (REL)", status="active")
    overlapping.topics.add(topic)
    elsewhere = ProjectFactory(sea=ny, title="New York educators", status="active")
    elsewhere.topics.add(topic)
    unrelated = ProjectFactory(sea=ct_staff.sea, title="Reading first", status="active")
    unrelated.topics.add(other_topic)
    finished = ProjectFactory(sea=ct_staff.sea, title="Old educator work", status="completed")
    finished.topics.add(topic)
    twin = submit(ct_staff, ct_staff.sea, topic, title="Hiring pipelines")
    client.force_login(facilitator)
    page = client.get(reverse("intake:detail", args=[req.pk])).content.decode()
    assert "Educator pipeline (REL)" in page
    assert "Hiring pipelines" in page
    for absent in ("New York educators", "Reading first", "Old educator work"):
        assert absent not in page
    assert twin.pk


def test_accept_as_project_prefills_creates_and_links(client, facilitator, ct_staff, topic):
    office = OfficeFactory(sea=ct_staff.sea)
    req = submit(ct_staff, ct_staff.sea, topic, offices=[office])
    center = PartnerCenterFactory()
    client.force_login(facilitator)
    url = reverse("intake:accept_as_project", args=[req.pk])
    form = client.get(url).context["form"]
    assert form.initial["title"] == req.title
    assert form.initial["offices"] == [office]
    response = client.post(
        url,
        {
            "title": req.title,
            "problem_statement": "Retention of teachers of color.",
            "offices": [office.pk],
            "topics": [topic.pk],
            "lead_center": center.pk,
            "start_date": "2026-01-05",
            "center_lead": facilitator.pk,
            "sea_contacts": [ct_staff.pk],
            "expected_status": "new",
        },
    )
    project = Project.objects.get(title=req.title)
    assert response.status_code == 302
    assert response["Location"] == reverse("projects:detail", args=[project.pk])
    req.refresh_from_db()
    assert (req.status, req.project) == ("became_project", project)
    assert project.status == "proposed"
    assert project.sea == ct_staff.sea
    assert set(ProjectMember.objects.filter(project=project).values_list("user_id", "role")) == {
        (facilitator.pk, "center_lead"),
        (ct_staff.pk, "sea_contact"),
    }


def test_accept_as_project_with_bad_input_saves_nothing(client, facilitator, ct_staff, ny_staff, topic):
    req = submit(ct_staff, ct_staff.sea, topic)
    client.force_login(facilitator)
    response = client.post(
        reverse("intake:accept_as_project", args=[req.pk]),
        {
            "title": "",
            "problem_statement": "x",
            "start_date": "2026-01-05",
            "end_date": "2025-01-01",
            "sea_contacts": [ny_staff.pk],
            "expected_status": "new",
        },
    )
    assert response.status_code == 200
    assert {"title", "lead_center", "sea_contacts"} <= set(response.context["form"].errors)
    assert not Project.objects.exists()
    assert TARequest.objects.get().status == "new"


def test_sea_staff_see_their_requests_move(client, facilitator, ct_staff, topic):
    req = submit(ct_staff, ct_staff.sea, topic)
    request_move(request=req, transition="accept", by=facilitator, note="We will help")
    client.force_login(ct_staff)
    page = client.get(reverse("intake:detail", args=[req.pk])).content.decode()
    assert "Accepted" in page
    assert "We will help" in page
    assert "Overlap check" not in page  # the center's triage view only


def test_request_form_picks_districts_of_the_state(client, ct_staff, facilitator, ny, topic):
    kept = DistrictFactory(sea=ct_staff.sea, name="Kept district")
    for i in range(30):
        DistrictFactory(sea=ct_staff.sea, name=f"Unchosen district {i}")
    stranger = DistrictFactory(sea=ny, name="Stranger district")
    client.force_login(ct_staff)
    url = reverse("intake:create")
    page = client.get(url).content.decode()
    assert f'data-picker-url="/projects/pick/districts/?sea={ct_staff.sea_id}"' in page
    assert "Unchosen district" not in page
    for bad in (stranger.pk, "abc", "99999999999999999999999"):
        response = client.post(url, form_data(topic, districts=[bad]))
        assert response.status_code == 200, bad
        assert "districts" in response.context["form"].errors
    assert not TARequest.objects.exists()
    response = client.post(url, form_data(topic, districts=[kept.pk], title="x" * 300))
    assert f'<option value="{kept.pk}" selected>Kept district</option>' in response.content.decode()
    client.force_login(facilitator)
    page = client.get(url, {"sea": ny.pk}).content.decode()
    assert f"?sea={ny.pk}" in page
    assert "Kept district" not in page


def test_accept_as_project_keeps_the_requests_districts_in_the_picker(client, facilitator, ct_staff, topic):
    district = DistrictFactory(sea=ct_staff.sea, name="Requested district")
    DistrictFactory(sea=ct_staff.sea, name="Other district")
    req = submit(ct_staff, ct_staff.sea, topic, districts=[district])
    client.force_login(facilitator)
    page = client.get(reverse("intake:accept_as_project", args=[req.pk])).content.decode()
    assert f'<option value="{district.pk}" selected>Requested district</option>' in page
    assert "Other district" not in page


def test_project_page_links_back_to_its_request(client, facilitator, ct_staff, ny_staff, topic):
    req = submit(ct_staff, ct_staff.sea, topic)
    project = ProjectFactory(sea=ct_staff.sea)
    TARequest.objects.filter(pk=req.pk).update(project=project, status=TARequest.Status.BECAME_PROJECT)
    other = ProjectFactory(sea=ct_staff.sea)
    link = f'href="{reverse("intake:detail", args=[req.pk])}"'
    for user in (facilitator, ct_staff):
        client.force_login(user)
        page = client.get(reverse("projects:detail", args=[project.pk])).content.decode()
        assert link in page
        assert 'id="project-origin"' in page
        assert (
            'id="project-origin"'
            not in client.get(reverse("projects:detail", args=[other.pk])).content.decode()
        )
    client.force_login(ny_staff)
    assert client.get(reverse("projects:detail", args=[project.pk])).status_code == 404


def test_origin_panel_shows_nothing_to_a_user_who_may_not_see_the_request(rf, ct_staff, ny_staff, topic):
    from intake.panels import origin_panel

    req = submit(ct_staff, ct_staff.sea, topic)
    project = ProjectFactory(sea=ct_staff.sea)
    TARequest.objects.filter(pk=req.pk).update(project=project, status=TARequest.Status.BECAME_PROJECT)
    request = rf.get("/")
    request.user = ny_staff
    assert origin_panel(request, project) == ""
    request.user = ct_staff
    assert reverse("intake:detail", args=[req.pk]) in origin_panel(request, project)
