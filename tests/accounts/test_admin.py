import pytest
from django.contrib.auth.models import Group
from django.urls import reverse

from accounts.admin import SEA_STAFF_NEEDS_SEA
from accounts.models import Role, User
from tests.accounts.factories import UserFactory

pytestmark = pytest.mark.django_db

ADD_URL = reverse("admin:accounts_user_add")


def role(name: Role) -> Group:
    return Group.objects.get(name=name.value)


@pytest.fixture
def admin_client(client, admin_user):
    client.force_login(admin_user)
    return client


def add_data(**overrides):
    return {
        "username": "new.person",
        "usable_password": "true",
        "password1": "a long and unusual passphrase",
        "password2": "a long and unusual passphrase",
        "first_name": "",
        "last_name": "",
        "email": "",
        "sea": "",
        **overrides,
    }


def change_data(user, **overrides):
    return {
        "username": user.username,
        "first_name": user.first_name,
        "last_name": user.last_name,
        "email": user.email,
        "groups": [group.pk for group in user.groups.all()],
        "sea": user.sea_id or "",
        "is_active": "on",
        "date_joined_0": "2025-01-06",
        "date_joined_1": "09:00:00",
        "last_login_0": "",
        "last_login_1": "",
        **overrides,
    }


def test_adding_sea_staff_without_an_sea_is_refused(admin_client):
    response = admin_client.post(ADD_URL, add_data(groups=[role(Role.SEA_STAFF).pk]))

    assert response.status_code == 200
    assert response.context["adminform"].form.errors["sea"] == [SEA_STAFF_NEEDS_SEA]
    assert SEA_STAFF_NEEDS_SEA in response.content.decode()
    assert not User.objects.filter(username="new.person").exists()


def test_adding_sea_staff_with_an_sea_saves_role_and_agency(admin_client, ct):
    response = admin_client.post(ADD_URL, add_data(groups=[role(Role.SEA_STAFF).pk], sea=ct.pk))

    assert response.status_code == 302
    user = User.objects.get(username="new.person")
    assert user.sea == ct
    assert user.is_sea_staff
    assert user.check_password("a long and unusual passphrase")


def test_a_facilitator_needs_no_sea(admin_client):
    response = admin_client.post(ADD_URL, add_data(groups=[role(Role.FACILITATOR).pk]))

    assert response.status_code == 302
    assert User.objects.get(username="new.person").is_facilitator


def test_removing_the_sea_of_sea_staff_is_refused(admin_client, ct_staff):
    url = reverse("admin:accounts_user_change", args=[ct_staff.pk])

    response = admin_client.post(url, change_data(ct_staff, sea=""))

    assert response.status_code == 200
    assert response.context["adminform"].form.errors["sea"] == [SEA_STAFF_NEEDS_SEA]
    ct_staff.refresh_from_db()
    assert ct_staff.sea_id is not None


def test_making_a_user_without_an_sea_sea_staff_is_refused(admin_client):
    user = UserFactory(username="no.agency")
    url = reverse("admin:accounts_user_change", args=[user.pk])

    response = admin_client.post(url, change_data(user, groups=[role(Role.SEA_STAFF).pk]))

    assert response.status_code == 200
    assert SEA_STAFF_NEEDS_SEA in response.content.decode()
    assert not user.groups.exists()


def test_moving_sea_staff_to_another_sea_saves(admin_client, ct_staff, ny):
    url = reverse("admin:accounts_user_change", args=[ct_staff.pk])

    response = admin_client.post(url, change_data(ct_staff, sea=ny.pk))

    assert response.status_code == 302
    ct_staff.refresh_from_db()
    assert ct_staff.sea == ny


def test_changelist_shows_agency_and_roles_and_filters_by_them(admin_client, ct_staff, ny_staff, facilitator):
    url = reverse("admin:accounts_user_changelist")

    page = admin_client.get(url).content.decode()
    assert "SEA staff" in page
    assert "Facilitator" in page
    assert str(ct_staff.sea) in page

    by_role = admin_client.get(url, {"groups__id__exact": role(Role.SEA_STAFF).pk})
    assert set(by_role.context["cl"].result_list) == {ct_staff, ny_staff}
    by_sea = admin_client.get(url, {"sea__id__exact": ct_staff.sea_id})
    assert list(by_sea.context["cl"].result_list) == [ct_staff]


def test_search_finds_users_by_agency(admin_client, ct_staff, ny_staff):
    response = admin_client.get(reverse("admin:accounts_user_changelist"), {"q": "CSDE"})

    assert list(response.context["cl"].result_list) == [ct_staff]
