"""``manage.py seed_scale``: a synthetic, national-scale data set for benchmarks.

Every generated record carries a marker, so that it never collides with real or demo data
(``seed_demo``) and can be found again by ``--clear``:

- SEAs are reused by state code; the ones this command creates are named
  "Synthetic Department of Education (XX)".
- Offices, districts and organizations have names starting with "Synthetic "; district NCES ids are
  8xxxxxx (no state FIPS code starts with 8, so no real LEA id does).
- Partner centers have short names starting with "SYN-".
- Stakeholders have e-mail addresses ending in "@scale.example.org".
- Projects have titles starting with "Synthetic project "; goals and objectives, assessments,
  indicators and their values, products and their adoptions, activities with their attestations,
  survey invitations and responses, and monthly service statements all hang off those projects.
- TA requests, meetings and communications have titles or subjects starting with "Synthetic ";
  advisory bodies have short names starting with "SYN-" (their members, purposes and feedback hang
  off them; the meetings' participants, agendas, minutes, decisions and action items off those).

The records of the apps above projects (intake, meetings, communications, accountability) are
generated too, so that every page has national-scale data behind it; projects may not import
those apps, so their models are looked up by label (``apps.get_model``) and written like the rest.

Rows are written with COPY on PostgreSQL and bulk_create elsewhere: no model validation, no signals,
so django-simple-history writes no historical rows for synthetic data, and ``--clear`` deletes in
SQL for the same reason.
"""

# SQL here is built from quoted table and column names out of _meta; values are always parameters.
# ruff: noqa: S608

import io
import itertools
import json
import random
import sys
import time
import uuid
from collections import Counter, defaultdict
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from datetime import time as day_time

from django.apps import apps
from django.core.management.base import BaseCommand, CommandError
from django.db import connection, models, transaction
from django.db.models import Q
from django.utils import timezone
from tqdm import tqdm

from projects.models import (
    Activity,
    Condition,
    ConditionAssessment,
    Goal,
    Indicator,
    IndicatorValue,
    Objective,
    Product,
    ProductAdoption,
    Project,
    Topic,
)
from projects.services.rollups import activity_month_refresh
from stakeholders.models import (
    SEA,
    AdvisoryBody,
    BodyPurpose,
    District,
    Membership,
    Office,
    Organization,
    PartnerCenter,
    Stakeholder,
)

# 50 states, DC, the five inhabited territories and the Bureau of Indian Education: 57 agencies.
STATE_CODES = (  # noqa: SIM905 (a word list reads better as text)
    "AK AL AR AZ CA CO CT DE FL GA HI IA ID IL IN KS KY LA MA MD ME MI MN MO MS MT NC ND NE NH NJ NM "
    "NV NY OH OK OR PA RI SC SD TN TX UT VA VT WA WI WV WY DC AS GU MP PR VI BI"
).split()

SEA_NAME = "Synthetic Department of Education ({code})"
SEA_NAME_PREFIX = "Synthetic Department of Education ("
NAME_PREFIX = "Synthetic "
PROJECT_PREFIX = "Synthetic project "
CENTER_PREFIX = "SYN-"
EMAIL_DOMAIN = "scale.example.org"
NCES_FIRST = 8_000_000
NCES_LAST = 8_999_999

REQUEST_PREFIX = "Synthetic request "
MEETING_PREFIX = "Synthetic meeting "
COMMUNICATION_PREFIX = "Synthetic update "


def _upper(label: str):
    """A model of an app above projects, which this module may not import."""
    return apps.get_model(label)


def _markers():
    """What identifies synthetic rows; used both to refuse a second load and to clear. Order matters
    for clearing: dependents first (requests and meetings hold protected references to centers,
    SEAs and stakeholders), and SEAs (deleted separately) last."""
    return (
        (_upper("intake.TARequest"), Q(title__startswith=REQUEST_PREFIX)),
        (_upper("communications.Communication"), Q(subject__startswith=COMMUNICATION_PREFIX)),
        (_upper("meetings.Meeting"), Q(title__startswith=MEETING_PREFIX)),
        (AdvisoryBody, Q(short_name__startswith=CENTER_PREFIX)),
        *MARKERS,
    )


# The markers of the projects' own world (see _markers for the whole list).
MARKERS = (
    (Project, Q(title__startswith=PROJECT_PREFIX)),
    (Stakeholder, Q(email__endswith="@" + EMAIL_DOMAIN)),
    (District, Q(name__startswith=NAME_PREFIX, nces_id__startswith="8")),
    (Organization, Q(name__startswith=NAME_PREFIX)),
    (Office, Q(name__startswith=NAME_PREFIX)),
    (PartnerCenter, Q(short_name__startswith=CENTER_PREFIX)),
)

YEARS_BACK = 3
ANALYZE_MODELS = (SEA, Office, PartnerCenter, Organization, District, Stakeholder, Project, Goal)
ANALYZE_MODELS += (ConditionAssessment, Indicator, IndicatorValue, Product, Activity)

CENTER_KINDS = (
    (PartnerCenter.Kind.REGIONAL_COMPREHENSIVE_CENTER, 12, "Region {n} Comprehensive Center", "RC{n}"),
    (PartnerCenter.Kind.REGIONAL_EDUCATIONAL_LABORATORY, 8, "Regional Educational Laboratory {n}", "REL{n}"),
    (PartnerCenter.Kind.EQUITY_ASSISTANCE_CENTER, 4, "Region {n} Equity Assistance Center", "EAC{n}"),
    (PartnerCenter.Kind.NATIONAL_CENTER, 4, "National Center {n} for Systemic Improvement", "NC{n}"),
    (PartnerCenter.Kind.CONTENT_CENTER, 2, "Content Center {n} on Learning Environments", "CC{n}"),
)
OFFICE_NAMES = (
    "Talent Office",
    "Office of Student Supports",
    "Office of Teaching and Learning",
    "Office of Accountability",
    "Office of Special Education",
    "Office of School Improvement",
    "Office of Data and Research",
    "Office of Early Learning",
)
TOPICS = (
    "educator workforce diversity",
    "early literacy instruction",
    "chronic absenteeism",
    "school improvement planning",
    "teacher retention",
    "mathematics acceleration",
    "family engagement",
    "career and technical pathways",
    "multilingual learners",
    "student mental health",
    "data literacy for leaders",
    "high-quality curricula",
    "principal pipelines",
    "rural school staffing",
    "special education inclusion",
    "summer learning",
)
FIRST_NAMES = (  # noqa: SIM905 (a word list reads better as text)
    "Alex Amara Ana Ben Carla Chen Dana Diego Elena Eli Fatima Grace Hana Ian Imani Jamal Jordan Kai "
    "Lena Leo Maya Mei Nadia Noah Omar Priya Quinn Rosa Sam Sofia Tariq Tess Uma Victor Wen Yara Zoe"
).split()
LAST_NAMES = (  # noqa: SIM905 (a word list reads better as text)
    "Adams Baker Brooks Castillo Chen Cohen Davis Diaz Evans Fischer Garcia Gupta Hall Hughes Ito "
    "Jackson Kim Lee Lopez Martin Mensah Miller Nguyen Novak Okafor Patel Reyes Rivera Rossi Santos "
    "Shah Smith Tanaka Taylor Walker Wang Williams Young"
).split()
SEA_TITLES = ("Education Consultant", "Program Manager", "Bureau Chief", "Data Analyst", "Policy Director")
DISTRICT_TITLES = ("Superintendent", "Assistant Superintendent", "Principal", "Teacher", "HR Director")
ORG_TITLES = ("Executive Director", "Policy Analyst", "Board Member")
CENTER_TITLES = ("TA Specialist", "Senior Researcher", "Project Director")
DISTRICT_PLACES = (  # noqa: SIM905 (a word list reads better as text)
    "Riverside Oakdale Fairview Lakeview Hillcrest Maplewood Cedar Springfield Franklin Clinton "
    "Greenville Bristol Salem Georgetown Marion Madison Ashland Milford Newport Dover Jackson Auburn "
    "Chester Kingston"
).split()
DISTRICT_SUFFIXES = ("School District", "Public Schools", "Unified School District", "Regional Schools")
INDICATORS = (
    ("Share of new hires who are teachers of color", "percent"),
    ("Districts using the action-plan template", "districts"),
    ("Chronic absence rate", "percent"),
    ("Teachers completing the coaching cycle", "teachers"),
    ("Schools with a family-engagement plan", "schools"),
    ("Third-grade reading proficiency", "percent"),
)
PRODUCTS = (
    ("Statewide action-plan template", Product.Kind.TEMPLATE),
    ("Guidebook of retention strategies", Product.Kind.GUIDEBOOK),
    ("Data reporting tool", Product.Kind.TOOL),
    ("Peer-identified best practices", Product.Kind.BEST_PRACTICES),
    ("Annual progress report", Product.Kind.REPORT),
    ("Root-cause analysis protocol", Product.Kind.OTHER),
)
PROJECT_STATUSES = (
    (Project.Status.ACTIVE, 60, 1.0),
    (Project.Status.COMPLETED, 20, 0.8),
    (Project.Status.PAUSED, 7, 0.4),
    (Project.Status.PROPOSED, 8, 0.1),
    (Project.Status.CANCELLED, 5, 0.3),
)
ACTIVITY_TYPES = (
    [Activity.Type.COACHING] * 4
    + [Activity.Type.MEETING] * 4
    + [Activity.Type.CONSULTATION] * 2
    + [Activity.Type.DATA_ANALYSIS] * 2
    + [Activity.Type.TRAINING] * 2
    + [Activity.Type.ROOT_CAUSE, Activity.Type.PRODUCT_DEVELOPMENT, Activity.Type.OTHER]
)
ACTIVITY_MODES = [Activity.Mode.VIRTUAL] * 5 + [Activity.Mode.IN_PERSON] * 3 + [Activity.Mode.HYBRID] * 2
HOURS = ("0.50", "1.00", "1.00", "1.50", "1.50", "2.00", "2.00", "2.50", "3.00", "4.00", "6.00", "8.00")
NEXT_STEPS = ("", "", "", "Share notes with the steering group.", "Schedule a follow-up session.")


