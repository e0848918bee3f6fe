"""Meeting forms pick projects, products, people and districts by type-ahead: a page carries only
the chosen options, whatever the size of the portfolio, and bad picks are field errors."""

import pytest
from django.urls import reverse

from meetings.forms import AgendaItemForm, MembershipForm, meeting_people
from meetings.models import AgendaItem, Feedback
from meetings.services import meetings as meeting_services
from tests.meetings.factories import AgendaItemFactory, ParticipantFactory, eastern
from tests.projects.factories import ProductFactory, ProjectFactory
from tests.stakeholders.factories import DistrictFactory, StakeholderFactory

pytestmark = pytest.mark.django_db

PRODUCTS = reverse("projects:pick_product")
BAD_IDS = ("junk", "99999999999999999999999", "-3", "0", "1.5")
NUL = "12\x0034"  # refused at the edge (400); the forms refuse it too


@pytest.fixture
def fac(client, facilitator, frozen):
    client.force_login(facilitator)
    return client


@pytest.fixture
def meeting(rab, members, facilitator, frozen):
    return meeting_services.meeting_create(
        author=facilitator,
        body=rab,
        title="Spring meeting",
        starts_at=eastern(2026, 3, 10, 10, 0),
        ends_at=eastern(2026, 3, 10, 11, 0),
        mode="virtual",
        link="https://meet.example.org/rab",
    )


@pytest.fixture
def portfolio(ct, ny):
    """Projects and products of two states; the forms must list none of them up front."""
    ct_project = ProjectFactory(sea=ct, title="Connecticut educator workforce")
    ny_project = ProjectFactory(sea=ny, title="New York literacy network")
    ct_product = ProductFactory(project=ct_project, title="Workforce guidebook")
    ny_product = ProductFactory(project=ny_project, title="Literacy toolkit")
    others = [
        ProductFactory(project=ProjectFactory(sea=ct), title=f"Filler product {word}")
        for word in ("alpha", "beta", "gamma", "delta", "epsilon")
    ]
    return {
        "ct": ct_project,
        "ny": ny_project,
        "ct_product": ct_product,
        "ny_product": ny_product,
        "others": others,
    }


def options(html: str, name: str) -> int:
    start = html.index(f'name="{name}"')
    return html[start : html.index("</select>", start)].count("<option")


def test_product_picker_is_scoped_and_matches_product_or_project_words(client, ct_staff, portfolio):
    client.force_login(ct_staff)
    found = client.get(PRODUCTS, {"q": "guidebook"}).json()["results"]
    assert found == [
        {
            "value": str(portfolio["ct_product"].pk),
            "text": "Workforce guidebook · Connecticut educator workforce",
        }
    ]
    by_project = client.get(PRODUCTS, {"q": "educator workforce"}).json()["results"]
    assert [row["value"] for row in by_project] == [str(portfolio["ct_product"].pk)]
    assert client.get(PRODUCTS, {"q": "literacy"}).json()["results"] == []  # another state's product
    one_project = client.get(PRODUCTS, {"project": portfolio["ct"].pk}).json()["results"]
    assert [row["value"] for row in one_project] == [str(portfolio["ct_product"].pk)]
    assert client.get(PRODUCTS, {"project": "9" * 30, "q": "guidebook"}).status_code == 200
    assert client.get(PRODUCTS, {"q": "\x00"}).status_code == 400
    client.logout()
    assert client.get(PRODUCTS, {"q": "guidebook"}).status_code == 302


def test_agenda_item_form_renders_only_the_chosen_project_and_product(fac, meeting, portfolio):
    page = fac.get(reverse("meetings:agenda_item_create", args=[meeting.pk])).content.decode()
    assert options(page, "project") == 1  # the empty choice
    assert options(page, "product") == 1
    assert "Filler product" not in page
    assert f'data-picker-url="{PRODUCTS}"' in page
    item = AgendaItemFactory(
        meeting=meeting, position=1, project=portfolio["ct"], product=portfolio["ct_product"]
    )
    edit = fac.get(reverse("meetings:agenda_item_update", args=[item.pk])).content.decode()
    assert options(edit, "project") == 2
    assert options(edit, "product") == 2
    assert "Workforce guidebook · Connecticut educator workforce" in edit
    assert "Connecticut educator workforce (CT)" in edit
    assert "Filler product" not in edit


def test_agenda_item_saves_a_picked_project_and_product(fac, meeting, portfolio):
    url = reverse("meetings:agenda_item_create", args=[meeting.pk])
    data = {"title": "Workforce update", "minutes": 10, "project": portfolio["ct"].pk}
    assert fac.post(url, dict(data, product=portfolio["ct_product"].pk)).status_code == 302
    item = AgendaItem.objects.get()
    assert (item.project, item.product) == (portfolio["ct"], portfolio["ct_product"])
    mismatch = fac.post(url, dict(data, product=portfolio["ny_product"].pk))
    assert mismatch.status_code == 200
    assert "This product belongs to another project." in mismatch.content.decode()


