import datetime

import pytest
from django.urls import reverse

from stakeholders.models import Membership, PartnerCenter
from tests.projects.factories import ProjectFactory
from tests.stakeholders.factories import (
    AdvisoryBodyFactory,
    DistrictFactory,
    MembershipFactory,
    OfficeFactory,
    PartnerCenterFactory,
    StakeholderFactory,
)

pytestmark = pytest.mark.django_db

EXACTLY_ONE = "Choose exactly one thing the member represents"
OVERLAPPING = "This person already has a seat on this body for an overlapping term."


@pytest.fixture
def admin_client(client, admin_user):
    client.force_login(admin_user)
    return client


def results(response):
    return list(response.context["cl"].result_list)


# Search ----------------------------------------------------------------------------------


def test_stakeholder_search_matches_name_and_email(admin_client, ct):
    ada = StakeholderFactory(first_name="Ada", last_name="Lovelace", email="ada@csde.example", sea=ct)
    StakeholderFactory(first_name="Grace", last_name="Hopper", email="grace@nysed.example")
    url = reverse("admin:stakeholders_stakeholder_changelist")

    assert results(admin_client.get(url, {"q": "lovelace"})) == [ada]
    assert results(admin_client.get(url, {"q": "ada@csde"})) == [ada]
    assert results(admin_client.get(url, {"q": "nobody"})) == []


def test_district_search_matches_name_and_nces_id(admin_client, ct):
    hartford = DistrictFactory(sea=ct, name="Hartford Public Schools", nces_id="0901920")
    DistrictFactory(sea=ct, name="New Haven Public Schools", nces_id="0902790")
    url = reverse("admin:stakeholders_district_changelist")

    assert results(admin_client.get(url, {"q": "hartford"})) == [hartford]
    assert results(admin_client.get(url, {"q": "0901920"})) == [hartford]


def test_district_autocomplete_serves_project_forms(admin_client, ct):
    DistrictFactory(sea=ct, name="Hartford Public Schools")
    response = admin_client.get(
        reverse("admin:autocomplete"),
        {"app_label": "projects", "model_name": "project", "field_name": "districts", "term": "hart"},
    )

    assert response.status_code == 200
    assert [item["text"] for item in response.json()["results"]] == ["Hartford Public Schools"]


# SEA -------------------------------------------------------------------------------------


def test_sea_page_lists_its_offices_and_districts(admin_client, ct):
    OfficeFactory(sea=ct, name="Talent Office")
    DistrictFactory(sea=ct, name="Hartford Public Schools")

    page = admin_client.get(reverse("admin:stakeholders_sea_change", args=[ct.pk])).content.decode()

    assert "Talent Office" in page
    assert "Hartford Public Schools" in page


# Stakeholders ----------------------------------------------------------------------------


def test_stakeholder_office_of_another_state_is_refused(admin_client, ct, ny):
    office = OfficeFactory(sea=ny)
    data = {
        "first_name": "Ada",
        "last_name": "Lovelace",
        "email": "ada@example.org",
        "is_active": "on",
        "sea": ct.pk,
        "office": office.pk,
        "preferences-TOTAL_FORMS": "0",
        "preferences-INITIAL_FORMS": "0",
        "memberships-TOTAL_FORMS": "0",
        "memberships-INITIAL_FORMS": "0",
    }

    response = admin_client.post(reverse("admin:stakeholders_stakeholder_add"), data)

    assert response.status_code == 200
    assert response.context["adminform"].form.errors["office"] == ["This office belongs to another state."]


# Memberships -----------------------------------------------------------------------------


def membership_data(body, stakeholder, **overrides):
    return {
        "body": body.pk,
        "stakeholder": stakeholder.pk,
        "role": Membership.Role.MEMBER,
        "is_voting": "on",
        "represents_sea": "",
        "represents_district": "",
        "represents_center": "",
        "represents_organization": "",
        "term_start": "2025-07-01",
        "term_end": "",
        **overrides,
    }


@pytest.mark.parametrize("represents", [{}, {"represents_sea": "sea", "represents_center": "center"}])
def test_membership_must_represent_exactly_one_thing(admin_client, ct, represents):
    body, person, center = AdvisoryBodyFactory(), StakeholderFactory(sea=ct), PartnerCenterFactory()
    values = {"sea": ct.pk, "center": center.pk}
    data = membership_data(body, person, **{field: values[key] for field, key in represents.items()})

    response = admin_client.post(reverse("admin:stakeholders_membership_add"), data)

    assert response.status_code == 200
    assert EXACTLY_ONE in response.content.decode()
    assert not Membership.objects.exists()