@dataclass(slots=True)
class _Project:
    id: int
    sea: int  # index into the command's SEA lists
    start: date
    span: int  # days from start to the last day activities can fall on
    lead_center: int
    status: str
    districts: list[int]
    people: list[int]


def _split(total: int, weights: list[float]) -> list[int]:
    """Split total into integers proportional to weights (largest remainder), at least 1 each if possible."""
    floor = 1 if total >= len(weights) else 0
    rest = total - floor * len(weights)
    scale = rest / sum(weights)
    raw = [w * scale for w in weights]
    counts = [int(r) for r in raw]
    by_remainder = sorted(range(len(raw)), key=lambda i: raw[i] - counts[i], reverse=True)
    for i in by_remainder[: rest - sum(counts)]:
        counts[i] += 1
    return [c + floor for c in counts]


def _chunks(iterable, size: int):
    iterator = iter(iterable)
    while chunk := list(itertools.islice(iterator, size)):
        yield chunk


_COPY_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})


def _copy_text(value) -> str:
    """One value in PostgreSQL's COPY text format."""
    if value is None:
        return "\\N"
    if value is True:
        return "t"
    if value is False:
        return "f"
    if isinstance(value, str):
        return value.translate(_COPY_ESCAPES)
    if isinstance(value, dict | list):  # a JSON field
        return json.dumps(value).translate(_COPY_ESCAPES)
    return str(value)


def _through(model, field_name: str):
    """The auto-created M2M table of model.field_name and the attnames of its two foreign keys."""
    field = model._meta.get_field(field_name)
    return field.remote_field.through, (
        f"{field.m2m_field_name()}_id",
        f"{field.m2m_reverse_field_name()}_id",
    )


