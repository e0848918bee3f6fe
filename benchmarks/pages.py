"""Server time of every page of the browser portal on the seed_scale data set.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/r2cc_scale \\
        .venv/bin/python benchmarks/pages.py [--runs 30] [--warmup 3] [--only home,network]

    # as served: production settings, sessions and cache in Redis
    DATABASE_URL=... DJANGO_SETTINGS_MODULE=r2cc_portal.settings.production SECRET_KEY=... \\
        REDIS_URL=redis://127.0.0.1:6379/7 .venv/bin/python benchmarks/pages.py

Renders every page a user opens (lists, detail pages, forms, downloads, the pickers) and every
list of the v1 API in-process with Django's test client (middleware, session, templates
included; no network) for a facilitator (the whole portfolio) and for SEA staff of the state with
the most projects, then the pages people open from signed e-mail links (no account), `--runs`
times after `--warmup` untimed runs, and prints per page: median and
p95 server time, the median CPU time of the web process, the number of SQL statements, the floor
(the page's own SELECT statements, captured once and re-run alone on a raw cursor after each
run of the page, so that both meet the same load of the moment) and the ratio page / floor.
Output is flushed line by line.

The two benchmark accounts (bench.facilitator, bench.sea) are created when missing, and put on the
team of the state's busiest projects (center lead; SEA contact), so that their confirmation inbox
has what it has in real use. A page a role may not open (it answers 403 or 404 for SEA staff while
the facilitator opens it) is listed as "not for this role". The hours rollup is rebuilt first when
it has never been built (seed_scale loads rows with COPY, which the incremental refresh cannot
see), and the services rollup of the annual report is refreshed; those times are printed too.
Targets: p95 <= 300 ms, at most 15 SQL statements, ratio <= 2 (dashboards), HTML <= 150 KB.

`--list-missing` prints the URL names of the portal (every app's urls.py and the API router) that
no benchmarked page uses, and exits.
"""

import argparse
import gc
import os
import statistics
import sys
import time
import traceback
from dataclasses import dataclass
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "r2cc_portal.settings.development")
os.environ.setdefault("DEBUG", "false")
os.environ.setdefault("ALLOWED_HOSTS", "testserver,127.0.0.1,localhost")
# With production settings (sessions and cache in Redis, as served): the test client speaks plain
# HTTP, and the pages name static files without a collected manifest.
os.environ.setdefault("SECURE_SSL_REDIRECT", "false")
os.environ.setdefault("STATICFILES_BACKEND", "django.contrib.staticfiles.storage.StaticFilesStorage")
# The benchmark times the API lists, not its throttle (which still runs, at a higher rate).
os.environ.setdefault("API_THROTTLE_USER", "1000000/minute")

import django  # noqa: E402

django.setup()
gc.freeze()  # as r2cc_portal/wsgi.py does once Django is loaded

from django.contrib.auth.models import Group  # noqa: E402
from django.db import connection  # noqa: E402
from django.db.migrations.executor import MigrationExecutor  # noqa: E402
from django.db.models import Count, Sum  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.urls import NoReverseMatch, URLPattern, URLResolver, get_resolver, resolve, reverse  # noqa: E402
from django.utils import timezone  # noqa: E402

from accountability.models import Attestation, ServiceStatement, SurveyInvitation  # noqa: E402
from accountability.report import TABLES as REPORT_TABLES  # noqa: E402
from accountability.report import Period  # noqa: E402
from accountability.rollup import service_month_refresh  # noqa: E402
from accountability.tokens import attestation_token, statement_token, survey_token  # noqa: E402
from accounts.models import Role, User  # noqa: E402
from api.urls import router  # noqa: E402
from communications.models import Communication  # noqa: E402
from communications.rendering import preferences_token, unsubscribe_token  # noqa: E402
from core.keyset import encode_cursor  # noqa: E402
from intake.models import TARequest  # noqa: E402
from meetings.models import ActionItem, AgendaItem, CalendarFeed, Meeting, Participant  # noqa: E402
from meetings.tokens import feedback_token, rsvp_token  # noqa: E402
from projects.models import (  # noqa: E402
    Activity,
    ActivityMonth,
    Goal,
    Indicator,
    Product,
    Project,
    ProjectMember,
    RollupWatermark,
)
from projects.services.rollups import WATERMARK, activity_month_refresh  # noqa: E402
from stakeholders.models import SEA, AdvisoryBody, Membership, Stakeholder  # noqa: E402

