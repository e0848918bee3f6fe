import datetime
import importlib
from decimal import Decimal

import factory
from django.apps import apps as django_apps

from projects import models
from tests.stakeholders.factories import PartnerCenterFactory, SEAFactory


class ProjectFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.Project
        skip_postgeneration_save = True

    title = factory.Sequence(lambda n: f"Project {n}")
    problem_statement = "Districts struggle to recruit a diverse workforce."
    sea = factory.SubFactory(SEAFactory)
    lead_center = factory.SubFactory(PartnerCenterFactory)
    status = models.Project.Status.ACTIVE
    start_date = datetime.date(2024, 9, 1)


def condition(number: int) -> models.Condition:
    if not models.Condition.objects.exists():
        # Transactional tests flush the reference data of the data migration: load it again.
        conditions_migration = importlib.import_module("projects.migrations.0002_five_conditions")
        conditions_migration.load_conditions(django_apps, None)
    return models.Condition.objects.get(number=number)


class ConditionAssessmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.ConditionAssessment

    project = factory.SubFactory(ProjectFactory)
    condition = factory.LazyFunction(lambda: condition(1))
    stage = 2
    assessed_on = datetime.date(2025, 1, 15)
    evidence = "Agreed goals signed off by the steering group."


class ActivityFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.Activity
        skip_postgeneration_save = True

    project = factory.SubFactory(ProjectFactory)
    date = datetime.date(2025, 3, 4)
    type = models.Activity.Type.COACHING
    summary = "Coaching session on hiring pipelines."
    hours = Decimal("2.5")


class IndicatorFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.Indicator

    project = factory.SubFactory(ProjectFactory)
    name = factory.Sequence(lambda n: f"Indicator {n}")
    definition = "Share of new hires who are teachers of color."
    unit = "percent"
    baseline = Decimal("8.00")
    target = Decimal("15.00")


class IndicatorValueFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.IndicatorValue

    indicator = factory.SubFactory(IndicatorFactory)
    measured_on = datetime.date(2025, 6, 30)
    value = Decimal("10.00")


class ProductFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.Product

    project = factory.SubFactory(ProjectFactory)
    title = factory.Sequence(lambda n: f"Product {n}")
    kind = models.Product.Kind.GUIDEBOOK
    status = models.Product.Status.PLANNED
    delivered_on = factory.LazyAttribute(
        lambda o: datetime.date(2025, 6, 1) if o.status in ("delivered", "retired") else None
    )
    lead_center = factory.SubFactory(PartnerCenterFactory)
