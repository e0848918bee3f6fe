import threading
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.urls import reverse

from accountability.counterparts import counterpart_role
from accountability.models import Attestation, Decision
from accountability.services.attestations import (
    AlreadyAnswered,
    attestation_decide,
    attestation_reminders_send,
)
from accountability.tokens import attestation_token
from projects.services.activities import activity_update
from tests.accountability.conftest import log
from tests.meetings.helpers import recipient, send_due


def current(activity):
    return Attestation.objects.get(activity=activity, is_current=True)


def test_center_staff_activity_goes_to_the_sea_contacts(team, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        activity = log(team["project"], team["staff"])
    attestation = current(activity)
    assert attestation.counterpart_role == "sea_contact"
    assert attestation.status == Decision.PENDING
    sent = send_due()
    assert sorted(recipient(m) for m in sent if "Please confirm" in m.subject) == sorted(
        [team["contact"].email, team["second"].email]
    )
    assert "/accountability/confirm/link/" in sent[0].body


def test_sea_staff_activity_goes_to_the_center_lead(team, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        activity = log(team["project"], team["contact"])
    assert current(activity).counterpart_role == "center_lead"
    assert [recipient(m) for m in send_due() if "Please confirm" in m.subject] == [team["lead"].email]


def test_counterpart_rule(team, ct_staff):
    assert counterpart_role(team["staff"]) == "sea_contact"
    assert counterpart_role(team["lead"]) == "sea_contact"
    assert counterpart_role(ct_staff) == "center_lead"
    assert counterpart_role(None) is None


def test_confirmed_activity_edited_needs_confirming_again(team):
    activity = log(team["project"], team["staff"])
    attestation_decide(attestation=current(activity), by=team["contact"], decision="confirmed")
    activity_update(activity=activity, editor=team["staff"], hours=Decimal("3"))
    rows = list(Attestation.objects.filter(activity=activity).order_by("version"))
    assert [(row.status, row.is_current) for row in rows] == [("confirmed", False), ("pending", True)]
    assert rows[0].version < rows[1].version
    assert activity.history.filter(history_id=rows[0].version, hours=Decimal("2.5")).exists()


def test_pending_answer_is_superseded_by_an_edit(team):
    activity = log(team["project"], team["staff"])
    first = current(activity)
    activity_update(activity=activity, editor=team["staff"], summary="Changed")
    first.refresh_from_db()
    assert (first.status, first.is_current) == ("superseded", False)
    with pytest.raises(AlreadyAnswered):
        attestation_decide(attestation=first, by=team["contact"], decision="confirmed")


def test_dispute_needs_a_reason_and_changes_nothing_without(team):
    activity = log(team["project"], team["staff"])
    with pytest.raises(ValidationError) as error:
        attestation_decide(
            attestation=current(activity), by=team["contact"], decision="disputed", comment="  "
        )
    assert "comment" in error.value.message_dict
    assert current(activity).status == Decision.PENDING


def test_only_a_counterpart_answers(team, ny_staff, ct_staff):
    activity = log(team["project"], team["staff"])
    for user in (ny_staff, ct_staff, team["lead"]):
        with pytest.raises(PermissionDenied):
            attestation_decide(attestation=current(activity), by=user, decision="confirmed")
    assert current(activity).status == Decision.PENDING


def test_second_answer_is_told_who_answered(team):
    activity = log(team["project"], team["staff"])
    attestation_decide(attestation=current(activity), by=team["contact"], decision="confirmed")
    with pytest.raises(AlreadyAnswered, match="Already answered"):
        attestation_decide(
            attestation=current(activity), by=team["second"], decision="disputed", comment="No"
        )
    assert current(activity).decided_by == team["contact"]


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_answers_at_once_one_wins(team):
    """Two connections answer the same activity at the same moment: one wins, the other is told."""
    activity = log(team["project"], team["staff"])
    attestation = current(activity)
    barrier = threading.Barrier(2)
    outcomes = {}

    def answer(user, decision):
        try:
            barrier.wait()
            attestation_decide(attestation=attestation, by=user, decision=decision, comment="Not like this")
            outcomes[user.username] = "won"
        except AlreadyAnswered as exc:
            outcomes[user.username] = exc.messages[0]
        finally:
            connection.close()

    threads = [
        threading.Thread(target=answer, args=(team["contact"], "confirmed")),
        threading.Thread(target=answer, args=(team["second"], "disputed")),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes.values(), key=lambda v: v != "won")[0] == "won"
    loser = [v for v in outcomes.values() if v != "won"]
    assert len(loser) == 1
    assert loser[0].startswith("Already answered")
    attestation.refresh_from_db()
    assert attestation.status in ("confirmed", "disputed")
    assert attestation.history.filter(status__in=["confirmed", "disputed"]).count() == 1


def test_signed_link_confirms_once_without_sign_in(client, team):
    activity = log(team["project"], team["staff"])
    attestation = current(activity)
    token = attestation_token(
        attestation_id=attestation.pk, user_id=team["contact"].pk, version=attestation.version
    )
    url = reverse("accountability:attest_link", args=[token])
    page = client.get(url)
    assert page.status_code == 200
    assert activity.summary in page.content.decode()
    response = client.post(url, {"decision": "confirmed"})
    assert response.status_code == 200
    assert "Your answer is recorded" in response.content.decode()
    attestation.refresh_from_db()
    assert (attestation.status, attestation.decided_by) == ("confirmed", team["contact"])
    again = client.post(url, {"decision": "disputed", "comment": "changed my mind"})
    assert again.status_code == 410
    attestation.refresh_from_db()
    assert attestation.status == "confirmed"


def test_tampered_or_expired_link_is_refused(client, team, settings, monkeypatch):
    activity = log(team["project"], team["staff"])
    attestation = current(activity)
    token = attestation_token(
        attestation_id=attestation.pk, user_id=team["contact"].pk, version=attestation.version
    )
    forged = token[:-3] + ("aaa" if not token.endswith("aaa") else "bbb")
    response = client.post(reverse("accountability:attest_link", args=[forged]), {"decision": "confirmed"})
    assert response.status_code == 400
    assert "not valid" in response.content.decode()
    monkeypatch.setattr("accountability.tokens.LINK_MAX_AGE", -1)
    response = client.post(reverse("accountability:attest_link", args=[token]), {"decision": "confirmed"})
    assert response.status_code == 400
    assert "expired" in response.content.decode()
    assert current(activity).status == Decision.PENDING


def test_link_of_someone_no_longer_a_counterpart_changes_nothing(client, team):
    activity = log(team["project"], team["staff"])
    attestation = current(activity)
    token = attestation_token(
        attestation_id=attestation.pk, user_id=team["lead"].pk, version=attestation.version
    )
    response = client.post(reverse("accountability:attest_link", args=[token]), {"decision": "confirmed"})
    assert "do not confirm" in response.content.decode()
    assert current(activity).status == Decision.PENDING


def test_dispute_in_the_portal_is_flagged_to_author_and_on_project_page(
    client, team, django_capture_on_commit_callbacks
):
    activity = log(team["project"], team["staff"])
    client.force_login(team["contact"])
    page = client.get(reverse("projects:activity_detail", args=[activity.pk]))
    assert "Send my answer" in page.content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("accountability:attestation_answer", args=[current(activity).pk]),
            {"decision": "disputed", "comment": "We met for one hour, not 2.5."},
        )
    assert response.status_code == 302
    assert current(activity).status == Decision.DISPUTED
    mails = [m for m in send_due() if m.subject.startswith("Disputed")]
    assert [recipient(m) for m in mails] == [team["staff"].email]
    assert "We met for one hour" in mails[0].body
    client.force_login(team["lead"])
    project_page = client.get(reverse("projects:detail", args=[team["project"].pk])).content.decode()
    assert "Disputed activities" in project_page
    assert "We met for one hour" in project_page
    inbox = client.get(reverse("accountability:inbox"))
    assert inbox.status_code == 200


def test_portal_answer_with_bad_input_changes_nothing(client, team):
    activity = log(team["project"], team["staff"])
    client.force_login(team["contact"])
    url = reverse("accountability:attestation_answer", args=[current(activity).pk])
    client.post(url, {"decision": "maybe"})
    client.post(url, {"decision": "disputed", "comment": ""})
    assert current(activity).status == Decision.PENDING


def test_other_state_gets_404(client, team, ny_staff):
    activity = log(team["project"], team["staff"])
    client.force_login(ny_staff)
    url = reverse("accountability:attestation_answer", args=[current(activity).pk])
    assert client.post(url, {"decision": "confirmed"}).status_code == 404
    assert current(activity).status == Decision.PENDING


def test_reminders_after_seven_days_once(team, django_capture_on_commit_callbacks):
    import datetime

    from django.utils import timezone

    activity = log(team["project"], team["staff"])
    send_due()
    attestation = current(activity)
    assert attestation_reminders_send() == 0
    Attestation.objects.filter(pk=attestation.pk).update(
        requested_at=timezone.now() - datetime.timedelta(days=8)
    )
    assert attestation_reminders_send() == 2
    assert attestation_reminders_send() == 0
    reminders = [m for m in send_due() if m.subject.startswith("Reminder")]
    assert len(reminders) == 2


def test_opted_out_contact_gets_no_notice(team, django_capture_on_commit_callbacks):
    from stakeholders.models import CommunicationPreference
    from tests.stakeholders.factories import StakeholderFactory

    person = StakeholderFactory(sea=team["project"].sea, user=team["second"], email=team["second"].email)
    CommunicationPreference.objects.create(stakeholder=person, category="project_update", delivery="none")
    with django_capture_on_commit_callbacks(execute=True):
        log(team["project"], team["staff"])
    assert [recipient(m) for m in send_due()] == [team["contact"].email]


def test_seed_demo_fills_last_fiscal_year(client, monkeypatch, db):
    from django.core.management import call_command

    from accountability.models import PerformanceMeasure, SurveyResponse
    from accounts.models import User

    monkeypatch.setenv("DEMO_PASSWORD", "demo-pass-123")
    call_command("seed_demo", stdout=None)
    assert Attestation.objects.filter(status="confirmed").exists()
    assert Attestation.objects.filter(status="disputed").exists()
    assert SurveyResponse.objects.exists()
    assert PerformanceMeasure.objects.filter(explanations__isnull=False).exists()
    client.force_login(User.objects.get(username="facilitator"))
    page = client.get(reverse("accountability:report")).content.decode()
    assert "Hours of technical assistance" in page
    assert "Below target" in page
