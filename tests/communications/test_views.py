import csv
import io
from email.utils import parseaddr

import pytest
from django.core import mail
from django.urls import reverse

from communications import sending, services
from communications.models import Communication, Delivery, Schedule
from communications.rendering import preferences_token, unsubscribe_token
from stakeholders.models import CommunicationPreference, Stakeholder
from tests.accounts.factories import UserFactory
from tests.communications.factories import compose
from tests.projects.query_budget import assert_page_queries
from tests.stakeholders.factories import (
    AdvisoryBodyFactory,
    MembershipFactory,
    OrganizationFactory,
    StakeholderFactory,
)

pytestmark = pytest.mark.django_db


def login(client, user):
    client.force_login(user)
    return client


@pytest.fixture
def ct_comm(ct_staff, ct):
    StakeholderFactory.create_batch(3, sea=ct)
    return compose(ct_staff, audience={"seas": [ct.pk]})


def test_list_allowed_other_state_and_anonymous(client, ct_staff, ny_staff, ct_comm):
    url = reverse("communications:list")
    assert client.get(url).status_code == 302
    assert ct_comm.subject in login(client, ct_staff).get(url).content.decode()
    assert ct_comm.subject not in login(client, ny_staff).get(url).content.decode()


def test_users_without_a_role_get_404(client, ct_comm):
    nobody = UserFactory()
    login(client, nobody)
    assert client.get(reverse("communications:list")).status_code == 404
    assert client.get(reverse("communications:detail", args=[ct_comm.pk])).status_code == 404


def test_detail_404_for_another_state(client, ny_staff, facilitator, ct_comm):
    url = reverse("communications:detail", args=[ct_comm.pk])
    assert login(client, ny_staff).get(url).status_code == 404
    assert (
        client.post(reverse("communications:schedule", args=[ct_comm.pk]), {"mode": "now"}).status_code == 404
    )
    assert client.post(reverse("communications:cancel", args=[ct_comm.pk])).status_code == 404
    assert client.get(reverse("communications:report", args=[ct_comm.pk])).status_code == 404
    assert login(client, facilitator).get(url).status_code == 200


def test_detail_previews_count_first_names_and_rendering(client, ct_staff, ct, ct_comm):
    person = ct_comm.audience and StakeholderFactory(sea=ct, first_name="Zelda")
    response = login(client, ct_staff).get(
        reverse("communications:detail", args=[ct_comm.pk]), {"recipient": person.pk}
    )
    body = response.content.decode()
    assert "<strong>4</strong> people would receive it now" in body
    assert "Zelda" in body
    names = client.get(reverse("communications:detail", args=[ct_comm.pk])).context["preview"].first_names
    assert len(names) == 4
    assert "Zelda" in names
    assert "Project update for Zelda" in body


def test_compose_by_post(client, facilitator, ct):
    StakeholderFactory(sea=ct, email="someone@example.org")
    response = login(client, facilitator).post(
        reverse("communications:create"),
        {
            "subject": "Hello",
            "body": "Hi {{ first_name }}",
            "category": "newsletter",
            "include": "Someone@example.org",
        },
    )
    communication = Communication.objects.get()
    assert response.status_code == 302
    assert communication.audience["include"]
    assert communication.scope_sea is None


@pytest.mark.parametrize(
    "tampered",
    [
        lambda ny, _other: {"seas": [ny.pk]},
        lambda _ny, other: {"include": other.email},
        lambda _ny, other: {"exclude": other.email},
    ],
)
def test_sea_staff_tampered_post_is_refused(client, ct_staff, ct, ny, tampered):
    other = StakeholderFactory(sea=ny)
    data = {"subject": "Hello", "body": "Hi", "category": "newsletter", "seas": [ct.pk]}
    data.update(tampered(ny, other))
    response = login(client, ct_staff).post(reverse("communications:create"), data)
    assert response.status_code == 200
    assert not Communication.objects.exists()


