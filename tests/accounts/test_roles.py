import pytest
from django.contrib.auth.models import Group

from accounts.models import Role
from tests.accounts.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_administrator_role_may_use_the_admin_without_superuser_status(client):
    administrator = UserFactory(role=Role.ADMINISTRATOR)
    assert not administrator.is_superuser
    assert not administrator.is_staff
    client.force_login(administrator)
    assert client.get("/admin/").status_code == 200
    assert client.get("/admin/stakeholders/partnercenter/").status_code == 200
    assert administrator.has_perm("stakeholders.add_partnercenter")


@pytest.mark.parametrize("role", [Role.SEA_STAFF, Role.FACILITATOR])
def test_other_roles_are_kept_out_of_the_admin(client, role, ct):
    user = UserFactory(role=role, sea=ct if role == Role.SEA_STAFF else None)
    client.force_login(user)
    response = client.get("/admin/stakeholders/partnercenter/")
    assert response.status_code == 302
    assert "/admin/login/" in response.url
    assert not user.has_perm("stakeholders.add_partnercenter")


def test_inactive_administrator_has_no_permissions():
    administrator = UserFactory(role=Role.ADMINISTRATOR, is_active=False)
    assert not administrator.has_perm("stakeholders.add_partnercenter")
    assert not administrator.sees_whole_portfolio


def test_the_signed_in_user_comes_with_their_roles_in_one_statement(ct, django_assert_num_queries):
    from accounts.backends import PortalModelBackend

    user = UserFactory(role=Role.FACILITATOR)
    user.groups.add(Group.objects.get(name=Role.ADMINISTRATOR.value))
    with django_assert_num_queries(1):
        loaded = PortalModelBackend().get_user(user.pk)
        assert loaded.is_facilitator
        assert loaded.is_administrator
        assert not loaded.is_sea_staff
    plain = UserFactory(role=Role.SEA_STAFF, sea=ct)
    plain.groups.clear()
    with django_assert_num_queries(1):
        assert PortalModelBackend().get_user(plain.pk)._role_names() == frozenset()


def test_inactive_users_are_not_signed_in_by_their_session():
    from accounts.backends import PortalModelBackend

    user = UserFactory(role=Role.FACILITATOR, is_active=False)
    assert PortalModelBackend().get_user(user.pk) is None
    assert PortalModelBackend().get_user(2**63 - 1) is None