TARGET_P95_MS = 300
TARGET_HTML_BYTES = 150_000
TARGET_STATEMENTS = 15  # the page budget of tests/projects/query_budget.py
SIZES: dict[str, int] = {}
TARGET_RATIO = 2
DASHBOARDS = {"home", "state dashboard"}
# Every list of the v1 API (the router's), timed at its first page.
API_LISTS = [prefix for prefix, _viewset, _basename in router.registry]
# The pages a role may not open answer 403 or 404 (a page that is not there for them).
NOT_FOR_ROLE = {403, 404}


class NotForRole(Exception):
    """The page answered 403 or 404 for this account."""


def account(username: str, role: Role, sea=None) -> User:
    user, _ = User.objects.get_or_create(username=username, defaults={"sea": sea, "is_active": True})
    if sea is not None and user.sea_id != sea.pk:
        user.sea = sea
        user.save(update_fields=["sea"])
    user.groups.add(Group.objects.get(name=role.value))
    return user


def url_or_none(name: str, *args, query: str = "") -> str | None:
    try:
        return reverse(name, args=args) + query
    except NoReverseMatch:
        return None


@dataclass
class Picks:
    """The records the detail pages and forms open: the state's busiest, fullest ones."""

    sea: SEA
    project: Project
    indicator: Indicator | None
    activity: Activity | None
    person: Stakeholder | None
    period: tuple[date, date]
    ta_request: object = None
    goal: Goal | None = None
    product: Product | None = None
    body: AdvisoryBody | None = None
    meeting: object = None
    upcoming: object = None
    agenda_item: object = None
    action_item: object = None
    communication: object = None
    draft: object = None


def pick(sea: SEA, project: Project, indicator, activity, person) -> Picks:
    now = timezone.now()
    period = Period.last_fiscal_year()
    picks = Picks(sea, project, indicator, activity, person, (period.start, period.end))
    picks.ta_request = TARequest.objects.filter(sea=sea).order_by("-submitted_at", "-pk").first()
    picks.goal = (
        Goal.objects.filter(project=project).annotate(n=Count("objectives")).order_by("-n", "number").first()
    )
    picks.product = (
        Product.objects.filter(project__sea=sea).annotate(n=Count("adoptions")).order_by("-n", "pk").first()
    )
    picks.body = (
        AdvisoryBody.objects.filter(memberships__represents_sea=sea)
        .annotate(n=Count("meetings", distinct=True))
        .order_by("-n", "pk")
        .first()
    ) or AdvisoryBody.objects.order_by("pk").first()
    meetings = Meeting.objects.filter(body=picks.body, status=Meeting.Status.SCHEDULED)
    picks.meeting = meetings.filter(minutes__isnull=False).order_by("-starts_at").first() or meetings.first()
    picks.upcoming = meetings.filter(starts_at__gt=now).order_by("starts_at").first()
    picks.agenda_item = AgendaItem.objects.filter(meeting=picks.meeting).order_by("position").first()
    picks.action_item = ActionItem.objects.filter(meeting__body=picks.body).order_by("-pk").first()
    communications = Communication.objects.filter(scope_sea=sea).campaigns()
    picks.communication = (
        communications.filter(status=Communication.Status.SCHEDULED)
        .annotate(n=Count("deliveries"))
        .order_by("-n", "pk")
        .first()
    )
    picks.draft = communications.filter(status=Communication.Status.DRAFT).order_by("-pk").first()
    return picks


