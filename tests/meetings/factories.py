import datetime
import zoneinfo

import factory

from meetings import models
from tests.stakeholders.factories import AdvisoryBodyFactory, StakeholderFactory

EASTERN = zoneinfo.ZoneInfo("America/New_York")


def eastern(*args) -> datetime.datetime:
    return datetime.datetime(*args, tzinfo=EASTERN)


class MeetingFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.Meeting

    body = factory.SubFactory(AdvisoryBodyFactory)
    title = factory.Sequence(lambda n: f"Board meeting {n}")
    starts_at = factory.LazyFunction(lambda: eastern(2026, 3, 10, 10, 0))
    ends_at = factory.LazyAttribute(lambda m: m.starts_at + datetime.timedelta(hours=2))
    mode = models.Meeting.Mode.VIRTUAL
    link = "https://meet.example.org/rab"


class ParticipantFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.Participant

    meeting = factory.SubFactory(MeetingFactory)
    stakeholder = factory.SubFactory(StakeholderFactory)


class AgendaItemFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.AgendaItem

    meeting = factory.SubFactory(MeetingFactory)
    position = factory.Sequence(lambda n: n + 1)
    title = factory.Sequence(lambda n: f"Agenda item {n}")
    minutes = 15


class ActionItemFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.ActionItem

    meeting = factory.SubFactory(MeetingFactory)
    description = factory.Sequence(lambda n: f"Follow up on point {n}")
    owner_stakeholder = factory.SubFactory(StakeholderFactory)
    due_date = factory.LazyAttribute(lambda a: a.meeting.starts_at.date() + datetime.timedelta(days=30))


class FeedbackFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.Feedback

    body = factory.SubFactory(AdvisoryBodyFactory)
    resource = "Retention guidebook"
    quality = 4
    relevance = 5
    usefulness = 3
