"""Projects, goals and products edited in the portal by facilitators; SEA staff propose and adopt."""

import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from projects.models import (
    Goal,
    GoalProposal,
    Product,
    ProductAdoption,
    Project,
    ProjectMember,
    ScopeChange,
    Topic,
)
from projects.services.goals import goal_save
from tests.projects.factories import ProductFactory, ProjectFactory
from tests.stakeholders.factories import DistrictFactory, OfficeFactory, PartnerCenterFactory


@pytest.fixture
def project(ct):
    return ProjectFactory(
        sea=ct, title="Diversifying Connecticut's educator workforce", end_date=datetime.date(2026, 6, 30)
    )


def edit_data(project, **extra):
    data = {
        "title": project.title,
        "problem_statement": project.problem_statement,
        "lead_center": project.lead_center_id,
        "start_date": project.start_date.isoformat(),
        "end_date": project.end_date.isoformat() if project.end_date else "",
        "districts": list(project.districts.values_list("pk", flat=True)),
    }
    data.update(extra)
    return data


def test_facilitator_creates_a_project_with_team(client, facilitator, ct, ct_staff):
    center = PartnerCenterFactory()
    topic = Topic.objects.get(slug="data-use")
    client.force_login(facilitator)
    response = client.post(
        reverse("projects:create") + f"?sea={ct.pk}",
        {
            "title": "Data use in CT",
            "problem_statement": "Districts do not use hiring data.",
            "lead_center": center.pk,
            "topics": [topic.pk],
            "start_date": "2026-01-05",
            "center_lead": facilitator.pk,
            "sea_contacts": [ct_staff.pk],
        },
    )
    project = Project.objects.get(title="Data use in CT")
    assert response.status_code == 302
    assert project.status == "proposed"
    assert list(project.topics.all()) == [topic]
    assert ProjectMember.objects.filter(project=project).count() == 2


def test_sea_staff_cannot_create_or_edit(client, ct_staff, project):
    client.force_login(ct_staff)
    assert client.get(reverse("projects:create")).status_code == 404
    assert client.get(reverse("projects:update", args=[project.pk])).status_code == 404
    response = client.post(reverse("projects:status_move", args=[project.pk]), {"transition": "pause"})
    assert response.status_code == 404


def test_other_state_and_anonymous(client, ny_staff, project):
    client.force_login(ny_staff)
    assert client.get(reverse("projects:update", args=[project.pk])).status_code == 404
    client.logout()
    assert client.get(reverse("projects:update", args=[project.pk])).status_code == 302


def test_scope_change_needs_a_reason_and_is_recorded_with_the_edit(client, facilitator, project):
    district = DistrictFactory(sea=project.sea, name="Hartford")
    client.force_login(facilitator)
    url = reverse("projects:update", args=[project.pk])
    response = client.post(url, edit_data(project, districts=[district.pk], end_date="2027-06-30"))
    assert response.status_code == 200
    assert "scope_reason" in response.context["form"].errors
    project.refresh_from_db()
    assert project.end_date == datetime.date(2026, 6, 30)
    assert not project.districts.exists()
    response = client.post(
        url, edit_data(project, districts=[district.pk], end_date="2027-06-30", scope_reason="Pandemic pivot")
    )
    assert response.status_code == 302
    change = ScopeChange.objects.get(project=project)
    assert change.reason == "Pandemic pivot"
    assert change.recorded_by == facilitator
    assert "Hartford" in change.details
    assert "2027-06-30" in change.details
    # A title change is not a scope change.
    project.refresh_from_db()
    client.post(url, edit_data(project, title="Educator diversity"))
    assert ScopeChange.objects.count() == 1
    assert Project.objects.get().title == "Educator diversity"


def test_edit_refuses_another_states_contact(client, facilitator, project, ny_staff):
    client.force_login(facilitator)
    response = client.post(
        reverse("projects:update", args=[project.pk]), edit_data(project, sea_contacts=[ny_staff.pk])
    )
    assert response.status_code == 200
    assert "sea_contacts" in response.context["form"].errors


def test_status_move_takes_a_reason(client, facilitator, project):
    client.force_login(facilitator)
    url = reverse("projects:status_move", args=[project.pk])
    client.post(url, {"transition": "pause", "expected_status": "active"})
    assert Project.objects.get().status == "active"
    client.post(url, {"transition": "pause", "expected_status": "active", "note": "State budget freeze"})
    assert Project.objects.get().status == "paused"
    page = client.get(reverse("projects:detail", args=[project.pk])).content.decode()
    assert "State budget freeze" in page
    # The history speaks in the states' labels, not their codes.
    assert "Active → <strong>Paused</strong>" in page
    assert "active → " not in page


