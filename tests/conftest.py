import pytest

from tests.accounts.factories import (
    PASSWORD,
    AdministratorFactory,
    FacilitatorFactory,
    SEAStaffFactory,
)

# Browser fixtures for every app's browser tests.
from tests.browser_support import assert_accessible, chromium, page, screenshot, sign_in  # noqa: F401
from tests.stakeholders.factories import SEAFactory


@pytest.fixture
def password():
    return PASSWORD


@pytest.fixture
def ct(db):
    return SEAFactory(state_code="CT", name="Connecticut State Department of Education", short_name="CSDE")


@pytest.fixture
def ny(db):
    return SEAFactory(state_code="NY", name="New York State Education Department", short_name="NYSED")


@pytest.fixture
def ct_staff(ct):
    return SEAStaffFactory(username="ct.staff", sea=ct)


@pytest.fixture
def ny_staff(ny):
    return SEAStaffFactory(username="ny.staff", sea=ny)


@pytest.fixture
def facilitator(db):
    return FacilitatorFactory(username="facilitator")


@pytest.fixture
def admin_user(db):
    return AdministratorFactory(username="admin")