def pk_of(obj) -> int | None:
    return obj.pk if obj is not None else None


def pages_for(picks: Picks) -> list[tuple[str, str]]:
    """Every page a signed-in user opens with GET, and every list of the v1 API."""
    sea, project, indicator, activity, person = (
        picks.sea,
        picks.project,
        picks.indicator,
        picks.activity,
        picks.person,
    )
    start, end = picks.period
    fy = f"?date_from={start}&date_to={end}"
    pages = [
        ("home", url_or_none("home")),
        ("state dashboard", url_or_none("projects:state_dashboard", sea.state_code)),
        ("project page", url_or_none("projects:detail", project.pk)),
        ("network (all states)", url_or_none("projects:network")),
        ("network (one state)", url_or_none("projects:network", query=f"?state={sea.state_code}")),
        ("indicator page", url_or_none("projects:indicator_detail", indicator.pk)),
        ("record indicator value (form)", url_or_none("projects:indicator_value_create", indicator.pk)),
        ("project list", url_or_none("projects:list")),
        ("new project: state (form)", url_or_none("projects:create")),
        ("new project (form)", url_or_none("projects:create", query=f"?sea={sea.pk}")),
        ("edit project (form)", url_or_none("projects:update", project.pk)),
        ("activity list", url_or_none("projects:activity_list")),
        (
            "activity list (one project)",
            url_or_none("projects:activity_list", query=f"?project={project.pk}"),
        ),
        ("activity detail", url_or_none("projects:activity_detail", activity.pk)),
        ("edit activity (form)", url_or_none("projects:activity_update", activity.pk)),
        ("delete activity (confirm)", url_or_none("projects:activity_delete", activity.pk)),
        ("log activity (form)", url_or_none("projects:activity_create", query=f"?project={project.pk}")),
        ("self-assessment (form)", url_or_none("projects:assessment_create", project.pk)),
        ("activity search ?q=data", url_or_none("projects:activity_list", query="?q=data")),
        (
            "activity search, phrase",
            url_or_none("projects:activity_list", query="?q=%22hiring+data%22+-coaching"),
        ),
        (
            "activity filters",
            url_or_none("projects:activity_list", query="?type=coaching&date_from=2025-01-01&condition=2"),
        ),
        ("activity list, sorted by hours", url_or_none("projects:activity_list", query="?sort=-hours")),
        ("activity list, deep page", deep_page_url(sea)),
        (
            "activity CSV (one project)",
            url_or_none("projects:activity_list", query=f"?project={project.pk}&format=csv"),
        ),
        ("goal page", url_or_none("projects:goal_detail", pk_of(picks.goal))),
        ("new goal (form)", url_or_none("projects:goal_create", project.pk)),
        ("edit goal (form)", url_or_none("projects:goal_update", pk_of(picks.goal))),
        ("propose goal edit (form)", url_or_none("projects:goal_propose", pk_of(picks.goal))),
        ("product list", url_or_none("projects:product_list")),
        ("product list (one state)", url_or_none("projects:product_list", query=f"?state={sea.pk}")),
        ("product page", url_or_none("projects:product_detail", pk_of(picks.product))),
        ("new product (form)", url_or_none("projects:product_create", project.pk)),
        ("edit product (form)", url_or_none("projects:product_update", pk_of(picks.product))),
        ("project picker ?q=data", url_or_none("projects:pick_project", query="?q=data")),
        ("person picker ?q=an", url_or_none("projects:pick_person", query="?q=an")),
        ("district picker ?q=sch", url_or_none("projects:pick_district", query="?q=sch")),
        (
            "district picker of a state ?q=sch",
            url_or_none("projects:pick_district", query=f"?sea={sea.pk}&q=sch"),
        ),
        (
            "activity picker of a project ?q=data",
            url_or_none("projects:pick_activity", query=f"?project={project.pk}&q=data"),
        ),
        ("TA requests", url_or_none("intake:list")),
        ("TA requests, open", url_or_none("intake:list", query="?status=new")),
        ("TA request page", url_or_none("intake:detail", pk_of(picks.ta_request))),
        ("new TA request (form)", url_or_none("intake:create")),
        (
            "accept request as project (form)",
            url_or_none("intake:accept_as_project", pk_of(picks.ta_request)),
        ),
        ("communications", url_or_none("communications:list")),
        ("communications: notices", url_or_none("communications:list", query="?kind=notices")),
        ("compose (form)", url_or_none("communications:create")),
        ("communication page", url_or_none("communications:detail", pk_of(picks.communication))),
        ("edit communication (form)", url_or_none("communications:update", pk_of(picks.draft))),
        ("schedule dates (preview)", schedule_dates_url(picks.draft)),
        ("communication preview", url_or_none("communications:preview", pk_of(picks.communication))),
        ("delivery report", url_or_none("communications:report", pk_of(picks.communication))),
        ("contact cadence", url_or_none("communications:cadence")),
        ("advisory bodies", url_or_none("meetings:body_list")),
        ("advisory body page", url_or_none("meetings:body_detail", pk_of(picks.body))),
        ("new member (form)", url_or_none("meetings:membership_create", pk_of(picks.body))),
        ("new meeting (form)", url_or_none("meetings:meeting_create", pk_of(picks.body))),
        ("meeting page (past)", url_or_none("meetings:meeting_detail", pk_of(picks.meeting))),
        ("meeting page (upcoming)", url_or_none("meetings:meeting_detail", pk_of(picks.upcoming))),
        ("edit meeting (form)", url_or_none("meetings:meeting_update", pk_of(picks.upcoming))),
        ("cancel meeting (form)", url_or_none("meetings:meeting_cancel", pk_of(picks.upcoming))),
        ("invite to meeting (form)", url_or_none("meetings:meeting_invite", pk_of(picks.upcoming))),
        ("attendance (form)", url_or_none("meetings:attendance", pk_of(picks.meeting))),
        ("new agenda item (form)", url_or_none("meetings:agenda_item_create", pk_of(picks.meeting))),
        ("edit agenda item (form)", url_or_none("meetings:agenda_item_update", pk_of(picks.agenda_item))),
        ("minutes (form)", url_or_none("meetings:minutes_edit", pk_of(picks.meeting))),
        ("new decision (form)", url_or_none("meetings:decision_create", pk_of(picks.meeting))),
        ("new action item (form)", url_or_none("meetings:action_item_create", pk_of(picks.meeting))),
        ("new feedback (form)", url_or_none("meetings:feedback_create", pk_of(picks.meeting))),
        ("meeting packet", url_or_none("meetings:meeting_packet", pk_of(picks.meeting))),
        ("meeting .ics", url_or_none("meetings:meeting_ics", pk_of(picks.upcoming))),
        ("action items", url_or_none("meetings:action_item_list")),
        ("update action item (form)", url_or_none("meetings:action_item_update", pk_of(picks.action_item))),
        ("calendar", url_or_none("meetings:feeds")),
        ("confirmations inbox", url_or_none("accountability:inbox")),
        ("attestation dashboard", url_or_none("accountability:dashboard")),
        ("annual report", url_or_none("accountability:report")),
        ("annual report (print)", url_or_none("accountability:report_print")),
        ("report records: products", url_or_none("accountability:records", query=f"{fy}&kind=products")),
        ("report records: survey", url_or_none("accountability:records", query=f"{fy}&kind=responses")),
        (
            "report records: attestations",
            url_or_none("accountability:records", query=f"{fy}&kind=attestations"),
        ),
        ("stakeholder directory", url_or_none("stakeholders:stakeholder_list")),
        ("stakeholder page", url_or_none("stakeholders:stakeholder_detail", pk_of(person))),
        ("district directory", url_or_none("stakeholders:district_list")),
        ("profile", url_or_none("accounts:profile")),
        ("two-factor setup", url_or_none("accounts:two_factor_setup")),
        ("password change (form)", url_or_none("password_change")),
        ("API activities", "/api/v1/activities/"),
        ("API activities ?q=data", "/api/v1/activities/?q=data"),
        ("API activities, one project", f"/api/v1/activities/?project={project.pk}"),
    ]
    pages += [
        (f"API {name.replace('-', ' ')}", f"/api/v1/{name}/") for name in API_LISTS if name != "activities"
    ]
    pages += [(f"API report: {table}", f"/api/v1/report/{table}/") for table in REPORT_TABLES]
    return [(name, url) for name, url in pages if url]


