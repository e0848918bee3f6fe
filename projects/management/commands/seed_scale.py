"""``manage.py seed_scale``: a synthetic, national-scale data set for benchmarks.

Every generated record carries a marker, so that it never collides with real or demo data
(``seed_demo``) and can be found again by ``--clear``:

- SEAs are reused by state code; the ones this command creates are named
  "Synthetic Department of Education (XX)".
- Offices, districts and organizations have names starting with "Synthetic "; district NCES ids are
  8xxxxxx (no state FIPS code starts with 8, so no real LEA id does).
- Partner centers have short names starting with "SYN-".
- Stakeholders have e-mail addresses ending in "@scale.example.org".
- Projects have titles starting with "Synthetic project "; goals, assessments, indicators and their
  values, products and activities all hang off those projects.

Rows are written with COPY on PostgreSQL and bulk_create elsewhere: no model validation, no signals,
so django-simple-history writes no historical rows for synthetic data, and ``--clear`` deletes in
SQL for the same reason.
"""

# SQL here is built from quoted table and column names out of _meta; values are always parameters.
# ruff: noqa: S608

import io
import itertools
import random
import sys
import time
from collections import Counter
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, timedelta

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
    Product,
    Project,
)
from projects.services.rollups import activity_month_refresh
from stakeholders.models import SEA, District, Office, Organization, PartnerCenter, Stakeholder

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

# What identifies synthetic rows; used both to refuse a second load and to clear. Order matters
# for clearing: dependents first, and SEAs (deleted separately) last.
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
        "centers, stakeholders, projects with goals, condition assessments, indicators and values, "
        "products, and activities with their participants, districts, centers and conditions. Uses COPY "
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
        for name in ("seas", "districts", "stakeholders", "projects", "activities"):
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
            for model, q in MARKERS
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
                for model, q in MARKERS:
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

        def person(pk, sea_id, office_id, district_id, center_id, organization_id, titles):
            first_name, last_name = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
            email = f"{first_name}.{last_name}.{pk}@{EMAIL_DOMAIN}".lower()
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
                project = _Project(pk, i, start, (last - start).days, lead)
                self.projects.append(project)
                self.activity_weights.append((project.span + 1) * busyness[status] * rng.uniform(0.3, 1.7))
                offices += [(pk, o) for o in self._some(self.offices[i], 1, 2)]
                districts += [(pk, d) for d in self._some(self.districts[i], 0, 5)]
                centers += [(pk, c) for c in self._some(self.center_ids, 0, 2) if c != lead]
                people += [(pk, s) for s in self._some(self.stakeholders[i], 2, 8)]
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
        rng, today, now = self.rng, self.today, self.now
        goals, assessments, products = [], [], []
        condition_ids = list(Condition.objects.order_by("number").values_list("pk", flat=True))
        indicator_counts = [rng.randint(1, 3) for _ in self.projects]
        first_indicator = self._reserve_ids(Indicator, sum(indicator_counts))
        indicators, values = [], []
        for project, n_indicators in zip(self.projects, indicator_counts, strict=True):
            pk, start, span = project.id, project.start, project.span
            goals.extend(
                (pk, number, f"Goal {number} of synthetic project {pk}: measurable progress.", "not_started")
                for number in range(1, rng.randint(2, 4) + 1)
            )
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
            for title, kind in rng.sample(PRODUCTS, rng.randint(1, 4)):
                due = start + timedelta(days=rng.randint(60, 720))
                delivered = None
                if due < today:
                    status = rng.choices(("delivered", "cancelled", "in_development"), (6, 1, 3))[0]
                    if status == "delivered":
                        delivered = min(today, due + timedelta(days=rng.randint(-30, 30)))
                else:
                    status = rng.choice(("planned", "in_development", "in_review"))
                lead = project.lead_center if rng.random() < 0.8 else rng.choice(self.center_ids)
                products.append((pk, title, kind, status, due, delivered, "", lead, "", ""))

        with self._phase("Goals", len(goals)) as bar:
            self._write(Goal, ("project_id", "number", "statement", "status"), goals, bar)
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
        with self._phase("Products", len(products)) as bar:
            self._write(Product, fields, products, bar)

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
        with self._phase("Activities", count) as bar:
            for offset in range(0, count, self.batch_size):
                size = min(self.batch_size, count - offset)
                picked = rng.choices(self.projects, cum_weights=cum_weights, k=size)
                rows, conditions, participants, districts, centers = [], [], [], [], []
                for pk, project in enumerate(picked, start=first + offset):
                    day = days[(project.start - first_day).days + randrange(project.span + 1)]
                    kind = ACTIVITY_TYPES[randrange(len(ACTIVITY_TYPES))]
                    rows.append(
                        (pk, project.id, day, kind, summaries[kind][randrange(len(TOPICS))])
                        + (HOURS[randrange(len(HOURS))], ACTIVITY_MODES[randrange(len(ACTIVITY_MODES))])
                        + (NEXT_STEPS[randrange(len(NEXT_STEPS))], None, now, now)
                    )
                    if rand() < 0.55:
                        conditions.append((pk, condition_ids[randrange(n_conditions)]))
                    else:
                        conditions += [(pk, c) for c in sample(condition_ids, 2)]
                    people = self.stakeholders[project.sea]
                    participants += [(pk, s) for s in sample(people, min(randrange(4), len(people)))]
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
                bar.update(size)

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
