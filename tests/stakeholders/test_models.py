import datetime

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from stakeholders.models import SEA, Membership, Stakeholder
from tests.stakeholders.factories import (
    AdvisoryBodyFactory,
    DistrictFactory,
    MembershipFactory,
    OrganizationFactory,
    StakeholderFactory,
)

pytestmark = pytest.mark.django_db


def test_stakeholder_email_is_unique_case_insensitively(ct):
    StakeholderFactory(email="Ada.Lovelace@example.org", sea=ct)
    with pytest.raises(IntegrityError), transaction.atomic():
        Stakeholder.objects.create(first_name="A", last_name="L", email="ada.lovelace@EXAMPLE.org", sea=ct)
    duplicate = Stakeholder(first_name="A", last_name="L", email="ADA.LOVELACE@example.org", sea=ct)
    with pytest.raises(ValidationError) as error:
        duplicate.full_clean()
    assert "email" in error.value.message_dict


def test_stakeholder_district_must_be_in_their_state(ct, ny):
    person = StakeholderFactory.build(sea=ct, district=DistrictFactory(sea=ny))
    with pytest.raises(ValidationError) as error:
        person.full_clean()
    assert "district" in error.value.message_dict


def test_sea_state_code_is_two_capitals_in_the_database():
    with pytest.raises(IntegrityError), transaction.atomic():
        SEA.objects.create(name="Lower", short_name="LOW", state_code="ct")


def test_district_names_are_unique_within_a_state(ct, ny):
    DistrictFactory(sea=ct, name="Hartford Public Schools")
    DistrictFactory(sea=ny, name="Hartford Public Schools")  # another state may reuse a name
    with pytest.raises(IntegrityError), transaction.atomic():
        DistrictFactory(sea=ct, name="Hartford Public Schools")


def test_membership_term_cannot_end_before_it_starts_in_the_database(ct):
    with pytest.raises(IntegrityError), transaction.atomic():
        MembershipFactory(
            stakeholder=StakeholderFactory(sea=ct),
            term_start=datetime.date(2025, 7, 1),
            term_end=datetime.date(2025, 6, 30),
        )


def test_membership_represents_exactly_one_thing(ct):
    person = StakeholderFactory(sea=ct)
    with pytest.raises(IntegrityError), transaction.atomic():
        MembershipFactory(stakeholder=person, represents_sea=None)
    with pytest.raises(IntegrityError), transaction.atomic():
        MembershipFactory(stakeholder=person, represents_organization=OrganizationFactory())


def test_membership_overlapping_terms_for_the_same_person_are_refused(ct):
    body = AdvisoryBodyFactory()
    person = StakeholderFactory(sea=ct)
    MembershipFactory(body=body, stakeholder=person, term_start=datetime.date(2024, 7, 1), term_end=None)
    overlapping = Membership(
        body=body, stakeholder=person, represents_sea=ct, term_start=datetime.date(2025, 1, 1)
    )
    with pytest.raises(ValidationError, match="overlapping term"):
        overlapping.full_clean()


def test_membership_later_term_after_an_ended_one_is_allowed(ct):
    body = AdvisoryBodyFactory()
    person = StakeholderFactory(sea=ct)
    MembershipFactory(
        body=body,
        stakeholder=person,
        term_start=datetime.date(2022, 7, 1),
        term_end=datetime.date(2024, 6, 30),
    )
    later = Membership(body=body, stakeholder=person, represents_sea=ct, term_start=datetime.date(2024, 7, 1))
    later.full_clean()  # no error