def test_goals_progress_and_moves(client, facilitator, project):
    product = ProductFactory(project=project, status="delivered")
    client.force_login(facilitator)
    response = client.post(
        reverse("projects:goal_create", args=[project.pk]),
        {
            "statement": "Every pilot district has a hiring plan",
            "target_date": "2026-06-30",
            "products": [product.pk],
        },
    )
    goal = Goal.objects.get()
    assert response.status_code == 302
    assert goal.number == 1
    client.post(reverse("projects:objective_create", args=[goal.pk]), {"statement": "Eight plans drafted"})
    client.post(
        reverse("projects:goal_status_move", args=[goal.pk]),
        {"transition": "start", "expected_status": "not_started"},
    )
    assert Goal.objects.get().status == "in_progress"
    goal_page = client.get(reverse("projects:goal_detail", args=[goal.pk])).content.decode()
    assert "Not started → <strong>In progress</strong>" in goal_page
    assert "in_progress" not in goal_page.split('id="history-heading"')[1]
    page = client.get(reverse("projects:detail", args=[project.pk])).content.decode()
    assert "1 of 1" in page
    assert "0 of 1" in page
    assert "50%" in page


def test_goal_with_another_projects_product_is_refused(client, facilitator, project):
    stranger = ProductFactory()
    client.force_login(facilitator)
    response = client.post(
        reverse("projects:goal_create", args=[project.pk]), {"statement": "x", "products": [stranger.pk]}
    )
    assert response.status_code == 200
    assert "products" in response.context["form"].errors
    assert not Goal.objects.exists()


def test_sea_staff_propose_and_facilitator_approves(client, facilitator, ct_staff, ny_staff, project):
    goal = goal_save(by=facilitator, project=project, statement="Old wording")
    client.force_login(ny_staff)
    assert client.get(reverse("projects:goal_propose", args=[goal.pk])).status_code == 404
    client.force_login(ct_staff)
    response = client.post(
        reverse("projects:goal_propose", args=[goal.pk]),
        {"statement": "New wording", "reason": "Board asked"},
    )
    assert response.status_code == 302
    proposal = GoalProposal.objects.get()
    assert Goal.objects.get().statement == "Old wording"
    assert (
        client.post(
            reverse("projects:goal_proposal_decide", args=[proposal.pk]), {"decision": "approve"}
        ).status_code
        == 404
    )
    client.force_login(facilitator)
    client.post(reverse("projects:goal_proposal_decide", args=[proposal.pk]), {"decision": "approve"})
    assert Goal.objects.get().statement == "New wording"
    assert GoalProposal.objects.get().status == "approved"


def test_product_lifecycle_file_and_adoption(client, facilitator, ct_staff, project):

    district = DistrictFactory(sea=project.sea)
    project.districts.add(district)
    client.force_login(facilitator)
    pdf = SimpleUploadedFile("guidebook.pdf", b"%PDF-1.7 guidebook", content_type="application/pdf")
    response = client.post(
        reverse("projects:product_create", args=[project.pk]),
        {"title": "State guidebook", "kind": "guidebook", "lead_center": project.lead_center_id, "file": pdf},
    )
    product = Product.objects.get()
    assert response.status_code == 302
    assert product.file.name.endswith(".pdf")
    download = client.get(reverse("projects:product_file", args=[product.pk]))
    assert download.status_code == 200
    assert b"".join(download.streaming_content).startswith(b"%PDF")
    move = reverse("projects:product_status_move", args=[product.pk])
    client.post(move, {"transition": "start_development", "expected_status": "planned"})
    client.post(move, {"transition": "submit_for_review", "expected_status": "in_development"})
    client.post(move, {"transition": "deliver", "expected_status": "in_review"})
    assert Product.objects.get().status == "in_review"  # no delivery date
    client.post(move, {"transition": "deliver", "expected_status": "in_review", "delivered_on": "2026-01-10"})
    assert (Product.objects.get().status, Product.objects.get().delivered_on) == (
        "delivered",
        datetime.date(2026, 1, 10),
    )
    client.force_login(ct_staff)
    response = client.post(
        reverse("projects:product_adoption_create", args=[product.pk]),
        {"district": district.pk, "adopted_on": "2026-01-20", "note": "Board adopted"},
    )
    assert response.status_code == 302
    assert ProductAdoption.objects.get().recorded_by == ct_staff


def test_product_refuses_bad_files(client, facilitator, project):
    client.force_login(facilitator)
    url = reverse("projects:product_create", args=[project.pk])
    for name, content in (("tool.exe", b"MZ\x90"), ("fake.pdf", b"MZ not a pdf")):
        upload = SimpleUploadedFile(name, content)
        response = client.post(
            url, {"title": "Tool", "kind": "tool", "lead_center": project.lead_center_id, "file": upload}
        )
        assert response.status_code == 200
        assert "file" in response.context["form"].errors
    assert not Product.objects.exists()


def test_adoption_refuses_a_district_outside_the_project(client, facilitator, project):
    product = ProductFactory(project=project)
    outside = DistrictFactory(sea=project.sea)
    client.force_login(facilitator)
    response = client.post(
        reverse("projects:product_adoption_create", args=[product.pk]),
        {"district": outside.pk, "adopted_on": "2026-01-20"},
    )
    assert response.status_code == 400
    assert not ProductAdoption.objects.exists()