class Command(BaseCommand):
    help = (
        "Load a synthetic national-scale data set for benchmarks: SEAs, offices, districts, partner "
        "centers, stakeholders, projects with goals and objectives, condition assessments, indicators and "
        "values, products and their adoptions, activities with their participants, districts, centers, "
        "conditions and attestations, monthly service statements, survey responses, TA requests, advisory "
        "bodies with their meetings, and communications with their deliveries. Uses COPY "
        "on PostgreSQL (bulk_create elsewhere), so no validation runs and no history rows are written "
        "(django-simple-history sees no saves). Generated names, titles, e-mails (@scale.example.org) "
        "and NCES ids (8xxxxxx) are marked as synthetic; existing SEAs are reused by state code. "
        "Refuses to run when synthetic data exists unless --clear is given."
    )

    def add_arguments(self, parser):
        sizes = (
            ("seas", 57, "state education agencies (57: states, DC, territories, BIE)"),
            ("districts", 13_000, "districts, spread over the SEAs"),
            ("stakeholders", 100_000, "stakeholders; 2%% are partner-center staff without a state"),
            ("projects", 5_000, "projects, spread over the SEAs"),
            ("activities", 1_000_000, "activities, spread over the projects"),
            ("meetings", 300, "advisory-body meetings over three years and the next half year"),
            ("communications", 3_000, "communications (each sent to tens of stakeholders)"),
        )
        for name, default, text in sizes:
            parser.add_argument(
                f"--{name}", type=int, default=default, help=f"Number of {text} (default {default})."
            )
        parser.add_argument("--seed", type=int, default=2024, help="Random seed (default 2024).")
        parser.add_argument(
            "--batch-size", type=int, default=10_000, help="Rows per COPY or bulk_create (default 10000)."
        )
        parser.add_argument("--clear", action="store_true", help="Delete earlier synthetic data first.")
        parser.add_argument(
            "--no-copy", action="store_true", help="Use bulk_create even on PostgreSQL (slower)."
        )

    def handle(self, *args, **options):
        self._validate(options)
        self.rng = random.Random(options["seed"])  # noqa: S311 (not for secrets)
        self.batch_size = options["batch_size"]
        self.use_copy = connection.vendor == "postgresql" and not options["no_copy"]
        self.show_progress = options["verbosity"] > 0 and sys.stderr.isatty()
        self.quiet = options["verbosity"] == 0
        self.today = timezone.localdate()
        self.now = timezone.now()
        # The last federal fiscal year (October to September) and the current one so far: the
        # period whose activities are attested and rated, and whose months have service statements.
        fiscal_year = self.today.year + 1 if self.today.month >= 10 else self.today.year
        self.attested_from = date(fiscal_year - 2, 10, 1)
        self.counts = Counter()
        started = time.monotonic()

        if options["clear"]:
            self._clear()
        else:
            self._refuse_if_loaded()
        if District.objects.filter(nces_id__gte=str(NCES_FIRST), nces_id__lte=str(NCES_LAST)).exists():
            raise CommandError("Districts with NCES ids 8xxxxxx exist; seed_scale reserves that range.")

        self._load_seas(options["seas"])
        self._load_offices()
        self._load_partner_centers()
        self._load_organizations()
        self._load_districts(options["districts"])
        self._load_stakeholders(options["stakeholders"])
        self._load_projects(options["projects"])
        self._load_project_children()
        self._load_activities(options["activities"])
        self._load_statements_and_surveys()
        self._load_requests()
        self._load_bodies_and_meetings(options["meetings"])
        self._load_communications(options["communications"])
        if connection.vendor == "postgresql":
            self._analyze()
        # COPY goes around the activity services: rebuild the dashboards' hours rollup once.
        with self._phase("Rebuilding the activity-hours rollup"):
            activity_month_refresh(full=True)

        total = sum(self.counts.values())
        self._say(f"Loaded {total:,} synthetic rows in {time.monotonic() - started:.1f} s:")
        for label, count in sorted(self.counts.items()):
            self._say(f"  {label:<40} {count:>12,}")

    # Options, safety checks and clearing -------------------------------------------------------

    def _validate(self, options):
        for name in (
            "seas",
            "districts",
            "stakeholders",
            "projects",
            "activities",
            "meetings",
            "communications",
        ):
            if options[name] < 0:
                raise CommandError(f"--{name} cannot be negative.")
        if not 1 <= options["seas"] <= 26 * 26:
            raise CommandError("--seas must be between 1 and 676.")
        if options["districts"] > NCES_LAST - NCES_FIRST + 1:
            raise CommandError("--districts cannot exceed 1,000,000 (NCES ids 8000000-8999999).")
        if options["activities"] and not options["projects"]:
            raise CommandError("Activities need projects: give --projects.")
        if options["batch_size"] < 1:
            raise CommandError("--batch-size must be positive.")

    def _refuse_if_loaded(self):
        found = {
            model._meta.verbose_name_plural: n
            for model, q in _markers()
            if (n := model.objects.filter(q).count())
        }
        if found:
            listing = ", ".join(f"{n:,} {name}" for name, n in found.items())
            raise CommandError(
                f"Synthetic data from an earlier run exists ({listing}). Run with --clear to delete it first."
            )

    def _clear(self):
        with self._phase("Clearing earlier synthetic data"):
            deleted = Counter()
            # Models whose tables are not migrated yet cannot hold rows to delete.
            self.existing_tables = set(connection.introspection.table_names())
            with transaction.atomic():
                for model, q in _markers():
                    sql, params = model.objects.filter(q).values("pk").query.sql_with_params()
                    self._delete_where(
                        model, f"{self._qn(model._meta.pk.column)} IN ({sql})", params, deleted
                    )
                for pk in SEA.objects.filter(name__startswith=SEA_NAME_PREFIX).values_list("pk", flat=True):
                    try:
                        with transaction.atomic():
                            self._delete_where(SEA, f"{self._qn(SEA._meta.pk.column)} = %s", [pk], deleted)
                    except CommandError as error:
                        self._say(f"  kept synthetic SEA {pk}: {error}")
            for label, count in sorted(deleted.items()):
                if count:
                    self._say(f"  deleted {count:>12,} {label}")

    def _delete_where(self, model, where: str, params: list, deleted: Counter, depth: int = 0):
        """Delete the rows of model matching where, and their dependents, in SQL.

        Follows on_delete (CASCADE, SET_NULL, PROTECT) and M2M tables like Django's collector, but
        without loading rows or sending signals: no "deleted" history rows for synthetic data.
        """
        if depth > 8:
            raise CommandError(f"Relations too deep while clearing {model._meta.label}.")
        qn, opts = self._qn, model._meta
        table = qn(opts.db_table)
        # Rows of auto-created M2M tables pointing here, from either side.
        links = [(field.remote_field.through, field.m2m_field_name()) for field in opts.many_to_many] + [
            (rel.through, rel.field.m2m_reverse_field_name())
            for rel in opts.related_objects
            if rel.many_to_many
        ]
        with connection.cursor() as cursor:
            for through, name in links:
                # Explicit through models show up in related_objects.
                if through._meta.auto_created and through._meta.db_table in self.existing_tables:
                    column = qn(through._meta.get_field(name).column)
                    cursor.execute(
                        f"DELETE FROM {qn(through._meta.db_table)} WHERE {column} IN "
                        f"(SELECT {qn(opts.pk.column)} FROM {table} WHERE {where})",
                        params,
                    )
                    deleted[through._meta.label] += cursor.rowcount
            for rel in opts.related_objects:
                related, fk = rel.related_model, rel.field
                if rel.many_to_many or related._meta.db_table not in self.existing_tables:
                    continue
                keys = f"SELECT {qn(fk.target_field.column)} FROM {table} WHERE {where}"
                related_where = f"{qn(fk.column)} IN ({keys})"
                if rel.on_delete is models.CASCADE:
                    self._delete_where(related, related_where, params, deleted, depth + 1)
                elif rel.on_delete is models.SET_NULL:
                    cursor.execute(
                        f"UPDATE {qn(related._meta.db_table)} SET {qn(fk.column)} = NULL WHERE {related_where}",
                        params,
                    )
                elif rel.on_delete is not models.DO_NOTHING:
                    cursor.execute(
                        f"SELECT 1 FROM {qn(related._meta.db_table)} WHERE {related_where} LIMIT 1", params
                    )
                    if cursor.fetchone():
                        raise CommandError(
                            f"{related._meta.verbose_name_plural} still refer to synthetic "
                            f"{opts.verbose_name_plural}; delete them first."
                        )
            cursor.execute(f"DELETE FROM {table} WHERE {where}", params)
            deleted[opts.label] += cursor.rowcount

    # Reference data: SEAs, offices, partner centers, organizations, districts, people ---------

    def _load_seas(self, count: int):
        codes = STATE_CODES[:count]
        if count > len(codes):
            spare = (a + b for a in "ABCDEFGHIJKLMNOPQRSTUVWXYZ" for b in "ABCDEFGHIJKLMNOPQRSTUVWXYZ")
            codes += [code for code in spare if code not in STATE_CODES][: count - len(codes)]
        self.sea_ids, self.sea_codes = [], []
        with self._phase("SEAs", len(codes)), transaction.atomic():
            for code in codes:
                sea, created = SEA.objects.get_or_create(
                    state_code=code,
                    defaults={"name": SEA_NAME.format(code=code), "short_name": f"{CENTER_PREFIX}{code}"},
                )
                self.sea_ids.append(sea.pk)
                self.sea_codes.append(code)
                self.counts[SEA._meta.label] += created
        # Agencies differ a lot in size; every kind of record follows the same skew.
        self.sea_weights = [self.rng.lognormvariate(0, 0.9) for _ in codes]

    def _load_offices(self):
        rng = self.rng
        picks = [rng.sample(OFFICE_NAMES, rng.randint(3, 6)) for _ in self.sea_ids]
        first = self._reserve_ids(Office, sum(map(len, picks)))
        self.offices = []  # per SEA: a list of office ids
        rows = []
        for sea_id, names in zip(self.sea_ids, picks, strict=True):
            ids = list(range(first + len(rows), first + len(rows) + len(names)))
            rows += [(pk, sea_id, NAME_PREFIX + name) for pk, name in zip(ids, names, strict=True)]
            self.offices.append(ids)
        with self._phase("Offices", len(rows)) as bar:
            self._write(Office, ("id", "sea_id", "name"), rows, bar)

    def _load_partner_centers(self):
        rows = []
        for kind, count, name, short in CENTER_KINDS:
            rows.extend(
                (
                    NAME_PREFIX + name.format(n=n),
                    CENTER_PREFIX + short.format(n=n),
                    kind,
                    "Synthetic benchmark data",
                )
                for n in range(1, count + 1)
            )
        first = self._reserve_ids(PartnerCenter, len(rows))
        self.center_ids = list(range(first, first + len(rows)))
        rows = [(pk, *row, "", "", "") for pk, row in zip(self.center_ids, rows, strict=True)]
        fields = ("id", "name", "short_name", "kind", "funder", "contract", "operators", "website")
        with self._phase("Partner centers", len(rows)) as bar:
            self._write(PartnerCenter, fields, rows, bar)

    def _load_organizations(self):
        kinds = (
            ("School Boards Association", Organization.Kind.SCHOOL_BOARDS_ASSOCIATION),
            ("State University", Organization.Kind.HIGHER_EDUCATION),
        )
        first = self._reserve_ids(Organization, len(kinds) * len(self.sea_ids))
        rows, self.organizations = [], []
        for sea_id, code in zip(self.sea_ids, self.sea_codes, strict=True):
            ids = list(range(first + len(rows), first + len(rows) + len(kinds)))
            rows += [
                (pk, f"{NAME_PREFIX}{name} ({code})", kind, sea_id, "")
                for pk, (name, kind) in zip(ids, kinds, strict=True)
            ]
            self.organizations.append(ids)
        with self._phase("Organizations", len(rows)) as bar:
            self._write(Organization, ("id", "name", "kind", "sea_id", "website"), rows, bar)

    def _load_districts(self, count: int):
        rng = self.rng
        per_sea = _split(count, self.sea_weights)
        first = self._reserve_ids(District, count)
        self.districts = []  # per SEA: the range of its district ids

        def rows():
            n = 0
            for sea_id, size in zip(self.sea_ids, per_sea, strict=True):
                self.districts.append(range(first + n, first + n + size))
                for _ in range(size):
                    place, suffix = rng.choice(DISTRICT_PLACES), rng.choice(DISTRICT_SUFFIXES)
                    name = f"{NAME_PREFIX}{place} {suffix} {n + 1}"
                    yield (first + n, sea_id, name, str(NCES_FIRST + n), False)
                    n += 1

        with self._phase("Districts", count) as bar:
            self._write(District, ("id", "sea_id", "name", "nces_id", "is_demo"), rows(), bar)

    def _load_stakeholders(self, count: int):
        rng, now = self.rng, self.now
        center_staff = count // 50 if self.center_ids else 0
        per_sea = _split(count - center_staff, self.sea_weights)
        first = self._reserve_ids(Stakeholder, count)
        self.stakeholders = []  # per SEA: the range of its stakeholder ids
        self.emails: dict[int, str] = {}  # for the deliveries

        def person(pk, sea_id, office_id, district_id, center_id, organization_id, titles):
            first_name, last_name = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
            email = f"{first_name}.{last_name}.{pk}@{EMAIL_DOMAIN}".lower()
            self.emails[pk] = email
            active = rng.random() < 0.95
            bounced = now if rng.random() < 0.01 else None
            affiliation = (sea_id, office_id, district_id, center_id, organization_id)
            return (
                pk,
                first_name,
                last_name,
                email,
                rng.choice(titles),
                *affiliation,
                active,
                bounced,
                now,
                now,
            )

        def rows():
            pk = first
            for i, size in enumerate(per_sea):
                self.stakeholders.append(range(pk, pk + size))
                sea_id, offices, districts = self.sea_ids[i], self.offices[i], self.districts[i]
                for _ in range(size):
                    roll = rng.random()
                    if roll < 0.35 or (roll < 0.85 and not districts):
                        yield person(pk, sea_id, rng.choice(offices), None, None, None, SEA_TITLES)
                    elif roll < 0.85:
                        yield person(pk, sea_id, None, rng.choice(districts), None, None, DISTRICT_TITLES)
                    else:
                        org = rng.choice(self.organizations[i])
                        yield person(pk, sea_id, None, None, None, org, ORG_TITLES)
                    pk += 1
            for _ in range(center_staff):
                yield person(pk, None, None, None, rng.choice(self.center_ids), None, CENTER_TITLES)
                pk += 1

        fields = ("id", "first_name", "last_name", "email", "title", "sea_id", "office_id", "district_id")
        fields += (
            "partner_center_id",
            "organization_id",
            "is_active",
            "email_bounced_at",
            "created_at",
            "updated_at",
        )
        with self._phase("Stakeholders", count) as bar:
            self._write(Stakeholder, fields, rows(), bar)

    # Projects and what hangs off them ----------------------------------------------------------

    def _load_projects(self, count: int):
        rng, today, now = self.rng, self.today, self.now
        window = YEARS_BACK * 365
        per_sea = _split(count, self.sea_weights)
        first = self._reserve_ids(Project, count)
        statuses = [status for status, _, _ in PROJECT_STATUSES]
        status_weights = [weight for _, weight, _ in PROJECT_STATUSES]
        busyness = {status: factor for status, _, factor in PROJECT_STATUSES}
        self.projects: list[_Project] = []
        self.activity_weights: list[float] = []
        rows, offices, districts, centers, people = [], [], [], [], []
        pk = first
        for i, size in enumerate(per_sea):
            for _ in range(size):
                status = rng.choices(statuses, status_weights)[0]
                start = today - timedelta(
                    days=rng.randint(0, 120) if status == "proposed" else rng.randint(90, window)
                )
                elapsed = (today - start).days
                if status in ("completed", "cancelled"):
                    end = start + timedelta(days=rng.randint(min(120, elapsed), elapsed))
                    last = end
                else:
                    end = None if rng.random() < 0.25 else start + timedelta(days=rng.randint(365, 3 * 365))
                    last = min(end or today, today)
                lead = rng.choice(self.center_ids)
                topic = rng.choice(TOPICS)
                title = f"{PROJECT_PREFIX}{pk - first + 1:05d}: {topic.capitalize()}"
                statement = (
                    f"Synthetic benchmark project on {topic} in {self.sea_codes[i]}: districts ask for help "
                    "to turn a state priority into coordinated local practice."
                )
                rows.append((pk, title, statement, self.sea_ids[i], lead, status, start, end, now, now))
                project = _Project(
                    pk,
                    i,
                    start,
                    (last - start).days,
                    lead,
                    status,
                    self._some(self.districts[i], 0, 5),
                    self._some(self.stakeholders[i], 2, 8),
                )
                self.projects.append(project)
                self.activity_weights.append((project.span + 1) * busyness[status] * rng.uniform(0.3, 1.7))
                offices += [(pk, o) for o in self._some(self.offices[i], 1, 2)]
                districts += [(pk, d) for d in project.districts]
                centers += [(pk, c) for c in self._some(self.center_ids, 0, 2) if c != lead]
                people += [(pk, s) for s in project.people]
                pk += 1
        fields = ("id", "title", "problem_statement", "sea_id", "lead_center_id", "status", "start_date")
        fields += ("end_date", "created_at", "updated_at")
        with self._phase("Projects", count) as bar:
            self._write(Project, fields, rows, bar)
            for name, links in (
                ("offices", offices),
                ("districts", districts),
                ("partner_centers", centers),
                ("stakeholders", people),
            ):
                through, columns = _through(Project, name)
                self._write(through, columns, links)

    def _load_project_children(self):
        rng, now = self.rng, self.now
        goals, assessments, products = [], [], []
        condition_ids = list(Condition.objects.order_by("number").values_list("pk", flat=True))
        indicator_counts = [rng.randint(1, 3) for _ in self.projects]
        first_indicator = self._reserve_ids(Indicator, sum(indicator_counts))
        indicators, values = [], []
        goal_counts = [rng.randint(2, 4) for _ in self.projects]
        first_goal = self._reserve_ids(Goal, sum(goal_counts))
        product_counts = [rng.randint(1, 4) for _ in self.projects]
        first_product = self._reserve_ids(Product, sum(product_counts))
        objectives, adoptions = [], []
        # What the activities' monthly statements count: products delivered per project and month.
        self.delivered = Counter()
        for project, n_indicators, n_goals, n_products in zip(
            self.projects, indicator_counts, goal_counts, product_counts, strict=True
        ):
            pk, start, span = project.id, project.start, project.span
            self._goals(project, n_goals, first_goal + len(goals), goals, objectives)
            for condition_id in condition_ids:
                stage = rng.randint(0, 1)
                for days in sorted(rng.randint(0, span) for _ in range(rng.randint(2, 5))):
                    stage = min(4, stage + (rng.random() < 0.5))
                    evidence = f"Synthetic evidence reviewed by the project team (stage {stage})."
                    assessments.append(
                        (pk, condition_id, stage, start + timedelta(days=days), evidence, None, now)
                    )
            for name, unit in rng.sample(INDICATORS, n_indicators):
                indicator_id = first_indicator + len(indicators)
                baseline = rng.uniform(5, 60)
                target = baseline * rng.uniform(1.1, 1.6)
                direction = Indicator.Direction.INCREASE
                indicators.append(
                    (
                        indicator_id,
                        pk,
                        name,
                        f"Synthetic definition of {name.lower()}.",
                        unit,
                        f"{baseline:.2f}",
                    )
                    + (
                        start,
                        f"{target:.2f}",
                        start + timedelta(days=3 * 365),
                        direction,
                        "Synthetic data source",
                    )
                )
                # Quarterly values from the start, at most 12, never in the future.
                for quarter in range(min(12, span // 91 + 1)):
                    progress = quarter / 11 + rng.uniform(-0.1, 0.1)
                    value = baseline + (target - baseline) * progress
                    values.append(
                        (indicator_id, start + timedelta(days=91 * quarter), f"{value:.2f}", "", None)
                    )
            self._products(project, n_products, first_product + len(products), products, adoptions)

        with self._phase("Goals and objectives", len(goals) + len(objectives)) as bar:
            fields = ("id", "project_id", "number", "statement", "status", "target_date")
            self._write(Goal, fields, goals, bar)
            fields = ("goal_id", "number", "statement", "status", "target_date")
            self._write(Objective, fields, objectives, bar)
        fields = (
            "project_id",
            "condition_id",
            "stage",
            "assessed_on",
            "evidence",
            "assessor_id",
            "created_at",
        )
        with self._phase("Condition assessments", len(assessments)) as bar:
            self._write(ConditionAssessment, fields, assessments, bar)
        fields = ("id", "project_id", "name", "definition", "unit", "baseline", "baseline_date", "target")
        fields += ("target_date", "direction", "data_source")
        with self._phase("Indicators and values", len(indicators) + len(values)) as bar:
            self._write(Indicator, fields, indicators, bar)
            fields = ("indicator_id", "measured_on", "value", "note", "recorded_by_id")
            self._write(IndicatorValue, fields, values, bar)
        fields = (
            "id",
            "project_id",
            "title",
            "kind",
            "status",
            "due_date",
            "delivered_on",
            "link",
            "lead_center_id",
            "description",
            "file",
        )
        with self._phase("Products and adoptions", len(products) + len(adoptions)) as bar:
            self._write(Product, fields, products, bar)
            fields = ("product_id", "district_id", "adopted_on", "note", "recorded_by_id", "created_at")
            self._write(ProductAdoption, fields, adoptions, bar)
        self.products = [(row[0], row[1], row[6]) for row in products]  # id, project, delivered on

    def _goals(self, project: _Project, count: int, first: int, goals: list, objectives: list):
        """A project's goals (keys from first on) and one to three objectives under each."""
        rng, pk = self.rng, project.id
        for number in range(1, count + 1):
            goal_id = first + number - 1
            goal_status = self._agenda_status(project)
            target = project.start + timedelta(days=rng.randint(365, 3 * 365))
            statement = f"Goal {number} of synthetic project {pk}: measurable progress."
            goals.append((goal_id, pk, number, statement, goal_status, target))
            for sub in range(1, rng.randint(1, 3) + 1):
                statement = f"Objective {number}.{sub} of synthetic project {pk}: a step toward the goal."
                status = goal_status if rng.random() < 0.6 else self._agenda_status(project)
                objectives.append((goal_id, sub, statement, status, target - timedelta(days=90 * sub)))

    def _products(self, project: _Project, count: int, first: int, products: list, adoptions: list):
        """A project's products (keys from first on); districts of the project adopt delivered ones."""
        rng, today, pk = self.rng, self.today, project.id
        for product_id, (title, kind) in enumerate(rng.sample(PRODUCTS, count), start=first):
            due = project.start + timedelta(days=rng.randint(60, 720))
            delivered = None
            if due < today:
                status = rng.choices(("delivered", "cancelled", "in_development"), (6, 1, 3))[0]
                if status == "delivered":
                    delivered = min(today, due + timedelta(days=rng.randint(-30, 30)))
                    self.delivered[pk, delivered.replace(day=1)] += 1
                    # Some of the project's districts take the product up in the months after.
                    for district_id in self._some(project.districts, 0, len(project.districts)):
                        adopted = min(today, delivered + timedelta(days=rng.randint(0, 240)))
                        adoptions.append((product_id, district_id, adopted, "", None, self.now))
            else:
                status = rng.choice(("planned", "in_development", "in_review"))
            lead = project.lead_center if rng.random() < 0.8 else rng.choice(self.center_ids)
            products.append((product_id, pk, title, kind, status, due, delivered, "", lead, "", ""))

    def _agenda_status(self, project: _Project) -> str:
        """A goal's or objective's status, likelier met or dropped as the project is older or done."""
        if project.status in ("completed", "cancelled"):
            weights = (1, 1, 6, 1, 2)
        elif project.status == "proposed":
            weights = (9, 1, 0, 0, 0)
        else:
            weights = (3, 6, 2, 1, 1)
        return self.rng.choices(("not_started", "in_progress", "met", "revised", "dropped"), weights)[0]

    def _load_activities(self, count: int):
        """Activities and their M2M rows, one batch at a time so that memory stays flat."""
        rng, now = self.rng, self.now
        randrange, rand, sample = rng.randrange, rng.random, rng.sample
        condition_ids = list(Condition.objects.values_list("pk", flat=True))
        n_conditions = len(condition_ids)
        first_day = min((p.start for p in self.projects), default=self.today)
        days = [first_day + timedelta(days=n) for n in range((self.today - first_day).days + 1)]
        cum_weights = list(itertools.accumulate(self.activity_weights))
        summaries = {
            kind: [f"{label} on {topic} with district and SEA staff." for topic in TOPICS]
            for kind, label in Activity.Type.choices
        }
        first = self._reserve_ids(Activity, count)
        fields = ("id", "project_id", "date", "type", "summary", "hours", "mode", "next_steps", "author_id")
        fields += ("created_at", "updated_at")
        links = {
            name: _through(Activity, name)
            for name in ("conditions", "participants", "districts", "partner_centers")
        }
        attestation_fields = ("activity_id", "version", "is_current", "counterpart_role", "status")
        attestation_fields += ("requested_at", "reminded_at", "decided_at", "decided_by_id", "comment")
        Attestation = _upper("accountability.Attestation")  # noqa: N806 (a model class)
        attested_from, today = self.attested_from, self.today
        # Per (project, month) of the attested period: activities and hours (in cents), for the
        # monthly service statements; and the activities whose participants are asked to rate them.
        self.served, self.served_cents, self.rated = Counter(), Counter(), []
        cents = {hours: round(float(hours) * 100) for hours in HOURS}
        with self._phase("Activities and attestations", count) as bar:
            for offset in range(0, count, self.batch_size):
                size = min(self.batch_size, count - offset)
                picked = rng.choices(self.projects, cum_weights=cum_weights, k=size)
                rows, conditions, participants, districts, centers = [], [], [], [], []
                attestations = []
                for pk, project in enumerate(picked, start=first + offset):
                    day = days[(project.start - first_day).days + randrange(project.span + 1)]
                    kind = ACTIVITY_TYPES[randrange(len(ACTIVITY_TYPES))]
                    hours = HOURS[randrange(len(HOURS))]
                    rows.append(
                        (pk, project.id, day, kind, summaries[kind][randrange(len(TOPICS))])
                        + (hours, ACTIVITY_MODES[randrange(len(ACTIVITY_MODES))])
                        + (NEXT_STEPS[randrange(len(NEXT_STEPS))], None, now, now)
                    )
                    if rand() < 0.55:
                        conditions.append((pk, condition_ids[randrange(n_conditions)]))
                    else:
                        conditions += [(pk, c) for c in sample(condition_ids, 2)]
                    people = self.stakeholders[project.sea]
                    present = sample(people, min(randrange(4), len(people)))
                    participants += [(pk, s) for s in present]
                    if day >= attested_from:
                        month = day.replace(day=1)
                        self.served[project.id, month] += 1
                        self.served_cents[project.id, month] += cents[hours]
                        if rand() < 0.85:
                            attestations.append(self._attestation(pk, day, today))
                        if present and rand() < 0.3:
                            self.rated.append((pk, project.id, kind, day, present))
                    places = self.districts[project.sea]
                    districts += [(pk, d) for d in sample(places, min(randrange(3), len(places)))]
                    if rand() < 0.2:
                        centers.append((pk, project.lead_center))
                with transaction.atomic():
                    self._write(Activity, fields, rows)
                    for name, links_rows in (
                        ("conditions", conditions),
                        ("participants", participants),
                        ("districts", districts),
                        ("partner_centers", centers),
                    ):
                        through, columns = links[name]
                        self._write(through, columns, links_rows)
                    self._write(Attestation, attestation_fields, attestations)
                bar.update(size)

    def _attestation(self, activity_id: int, day: date, today: date) -> tuple:
        """The current answer on an activity: the version is the activity's id, standing in for the
        history record that COPY does not write. Recent activities mostly wait for their answer."""
        rng = self.rng
        requested = self._at(day + timedelta(days=1), 17)
        age = (today - day).days
        roll = rng.random()
        if (age < 21 and roll < 0.7) or roll > 0.89:
            status, decided, comment = "pending", None, ""
        else:
            decided = min(self.now, requested + timedelta(days=rng.randint(0, 20), hours=rng.randint(0, 8)))
            status, comment = "confirmed", ""
            if roll < 0.04:
                status, comment = "disputed", "The session was shorter than recorded."
            elif roll < 0.09:
                status, comment = "commented", "Confirmed; the district sent two more staff."
        reminded = requested + timedelta(days=7) if status == "pending" and age > 10 else None
        return (activity_id, activity_id, True, "sea_contact", status, min(self.now, requested), reminded) + (
            decided,
            None,
            comment,
        )

    @staticmethod
    def _at(day: date, hour: int = 15) -> datetime:
        """A moment of a day (UTC), for the timestamps of generated records."""
        return datetime.combine(day, day_time(hour), tzinfo=UTC)

    # Records of the apps above projects: statements, surveys, requests, meetings, mail ---------

    def _load_statements_and_surveys(self):
        rng, now, this_month = self.rng, self.now, self.today.replace(day=1)
        statements = []
        for (project_id, month), activities in sorted(self.served.items()):
            if month >= this_month:
                continue  # a month is stated once it is over
            prepared = self._at((month + timedelta(days=32)).replace(day=3), 9)
            roll = rng.random()
            if (this_month - month).days < 40 or roll < 0.07:
                status, decided, comment = "pending", None, ""
            else:
                decided = min(now, prepared + timedelta(days=rng.randint(1, 25)))
                status, comment = "confirmed", ""
                if roll < 0.1:
                    status, comment = "disputed", "Two of the sessions belong to another project."
                elif roll < 0.15:
                    status, comment = "commented", "Confirmed; the hours include preparation."
            hours = f"{self.served_cents[project_id, month] / 100:.2f}"
            products = self.delivered[project_id, month]
            statements.append((project_id, month, activities, hours, products, status, prepared, decided))
            statements[-1] += (None, comment)
        fields = ("project_id", "month", "activities", "hours", "products", "status", "prepared_at")
        fields += ("decided_at", "decided_by_id", "comment")
        with self._phase("Service statements", len(statements)) as bar:
            self._write(_upper("accountability.ServiceStatement"), fields, statements, bar)

        # Participants asked to rate a service (an activity) or a delivered product; 40% answer.
        asked = [
            (person, activity_id, None, project_id, kind, self._at(day, 20))
            for activity_id, project_id, kind, day, present in self.rated
            for person in present
        ]
        people = {project.id: project.people for project in self.projects}
        asked += [
            (person, None, product_id, project_id, "", self._at(delivered, 20))
            for product_id, project_id, delivered in self.products
            if delivered and delivered >= self.attested_from
            for person in self._some(people[project_id], 1, 3)
        ]
        items = list(
            _upper("accountability.SurveyItem")
            .objects.filter(is_active=True)
            .order_by("pk")
            .values_list("pk", "dimension")
        )
        first_invitation = self._reserve_ids(_upper("accountability.SurveyInvitation"), len(asked))
        invitations, answered = [], []
        for pk, (person, activity_id, product_id, project_id, kind, sent) in enumerate(
            asked, start=first_invitation
        ):
            responded = None
            if rng.random() < 0.4:
                responded = min(now, sent + timedelta(days=rng.randint(0, 10), hours=rng.randint(1, 12)))
                answered.append((pk, responded))
            invitations.append((pk, person, activity_id, product_id, project_id, kind, sent, responded))
        first_response = self._reserve_ids(_upper("accountability.SurveyResponse"), len(answered))
        responses, answers = [], []
        for pk, (invitation_id, responded) in enumerate(answered, start=first_response):
            by_dimension = defaultdict(list)
            lean = rng.choice((3, 4, 4, 5, 5))
            for item_id, dimension in items:
                score = max(1, min(5, lean + rng.choice((-1, 0, 0, 0, 1))))
                by_dimension[dimension].append(score)
                answers.append((pk, item_id, score))
            means = [
                f"{sum(scores) / len(scores):.2f}" if (scores := by_dimension.get(dimension)) else None
                for dimension in ("quality", "relevance", "usefulness")
            ]
            comment = "" if rng.random() < 0.8 else "Practical and well paced; more time for questions."
            responses.append((pk, invitation_id, *means, comment, responded))
        total = len(invitations) + len(responses) + len(answers)
        with self._phase("Survey invitations and responses", total) as bar:
            fields = ("id", "stakeholder_id", "activity_id", "product_id", "project_id", "activity_type")
            fields += ("sent_at", "responded_at")
            self._write(_upper("accountability.SurveyInvitation"), fields, invitations, bar)
            fields = ("id", "invitation_id", "quality", "relevance", "usefulness", "comment", "submitted_at")
            self._write(_upper("accountability.SurveyResponse"), fields, responses, bar)
            self._write(
                _upper("accountability.SurveyAnswer"), ("response_id", "item_id", "score"), answers, bar
            )

    def _load_requests(self):
        """About three TA requests per project: most projects began as one, and states ask for
        more than the center takes on (declined, referred, or still being discussed)."""
        rng, today, now = self.rng, self.today, self.now
        topic_ids = list(Topic.objects.filter(is_active=True).values_list("pk", flat=True))
        urgencies = ("low", "normal", "normal", "normal", "high", "urgent")
        rows, topics, offices, districts = [], [], [], []
        # At most one request that became the project and three others per project.
        first = self._reserve_ids(_upper("intake.TARequest"), len(self.projects) * 4)

        def request(project, submitted, status, project_id=None, referred=None, reason=""):
            pk = first + len(rows)
            topic = rng.choice(TOPICS)
            code = self.sea_codes[project.sea]
            person = rng.choice(FIRST_NAMES) + " " + rng.choice(LAST_NAMES)
            rows.append(
                (pk, self.sea_ids[project.sea], f"{REQUEST_PREFIX}{pk - first + 1:05d}: {topic.capitalize()}")
                + (f"{code} asks for help with {topic} across its districts.", "Coordinated local practice.")
                + (rng.choice(urgencies), person, f"request.{pk}@{EMAIL_DOMAIN}", "", None, None)
                + (self._at(submitted, 14), status, referred, reason, project_id, now)
            )
            topics.extend((pk, t) for t in self._some(topic_ids, 1, 2))
            offices.extend((pk, o) for o in self._some(self.offices[project.sea], 0, 1))
            districts.extend((pk, d) for d in self._some(self.districts[project.sea], 0, 3))

        for project in self.projects:
            if project.status != "proposed" and rng.random() < 0.7:
                submitted = project.start - timedelta(days=rng.randint(20, 90))
                request(project, submitted, "became_project", project_id=project.id)
            for _ in range(rng.randint(1, 3)):
                submitted = today - timedelta(days=rng.randint(0, YEARS_BACK * 365))
                age = (today - submitted).days
                if age < 60:
                    status = rng.choice(("new", "new", "in_conversation", "accepted"))
                else:
                    status = rng.choices(
                        ("declined", "referred", "accepted", "in_conversation"), (5, 3, 1, 1)
                    )[0]
                referred = rng.choice(self.center_ids) if status == "referred" else None
                reason = {
                    "declined": "Outside the center's scope this year.",
                    "referred": "A better fit there.",
                }
                request(project, submitted, status, referred=referred, reason=reason.get(status, ""))
        TARequest = _upper("intake.TARequest")  # noqa: N806 (a model class)
        fields = ("id", "sea_id", "title", "problem", "desired_outcome", "urgency", "contact_name")
        fields += (
            "contact_email",
            "contact_phone",
            "meeting_id",
            "submitted_by_id",
            "submitted_at",
            "status",
        )
        fields += ("referred_to_id", "decision_reason", "project_id", "updated_at")
        with self._phase("TA requests", len(rows)) as bar:
            self._write(TARequest, fields, rows, bar)
            for name, links in (("topics", topics), ("offices", offices), ("districts", districts)):
                through, columns = _through(TARequest, name)
                self._write(through, columns, links)

    def _load_bodies_and_meetings(self, count: int):
        """An advisory board per regional comprehensive center (its region's SEAs sit on it) and a
        national coordinating council; their meetings over the last years and the next half year,
        with invitations, attendance, agendas, minutes, decisions, action items and ratings."""
        rng, today = self.rng, self.today
        regional = list(
            PartnerCenter.objects.filter(
                pk__in=self.center_ids, kind=PartnerCenter.Kind.REGIONAL_COMPREHENSIVE_CENTER
            )
            .order_by("pk")
            .values_list("pk", flat=True)
        )
        if not count or not regional:
            return
        bodies, purposes, members, seats = self._bodies(regional)

        # Meetings: the council meets a little more often; about a tenth lie ahead.
        body_ids = list(seats)
        weights = [4] * (len(body_ids) - 1) + [6]
        window = YEARS_BACK * 365
        first_meeting = self._reserve_ids(_upper("meetings.Meeting"), count)
        rows = defaultdict(list)
        for pk, body_id in enumerate(rng.choices(body_ids, weights, k=count), start=first_meeting):
            day = today + timedelta(days=rng.randint(-window, window // 18))
            self._meeting(
                pk, f"{MEETING_PREFIX}{pk - first_meeting + 1:04d}", body_id, day, seats[body_id], rows
            )
        meetings, participants, agenda = rows["meetings"], rows["participants"], rows["agenda"]
        minutes, decisions, actions, feedback = (
            rows["minutes"],
            rows["decisions"],
            rows["actions"],
            rows["feedback"],
        )

        Meeting = _upper("meetings.Meeting")  # noqa: N806 (model classes)
        Participant, AgendaItem = _upper("meetings.Participant"), _upper("meetings.AgendaItem")  # noqa: N806
        total = len(bodies) + len(purposes) + len(members) + len(meetings) + len(participants) + len(agenda)
        total += len(minutes) + len(decisions) + len(actions) + len(feedback)
        with self._phase("Advisory bodies and meetings", total) as bar:
            fields = (
                "id",
                "name",
                "short_name",
                "kind",
                "description",
                "convened_by_id",
                "meetings_per_year",
            )
            self._write(AdvisoryBody, (*fields, "quorum_rule", "quorum_count"), bodies, bar)
            self._write(BodyPurpose, ("body_id", "number", "text"), purposes, bar)
            fields = ("id", "body_id", "stakeholder_id", "role", "is_voting", "represents_sea_id")
            fields += ("represents_district_id", "represents_center_id", "represents_organization_id")
            self._write(Membership, (*fields, "term_start", "term_end"), members, bar)
            fields = (
                "id",
                "body_id",
                "title",
                "starts_at",
                "ends_at",
                "mode",
                "location",
                "link",
                "description",
            )
            fields += ("status", "cancel_reason", "cancelled_at", "uid", "sequence", "copied_from_id")
            self._write(Meeting, (*fields, "created_by_id", "created_at", "updated_at"), meetings, bar)
            fields = ("meeting_id", "stakeholder_id", "membership_id", "invited_at", "rsvp", "rsvp_at")
            self._write(Participant, (*fields, "attendance", "delegate_name"), participants, bar)
            fields = ("meeting_id", "position", "title", "description", "presenter_id", "presenter_name")
            self._write(
                AgendaItem, (*fields, "minutes", "project_id", "product_id", "purpose_id"), agenda, bar
            )
            fields = ("meeting_id", "text", "status", "approved_at", "approved_by_id", "updated_at")
            self._write(_upper("meetings.Minutes"), fields, minutes, bar)
            fields = ("meeting_id", "agenda_item_id", "text", "created_at")
            self._write(_upper("meetings.Decision"), fields, decisions, bar)
            fields = ("meeting_id", "agenda_item_id", "description", "owner_stakeholder_id", "owner_user_id")
            fields += ("due_date", "status", "status_note", "closed_on", "created_by_id", "created_at")
            self._write(_upper("meetings.ActionItem"), (*fields, "updated_at"), actions, bar)
            fields = ("body_id", "meeting_id", "stakeholder_id", "product_id", "resource", "quality")
            fields += ("relevance", "usefulness", "comment", "channel", "submitted_at")
            self._write(_upper("meetings.Feedback"), fields, feedback, bar)
        self.body_members = {body: [p for p, _ in seated] for body, seated in seats.items()}

    def _bodies(self, regional: list[int]):
        """The bodies, their purposes and their members (people of the region's SEAs, each
        representing their SEA); seats maps each body to its (stakeholder, membership) pairs."""
        rng = self.rng
        first_body = self._reserve_ids(AdvisoryBody, len(regional) + 1)
        bodies, purposes, members, seats = [], [], [], {}
        term_start = self.today - timedelta(days=YEARS_BACK * 365 + 30)
        roles = ("member", "member", "member", "member", "ex_officio", "observer")
        for n in range(len(regional) + 1):
            body_id = first_body + n
            if n < len(regional):
                region = [i for i in range(len(self.sea_ids)) if i % len(regional) == n]
                name, short, kind = f"Region {n + 1} Advisory Board", f"RAB{n + 1}", "advisory_board"
                center, size, per_year = regional[n], rng.randint(15, 25), 4
            else:
                region = list(range(len(self.sea_ids)))
                name, short, kind = "National Coordinating Council", "NCC", "coordinating_council"
                center, size, per_year = None, 30, 6
            bodies.append(
                (
                    body_id,
                    NAME_PREFIX + name,
                    CENTER_PREFIX + short,
                    kind,
                    "Synthetic benchmark body.",
                    center,
                )
                + (per_year, "majority", None)
            )
            purposes += [(body_id, k, f"Synthetic purpose {k}: advise on regional needs.") for k in (1, 2, 3)]
            seated = {}
            for seat in range(size if region else 0):
                i = rng.choice(region)
                if not self.stakeholders[i] or (person := rng.choice(self.stakeholders[i])) in seated:
                    continue
                role = ("chair", "vice_chair")[seat] if seat < 2 else rng.choice(roles)
                seated[person] = len(members)
                members.append((body_id, person, role, role != "observer", self.sea_ids[i], None, None, None))
                members[-1] += (term_start, None)
            seats[body_id] = list(seated.items())
        first_member = self._reserve_ids(Membership, len(members))
        members = [(first_member + k, *row) for k, row in enumerate(members)]
        seats = {body: [(p, first_member + k) for p, k in seated] for body, seated in seats.items()}
        return bodies, purposes, members, seats

    def _meeting(self, pk: int, title: str, body_id: int, day: date, seated: list, rows: dict):
        """One meeting and its invitations and agenda; a past one also its record."""
        rng, now = self.rng, self.now
        starts = self._at(day, rng.choice((14, 15, 17, 18)))
        ends = starts + timedelta(hours=rng.choice((1, 2, 2, 3)))
        cancelled = rng.random() < 0.04
        status = ("cancelled", "The chair is unavailable.", starts - timedelta(days=3))
        rows["meetings"].append(
            (pk, body_id, title, starts, ends, "virtual", "", f"https://meet.example.org/syn-{pk}")
            + ("Quarterly meeting of the body.", *(status if cancelled else ("scheduled", "", None)))
            + (uuid.UUID(int=rng.getrandbits(128), version=4), 0, None, None, now, now)
        )
        held = ends < now and not cancelled
        for person, membership_id in seated:
            if held:
                rsvp = rng.choice(("yes", "yes", "yes", "no", "maybe"))
                attendance = rng.choices(("present", "absent", "delegate"), (7, 2, 1))[0]
            else:
                rsvp, attendance = rng.choice(("pending", "yes", "yes", "no")), ""
            delegate = "A deputy of the member" if attendance == "delegate" else ""
            answered = starts - timedelta(days=rng.randint(1, 10)) if rsvp != "pending" else None
            rows["participants"].append(
                (pk, person, membership_id, starts - timedelta(days=21), rsvp, answered, attendance, delegate)
            )
        for position in range(1, rng.randint(3, 6) + 1):
            presenter = rng.choice(seated)[0] if seated and rng.random() < 0.5 else None
            rows["agenda"].append(
                (pk, position, f"Agenda item {position}", "", presenter, "" if presenter else "Center staff")
                + (rng.choice((10, 15, 20, 30)), None, None, None)
            )
        if held and seated:
            self._meeting_record(pk, body_id, day, ends, seated, rows)

    def _meeting_record(self, pk: int, body_id: int, day: date, ends: datetime, seated: list, rows: dict):
        """What a held meeting leaves: minutes, decisions, action items and the members' ratings."""
        rng, now, today = self.rng, self.now, self.today
        approved = ("approved", ends + timedelta(days=20)) if rng.random() < 0.85 else ("draft", None)
        rows["minutes"].append(
            (pk, "## Summary\n\nThe body reviewed regional progress and agreed next steps.", *approved)
            + (None, now)
        )
        rows["decisions"] += [
            (pk, None, f"The body endorses priority {k}.", ends) for k in range(rng.randint(0, 2))
        ]
        for _ in range(rng.randint(1, 4)):
            due = day + timedelta(days=rng.randint(14, 90))
            status, closed = "open", None
            if due < today - timedelta(days=30):
                status = rng.choices(("done", "dropped", "open"), (7, 1, 2))[0]
                if status != "open":
                    closed = min(today, due + timedelta(days=rng.randint(-10, 20)))
            owner = rng.choice(seated)[0]
            rows["actions"].append(
                (pk, None, "Share the regional data brief with the districts.", owner, None, due, status, "")
                + (closed, None, ends, now)
            )
        for person, _ in rng.sample(seated, min(len(seated), rng.randint(0, 6))):
            scores = [rng.choice((3, 4, 4, 5, 5)) for _ in range(3)]
            rows["feedback"].append(
                (body_id, pk, person, None, "Meeting presentations", *scores, "", "meeting", ends)
            )

    def _load_communications(self, count: int):
        """Messages of the last years to a project's people, a state's people or a body's members,
        each sent once to its audience (a few sent to many, most to tens), with a delivery each."""
        rng, now = self.rng, self.now
        if not count or not self.projects:
            return
        body_members = getattr(self, "body_members", {})
        rules = ("bodies", "projects", "seas", "districts", "partner_centers", "include", "exclude")
        categories = ("project_update", "project_update", "newsletter", "meeting", "feedback_request")
        first = self._reserve_ids(_upper("communications.Communication"), count)
        first_schedule = self._reserve_ids(_upper("communications.Schedule"), count)
        first_occurrence = self._reserve_ids(_upper("communications.Occurrence"), count)
        Delivery = _upper("communications.Delivery")  # noqa: N806 (a model class)
        communications, schedules, occurrences, deliveries = [], [], [], []
        delivery_fields = (
            "communication_id",
            "occurrence_id",
            "stakeholder_id",
            "user_id",
            "email",
            "status",
        )
        delivery_fields += (
            "attempts",
            "claimed_by",
            "last_error",
            "sent_at",
            "queued_at",
            "created_at",
            "updated_at",
        )
        delivered = 0

        def flush():
            """Write what was made so far, parents first; the deliveries are the bulk, so they are
            written as they accumulate and memory stays flat."""
            fields = ("id", "subject", "body", "category", "audience", "project_id", "advisory_body_id")
            fields += ("author_id", "scope_sea_id", "context_provider", "context_object_id", "digest_key")
            fields += (
                "status",
                "cancelled_at",
                "cancelled_by_id",
                "cancel_reason",
                "created_at",
                "updated_at",
            )
            self._write(_upper("communications.Communication"), fields, communications)
            fields = (
                "id",
                "communication_id",
                "frequency",
                "start_date",
                "start_time",
                "timezone",
                "interval",
            )
            fields += (
                "weekdays",
                "month_day",
                "until",
                "count",
                "status",
                "next_run_at",
                "occurrences_created",
            )
            fields += ("expected_count", "created_by_id", "created_at", "updated_at")
            self._write(_upper("communications.Schedule"), fields, schedules)
            fields = (
                "id",
                "schedule_id",
                "communication_id",
                "scheduled_for",
                "is_test",
                "status",
                "subject",
            )
            fields += ("body", "audience_count", "reason", "materialized_at", "created_at")
            self._write(_upper("communications.Occurrence"), fields, occurrences)
            self._write(Delivery, delivery_fields, deliveries)
            for made in (communications, schedules, occurrences, deliveries):
                made.clear()

        with self._phase("Communications and deliveries", count) as bar:
            for pk in range(first, first + count):
                roll = rng.random()
                audience = {rule: [] for rule in rules} | {"organization_kinds": []}
                project, body, sea = None, None, None
                if roll < 0.15 and body_members:
                    body = rng.choice(list(body_members))
                    audience["bodies"] = [body]
                    people = body_members[body]
                    category = "meeting"
                else:
                    project = rng.choice(self.projects)
                    sea = self.sea_ids[project.sea]
                    state_people = self.stakeholders[project.sea]
                    if roll < 0.75:
                        audience["projects"] = [project.id]
                        people = self._some(state_people, 10, 60) + project.people
                    else:
                        audience["seas"] = [sea]
                        people = self._some(state_people, 50, 400)
                    category = rng.choice(categories)
                created = now - timedelta(days=rng.randint(0, YEARS_BACK * 365), minutes=rng.randint(0, 600))
                status = rng.choices(("scheduled", "draft", "cancelled"), (85, 10, 5))[0]
                topic = rng.choice(TOPICS)
                subject = f"{COMMUNICATION_PREFIX}{pk - first + 1:05d}: {topic.capitalize()}"
                body_text = f"Dear {{{{ first_name }}}},\n\nAn update on our work on {topic}.\n"
                communications.append(
                    (pk, subject, body_text, category, audience, project and project.id, body, None)
                    + (sea, "", None, None, status, created if status == "cancelled" else None, None)
                    + ("Sent elsewhere." if status == "cancelled" else "", created, created)
                )
                if status == "scheduled":
                    sent = created + timedelta(hours=1)
                    people = sorted(set(people))
                    # One key of each per communication (the drafts' stay unused).
                    schedule_id, occurrence_id = first_schedule + pk - first, first_occurrence + pk - first
                    schedules.append(
                        (
                            schedule_id,
                            pk,
                            "once",
                            sent.date(),
                            sent.time().replace(microsecond=0),
                            "UTC",
                            1,
                            [],
                        )
                        + (None, None, None, "finished", None, 1, len(people), None, created, created)
                    )
                    occurrences.append(
                        (occurrence_id, schedule_id, pk, sent, False, "done", subject, body_text, len(people))
                        + ("", sent, sent)
                    )
                    for person in people:
                        outcome = rng.choices(("sent", "failed", "opted_out", "skipped"), (93, 2, 3, 2))[0]
                        error = "550 mailbox unavailable" if outcome == "failed" else ""
                        attempts = 1 if outcome in ("sent", "failed") else 0
                        at = sent + timedelta(seconds=rng.randint(1, 600)) if outcome == "sent" else None
                        email = self.emails.get(person, f"p{person}@{EMAIL_DOMAIN}")
                        deliveries.append(
                            (
                                pk,
                                occurrence_id,
                                person,
                                None,
                                email,
                                outcome,
                                attempts,
                                "",
                                error,
                                at,
                                sent,
                                sent,
                                sent,
                            )
                        )
                    delivered += len(people)
                if len(deliveries) >= self.batch_size:
                    flush()
                bar.update(1)
            flush()
        self._say(f"  {delivered:,} deliveries")

    # Writing -----------------------------------------------------------------------------------

    def _some(self, population, low: int, high: int) -> list:
        """Between low and high distinct members of population (fewer if it is smaller)."""
        return self.rng.sample(population, min(self.rng.randint(low, high), len(population)))

    def _reserve_ids(self, model, count: int) -> int:
        """Claim count consecutive primary keys for model and return the first.

        Explicit keys let the rows that refer to these ones be generated without reading anything back.
        """
        if count == 0:
            return 0
        qn, table, pk = self._qn, model._meta.db_table, model._meta.pk.column
        with transaction.atomic(), connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                # The lock keeps concurrent inserts from taking a key between nextval and setval.
                cursor.execute(f"LOCK TABLE {qn(table)} IN SHARE ROW EXCLUSIVE MODE")
                cursor.execute("SELECT pg_get_serial_sequence(%s, %s)", [qn(table), pk])
                (sequence,) = cursor.fetchone()
                cursor.execute("SELECT nextval(%s)", [sequence])
                (first,) = cursor.fetchone()
                if count > 1:
                    cursor.execute("SELECT setval(%s, %s)", [sequence, first + count - 1])
                return first
            cursor.execute(f"SELECT MAX({qn(pk)}) FROM {qn(table)}")
            return (cursor.fetchone()[0] or 0) + 1

    def _write(self, model, fields, rows, bar=None):
        """Insert rows (tuples in the order of fields, attnames) into model's table in batches."""
        opts = model._meta
        if self.use_copy:
            columns = ", ".join(self._qn(opts.get_field(name).column) for name in fields)
            sql = f"COPY {self._qn(opts.db_table)} ({columns}) FROM STDIN"
        for chunk in _chunks(rows, self.batch_size):
            with transaction.atomic():
                if self.use_copy:
                    text = "".join("\t".join(map(_copy_text, row)) + "\n" for row in chunk)
                    with connection.cursor() as cursor:
                        self._copy(cursor.cursor, sql, io.StringIO(text))
                else:
                    model.objects.bulk_create([model(**dict(zip(fields, row, strict=True))) for row in chunk])
            self.counts[opts.label] += len(chunk)
            if bar is not None:
                bar.update(len(chunk))

    @staticmethod
    def _copy(cursor, sql: str, data: io.StringIO):
        with cursor.copy(sql) as copy:  # psycopg 3
            copy.write(data.getvalue())

    def _analyze(self):
        tables = {model._meta.db_table for model in ANALYZE_MODELS}
        tables |= {apps.get_model(label)._meta.db_table for label in self.counts}
        tables |= {
            field.remote_field.through._meta.db_table
            for model in (Project, Activity)
            for field in model._meta.many_to_many
        }
        with self._phase("ANALYZE"), connection.cursor() as cursor:
            for table in sorted(tables):
                cursor.execute(f"ANALYZE {self._qn(table)}")

    # Output ------------------------------------------------------------------------------------

    @staticmethod
    def _qn(name: str) -> str:
        return connection.ops.quote_name(name)

    def _say(self, message: str):
        if not self.quiet:
            self.stdout.write(message)

    @contextmanager
    def _phase(self, name: str, total: int | None = None):
        """A progress bar on stderr while the phase runs, and a line with its duration after."""
        started = time.monotonic()
        bar = tqdm(
            total=total,
            desc=name,
            unit=" rows",
            unit_scale=True,
            file=sys.stderr,
            disable=not self.show_progress,
        )
        try:
            yield bar
        finally:
            bar.close()
        rows = f"{total:,} rows, " if total is not None else ""
        self._say(f"{name}: {rows}{time.monotonic() - started:.1f} s")
