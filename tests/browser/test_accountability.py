"""The journeys of the accountability feature, in a real browser with axe-core:
a Connecticut SEA contact confirms an activity from the link in a mail (without signing in), and
attests the month's service statement from its mail while an altered link is refused; and a
facilitator opens last fiscal year's report, follows a number to its records and downloads the
workbook."""

import datetime
import io
import re
from decimal import Decimal
from urllib.parse import urlsplit

import pytest
from openpyxl import load_workbook

from accountability.models import (
    Attestation,
    Decision,
    MeasureTarget,
    PerformanceMeasure,
    ServiceStatement,
)
from accountability.report import Period
from tests.accountability.conftest import log, team  # noqa: F401  (the fixture)
from tests.browser_support import open_menu
from tests.meetings.helpers import recipient, send_due

# serialized_rollback keeps the reference data of the data migrations (roles, conditions).
pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def test_ct_contact_confirms_an_activity_from_the_mail(page, team, assert_accessible, screenshot):  # noqa: F811
    # Logged by center staff: committed, so the request goes to the SEA contacts' outbox.
    activity = log(team["project"], team["staff"], summary="Coached two pilot districts on hiring.")
    attestation = Attestation.objects.get(activity=activity, is_current=True)
    mails = [m for m in send_due() if recipient(m) == team["contact"].email]
    assert len(mails) == 1
    assert "Please confirm" in mails[0].subject
    link = re.search(r"https?://\S+/accountability/confirm/link/\S+/", mails[0].body).group(0)
    page.goto(urlsplit(link).path)
    assert page.get_by_role("heading", level=1).inner_text().startswith("Confirm an activity")
    assert page.get_by_text("Coached two pilot districts on hiring.").is_visible()
    assert_accessible(page)
    screenshot(page, "accountability-confirm-link")
    page.get_by_label("Confirm: this took place as recorded").check()
    page.get_by_role("button", name="Send my answer").click()
    assert page.locator(".alert-success").inner_text().startswith("Thank you")
    screenshot(page, "accountability-confirmed")
    attestation.refresh_from_db()
    assert (attestation.status, attestation.decided_by) == (Decision.CONFIRMED, team["contact"])
    page.goto(urlsplit(link).path)  # the link works once
    assert "already answered" in page.locator(".alert-danger").inner_text()


def tampered(token: str) -> str:
    """The token with one character of its signature changed."""
    last = token[-1]
    return token[:-1] + ("A" if last != "A" else "B")


def test_ct_contact_attests_the_monthly_statement_from_the_mail(page, team, assert_accessible, screenshot):  # noqa: F811
    from accountability.services.statements import statement_prepare

    month = datetime.date(2026, 11, 1)
    log(team["project"], team["staff"], date=datetime.date(2026, 11, 3), hours=Decimal("2.5"))
    log(team["project"], team["staff"], date=datetime.date(2026, 11, 17), hours=Decimal("4"))
    send_due()  # the activities' own confirmation requests
    statement = statement_prepare(project=team["project"], month=month)
    mails = [m for m in send_due() if recipient(m) == team["contact"].email]
    assert [m.subject for m in mails] == [
        f"Please confirm the November 2026 services of {team['project'].title}"
    ]
    link = re.search(r"https?://\S+/accountability/statements/link/\S+/", mails[0].body).group(0)
    path = urlsplit(link).path
    token = path.rstrip("/").rsplit("/", 1)[1]

    # An altered link is refused and changes nothing.
    page.goto(path.replace(token, tampered(token)))
    assert page.get_by_role("heading", level=1).inner_text() == "This link cannot be used"
    assert "not valid" in page.locator(".alert-danger").inner_text()
    assert page.get_by_role("button", name="Send my answer").count() == 0
    assert_accessible(page)
    screenshot(page, "accountability-statement-tampered")
    statement.refresh_from_db()
    assert statement.status == Decision.PENDING

    page.goto(path)
    heading = page.get_by_role("heading", level=1).inner_text()
    assert heading == f"{team['project'].title}: services of November 2026"
    assert page.locator("p.lead").inner_text().startswith("2 activities, 6.50 hours")
    assert_accessible(page)
    screenshot(page, "accountability-statement-link")
    page.get_by_label("Confirm the statement").check()
    page.get_by_role("button", name="Send my answer").click()
    assert page.locator(".alert-success").inner_text() == (
        "CSDE confirms the November 2026 services: 2 activities, 6.5 hours, 0 products delivered."
    )
    screenshot(page, "accountability-statement-confirmed")
    statement = ServiceStatement.objects.get(pk=statement.pk)
    assert (statement.status, statement.decided_by) == (Decision.CONFIRMED, team["contact"])
    page.goto(path)  # the link works once
    assert "already answered" in page.locator(".alert-danger").inner_text()