def test_product_list_filters_and_csv(client, ct_staff, project, ny):
    ProductFactory(project=project, title="CT guidebook", status="in_review")
    ProductFactory(project=ProjectFactory(sea=ny), title="NY toolkit")
    client.force_login(ct_staff)
    page = client.get(reverse("projects:product_list")).content.decode()
    assert "CT guidebook" in page
    assert "NY toolkit" not in page
    csv = client.get(reverse("projects:product_list") + "?format=csv&status=in_review")
    body = b"".join(csv.streaming_content).decode() if csv.streaming else csv.content.decode()
    assert "CT guidebook" in body
    assert "NY toolkit" not in body


def test_project_form_picks_districts_of_its_state_only(client, facilitator, project, ny):
    kept = DistrictFactory(sea=project.sea, name="Kept district")
    for i in range(30):
        DistrictFactory(sea=project.sea, name=f"Unchosen district {i}")
    stranger = DistrictFactory(sea=ny, name="Stranger district")
    project.districts.add(kept)
    client.force_login(facilitator)
    url = reverse("projects:update", args=[project.pk])
    page = client.get(url).content.decode()
    assert f'data-picker-url="/projects/pick/districts/?sea={project.sea_id}"' in page
    assert f'<option value="{kept.pk}" selected>Kept district</option>' in page
    assert "Unchosen district" not in page
    for bad in (stranger.pk, "abc", "99999999999999999999999"):
        response = client.post(url, edit_data(project, districts=[bad], scope_reason="Pivot"))
        assert response.status_code == 200, bad
        assert "districts" in response.context["form"].errors
        assert "Stranger district" not in response.content.decode()
    assert list(project.districts.all()) == [kept]
    create = client.get(reverse("projects:create") + f"?sea={ny.pk}").content.decode()
    assert f'data-picker-url="/projects/pick/districts/?sea={ny.pk}"' in create
    assert "Stranger district" not in create


def test_goal_links_any_activity_of_its_project_through_the_picker(client, facilitator, project):
    from tests.projects.factories import ActivityFactory

    activities = [
        ActivityFactory(project=project, date=datetime.date(2025, 1, 1) + datetime.timedelta(days=i))
        for i in range(55)
    ]
    stranger = ActivityFactory()
    client.force_login(facilitator)
    url = reverse("projects:goal_create", args=[project.pk])
    page = client.get(url).content.decode()
    assert f'data-picker-url="/projects/pick/activities/?project={project.pk}"' in page
    assert "Coaching session on hiring pipelines" not in page  # no activity is listed up front
    response = client.post(url, {"statement": "x", "activities": [stranger.pk]})
    assert "activities" in response.context["form"].errors
    oldest = activities[0]  # beyond the 50 latest the form used to offer
    response = client.post(url, {"statement": "Plans drafted", "activities": [oldest.pk]})
    assert response.status_code == 302
    goal = Goal.objects.get()
    assert list(goal.activities.all()) == [oldest]
    edit = client.get(reverse("projects:goal_update", args=[goal.pk])).content.decode()
    assert f'<option value="{oldest.pk}" selected>2025-01-01 Coaching session: ' in edit


def test_the_editing_forms_read_the_same_statements_whatever_the_data(
    client, facilitator, project, django_assert_max_num_queries
):
    from tests.projects.factories import ActivityFactory, IndicatorFactory
    from tests.projects.query_budget import assert_page_queries

    goal = goal_save(project=project, by=facilitator, statement="Every district has a plan")
    product = ProductFactory(project=project)

    def grow(count):
        for _ in range(count):
            activity = ActivityFactory(project=project)
            goal.activities.add(activity)
            goal.products.add(ProductFactory(project=project))
            goal.indicators.add(IndicatorFactory(project=project))
            project.districts.add(DistrictFactory(sea=project.sea))
            project.offices.add(OfficeFactory(sea=project.sea))
            DistrictFactory(sea=project.sea)

    urls = [
        reverse("projects:create") + f"?sea={project.sea_id}",
        reverse("projects:update", args=[project.pk]),
        reverse("projects:goal_create", args=[project.pk]),
        reverse("projects:goal_update", args=[goal.pk]),
        reverse("projects:product_create", args=[project.pk]),
        reverse("projects:product_update", args=[product.pk]),
    ]
    client.force_login(facilitator)
    grow(1)
    counts = {}
    for url in urls:
        assert_page_queries(client, url, django_assert_max_num_queries)  # within 15 statements
        with django_assert_max_num_queries(30) as captured:
            client.get(url)
        counts[url] = len(captured.captured_queries)
    grow(12)
    for url in urls:
        with django_assert_max_num_queries(30) as captured:
            client.get(url)
        assert len(captured.captured_queries) == counts[url], url
