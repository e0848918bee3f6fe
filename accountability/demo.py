"""Demo data of this app for `seed_demo` (through projects' demo hook): the project teams, last
fiscal year's services of the Connecticut project with their confirmations (one disputed),
participants' ratings, a confirmed monthly statement, and a filled-in annual report.

Every record is looked up by a natural key and created only when missing: a second run changes
nothing.
"""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.utils import timezone

from core.history import history_by
from projects.models import Activity, Project, ProjectMember
from stakeholders.models import Stakeholder

from .counterparts import counterpart_role
from .models import (
    Attestation,
    Decision,
    MeasureTarget,
    PerformanceMeasure,
    ProgressExplanation,
    ServiceStatement,
    SurveyAnswer,
    SurveyInvitation,
    SurveyItem,
    SurveyResponse,
)
from .report import Period
from .services.statements import statement_figures
from .services.surveys import SURVEYED_TYPES

CT_PROJECT = "Diversifying Connecticut's educator workforce"

# (month of the fiscal year from October, day, type, summary, hours)
SERVICES = [
    (0, 14, "coaching", "Coached two pilot districts on their hiring pipelines", "3"),
    (1, 18, "training", "Trained district HR leads to read their applicant-flow data", "6"),
    (2, 9, "root_cause", "Facilitated a root-cause analysis of hiring barriers with the Talent Office", "4"),
    (3, 22, "coaching", "Coached the pilot districts on outreach to educator-preparation programs", "2.5"),
    (5, 12, "consultation", "Consulted the Bureau Chief on the retention guidebook's outline", "1.5"),
    (6, 3, "training", "Training on the statewide action-plan template for eight districts", "5"),
    (8, 20, "coaching", "Coached district leaders on mentoring teachers of color", "3"),
    (10, 7, "consultation", "Consulted on the reporting tool's measures of access", "2"),
]
DISPUTED = "Consulted the Bureau Chief on the retention guidebook's outline"
DISPUTE_REASON = "We met for one hour, not an hour and a half; please correct the hours."
PENDING = "Consulted on the reporting tool's measures of access"

MEASURES = [
    # name, definition, counts, activity type, target, explanation
    ("Activities delivered to the states", "Activities logged with the three SEAs.", "activities", "", 20,
     "Work with CSDE, NYSED and RIDE kept to plan; two sessions moved online during the winter."),
    ("Hours of technical assistance", "Hours of all activities of the period.", "hours", "", 60,
     "Below target: the guidebook's drafting took fewer, longer sessions than planned."),
    ("Districts reached", "Distinct districts taking part in an activity.", "districts", "", 8,
     "All eight Connecticut pilot districts took part."),
    ("Services rated highly", "Share of ratings of 4 or 5 across quality, relevance and usefulness.",
     "rated_highly", "", 80, "Participants rated the coaching sessions highest."),
    ("Activities confirmed by the states", "Share of activities the counterpart confirmed.", "attested", "", 90,
     "One activity is disputed (hours) and is being corrected with CSDE."),
]  # fmt: skip


def _fy_date(period: Period, month_offset: int, day: int) -> datetime.date:
    month = (period.start.month - 1 + month_offset) % 12 + 1
    year = period.start.year + (period.start.month - 1 + month_offset) // 12
    return datetime.date(year, month, day)


def accountability_demo_load(*, today: datetime.date) -> int:
    users = {user.username: user for user in get_user_model().objects.filter(username__in=_USERNAMES)}
    if not {"facilitator", "ct.staff"} <= users.keys():
        return 0
    created = 0
    period = Period.last_fiscal_year(today)
    # Teams: the facilitator leads every demo project; each state's staff member is its contact.
    for project in Project.objects.filter(sea__state_code__in=["CT", "NY", "RI"]).select_related("sea"):
        contact = users.get(f"{project.sea.state_code.lower()}.staff")
        if not ProjectMember.objects.filter(project=project, role=ProjectMember.Role.CENTER_LEAD).exists():
            ProjectMember.objects.create(project=project, user=users["facilitator"], role="center_lead")
            created += 1
        if contact is not None:
            _, new = ProjectMember.objects.get_or_create(
                project=project, user=contact, defaults={"role": ProjectMember.Role.SEA_CONTACT}
            )
            created += new
    project = Project.objects.filter(title=CT_PROJECT).first()
    if project is None:
        return created
    people = list(Stakeholder.objects.filter(sea=project.sea, is_active=True).order_by("last_name", "pk")[:4])
    districts = list(project.districts.order_by("name")[:4])
    for month, day, kind, summary, hours in SERVICES:
        if Activity.objects.filter(project=project, summary=summary).exists():
            continue
        activity = Activity(
            project=project,
            date=_fy_date(period, month, day),
            type=kind,
            summary=summary,
            hours=Decimal(hours),
            mode="virtual" if month % 2 else "in_person",
            author=users["facilitator"],
        )
        history_by(activity, users["facilitator"])
        activity.save()
        activity.participants.add(*people[: 2 + month % 3])
        activity.districts.add(*districts[: 1 + month % 4])
        created += 1
    created += _attestations(project, users)
    created += _surveys(project)
    created += _statement(project, period, users["ct.staff"])
    created += _measures(period, users["facilitator"])
    return created


