import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from accountability.models import Decision, ServiceStatement, SurveyInvitation, SurveyItem, SurveyResponse
from accountability.services.attestations import AlreadyAnswered
from accountability.services.statements import statement_decide, statement_prepare
from accountability.services.surveys import survey_items, survey_respond
from accountability.tokens import statement_token, survey_token
from tests.accountability.conftest import log
from tests.meetings.helpers import recipient, send_due
from tests.stakeholders.factories import StakeholderFactory


def test_monthly_statement_counts_the_month_and_is_attested_once(team, django_capture_on_commit_callbacks):
    log(team["project"], team["staff"], date=datetime.date(2026, 11, 3))
    log(team["project"], team["contact"], date=datetime.date(2026, 11, 20), hours=Decimal("4"))
    log(team["project"], team["staff"], date=datetime.date(2026, 10, 31))
    with django_capture_on_commit_callbacks(execute=True):
        statement = statement_prepare(project=team["project"], month=datetime.date(2026, 11, 1))
    assert (statement.activities, statement.hours) == (2, Decimal("6.5"))
    assert statement_prepare(project=team["project"], month=datetime.date(2026, 11, 15)).pk == statement.pk
    mails = [m for m in send_due() if m.subject.startswith("Please confirm the November 2026")]
    assert sorted(recipient(m) for m in mails) == sorted([team["contact"].email, team["second"].email])
    with pytest.raises(PermissionDenied):
        statement_decide(statement=statement, by=team["lead"], decision="confirmed")
    with pytest.raises(ValidationError):
        statement_decide(statement=statement, by=team["contact"], decision="disputed")
    statement = statement_decide(statement=statement, by=team["contact"], decision="confirmed")
    assert (
        statement.sentence
        == "CSDE confirms the November 2026 services: 2 activities, 6.5 hours, 0 products delivered"
    )
    with pytest.raises(AlreadyAnswered):
        statement_decide(statement=statement, by=team["second"], decision="confirmed")


def test_statement_link_works_once(client, team):
    log(team["project"], team["staff"], date=datetime.date(2026, 11, 3))
    statement = statement_prepare(project=team["project"], month=datetime.date(2026, 11, 1), notify=False)
    url = reverse(
        "accountability:statement_link",
        args=[statement_token(statement_id=statement.pk, user_id=team["contact"].pk)],
    )
    assert client.post(url, {"decision": "confirmed"}).status_code == 200
    assert ServiceStatement.objects.get().status == Decision.CONFIRMED
    assert client.post(url, {"decision": "disputed", "comment": "x"}).status_code == 410


def test_participants_of_a_coaching_session_are_surveyed(team, django_capture_on_commit_callbacks):
    from accountability.tasks import survey_invite_activity_task

    person = StakeholderFactory(sea=team["project"].sea)
    with django_capture_on_commit_callbacks() as callbacks:
        activity = log(team["project"], team["staff"], participants=[person])
    assert callbacks  # the survey is enqueued once the activity is committed
    assert survey_invite_activity_task(activity.pk) == 1  # what the worker runs
    assert survey_invite_activity_task(activity.pk) == 0  # asked once
    invitation = SurveyInvitation.objects.get(stakeholder=person)
    mails = [m for m in send_due() if recipient(m) == person.email]
    assert len(mails) == 1
    assert "/accountability/survey/" in mails[0].body
    assert invitation.activity_type == "coaching"


def test_survey_answer_by_link_once_and_refuses_bad_input(client, team):
    person = StakeholderFactory(sea=team["project"].sea)
    activity = log(team["project"], team["staff"], participants=[person])
    invitation = SurveyInvitation.objects.create(
        stakeholder=person, activity=activity, project=team["project"], activity_type="coaching",
        sent_at=activity.created_at,
    )  # fmt: skip
    url = reverse(
        "accountability:survey_link",
        args=[survey_token(invitation_id=invitation.pk, stakeholder_id=person.pk)],
    )
    items = [item for group in survey_items().values() for item in group]
    assert len(items) >= 6
    assert {item.dimension for item in items} == {"quality", "relevance", "usefulness"}
    page = client.get(url)
    assert page.status_code == 200
    assert items[0].text in page.content.decode()
    bad = client.post(url, {f"item_{items[0].pk}": "9"})
    assert bad.status_code == 200
    assert not SurveyResponse.objects.exists()
    answers = {f"item_{item.pk}": "5" if item.dimension == "quality" else "3" for item in items}
    assert "Thank you" in client.post(url, {**answers, "comment": "Useful"}).content.decode()
    response = SurveyResponse.objects.get()
    assert (response.quality, response.relevance) == (Decimal("5.00"), Decimal("3.00"))
    assert client.get(url).status_code == 410
    with pytest.raises(AlreadyAnswered):
        survey_respond(invitation=invitation, scores={item.pk: 4 for item in items})
    tampered = url.replace("/survey/", "/survey/x")
    assert client.get(tampered).status_code == 400


def test_inactive_items_are_not_asked(db):
    SurveyItem.objects.filter(dimension="usefulness").update(is_active=False)
    assert survey_items()["usefulness"] == []