def signed_link_pages(picks: Picks, sea_user: User) -> list[tuple[str, str]]:
    """The pages people open from the links in their e-mail, without signing in."""
    team = ProjectMember.objects.filter(user=sea_user, role=ProjectMember.Role.SEA_CONTACT).values("project")
    attestation = Attestation.objects.filter(activity__project__in=team).pending().order_by("pk").first()
    statement = ServiceStatement.objects.filter(project__in=team, status="pending").order_by("pk").first()
    invitation = (
        SurveyInvitation.objects.filter(project__sea=picks.sea, responded_at=None, activity__isnull=False)
        .filter(stakeholder__is_active=True)
        .order_by("-sent_at")
        .first()
    )
    invited = Participant.objects.filter(meeting=picks.upcoming).order_by("pk").first()
    # The feedback link is for an active person: an inactive one's link is refused (404).
    member = Membership.objects.filter(body=picks.body, stakeholder__is_active=True).order_by("pk").first()
    links = [
        ("sign in", url_or_none("login")),
        ("password reset (form)", url_or_none("password_reset")),
    ]
    if attestation:
        token = attestation_token(
            attestation_id=attestation.pk, user_id=sea_user.pk, version=attestation.version
        )
        links.append(("confirm activity (link)", url_or_none("accountability:attest_link", token)))
    if statement:
        token = statement_token(statement_id=statement.pk, user_id=sea_user.pk)
        links.append(("confirm statement (link)", url_or_none("accountability:statement_link", token)))
    if invitation:
        token = survey_token(invitation_id=invitation.pk, stakeholder_id=invitation.stakeholder_id)
        links.append(("survey (link)", url_or_none("accountability:survey_link", token)))
    if invited:
        token = rsvp_token(meeting_id=invited.meeting_id, stakeholder_id=invited.stakeholder_id)
        links.append(("RSVP (link)", url_or_none("meetings:rsvp", token)))
    if member:
        token = feedback_token(
            body_id=member.body_id, stakeholder_id=member.stakeholder_id, meeting_id=pk_of(picks.meeting)
        )
        links.append(("feedback (link)", url_or_none("meetings:feedback_link", token)))
    if picks.person:
        links.append(
            (
                "unsubscribe (link)",
                url_or_none("communications:unsubscribe", unsubscribe_token(picks.person.pk, "newsletter")),
            )
        )
        links.append(
            (
                "mail preferences (link)",
                url_or_none("communications:preferences", preferences_token(picks.person.pk)),
            )
        )
    feed = CalendarFeed.objects.filter(user=sea_user).first()
    if feed:
        links.append(("calendar feed .ics", url_or_none("meetings:feed_all", feed.key)))
        if picks.body:
            links.append(
                ("body calendar feed .ics", url_or_none("meetings:feed_body", feed.key, picks.body.pk))
            )
    return [(name, url) for name, url in links if url]