def test_sea_staff_shared_rules_reach_only_their_state(ct_staff, ny_staff, ct, ny):
    """Bodies, partner centers and organization kinds span states; SEA staff reach only their own."""
    body = AdvisoryBodyFactory()
    org = OrganizationFactory()
    ct_member = MembershipFactory(body=body, stakeholder=StakeholderFactory(sea=ct)).stakeholder
    ny_member = MembershipFactory(body=body, stakeholder=StakeholderFactory(sea=ny)).stakeholder
    ct_org = StakeholderFactory(sea=ct, organization=org)
    ny_org = StakeholderFactory(sea=ny, organization=org)
    regional = StakeholderFactory(sea=None, organization=org)
    for staff in (ct_staff, ny_staff):
        communication = compose(staff, audience={"bodies": [body.pk], "organization_kinds": [org.kind]})
        services.communication_schedule(communication=communication)
    sending.communications_tick()
    while sending.deliveries_send_batch():
        pass
    sent_to = {
        (d.communication.author_id, d.stakeholder_id)
        for d in Delivery.objects.select_related("communication")
    }
    assert sent_to == {
        (ct_staff.pk, ct_member.pk),
        (ct_staff.pk, ct_org.pk),
        (ny_staff.pk, ny_member.pk),
        (ny_staff.pk, ny_org.pk),
    }
    assert regional.pk not in {s for _, s in sent_to}


def test_schedule_refuses_audience_much_larger_than_preview(client, facilitator, ct, ct_comm):
    StakeholderFactory.create_batch(20, sea=ct)  # joined after the sender saw a preview of 3
    response = login(client, facilitator).post(
        reverse("communications:schedule", args=[ct_comm.pk]), {"mode": "now", "expected_count": 3}
    )
    assert response.status_code == 400
    assert "much more than the 3 previewed" in response.content.decode()
    assert not Schedule.objects.exists()
    response = client.post(
        reverse("communications:schedule", args=[ct_comm.pk]), {"mode": "now", "expected_count": 23}
    )
    assert response.status_code == 302
    assert Schedule.objects.count() == 1


def test_schedule_refuses_empty_audience(client, facilitator, ct):
    empty = compose(facilitator, audience={"seas": [ct.pk]})  # nobody in CT
    response = login(client, facilitator).post(
        reverse("communications:schedule", args=[empty.pk]), {"mode": "now", "expected_count": 0}
    )
    assert response.status_code == 400
    assert "Nobody is in this audience" in response.content.decode()
    assert not Schedule.objects.exists()


def test_schedule_recurring_by_post(client, facilitator, ct_comm):
    response = login(client, facilitator).post(
        reverse("communications:schedule", args=[ct_comm.pk]),
        {
            "mode": "recurring",
            "date": "2031-01-06",
            "time": "09:00",
            "frequency": "weekly",
            "interval": 1,
            "weekdays": ["0", "2"],
            "count": 5,
            "expected_count": 3,
        },
    )
    assert response.status_code == 302
    schedule = Schedule.objects.get()
    assert schedule.weekdays == [0, 2]
    assert schedule.next_run_at.isoformat() == "2031-01-06T14:00:00+00:00"


def test_pause_resume_and_cancel(client, facilitator, ct_comm):
    schedule = services.communication_schedule(
        communication=ct_comm,
        send_at=__import__("datetime").datetime(2031, 1, 6, 9, 0),
        recurrence={"frequency": "daily", "count": 3},
    )
    login(client, facilitator)
    client.post(reverse("communications:schedule_pause", args=[schedule.pk]))
    schedule.refresh_from_db()
    assert schedule.status == Schedule.Status.PAUSED
    client.post(reverse("communications:schedule_pause", args=[schedule.pk]), {"action": "resume"})
    schedule.refresh_from_db()
    assert schedule.status == Schedule.Status.ACTIVE
    client.post(reverse("communications:cancel", args=[ct_comm.pk]), {"reason": "Duplicate"})
    schedule.refresh_from_db()
    ct_comm.refresh_from_db()
    assert schedule.status == Schedule.Status.CANCELLED
    assert ct_comm.is_cancelled


def _drain():
    sending.communications_tick()
    while sending.deliveries_send_batch():
        pass


