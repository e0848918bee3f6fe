"""The demo world: the three SEAs, their partners and projects, as the center's sources describe them.

Every record is looked up by its natural key and created only when missing, so loading the
world twice changes nothing. Dates of recent work are placed relative to the day the world is
first loaded, so dashboards have current activity to show.
"""

import datetime
import secrets
from dataclasses import dataclass, field
from decimal import Decimal

from django.contrib.auth.models import Group
from django.db import transaction
from django.utils import timezone

from accounts.models import Role, User
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
    ProjectMember,
    ScopeChange,
    Topic,
)
from projects.services.rollups import activity_contribution, activity_month_change
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

SEAS = [
    ("CT", "Connecticut State Department of Education", "CSDE", "https://portal.ct.gov/sde"),
    ("NY", "New York State Education Department", "NYSED", "https://www.nysed.gov"),
    ("RI", "Rhode Island Department of Education", "RIDE", "https://ride.ri.gov"),
]

OFFICES = {
    "CT": ["Talent Office", "Office of Student Supports"],
    "NY": ["Office of Teaching Initiatives", "Office of Early Learning"],
    "RI": ["Office of Educator Excellence", "Office of Student, Community and Academic Supports"],
}

# Fictitious districts (is_demo=True) with realistic names; NCES ids in an unused range.
DISTRICTS = {
    "CT": [
        "Ashford Valley Public Schools",
        "Bristol Harbor Public Schools",
        "Cedar Falls Public Schools",
        "East Millbrook Public Schools",
        "Glenwood Regional School District",
        "Lakeview Public Schools",
        "North Haverton Public Schools",
        "Riverside Bay Public Schools",
    ],
    "NY": [
        "Hudson Ridge Central School District",
        "Oneida Falls City School District",
        "Saranac Lake Union Free School District",
    ],
    "RI": [
        "Blackstone Mills School District",
        "Narragansett Shores School District",
        "Pawtuxet Valley Public Schools",
    ],
}
NCES_PREFIX = {"CT": "09", "NY": "36", "RI": "44"}

CENTERS = [
    # short name, name, kind, funder, operators
    ("R2CC", "Region 2 Comprehensive Center", "rcc", "U.S. Department of Education", "EDC, WestEd"),
    ("R1CC", "Region 1 Comprehensive Center", "rcc", "U.S. Department of Education", ""),
    ("R3CC", "Region 3 Comprehensive Center", "rcc", "U.S. Department of Education", ""),
    (
        "REL NEI",
        "Regional Educational Laboratory Northeast & Islands",
        "rel",
        "Institute of Education Sciences",
        "EDC, WestEd",
    ),
    (
        "NCSI",
        "National Center for Systemic Improvement",
        "national",
        "Office of Special Education Programs",
        "",
    ),
    ("R1 EAC", "Region 1 Equity Assistance Center", "eac", "U.S. Department of Education", ""),
    (
        "NCSSLE",
        "National Center on Safe Supportive Learning Environments",
        "national",
        "Office of Safe and Supportive Schools",
        "",
    ),
]

RAB_PURPOSES = [
    "Assess state and regional needs and high-leverage problems.",
    "Raise awareness of the services the center provides.",
    "Give feedback on the resources the center develops and the services it provides.",
]
RCC_PURPOSES = [
    "Leverage relationships across comprehensive centers and other federally funded "
    "technical-assistance centers to better serve SEAs in Connecticut, New York and Rhode Island.",
    "Coordinate supports so each state receives one seamless set of services.",
]


@dataclass
class DemoResult:
    created: int = 0
    passwords: dict[str, str] = field(default_factory=dict)