def schedule_dates_url(communication) -> str | None:
    if communication is None:
        return None
    return url_or_none(
        "communications:schedule_dates",
        communication.pk,
        query="?mode=recurring&date=2027-01-04&time=09:00&frequency=weekly&interval=1&weekdays=0&count=10",
    )


def deep_page_url(sea: SEA) -> str | None:
    """The activity list 20,000 rows down the state's newest-first order (or, in a smaller data
    set, a full page before its end), by its keyset cursor."""
    total = Activity.objects.filter(project__sea=sea).count()
    if not total:
        return None
    depth = max(0, min(20_000, total - 100))
    deep = Activity.objects.filter(project__sea=sea).order_by("-date", "-pk").only("pk", "date")[depth]
    return url_or_none("projects:activity_list", query=f"?after={encode_cursor(deep, ['-date', '-pk'])}")


def time_page(client: Client, url: str, runs: int, warmup: int):
    """(page times, CPU times, statements, floor times): each run opens the page, then replays its
    SELECT statements alone, so that page and floor are timed under the same load of the moment."""
    for _ in range(max(warmup, 1)):
        response = client.get(url)
        if response.status_code in NOT_FOR_ROLE:
            raise NotForRole(response.status_code)
        if response.status_code != 200:
            raise RuntimeError(f"{url} answered {response.status_code}")
    with CaptureQueriesContext(connection) as captured:
        client.get(url)
    statements = [q["sql"] for q in captured.captured_queries]
    times, cpu, floor = [], [], []
    for _ in range(runs):
        started, started_cpu = time.perf_counter(), time.process_time()
        response = client.get(url)
        body = b"".join(response.streaming_content) if response.streaming else response.content
        SIZES[url] = len(body)
        times.append((time.perf_counter() - started) * 1000)
        cpu.append((time.process_time() - started_cpu) * 1000)
        floor.append(time_floor(statements))
    return times, cpu, statements, floor