def test_membership_overlapping_an_open_term_is_refused(admin_client, ct):
    seat = MembershipFactory(stakeholder=StakeholderFactory(sea=ct), term_start=datetime.date(2024, 7, 1))
    data = membership_data(seat.body, seat.stakeholder, represents_sea=ct.pk, term_start="2025-07-01")

    response = admin_client.post(reverse("admin:stakeholders_membership_add"), data)

    assert response.status_code == 200
    assert OVERLAPPING in response.content.decode()
    assert Membership.objects.count() == 1


def test_membership_term_cannot_end_before_it_starts(admin_client, ct):
    data = membership_data(
        AdvisoryBodyFactory(), StakeholderFactory(sea=ct), represents_sea=ct.pk, term_end="2025-06-30"
    )

    response = admin_client.post(reverse("admin:stakeholders_membership_add"), data)

    assert response.status_code == 200
    assert response.context["adminform"].form.errors["term_end"] == ["The term cannot end before it starts."]


def test_membership_with_one_represented_sea_saves(admin_client, ct):
    data = membership_data(AdvisoryBodyFactory(), StakeholderFactory(sea=ct), represents_sea=ct.pk)

    response = admin_client.post(reverse("admin:stakeholders_membership_add"), data)

    assert response.status_code == 302
    assert Membership.objects.get().represents == ct


# Partner centers -------------------------------------------------------------------------


def center_data(center, memberships=(), initial=0):
    data = {
        "name": center.name,
        "short_name": center.short_name,
        "kind": center.kind,
        "funder": "",
        "contract": "",
        "operators": "EDC",
        "website": "",
        "memberships-TOTAL_FORMS": str(len(memberships)),
        "memberships-INITIAL_FORMS": str(initial),
        "led_projects-TOTAL_FORMS": str(center.led_projects.count()),
        "led_projects-INITIAL_FORMS": str(center.led_projects.count()),
    }
    for index, row in enumerate(memberships):
        data |= {f"memberships-{index}-{key}": value for key, value in row.items()}
    return data


def test_partner_center_page_lists_its_memberships_and_led_projects(admin_client, ct):
    center = PartnerCenterFactory(short_name="R2CC")
    seat = MembershipFactory(represents_sea=None, represents_center=center)
    project = ProjectFactory(
        lead_center=center, sea=ct, title="Diversifying Connecticut's educator workforce"
    )

    response = admin_client.get(reverse("admin:stakeholders_partnercenter_change", args=[center.pk]))

    page = response.content.decode()
    assert str(seat.stakeholder) in page
    assert "Diversifying Connecticut" in page
    assert reverse("admin:projects_project_change", args=[project.pk]) in page
    # Led projects are read here, edited on the project's own page.
    assert 'name="led_projects-0-title"' not in page


def test_partner_center_adds_a_membership_representing_it(admin_client, ct):
    center = PartnerCenterFactory(short_name="R2CC")
    ProjectFactory(lead_center=center, sea=ct)
    body, person = AdvisoryBodyFactory(), StakeholderFactory(sea=ct)
    row = {"body": body.pk, "stakeholder": person.pk, "role": "member", "term_start": "2025-07-01"}

    response = admin_client.post(
        reverse("admin:stakeholders_partnercenter_change", args=[center.pk]), center_data(center, [row])
    )

    assert response.status_code == 302
    seat = Membership.objects.get()
    assert (seat.represents_center, seat.body, seat.stakeholder) == (center, body, person)
    assert [record.history_type for record in center.history.all()] == ["~", "+"]


def test_partner_center_inline_shows_overlapping_term_error(admin_client):
    center = PartnerCenterFactory()
    seat = MembershipFactory(
        represents_sea=None, represents_center=center, term_start=datetime.date(2024, 7, 1)
    )
    row = {
        "body": seat.body_id,
        "stakeholder": seat.stakeholder_id,
        "role": "member",
        "term_start": "2025-01-01",
    }
    existing = {
        "id": seat.pk,
        **{k: v for k, v in row.items() if k != "term_start"},
        "term_start": "2024-07-01",
    }

    response = admin_client.post(
        reverse("admin:stakeholders_partnercenter_change", args=[center.pk]),
        center_data(center, [existing, row], initial=1),
    )

    assert response.status_code == 200
    assert OVERLAPPING in response.content.decode()
    assert Membership.objects.count() == 1


def test_partner_center_can_be_added_before_its_memberships(admin_client):
    response = admin_client.post(
        reverse("admin:stakeholders_partnercenter_add"),
        {"name": "Region 2 Comprehensive Center", "short_name": "R2CC", "kind": "rcc"},
    )

    assert response.status_code == 302
    assert PartnerCenter.objects.get().history.count() == 1