def test_send_test_goes_through_the_outbox_to_the_user_only(client, facilitator, ct_comm, ct):
    facilitator.email = "me@r2cc.example.org"
    facilitator.save()
    shown_for = Stakeholder.objects.filter(sea=ct).order_by("pk").last()
    # The previewed person opted out of the category: a test to the sender is not theirs to stop.
    services.stakeholder_unsubscribe(stakeholder=shown_for, category=ct_comm.category)
    response = login(client, facilitator).post(
        reverse("communications:send_test", args=[ct_comm.pk]), {"recipient": shown_for.pk}, follow=True
    )
    assert "Test queued for me@r2cc.example.org" in response.content.decode()
    assert mail.outbox == []  # nothing leaves from the web process
    [test] = Delivery.objects.all()
    assert (test.user, test.stakeholder, test.email, test.status) == (
        facilitator,
        shown_for,
        "me@r2cc.example.org",
        Delivery.Status.PENDING,
    )
    _drain()
    [message] = mail.outbox
    assert [parseaddr(a)[1] for a in message.to] == ["me@r2cc.example.org"]
    assert message.subject == f"[Test] Project update for {shown_for.first_name}"
    test.refresh_from_db()
    assert test.status == Delivery.Status.SENT
    # Not part of the campaign: its report, list counts, occurrences and status ignore it.
    ct_comm.refresh_from_db()
    assert ct_comm.status == Communication.Status.DRAFT
    report = login(client, facilitator).get(reverse("communications:report", args=[ct_comm.pk]))
    assert report.context["counts"][Delivery.Status.SENT] == 0
    assert list(report.context["object_list"]) == []
    detail = client.get(reverse("communications:detail", args=[ct_comm.pk]))
    assert list(detail.context["occurrences"]) == []
    assert [d.status for d in detail.context["test_sends"]] == [Delivery.Status.SENT]
    listing = client.get(reverse("communications:list"))
    [row] = [c for c in listing.context["object_list"] if c.pk == ct_comm.pk]
    assert (row.sent, row.failed, row.waiting) == (0, 0, 0)
    assert shown_for.deliveries.to_stakeholders().count() == 0


def test_send_test_refused_without_an_address_and_queues_nothing(client, facilitator, ct_comm):
    facilitator.email = ""
    facilitator.save()
    response = login(client, facilitator).post(
        reverse("communications:send_test", args=[ct_comm.pk]), follow=True
    )
    assert "no e-mail address" in response.content.decode()
    assert not Delivery.objects.exists()


def _sent(communication):
    services.communication_schedule(communication=communication)
    sending.communications_tick()
    while sending.deliveries_send_batch():
        pass


def test_report_csv_retry_and_bounce(client, facilitator, ct_comm):
    _sent(ct_comm)
    failed = Delivery.objects.order_by("pk").first()
    Delivery.objects.filter(pk=failed.pk).update(status="failed", last_error="550 No such user")
    login(client, facilitator)
    page = client.get(reverse("communications:report", args=[ct_comm.pk])).content.decode()
    assert "550 No such user" in page
    response = client.get(reverse("communications:report", args=[ct_comm.pk]), {"format": "csv"})
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig"))))
    assert rows[0][:5] == ["occurrence", "first name", "last name", "e-mail", "status"]
    assert sorted(r[4] for r in rows[1:]) == ["failed", "sent", "sent"]
    client.post(reverse("communications:delivery_bounce", args=[failed.pk]))
    failed.stakeholder.refresh_from_db()
    assert failed.stakeholder.email_bounced_at is not None
    Delivery.objects.filter(pk=failed.pk).update(status="failed")
    client.post(reverse("communications:retry_failed", args=[ct_comm.pk]))
    assert Delivery.objects.get(pk=failed.pk).status == "pending"


def test_report_query_count_does_not_grow(client, facilitator, ct, django_assert_max_num_queries):
    login(client, facilitator)
    for n in (3, 30):
        StakeholderFactory.create_batch(n, sea=ct)
        communication = compose(facilitator, audience={"seas": [ct.pk]})
        _sent(communication)
        with django_assert_max_num_queries(15):
            assert client.get(reverse("communications:report", args=[communication.pk])).status_code == 200
        with django_assert_max_num_queries(15):
            assert client.get(reverse("communications:list")).status_code == 200


def test_unsubscribe_needs_no_login_and_is_one_click(client, ct):
    person = StakeholderFactory(sea=ct)
    url = reverse("communications:unsubscribe", args=[unsubscribe_token(person.pk, "newsletter")])
    assert "Stop receiving newsletter" in client.get(url).content.decode()
    assert not CommunicationPreference.objects.exists()
    # RFC 8058: the mail provider POSTs this body, without cookies or CSRF token.
    csrf_client = client.__class__(enforce_csrf_checks=True)
    response = csrf_client.post(
        url, "List-Unsubscribe=One-Click", content_type="application/x-www-form-urlencoded"
    )
    assert response.status_code == 200
    assert CommunicationPreference.objects.get(stakeholder=person, category="newsletter").delivery == "none"