def time_floor(statements: list[str]) -> float:
    """Time of the page's SELECT statements re-run alone, back to back, in milliseconds.

    A UNION of parenthesized SELECTs (the home page's "my work") starts with "(": it is a SELECT too.
    """
    selects = [sql for sql in statements if sql.lstrip(" \n(").upper().startswith(("SELECT", "WITH"))]
    with connection.cursor() as cursor:
        started = time.perf_counter()
        for sql in selects:
            cursor.execute(sql)
            cursor.fetchall()
        return (time.perf_counter() - started) * 1000


def data_statements(statements: list[str]) -> list[str]:
    """Statements other than transaction control (BEGIN, COMMIT, SAVEPOINT, RELEASE SAVEPOINT)."""
    control = ("BEGIN", "COMMIT", "ROLLBACK", "SAVEPOINT", "RELEASE SAVEPOINT")
    return [sql for sql in statements if not sql.lstrip().upper().startswith(control)]


def p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]


def main():
    sys.stdout.reconfigure(line_buffering=True)
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument("--warmup", type=int, default=3)
    parser.add_argument("--only", default="", help="Comma-separated parts of page names to run.")
    parser.add_argument(
        "--list-missing", action="store_true", help="Print the URL names no benchmarked page uses, and exit."
    )
    options = parser.parse_args()

    executor = MigrationExecutor(connection)
    if executor.migration_plan(executor.loader.graph.leaf_nodes()):
        raise SystemExit("The database has unapplied migrations: run `manage.py migrate` on it first.")
    print(
        f"Database {connection.settings_dict['NAME']}: {Project.objects.count():,} projects, "
        f"{Activity.objects.count():,} activities"
    )
    prepare_rollups()

    sea = SEA.objects.annotate(n=Count("projects")).order_by("-n").first()
    project = (
        Project.objects.filter(sea=sea, status=Project.Status.ACTIVE)
        .annotate(n=Count("activities"))
        .order_by("-n")
        .first()
    )
    indicator = Indicator.objects.filter(project=project).annotate(n=Count("values")).order_by("-n").first()
    indicator = indicator or Indicator.objects.filter(project__sea=sea).first()
    activity = Activity.objects.filter(project=project).order_by("-date").first()
    person = Stakeholder.objects.filter(sea=sea).first()
    users = [
        ("facilitator", account("bench.facilitator", Role.FACILITATOR)),
        (f"SEA staff ({sea.state_code})", account("bench.sea", Role.SEA_STAFF, sea=sea)),
    ]
    join_teams(sea, users[0][1], users[1][1])
    picks = pick(sea, project, indicator, activity, person)
    pages = pages_for(picks)
    links = signed_link_pages(picks, users[1][1])
    if options.list_missing:
        list_missing([url for _, url in pages + links])
        return
    print(
        f"State {sea.state_code}: {Project.objects.filter(sea=sea).count():,} projects, "
        f"{Activity.objects.filter(project__sea=sea).count():,} activities; project {project.pk} has "
        f"{Activity.objects.filter(project=project).count():,} activities"
    )
    print(f"{options.runs} runs per page after {options.warmup} warm-up runs; times in ms")
    print(f"Load average at the start: {', '.join(f'{v:.2f}' for v in os.getloadavg())}\n")
    header = (
        f"{'user':<17} {'page':<32} {'median':>7} {'p95':>7} {'cpu':>7} {'queries':>7} {'floor':>7} "
        f"{'ratio':>6} {'KB':>6}  target"
    )
    print(header)
    print("-" * len(header))
    only = [part.strip() for part in options.only.split(",") if part.strip()]
    runs = [(who, user, pages) for who, user in users] + [("signed link", None, links)]
    missed, not_for_role, opened = run_all(runs, only, options)
    # A page no account may open means the benchmark picked a record nobody may see.
    missed += [(who, name) for who, name in not_for_role if name not in opened]
    print(
        f"\nTargets: p95 <= {TARGET_P95_MS} ms and at most {TARGET_STATEMENTS} SQL statements for every "
        f"page; page/floor ratio <= {TARGET_RATIO} for the dashboards ({', '.join(sorted(DASHBOARDS))}); "
        f"HTML <= {TARGET_HTML_BYTES // 1000} KB.\n"
        "cpu: median CPU time of this (web) process per request, which other load on the machine does not "
        "inflate; queries: SQL statements per request, transaction control (BEGIN/COMMIT) not counted; "
        "floor: the page's SELECT statements re-run alone after each run of the page (median)."
    )
    print(f"Load average at the end: {', '.join(f'{v:.2f}' for v in os.getloadavg())}")
    if not_for_role:
        print(f"Not for the role (answered 403/404 for this account): {len(not_for_role)} pages")
    if missed:
        print(f"Missed ({len(missed)}): " + "; ".join(f"{who}: {name}" for who, name in missed))