def test_facilitator_follows_a_number_and_downloads_the_workbook(
    page,
    team,  # noqa: F811
    sign_in,
    assert_accessible,
    screenshot,
):
    period = Period.last_fiscal_year()
    project = team["project"]
    for offset, kind in ((20, "coaching"), (80, "training"), (140, "coaching")):
        log(project, team["staff"], date=period.start + datetime.timedelta(days=offset), type=kind)
    log(project, team["staff"], date=period.start - datetime.timedelta(days=3))  # the year before
    measure = PerformanceMeasure.objects.create(
        name="Hours of technical assistance", definition="Hours of all activities.", counts="hours"
    )
    MeasureTarget.objects.create(
        measure=measure, period_start=period.start, period_end=period.end, target=Decimal(10)
    )
    sign_in(team["lead"])
    open_menu(page, "Work")
    page.get_by_role("link", name="Annual report").click()
    assert f"Fiscal year {period.end.year}" in page.locator("p.lead").inner_text()
    assert_accessible(page)
    screenshot(page, "accountability-report")
    # The CSDE total of activities in the services table: 3 in the fiscal year.
    services = page.locator("section", has=page.get_by_role("heading", name="Services by state and type"))
    total_row = services.locator("tr", has_text="CSDE total")
    total_row.get_by_role("link").first.click()
    page.wait_for_url(re.compile(r"/projects/activities/\?"))
    assert "3 activities" in page.locator("main").inner_text()
    screenshot(page, "accountability-report-records")
    page.go_back()
    with page.expect_download() as download:
        page.get_by_role("link", name="Download the workbook (XLSX)").click()
    workbook = load_workbook(io.BytesIO(open(download.value.path(), "rb").read()))  # noqa: SIM115
    assert workbook.sheetnames[0] == "Project status chart"
    rows = [[cell.value for cell in row] for row in workbook["Project status chart"].iter_rows()]
    assert rows[2][0] == "Hours of technical assistance"
    assert rows[2][4] == 7.5


def test_new_pages_pass_axe(page, team, sign_in, assert_accessible, screenshot):  # noqa: F811
    from accountability.models import SurveyInvitation
    from accountability.services.statements import statement_prepare
    from accountability.tokens import statement_token, survey_token
    from tests.stakeholders.factories import StakeholderFactory

    period = Period.last_fiscal_year()
    person = StakeholderFactory(sea=team["project"].sea)
    activity = log(
        team["project"], team["staff"], date=period.start + datetime.timedelta(days=5), participants=[person]
    )
    statement = statement_prepare(project=team["project"], month=period.start, notify=False)
    invitation = SurveyInvitation.objects.create(
        stakeholder=person,
        activity=activity,
        project=team["project"],
        activity_type="coaching",
        sent_at=activity.created_at,
    )
    page.goto(
        "/accountability/survey/" + survey_token(invitation_id=invitation.pk, stakeholder_id=person.pk) + "/"
    )
    assert_accessible(page)
    screenshot(page, "accountability-survey")
    for radio in page.get_by_role("radio", name="4", exact=True).all():
        radio.check()
    page.get_by_role("button", name=re.compile("Send")).click()
    assert page.locator(".alert-success").count() == 1
    page.goto(
        "/accountability/statements/link/"
        + statement_token(statement_id=statement.pk, user_id=team["contact"].pk)
        + "/"
    )
    assert_accessible(page)
    sign_in(team["contact"])
    for path, name in (
        ("/accountability/confirm/", "inbox"),
        (f"/projects/activities/{activity.pk}/", "activity-panel"),
        ("/accountability/attestation/", "dashboard"),
        (
            f"/accountability/report/records/?kind=attestations&date_from={period.start}&date_to={period.end}",
            "records",
        ),
        (f"/accountability/report/print/?date_from={period.start}&date_to={period.end}", "print"),
        (
            f"/accountability/surveys/results/?group=activity_type&date_from={period.start}"
            f"&date_to={invitation.sent_at.date() + datetime.timedelta(days=1)}",
            "survey-results",
        ),
        (
            f"/accountability/report/records/?kind=invitations&dates=sent&date_from={period.start}"
            f"&date_to={period.end}",
            "survey-invitations",
        ),
        ("/projects/states/CT/", "state-dashboard"),
    ):
        page.goto(path)
        assert_accessible(page)
        screenshot(page, f"accountability-{name}")