def test_unsubscribe_rejects_a_forged_token(client, ct):
    person = StakeholderFactory(sea=ct)
    token = unsubscribe_token(person.pk, "newsletter")
    assert client.get(reverse("communications:unsubscribe", args=[token[:-2] + "xx"])).status_code == 404
    assert client.post(reverse("communications:unsubscribe", args=["forged"])).status_code == 404


def test_preferences_page(client, ct):
    person = StakeholderFactory(sea=ct)
    url = reverse("communications:preferences", args=[preferences_token(person.pk)])
    assert client.get(url).status_code == 200
    data = {
        category: "immediate" for category, _ in CommunicationPreference._meta.get_field("category").choices
    }
    data["newsletter"] = "weekly"
    data["meeting"] = "none"
    assert client.post(url, data).status_code == 302
    choices = dict(person.preferences.values_list("category", "delivery"))
    assert choices["newsletter"] == "weekly"
    assert choices["meeting"] == "none"


def test_messages_carry_unsubscribe_headers_and_links(facilitator, ct_comm):
    _sent(ct_comm)
    message = mail.outbox[0]
    link = message.extra_headers["List-Unsubscribe"].strip("<>")
    assert "/communications/u/" in link
    assert link in message.body
    assert "/communications/preferences/" in message.body


def test_stakeholder_page_shows_the_log(client, facilitator, ct_staff, ny_staff, ct_comm):
    _sent(ct_comm)
    person = Delivery.objects.first().stakeholder
    url = reverse("stakeholders:stakeholder_detail", args=[person.pk])
    page = login(client, ct_staff).get(url).content.decode()
    assert "Messages from the center" in page
    assert ct_comm.subject.replace("{{ first_name }}", "") in page or "Project update for" in page
    assert login(client, ny_staff).get(url).status_code == 404


def test_cadence_page_and_overdue(client, facilitator, ct):
    from tests.projects.factories import ProjectFactory

    project = ProjectFactory(sea=ct)
    people = StakeholderFactory.create_batch(2, sea=ct)
    project.stakeholders.set(people)
    login(client, facilitator)
    client.post(reverse("communications:cadence_set", args=[project.pk]), {"expected_days": 7})
    page = client.get(reverse("communications:cadence")).content.decode()
    assert "Overdue" in page
    communication = compose(facilitator, audience={"projects": [project.pk]}, project=project)
    _sent(communication)
    page = client.get(reverse("communications:cadence")).content.decode()
    assert "On time" in page
    assert "State agency:" in page


def test_a_bounce_cannot_be_recorded_on_a_delivery_to_a_portal_user(client, facilitator, ct_comm, ct):
    shown_for = Stakeholder.objects.filter(sea=ct).first()
    test = services.communication_send_test(communication=ct_comm, recipient=shown_for, by=facilitator)
    response = login(client, facilitator).post(reverse("communications:delivery_bounce", args=[test.pk]))
    assert response.status_code == 404
    shown_for.refresh_from_db()
    assert shown_for.email_bounced_at is None


def test_list_counts_deliveries_of_the_page_only(client, facilitator, ct, django_assert_max_num_queries):
    """The list's statements are the same for one message as for more than a page of them, and
    the delivery counts are grouped over the rows shown, not over every message."""
    login(client, facilitator)
    StakeholderFactory.create_batch(2, sea=ct)
    first = compose(facilitator, audience={"seas": [ct.pk]})
    _sent(first)
    url = reverse("communications:list")
    small = assert_page_queries(client, url, django_assert_max_num_queries)
    for _ in range(55):
        compose(facilitator, audience={"seas": [ct.pk]})
    Delivery.objects.filter(communication=first).update(status="failed")
    large = assert_page_queries(client, url, django_assert_max_num_queries)
    assert len(large.statements) == len(small.statements)
    [grouped] = [
        sql for sql in large.statements if 'FROM "communications_delivery"' in sql and "GROUP BY" in sql
    ]
    assert '"communication_id" IN' in grouped
    assert len(large.context["object_list"]) == 50
    # The first message is on the second page, with its counts and status.
    second = client.get(url, {"page": 2})
    [row] = [c for c in second.context["object_list"] if c.pk == first.pk]
    assert (row.sent, row.failed, row.waiting) == (0, 2, 0)
    assert row.progress.label == "Failed"
    assert "0 sent, 2 failed" in row.progress.detail