def run_all(runs, only: list[str], options) -> tuple[list, list, set]:
    """Every page of every account: (missed, not for the role, opened by someone)."""
    missed, not_for_role, opened = [], [], set()
    for who, user, who_pages in runs:
        client = Client(raise_request_exception=False)
        if user is not None:
            client.force_login(user)
        for name, url in who_pages:
            if not only or any(part in name for part in only):
                outcome = run_page(client, who, name, url, options)
                if outcome in ("ok", "missed"):
                    opened.add(name)
                if outcome == "not for role":
                    not_for_role.append((who, name))
                elif outcome != "ok":
                    missed.append((who, name))
    return missed, not_for_role, opened


def run_page(client: Client, who: str, name: str, url: str, options) -> str:
    """Time one page and print its line; "ok" when it meets the targets, else "missed", "failed"
    or "not for role"."""
    try:
        times, cpu, statements, floors = time_page(client, url, options.runs, options.warmup)
    except NotForRole as status:
        print(f"{who:<17} {name:<32} not for this role ({status})")
        return "not for role"
    except Exception as error:  # noqa: BLE001 (one broken page must not hide the others)
        print(f"{who:<17} {name:<32} failed: {type(error).__name__}: {str(error).splitlines()[0][:80]}")
        print_traceback(client, url)
        return "failed"
    floor = statistics.median(floors)
    median, high = statistics.median(times), p95(times)
    ratio = median / floor if floor else float("inf")
    size = SIZES.get(url, 0)
    count = len(data_statements(statements))
    is_html = not url.startswith("/api/") and "format=csv" not in url and "/pick/" not in url
    is_html = is_html and not url.endswith(".ics")
    ok = (
        high <= TARGET_P95_MS
        and count <= TARGET_STATEMENTS
        and (name not in DASHBOARDS or ratio <= TARGET_RATIO)
        and (not is_html or size <= TARGET_HTML_BYTES)
    )
    print(
        f"{who:<17} {name:<32} {median:7.1f} {high:7.1f} {statistics.median(cpu):7.1f} "
        f"{count:7d} {floor:7.1f} {ratio:6.2f} {size / 1000:6.1f}  "
        f"{'ok' if ok else 'MISSED'}"
    )
    return "ok" if ok else "missed"


