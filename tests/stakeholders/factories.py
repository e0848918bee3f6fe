import datetime

import factory

from stakeholders import models

STATES = ["CT", "NY", "RI", "MA", "NJ", "VT", "ME", "NH", "PA", "DE"]


class SEAFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.SEA
        django_get_or_create = ("state_code",)

    state_code = factory.Sequence(
        lambda n: STATES[n % len(STATES)] if n < len(STATES) else f"Q{chr(65 + n % 26)}"
    )
    name = factory.LazyAttribute(lambda o: f"{o.state_code} Department of Education")
    short_name = factory.LazyAttribute(lambda o: f"{o.state_code}DE")


class OfficeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.Office

    sea = factory.SubFactory(SEAFactory)
    name = factory.Sequence(lambda n: f"Office {n}")


class DistrictFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.District

    sea = factory.SubFactory(SEAFactory)
    name = factory.Sequence(lambda n: f"District {n} Public Schools")
    nces_id = factory.Sequence(lambda n: f"{9000000 + n:07d}")


class PartnerCenterFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.PartnerCenter

    name = factory.Sequence(lambda n: f"Partner Center {n}")
    short_name = factory.Sequence(lambda n: f"PC{n}")
    kind = models.PartnerCenter.Kind.REGIONAL_COMPREHENSIVE_CENTER


class OrganizationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.Organization

    name = factory.Sequence(lambda n: f"Organization {n}")
    kind = models.Organization.Kind.SCHOOL_BOARDS_ASSOCIATION


class StakeholderFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.Stakeholder

    first_name = factory.Faker("first_name")
    last_name = factory.Faker("last_name")
    email = factory.Sequence(lambda n: f"person{n}@example.org")
    sea = factory.SubFactory(SEAFactory)


class AdvisoryBodyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.AdvisoryBody

    name = factory.Sequence(lambda n: f"Advisory Board {n}")
    short_name = factory.Sequence(lambda n: f"AB{n}")
    kind = models.AdvisoryBody.Kind.ADVISORY_BOARD
    meetings_per_year = 2


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.Membership

    body = factory.SubFactory(AdvisoryBodyFactory)
    stakeholder = factory.SubFactory(StakeholderFactory)
    represents_sea = factory.SelfAttribute("stakeholder.sea")
    term_start = datetime.date(2024, 7, 1)