@pytest.mark.parametrize("bad", BAD_IDS)
def test_agenda_item_bad_picks_are_field_errors(fac, meeting, bad):
    url = reverse("meetings:agenda_item_create", args=[meeting.pk])
    for field in ("project", "product"):
        response = fac.post(url, {"title": "X", "minutes": 5, field: bad})
        assert response.status_code == 200
        assert "Select a valid choice" in response.content.decode()
    assert not AgendaItem.objects.exists()


def test_agenda_item_nul_byte_is_refused(fac, meeting, facilitator):
    url = reverse("meetings:agenda_item_create", args=[meeting.pk])
    assert fac.post(url, {"title": "X", "minutes": 5, "product": NUL}).status_code == 400
    form = AgendaItemForm(
        {"title": "X", "minutes": 5, "project": NUL, "product": NUL}, meeting=meeting, user=facilitator
    )
    assert not form.is_valid()
    assert set(form.errors) == {"project", "product"}
    assert not AgendaItem.objects.exists()


def test_agenda_item_form_refuses_another_states_project_and_product(meeting, ct_staff, portfolio):
    data = {"title": "X", "minutes": 5, "project": portfolio["ny"].pk, "product": portfolio["ny_product"].pk}
    form = AgendaItemForm(data, meeting=meeting, user=ct_staff)
    assert not form.is_valid()
    assert set(form.errors) == {"project", "product"}
    own = AgendaItemForm(
        dict(data, project=portfolio["ct"].pk, product=portfolio["ct_product"].pk),
        meeting=meeting,
        user=ct_staff,
    )
    assert own.is_valid(), own.errors


def test_agenda_item_find_box_without_script_lists_matches_and_saves_nothing(fac, meeting, portfolio):
    url = reverse("meetings:agenda_item_create", args=[meeting.pk])
    response = fac.post(
        url, {"title": "Kept title", "minutes": 5, "_search": "product", "product_search": "filler gamma"}
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert "Filler product gamma" in page
    assert "Filler product beta" not in page
    assert 'value="Kept title"' in page
    assert "is-invalid" not in page
    assert not AgendaItem.objects.exists()


def test_feedback_form_picks_a_product(fac, meeting, portfolio, ct_member):
    url = reverse("meetings:feedback_create", args=[meeting.pk])
    page = fac.get(url).content.decode()
    assert options(page, "product") == 1
    assert "Filler product" not in page
    ratings = {"quality": 4, "relevance": 5, "usefulness": 3, "stakeholder": ct_member.pk}
    for bad in BAD_IDS:
        response = fac.post(url, dict(ratings, product=bad))
        assert response.status_code == 200
        assert "Select a valid choice" in response.content.decode()
    assert not Feedback.objects.exists()
    assert fac.post(url, dict(ratings, product=portfolio["ct_product"].pk)).status_code == 302
    assert Feedback.objects.get().product == portfolio["ct_product"]


def test_membership_form_pickers_are_scoped_and_findable(fac, rab, ct, ny, ct_staff):
    newcomer = StakeholderFactory(sea=ct, first_name="Quentin", last_name="Marsh")
    StakeholderFactory(sea=ct, first_name="Other", last_name="Person")
    ny_district = DistrictFactory(sea=ny, name="Albany City Schools")
    url = reverse("meetings:membership_create", args=[rab.pk])
    page = fac.get(url).content.decode()
    assert options(page, "stakeholder") == 1
    assert options(page, "represents_district") == 1
    found = fac.post(url, {"role": "member", "_search": "stakeholder", "stakeholder_search": "marsh"})
    assert found.status_code == 200
    assert "Quentin Marsh" in found.content.decode()
    assert "Other Person" not in found.content.decode()
    for bad in BAD_IDS:
        response = fac.post(url, {"stakeholder": bad, "role": "member", "term_start": "2026-01-01"})
        assert response.status_code == 200
    form = MembershipForm(
        {"stakeholder": newcomer.pk, "represents_district": ny_district.pk}, body=rab, user=ct_staff
    )
    assert not form.is_valid()
    assert "represents_district" in form.errors  # another state's district


def test_invite_form_finds_guests_without_script(fac, meeting, ct):
    StakeholderFactory(sea=ct, first_name="Guest", last_name="Zephyr")
    url = reverse("meetings:meeting_invite", args=[meeting.pk])
    response = fac.post(url, {"_search": "guests", "guests_search": "zephyr"})
    assert response.status_code == 200
    assert "Guest Zephyr" in response.content.decode()
    assert not meeting.participants.filter(stakeholder__last_name="Zephyr").exists()


def test_meeting_people_are_the_members_and_guests_once_each(meeting, members, ct):
    guest = StakeholderFactory(sea=ct, last_name="Guestly")
    StakeholderFactory(sea=ct, last_name="Outsider")
    ParticipantFactory(meeting=meeting, stakeholder=guest)
    assert meeting.participants.filter(stakeholder=members[0]).exists()  # members are invited too
    assert sorted(p.pk for p in meeting_people(meeting)) == sorted([*(m.pk for m in members), guest.pk])