class _World:
    def __init__(self, today: datetime.date, password: str | None):
        self.today = today
        self.password = password
        self.result = DemoResult()
        self.conditions = {c.number: c for c in Condition.objects.all()}

    def get_or_create(self, model, defaults=None, **lookup):
        obj, created = model.objects.get_or_create(defaults=defaults or {}, **lookup)
        self.result.created += created
        return obj

    def days_ago(self, days: int) -> datetime.date:
        return self.today - datetime.timedelta(days=days)

    # -- organizations -------------------------------------------------------------------

    def organizations(self):
        self.seas = {}
        for code, name, short, website in SEAS:
            sea = self.get_or_create(
                SEA, state_code=code, defaults={"name": name, "short_name": short, "website": website}
            )
            self.seas[code] = sea
            for office in OFFICES[code]:
                self.get_or_create(Office, sea=sea, name=office)
            for number, district in enumerate(DISTRICTS[code], start=1):
                self.get_or_create(
                    District,
                    sea=sea,
                    name=district,
                    defaults={"nces_id": f"{NCES_PREFIX[code]}99{number:03d}", "is_demo": True},
                )
        self.centers = {}
        for short, name, kind, funder, operators in CENTERS:
            self.centers[short] = self.get_or_create(
                PartnerCenter,
                short_name=short,
                defaults={"name": name, "kind": kind, "funder": funder, "operators": operators},
            )
        self.nyssba = self.get_or_create(
            Organization,
            name="New York State School Boards Association",
            defaults={"kind": Organization.Kind.SCHOOL_BOARDS_ASSOCIATION, "sea": self.seas["NY"]},
        )

    def office(self, code, name):
        return Office.objects.get(sea=self.seas[code], name=name)

    def districts(self, code):
        return list(District.objects.filter(sea=self.seas[code], is_demo=True).order_by("name"))

    # -- people --------------------------------------------------------------------------

    def person(self, first, last, title, *, sea=None, **affiliation):
        email = f"{first}.{last}@example.org".lower().replace(" ", "").replace("'", "")
        return self.get_or_create(
            Stakeholder,
            email=email,
            defaults={"first_name": first, "last_name": last, "title": title, "sea": sea, **affiliation},
        )

    def people(self):
        ct, ny, ri = self.seas["CT"], self.seas["NY"], self.seas["RI"]
        talent = self.office("CT", "Talent Office")
        self.tucker = self.person("Shuana", "Tucker", "Chief Talent Officer", sea=ct, office=talent)
        self.todd = self.person("Chris", "Todd", "Talent Office Bureau Chief", sea=ct, office=talent)
        self.caven = self.person(
            "Meg", "Caven", "Senior Research Associate", partner_center=self.centers["REL NEI"]
        )
        self.breslow = self.person(
            "Nicole", "Breslow", "Project Director", partner_center=self.centers["R2CC"]
        )
        self.crigler = self.person(
            "Forest", "Crigler", "Technical Assistance Lead", partner_center=self.centers["R2CC"]
        )
        self.ct_district_leads = [
            self.person(first, last, "Director of Human Resources", sea=ct, district=district)
            for (first, last), district in zip(
                [
                    ("Alicia", "Moreno"),
                    ("Brian", "Okafor"),
                    ("Carla", "Nguyen"),
                    ("Daniel", "Brooks"),
                    ("Elena", "Rossi"),
                    ("Farid", "Haddad"),
                    ("Grace", "Whitfield"),
                    ("Hector", "Alvarez"),
                ],
                self.districts("CT"),
                strict=True,
            )
        ]
        self.ny_lead = self.person(
            "Naomi",
            "Feldman",
            "Assistant Commissioner",
            sea=ny,
            office=self.office("NY", "Office of Teaching Initiatives"),
        )
        self.ny_district = self.person(
            "Owen", "Castillo", "Superintendent", sea=ny, district=self.districts("NY")[0]
        )
        self.ny_schoolboards = self.person(
            "Priya", "Raman", "Director of Policy", sea=ny, organization=self.nyssba
        )
        self.ri_lead = self.person(
            "Rosa",
            "Delgado",
            "Director of Educator Excellence",
            sea=ri,
            office=self.office("RI", "Office of Educator Excellence"),
        )
        self.ri_district = self.person(
            "Samuel", "Pierce", "Assistant Superintendent", sea=ri, district=self.districts("RI")[0]
        )
        self.center_reps = {
            short: self.person(first, last, "Center Director", partner_center=self.centers[short])
            for short, (first, last) in {
                "R1CC": ("Thomas", "Greer"),
                "R3CC": ("Uma", "Patel"),
                "REL NEI": ("Victor", "Lin"),
                "NCSI": ("Wendy", "Osei"),
                "R1 EAC": ("Xavier", "Dunn"),
                "NCSSLE": ("Yasmin", "Khoury"),
            }.items()
        }

    # -- advisory bodies -----------------------------------------------------------------

    def bodies(self):
        r2cc = self.centers["R2CC"]
        rab = self.get_or_create(
            AdvisoryBody,
            short_name="RAB",
            defaults={
                "name": "Regional Advisory Board",
                "kind": AdvisoryBody.Kind.ADVISORY_BOARD,
                "description": "Representatives of each SEA, of districts and of other public-education "
                "stakeholders who advise the center.",
                "convened_by": r2cc,
                "meetings_per_year": 2,
            },
        )
        for number, text in enumerate(RAB_PURPOSES, start=1):
            self.get_or_create(BodyPurpose, body=rab, number=number, defaults={"text": text})
        term = datetime.date(2024, 7, 1)
        rab_members = [
            (self.todd, {"represents_sea": self.seas["CT"]}, Membership.Role.CHAIR),
            (self.ny_lead, {"represents_sea": self.seas["NY"]}, Membership.Role.MEMBER),
            (self.ri_lead, {"represents_sea": self.seas["RI"]}, Membership.Role.MEMBER),
            (
                self.ct_district_leads[0],
                {"represents_district": self.districts("CT")[0]},
                Membership.Role.MEMBER,
            ),
            (self.ny_district, {"represents_district": self.districts("NY")[0]}, Membership.Role.MEMBER),
            (self.ri_district, {"represents_district": self.districts("RI")[0]}, Membership.Role.MEMBER),
            (self.ny_schoolboards, {"represents_organization": self.nyssba}, Membership.Role.MEMBER),
        ]
        for person, represents, role in rab_members:
            self.get_or_create(
                Membership,
                body=rab,
                stakeholder=person,
                term_start=term,
                defaults={"role": role, "term_end": datetime.date(2027, 6, 30), **represents},
            )

        rcc = self.get_or_create(
            AdvisoryBody,
            short_name="RCC",
            defaults={
                "name": "Regional Coordinating Council",
                "kind": AdvisoryBody.Kind.COORDINATING_COUNCIL,
                "description": "A network of federally funded centers convened by the R2CC; it met twice "
                "a year in its first two years.",
                "convened_by": r2cc,
                "meetings_per_year": 2,
            },
        )
        for number, text in enumerate(RCC_PURPOSES, start=1):
            self.get_or_create(BodyPurpose, body=rcc, number=number, defaults={"text": text})
        self.get_or_create(
            Membership,
            body=rcc,
            stakeholder=self.crigler,
            term_start=datetime.date(2020, 10, 1),
            defaults={"role": Membership.Role.CHAIR, "represents_center": r2cc},
        )
        for short, person in self.center_reps.items():
            self.get_or_create(
                Membership,
                body=rcc,
                stakeholder=person,
                term_start=datetime.date(2020, 10, 1),
                defaults={"role": Membership.Role.MEMBER, "represents_center": self.centers[short]},
            )

    # -- projects ------------------------------------------------------------------------

    def project(self, title, *, sea, lead, partners=(), offices=(), districts=(), people=(), **fields):
        project = self.get_or_create(
            Project, title=title, defaults={"sea": sea, "lead_center": lead, **fields}
        )
        # Only what is missing: adding nothing would still write a version of the project's history.
        for relation, objects in (
            (project.partner_centers, partners),
            (project.offices, offices),
            (project.districts, districts),
            (project.stakeholders, people),
        ):
            present = set(relation.values_list("pk", flat=True))
            if missing := [obj for obj in objects if obj.pk not in present]:
                relation.add(*missing)
        return project

    def goals(self, project, goals):
        for number, (statement, objectives) in enumerate(goals, start=1):
            goal = self.get_or_create(Goal, project=project, number=number, defaults={"statement": statement})
            for sub, objective in enumerate(objectives, start=1):
                self.get_or_create(Objective, goal=goal, number=sub, defaults={"statement": objective})

    def activities(self, project, rows, *, author):
        for days_ago, type_, summary, hours, mode, conditions, extras in rows:
            activity = Activity.objects.filter(project=project, summary=summary).first()
            if activity:
                continue
            activity = Activity.objects.create(
                project=project,
                date=self.days_ago(days_ago),
                type=type_,
                summary=summary,
                hours=Decimal(hours),
                mode=mode,
                author=author,
                next_steps=extras.get("next_steps", ""),
            )
            self.result.created += 1
            activity.conditions.add(*(self.conditions[n] for n in conditions))
            activity.participants.add(*extras.get("participants", ()))
            activity.districts.add(*extras.get("districts", ()))
            activity.partner_centers.add(*extras.get("centers", ()))
            # Demo data is written directly, so it moves the dashboards' rollup itself.
            activity_month_change(before={}, after=activity_contribution(activity.pk))

    def assessments(self, project, history, *, assessor):
        # history: {days_ago: [stage for conditions 1..5]}
        for days_ago, stages in history.items():
            for number, stage in enumerate(stages, start=1):
                self.get_or_create(
                    ConditionAssessment,
                    project=project,
                    condition=self.conditions[number],
                    assessed_on=self.days_ago(days_ago),
                    defaults={
                        "stage": stage,
                        "evidence": f"Self-assessment with the project team ({self.conditions[number].name}).",
                        "assessor": assessor,
                    },
                )

    def indicator(self, project, name, values, **fields):
        indicator = self.get_or_create(Indicator, project=project, name=name, defaults=fields)
        for days_ago, value in values:
            self.get_or_create(
                IndicatorValue,
                indicator=indicator,
                measured_on=self.days_ago(days_ago),
                defaults={"value": Decimal(value)},
            )
        return indicator

    def product(self, project, title, kind, status, lead, due_in_days, link=""):
        return self.get_or_create(
            Product,
            project=project,
            title=title,
            defaults={
                "kind": kind,
                "status": status,
                "lead_center": lead,
                "due_date": self.today + datetime.timedelta(days=due_in_days),
                "delivered_on": (
                    self.today + datetime.timedelta(days=due_in_days)
                    if status in (Product.Status.DELIVERED, Product.Status.RETIRED)
                    else None
                ),
                "link": link,
            },
        )

    def connecticut(self):
        """The educator-diversity project: the project and its goals, how its scope changed,
        what was done, and how it is measured."""
        districts = self.districts("CT")
        project = self._ct_project(districts)
        self._ct_scope_changes(project)
        self._ct_activities(project, districts)
        self._ct_measures(project)

    def _ct_project(self, districts):
        ct, r2cc, rel = self.seas["CT"], self.centers["R2CC"], self.centers["REL NEI"]
        project = self.project(
            "Diversifying Connecticut's educator workforce",
            sea=ct,
            lead=r2cc,
            partners=[rel],
            offices=[self.office("CT", "Talent Office")],
            districts=districts,
            people=[self.tucker, self.todd, self.caven, self.breslow, *self.ct_district_leads],
            problem_statement=(
                "Connecticut's educator workforce does not reflect the diversity of its students. "
                "Eight pilot districts want to widen the pipeline for teachers of color, remove "
                "barriers in hiring and keep the teachers of color they hire."
            ),
            status=Project.Status.ACTIVE,
            start_date=datetime.date(2019, 9, 1),
        )
        self.goals(
            project,
            [
                (
                    "Pilot districts recruit and hire a more racially and ethnically diverse educator workforce.",
                    [
                        "Each pilot district analyzes its hiring data and names its pipeline gaps.",
                        "Each pilot district adopts a recruitment action plan from the statewide template.",
                    ],
                ),
                (
                    "Connecticut retains the teachers of color it hires.",
                    ["Publish a state guidebook of retention strategies for teachers of color."],
                ),
            ],
        )
        return project

    def _ct_scope_changes(self, project):
        for changed_on, summary, reason, details in [
            (
                datetime.date(2020, 1, 15),
                "Expanded from data coaching to root-cause analyses",
                "Addressing the problem needed support beyond what the REL alone could provide.",
                "REL Northeast & Islands and R2CC joined as one cross-contract team; R2CC facilitates "
                "districts' examination of hiring barriers.",
            ),
            (
                datetime.date(2020, 4, 1),
                "Moved coaching online during school closures",
                "The pandemic closed school buildings and paused in-person hiring fairs.",
                "In-person coaching sessions became virtual sessions; the hiring-data analyses moved "
                "to the next hiring season.",
            ),
        ]:
            self.get_or_create(
                ScopeChange,
                project=project,
                summary=summary,
                defaults={"changed_on": changed_on, "reason": reason, "details": details},
            )

    def _ct_activities(self, project, districts):
        r2cc, rel = self.centers["R2CC"], self.centers["REL NEI"]
        leads = self.ct_district_leads
        rows = [
            (
                600,
                "coaching",
                "Coaching session on hiring pipelines, cohort kickoff",
                "3",
                "virtual",
                [1, 3],
                {"participants": leads[:4], "districts": districts[:4], "centers": [rel, r2cc]},
            ),
            (
                540,
                "data_analysis",
                "Analysis of three years of district hiring data",
                "12",
                "virtual",
                [2],
                {"participants": [self.caven], "districts": districts, "centers": [rel]},
            ),
            (
                480,
                "root_cause",
                "Root-cause analysis of hiring barriers, first four districts",
                "6",
                "hybrid",
                [1, 3],
                {"participants": leads[:4], "districts": districts[:4], "centers": [r2cc]},
            ),
            (
                420,
                "root_cause",
                "Root-cause analysis of hiring barriers, second four districts",
                "6",
                "hybrid",
                [1, 3],
                {"participants": leads[4:], "districts": districts[4:], "centers": [r2cc]},
            ),
            (
                300,
                "product",
                "Drafted the statewide recruitment action-plan template",
                "10",
                "virtual",
                [1, 5],
                {"participants": [self.todd], "centers": [r2cc]},
            ),
            (
                200,
                "meeting",
                "Talent Office and cross-contract team planning meeting",
                "2",
                "virtual",
                [4, 5],
                {"participants": [self.tucker, self.todd, self.caven, self.breslow], "centers": [rel, r2cc]},
            ),
            (
                120,
                "coaching",
                "Second round of coaching sessions on hiring pipelines",
                "4",
                "in_person",
                [3],
                {"participants": leads, "districts": districts, "centers": [rel]},
            ),
            (
                60,
                "training",
                "Peer exchange on best practices for recruiting teachers of color",
                "3",
                "hybrid",
                [3, 4],
                {"participants": leads, "districts": districts, "centers": [r2cc]},
            ),
            (
                21,
                "consultation",
                "Guidebook outline reviewed with the Talent Office",
                "2",
                "virtual",
                [1, 4],
                {
                    "participants": [self.todd],
                    "centers": [r2cc],
                    "next_steps": "Draft chapters on mentoring.",
                },
            ),
            (
                7,
                "data_analysis",
                "Specified the student access-to-teachers-of-color reporting tool",
                "5",
                "virtual",
                [2],
                {"participants": [self.caven, self.todd], "centers": [rel]},
            ),
        ]
        self.activities(project, rows, author=self.users["ct.staff"])

    def _ct_measures(self, project):
        r2cc, rel = self.centers["R2CC"], self.centers["REL NEI"]
        self.assessments(
            project,
            {
                720: [1, 0, 1, 1, 2],
                450: [2, 1, 2, 2, 3],
                240: [3, 2, 3, 2, 3],
                45: [3, 3, 3, 3, 4],
            },
            assessor=self.users["facilitator"],
        )
        self.indicator(
            project,
            "Teachers of color among new hires in pilot districts",
            [(730, "8.2"), (365, "9.6"), (30, "11.4")],
            definition="Share of newly hired teachers in the eight pilot districts who are teachers of color.",
            unit="percent",
            baseline=Decimal("8.2"),
            baseline_date=self.days_ago(730),
            target=Decimal("15.0"),
            data_source="District hiring records, CSDE",
        )
        self.indicator(
            project,
            "Pilot districts with an adopted recruitment action plan",
            [(365, "2"), (180, "5"), (30, "7")],
            definition="Pilot districts whose board adopted a plan built on the statewide template.",
            unit="districts",
            baseline=Decimal("0"),
            target=Decimal("8"),
            data_source="Talent Office records",
        )
        self.product(
            project, "Statewide recruitment action-plan template", "template", "delivered", r2cc, -200
        )
        self.product(
            project,
            "Peer-identified best practices for hiring teachers of color",
            "best_practices",
            "in_review",
            r2cc,
            30,
        )
        self.product(
            project,
            "State guidebook: strategies for retaining teachers of color",
            "guidebook",
            "in_development",
            r2cc,
            -14,
        )
        self.product(
            project,
            "Student access to teachers of color data reporting tool",
            "tool",
            "in_development",
            rel,
            120,
        )

    def new_york(self):
        ny, r2cc = self.seas["NY"], self.centers["R2CC"]
        districts = self.districts("NY")
        mentoring = self.project(
            "Strengthening New York's new-teacher mentoring",
            sea=ny,
            lead=r2cc,
            partners=[self.centers["R3CC"]],
            offices=[self.office("NY", "Office of Teaching Initiatives")],
            districts=districts,
            people=[self.ny_lead, self.ny_district],
            problem_statement="New teachers in high-need districts leave in their first three years.",
            status=Project.Status.ACTIVE,
            start_date=datetime.date(2021, 1, 11),
        )
        self.goals(mentoring, [("Every new teacher in participating districts has a trained mentor.", [])])
        self.activities(
            mentoring,
            [
                (
                    150,
                    "training",
                    "Mentor training institute for district coordinators",
                    "6",
                    "in_person",
                    [3],
                    {"participants": [self.ny_district], "districts": districts},
                ),
                (
                    90,
                    "meeting",
                    "Mentoring steering committee",
                    "2",
                    "virtual",
                    [1, 4],
                    {"participants": [self.ny_lead, self.ny_district]},
                ),
            ],
            author=self.users["ny.staff"],
        )
        self.assessments(
            mentoring, {200: [2, 1, 1, 2, 2], 100: [3, 2, 2, 2, 3]}, assessor=self.users["facilitator"]
        )
        self.indicator(
            mentoring,
            "First-year teachers with a trained mentor",
            [(300, "41"), (120, "58")],
            definition="Share of first-year teachers in participating districts matched with a trained mentor.",
            unit="percent",
            baseline=Decimal("35"),
            target=Decimal("90"),
        )
        self.product(mentoring, "Mentor program toolkit", "tool", "in_development", r2cc, 60)

        boards = self.project(
            "Engaging school boards in New York's strategic plan",
            sea=ny,
            lead=r2cc,
            people=[self.ny_lead, self.ny_schoolboards],
            problem_statement="School boards need a shared picture of the state's strategic priorities.",
            status=Project.Status.PAUSED,
            start_date=datetime.date(2022, 9, 1),
        )
        self.activities(
            boards,
            [
                (
                    240,
                    "consultation",
                    "Listening session with the school boards association",
                    "2",
                    "virtual",
                    [1, 4],
                    {"participants": [self.ny_schoolboards]},
                )
            ],
            author=self.users["ny.staff"],
        )
        self.assessments(boards, {240: [1, 0, 1, 2, 1]}, assessor=self.users["facilitator"])

    def rhode_island(self):
        ri, r2cc = self.seas["RI"], self.centers["R2CC"]
        districts = self.districts("RI")
        pathways = self.project(
            "Rhode Island educator certification pathways",
            sea=ri,
            lead=r2cc,
            partners=[self.centers["REL NEI"]],
            offices=[self.office("RI", "Office of Educator Excellence")],
            districts=districts,
            people=[self.ri_lead, self.ri_district],
            problem_statement="Certification rules keep qualified candidates out of hard-to-staff roles.",
            status=Project.Status.ACTIVE,
            start_date=datetime.date(2022, 2, 1),
        )
        self.goals(pathways, [("Open alternative pathways into hard-to-staff certification areas.", [])])
        self.activities(
            pathways,
            [
                (
                    100,
                    "data_analysis",
                    "Analysis of certification waiver data",
                    "8",
                    "virtual",
                    [2],
                    {"centers": [self.centers["REL NEI"]]},
                ),
                (
                    30,
                    "meeting",
                    "Pathways working group",
                    "2",
                    "hybrid",
                    [3, 4],
                    {"participants": [self.ri_lead, self.ri_district], "districts": districts},
                ),
            ],
            author=self.users["ri.staff"],
        )
        self.assessments(
            pathways, {400: [1, 1, 0, 1, 1], 60: [2, 2, 2, 3, 3]}, assessor=self.users["facilitator"]
        )
        self.indicator(
            pathways,
            "Emergency certificates issued",
            [(365, "410"), (60, "352")],
            definition="Emergency certificates issued in hard-to-staff areas in a school year.",
            unit="certificates",
            baseline=Decimal("430"),
            target=Decimal("250"),
            direction=Indicator.Direction.DECREASE,
        )
        self.product(pathways, "Certification pathways brief", "report", "planned", r2cc, 90)

        climate = self.project(
            "Rhode Island school climate survey use",
            sea=ri,
            lead=self.centers["NCSSLE"],
            partners=[r2cc],
            people=[self.ri_lead],
            problem_statement="Districts collect climate surveys but rarely act on the results.",
            status=Project.Status.PROPOSED,
            start_date=datetime.date(2026, 1, 5),
        )
        self.goals(climate, [("Districts use climate survey results in their improvement plans.", [])])

    # -- topics, teams and adoptions ---------------------------------------------------

    def running_the_work(self):
        """Topics and teams on the projects, and the eight pilot districts' adoptions of the
        Connecticut action-plan template (products implemented consistently across settings)."""
        topics = {t.slug: t for t in Topic.objects.all()}
        plan = {
            "Diversifying Connecticut's educator workforce": (["educator-workforce", "data-use"], "ct.staff"),
            "Strengthening New York's new-teacher mentoring": (["educator-workforce"], "ny.staff"),
            "Engaging school boards in New York's strategic plan": (
                ["strategic-planning", "family-engagement"],
                "ny.staff",
            ),
            "Rhode Island school climate survey use": (["student-wellbeing", "data-use"], "ri.staff"),
            "Rhode Island educator certification pathways": (["educator-workforce"], "ri.staff"),
        }
        for project in Project.objects.filter(title__in=list(plan)):
            slugs, contact = plan[project.title]
            project.topics.add(*[topics[s] for s in slugs if s in topics])
            self.get_or_create(
                ProjectMember,
                project=project,
                user=self.users["facilitator"],
                defaults={"role": ProjectMember.Role.CENTER_LEAD},
            )
            self.get_or_create(
                ProjectMember,
                project=project,
                user=self.users[contact],
                defaults={"role": ProjectMember.Role.SEA_CONTACT},
            )
        template = Product.objects.filter(title="Statewide recruitment action-plan template").first()
        if template is None:
            return
        notes = (
            "Board adopted the plan with a grow-your-own pathway.",
            "Adopted with a paraprofessional-to-teacher track.",
            "Adopted; recruitment fairs at two HBCUs added.",
            "Adopted after a community listening session.",
            "Adopted with a residency partnership.",
            "Adopted; the district shares hiring data quarterly.",
            "Adopted with a mentoring add-on for first-year hires.",
            "Adopted; the plan is part of the district strategic plan.",
        )
        for n, district in enumerate(template.project.districts.order_by("name")[:8]):
            self.get_or_create(
                ProductAdoption,
                product=template,
                district=district,
                defaults={
                    "adopted_on": self.days_ago(190 - 15 * n),
                    "note": notes[n % len(notes)],
                    "recorded_by": self.users["ct.staff"],
                },
            )

    # -- accounts ------------------------------------------------------------------------

    def accounts(self):
        self.users = {}
        specs = [  # keep DEMO_USERNAMES in step
            ("ct.staff", "Casey", "Staff", Role.SEA_STAFF, self.seas["CT"], False),
            ("ny.staff", "Morgan", "Staff", Role.SEA_STAFF, self.seas["NY"], False),
            ("ri.staff", "Riley", "Staff", Role.SEA_STAFF, self.seas["RI"], False),
            ("facilitator", "Fran", "Facilitator", Role.FACILITATOR, None, False),
            ("admin", "Alex", "Administrator", Role.ADMINISTRATOR, None, True),
        ]
        for username, first, last, role, sea, is_super in specs:
            user = User.objects.filter(username=username).first()
            if user is None:
                password = self.password or self.random_password()
                user = User.objects.create_user(
                    username=username,
                    email=f"{username}@r2cc.example.org",
                    password=password,
                    first_name=first,
                    last_name=last,
                    sea=sea,
                    is_staff=is_super,
                    is_superuser=is_super,
                )
                user.groups.add(Group.objects.get(name=role.value))
                self.result.created += 1
                if not self.password:
                    self.result.passwords[username] = password
            self.users[username] = user

    def random_password(self) -> str:
        if not hasattr(self, "_random_password"):
            self._random_password = secrets.token_urlsafe(12)
        return self._random_password