_USERNAMES = ["facilitator", "ct.staff", "ny.staff", "ri.staff"]


def _attestations(project, users) -> int:
    created = 0
    activities = Activity.objects.filter(project__sea=project.sea, author__isnull=False).select_related(
        "author"
    )
    for activity in activities.order_by("date", "pk"):
        version = activity.history.order_by("-history_id").values_list("history_id", flat=True).first()
        role = counterpart_role(activity.author)
        if version is None or role is None or Attestation.objects.filter(activity=activity).exists():
            continue
        counterpart = users["ct.staff"] if role == ProjectMember.Role.SEA_CONTACT else users["facilitator"]
        requested = timezone.make_aware(datetime.datetime.combine(activity.date, datetime.time(17)))
        status, comment = Decision.CONFIRMED, ""
        if activity.summary == DISPUTED:
            status, comment = Decision.DISPUTED, DISPUTE_REASON
        elif activity.summary == PENDING or activity.date > timezone.localdate() - datetime.timedelta(
            days=10
        ):
            status = Decision.PENDING
        decided = status != Decision.PENDING
        Attestation.objects.create(
            activity=activity,
            version=version,
            counterpart_role=role,
            status=status,
            comment=comment,
            requested_at=requested,
            decided_at=requested + datetime.timedelta(days=2 + activity.pk % 5) if decided else None,
            decided_by=counterpart if decided else None,
        )
        created += 1
    return created


def _surveys(project) -> int:
    created = 0
    items = list(SurveyItem.objects.filter(is_active=True))
    activities = Activity.objects.filter(project=project, type__in=SURVEYED_TYPES, author__isnull=False)
    for activity in activities.order_by("date", "pk").prefetch_related("participants"):
        for index, person in enumerate(activity.participants.all()):
            invitation, new = SurveyInvitation.objects.get_or_create(
                activity=activity,
                stakeholder=person,
                defaults={
                    "project": project,
                    "activity_type": activity.type,
                    "sent_at": timezone.make_aware(
                        datetime.datetime.combine(activity.date, datetime.time(18))
                    ),
                },
            )
            created += new
            if not new or index % 3 == 2:  # about a third do not answer
                continue
            scores = {item.pk: 5 - (item.pk + index + activity.pk) % 3 for item in items}
            submitted = invitation.sent_at + datetime.timedelta(days=1)
            means = {}
            for dimension in ("quality", "relevance", "usefulness"):
                values = [score for pk, score in scores.items() if _dimension(items, pk) == dimension]
                means[dimension] = (
                    (Decimal(sum(values)) / len(values)).quantize(Decimal("0.01")) if values else None
                )
            response = SurveyResponse.objects.create(
                invitation=invitation,
                comment="Practical and well paced." if index == 0 else "",
                submitted_at=submitted,
                **means,
            )
            SurveyAnswer.objects.bulk_create(
                SurveyAnswer(response=response, item_id=pk, score=score) for pk, score in scores.items()
            )
            invitation.responded_at = submitted
            invitation.save(update_fields=["responded_at"])
            created += 1
    return created


def _dimension(items, pk) -> str:
    return next(item.dimension for item in items if item.pk == pk)


def _statement(project, period: Period, contact) -> int:
    month = _fy_date(period, 1, 1)
    if ServiceStatement.objects.filter(project=project, month=month).exists():
        return 0
    figures = statement_figures(project=project, month=month)
    prepared = timezone.make_aware(datetime.datetime.combine(_fy_date(period, 2, 2), datetime.time(9)))
    ServiceStatement.objects.create(
        project=project,
        month=month,
        prepared_at=prepared,
        status=Decision.CONFIRMED,
        decided_by=contact,
        decided_at=prepared + datetime.timedelta(days=3),
        **figures,
    )
    return 1


def _measures(period: Period, author) -> int:
    created = 0
    for order, (name, definition, counts, kind, target, explanation) in enumerate(MEASURES, start=1):
        measure, new = PerformanceMeasure.objects.get_or_create(
            name=name,
            project=None,
            defaults={"definition": definition, "counts": counts, "activity_type": kind, "order": order},
        )
        created += new
        _, new = MeasureTarget.objects.get_or_create(
            measure=measure,
            period_start=period.start,
            period_end=period.end,
            defaults={"target": Decimal(target)},
        )
        created += new
        _, new = ProgressExplanation.objects.get_or_create(
            measure=measure,
            period_start=period.start,
            period_end=period.end,
            defaults={"text": explanation, "updated_by": author},
        )
        created += new
    project = Project.objects.filter(title=CT_PROJECT).first()
    objective = None
    if project is not None:
        from projects.models import Objective

        objective = Objective.objects.filter(goal__project=project).order_by("goal__number", "number").first()
        measure, new = PerformanceMeasure.objects.get_or_create(
            name="Coaching sessions for the pilot districts",
            project=project,
            defaults={
                "definition": "Coaching sessions with the eight pilot districts on hiring and retention.",
                "counts": "activities",
                "activity_type": "coaching",
                "objective": objective,
            },
        )
        created += new
        _, new = MeasureTarget.objects.get_or_create(
            measure=measure, period_start=period.start, period_end=period.end, defaults={"target": Decimal(4)}
        )
        created += new
    return created