def prepare_rollups() -> None:
    """The hours rollup (dashboards) and the services rollup (annual report), brought up to date."""
    in_rollup = ActivityMonth.objects.filter(condition_number=ActivityMonth.ALL_CONDITIONS).aggregate(
        n=Sum("activities")
    )["n"]
    if not RollupWatermark.objects.filter(name=WATERMARK).exists() or in_rollup != Activity.objects.count():
        # Rows loaded with COPY (seed_scale) leave no history for the incremental refresh to see.
        started = time.perf_counter()
        cells = activity_month_refresh(full=True)
        print(f"Hours rollup rebuilt: {cells:,} (SEA, month) cells in {time.perf_counter() - started:.1f} s")
    started = time.perf_counter()
    activity_month_refresh()
    print(f"Incremental hours-rollup refresh: {(time.perf_counter() - started) * 1000:.0f} ms")
    started = time.perf_counter()
    cells = service_month_refresh()  # a full rebuild the first time
    print(
        f"Services rollup (annual report) refreshed: {cells:,} cells in {time.perf_counter() - started:.1f} s"
    )


def join_teams(sea: SEA, facilitator: User, sea_user: User) -> None:
    """Put the benchmark accounts on the team of the state's five busiest active projects, and
    give them calendar feeds, as their real counterparts have."""
    busiest = (
        Project.objects.filter(sea=sea, status=Project.Status.ACTIVE)
        .annotate(n=Count("activities"))
        .order_by("-n", "pk")[:5]
    )
    for project in busiest:
        if not ProjectMember.objects.filter(project=project, role=ProjectMember.Role.CENTER_LEAD).exists():
            ProjectMember.objects.get_or_create(
                project=project, user=facilitator, defaults={"role": ProjectMember.Role.CENTER_LEAD}
            )
        ProjectMember.objects.get_or_create(
            project=project, user=sea_user, defaults={"role": ProjectMember.Role.SEA_CONTACT}
        )
    for user in (facilitator, sea_user):
        CalendarFeed.objects.get_or_create(user=user)


def print_traceback(client: Client, url: str) -> None:
    """The exception behind a failed page, from one more request that lets it through."""
    client.raise_request_exception = True
    try:
        client.get(url)
    except Exception:  # noqa: BLE001 (printed for the report)
        lines = traceback.format_exc().rstrip().splitlines()
        print("    " + "\n    ".join(lines[-12:]))
    finally:
        client.raise_request_exception = False


def url_names(patterns=None, namespace: str = "") -> set[str]:
    """Every named URL of the portal, with its namespace (admin left out)."""
    names = set()
    for pattern in patterns if patterns is not None else get_resolver().url_patterns:
        if isinstance(pattern, URLResolver):
            if pattern.namespace == "admin":
                continue
            inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
            names |= url_names(pattern.url_patterns, inner)
        elif isinstance(pattern, URLPattern) and pattern.name:
            names.add(namespace + pattern.name)
    return names


def list_missing(urls: list[str]) -> None:
    used = {resolve(url.split("?")[0]).view_name for url in urls}
    missing = sorted(url_names() - used)
    print(f"{len(used)} URL names benchmarked; {len(missing)} not (POST-only actions and the like):")
    for name in missing:
        print(f"  {name}")


if __name__ == "__main__":
    main()