DEMO_USERNAMES = ("ct.staff", "ny.staff", "ri.staff", "facilitator", "admin")


@transaction.atomic
def demo_passwords_reset(*, password: str | None = None) -> tuple[list[str], str]:
    """Give every demo account that exists `password`, or one new random password.

    Returns the usernames changed and the password, so that a password printed once and lost
    can be recovered (`seed_demo --reset-passwords`). Sign-in lockouts of these accounts end.
    """
    password = password or secrets.token_urlsafe(12)
    changed = []
    for user in User.objects.filter(username__in=DEMO_USERNAMES).order_by("username"):
        user.set_password(password)
        user.save(update_fields=["password"])
        changed.append(user.username)
    from axes.utils import reset

    for username in changed:
        reset(username=username)
    return changed, password


@transaction.atomic
def demo_world_load(*, password: str | None = None, today: datetime.date | None = None) -> DemoResult:
    """Load the demo world; records that exist already are left exactly as they are.

    Returns how many records were created and, for accounts created with a generated
    password, that password (shown once: it is stored only as a hash).
    """
    world = _World(today or timezone.localdate(), password)
    world.organizations()
    world.accounts()
    world.people()
    world.bodies()
    world.connecticut()
    world.new_york()
    world.rhode_island()
    world.running_the_work()
    return world.result
