"""Demo meetings of the RAB and the RCC: past ones with minutes, action items and feedback,
upcoming ones with an agenda. Runs after the demo world (projects/demo.py) is loaded.

Every record is looked up by its natural key and created only when missing, so loading twice
changes nothing. Dates are placed relative to `today`.
"""

import datetime
import zoneinfo

from django.conf import settings
from django.db import transaction

from accounts.models import User
from projects.models import Product, Project
from stakeholders.models import AdvisoryBody, Stakeholder

from .models import ActionItem, AgendaItem, Decision, Feedback, Meeting, Minutes
from .services.meetings import participants_sync

RAB_MINUTES = """## Attendance
The chair welcomed the members; a quorum of voting members was present.

## Needs and high-leverage problems
- Connecticut described the shortage of teachers of color in its pilot districts.
- New York asked for help using early-learning data across offices.
- Rhode Island raised chronic absenteeism as its most pressing problem.

## Services of the center
The center presented its coaching and root-cause analysis services.

## Feedback
Members rated the statewide action-plan template and the coaching sessions.
"""

RCC_MINUTES = """## Coordination
The centers mapped their current work with each of the three states to avoid overlapping support.

## Next steps
REL Northeast & Islands and the R2CC will align the data-use support for Connecticut.
"""


def _at(day: datetime.date, hour: int) -> datetime.datetime:
    return datetime.datetime.combine(day, datetime.time(hour), tzinfo=zoneinfo.ZoneInfo(settings.TIME_ZONE))


class _Loader:
    def __init__(self, today: datetime.date):
        self.today = today
        self.created = 0
        self.author = User.objects.filter(username="facilitator").first()

    def get_or_create(self, model, defaults=None, **lookup):
        obj, created = model.objects.get_or_create(defaults=defaults or {}, **lookup)
        self.created += created
        return obj

    def meeting(self, body, title, days_from_today, *, hours=2, **fields):
        day = self.today + datetime.timedelta(days=days_from_today)
        meeting = self.get_or_create(
            Meeting,
            body=body,
            title=title,
            defaults={
                "starts_at": _at(day, 10),
                "ends_at": _at(day, 10 + hours),
                "mode": Meeting.Mode.VIRTUAL,
                "link": "https://meet.example.org/r2cc-" + body.short_name.lower(),
                "created_by": self.author,
                **fields,
            },
        )
        participants_sync(meeting=meeting)
        return meeting

    def agenda(self, meeting, items):
        purposes = {p.number: p for p in meeting.body.purposes.all()}
        for position, (title, minutes, purpose, extra) in enumerate(items, start=1):
            self.get_or_create(
                AgendaItem,
                meeting=meeting,
                position=position,
                defaults={"title": title, "minutes": minutes, "purpose": purposes.get(purpose), **extra},
            )

    def attendance(self, meeting, absent=(), delegates=None):
        delegates = delegates or {}
        for participant in meeting.participants.select_related("stakeholder").filter(attendance=""):
            email = participant.stakeholder.email
            if email in delegates:
                participant.attendance, participant.delegate_name = "delegate", delegates[email]
            else:
                participant.attendance = "absent" if email in absent else "present"
            participant.rsvp = "no" if email in absent else "yes"
            participant.invited_at = meeting.starts_at - datetime.timedelta(days=21)
            participant.save(update_fields=["attendance", "delegate_name", "rsvp", "invited_at"])

    def minutes(self, meeting, text, approved=True):
        self.get_or_create(
            Minutes,
            meeting=meeting,
            defaults={
                "text": text,
                "status": Minutes.Status.APPROVED if approved else Minutes.Status.DRAFT,
                "approved_at": meeting.ends_at + datetime.timedelta(days=7) if approved else None,
                "approved_by": self.author if approved else None,
            },
        )

    def action(self, meeting, description, owner, due_in_days, status="open", agenda_position=None):
        agenda_item = (
            meeting.agenda_items.filter(position=agenda_position).first() if agenda_position else None
        )
        return self.get_or_create(
            ActionItem,
            meeting=meeting,
            description=description,
            defaults={
                "owner_stakeholder": owner,
                "due_date": self.today + datetime.timedelta(days=due_in_days),
                "status": status,
                "closed_on": self.today if status != "open" else None,
                "agenda_item": agenda_item,
                "created_by": self.author,
            },
        )

    def feedback(self, body, meeting, person, resource, ratings, comment="", product=None, days_ago=0):
        quality, relevance, usefulness = ratings
        self.get_or_create(
            Feedback,
            body=body,
            meeting=meeting,
            stakeholder=person,
            resource=resource,
            defaults={
                "product": product,
                "quality": quality,
                "relevance": relevance,
                "usefulness": usefulness,
                "comment": comment,
                "channel": Feedback.Channel.MEETING if meeting else Feedback.Channel.LINK,
                "submitted_at": _at(self.today - datetime.timedelta(days=days_ago), 12),
            },
        )


def person(email: str) -> Stakeholder | None:
    return Stakeholder.objects.filter(email__iexact=email).first()


@transaction.atomic
def meetings_demo_load(*, today: datetime.date) -> int:
    """Add demo RAB and RCC meetings; returns how many records were created (0 the second time)."""
    rab = AdvisoryBody.objects.filter(short_name="RAB").first()
    rcc = AdvisoryBody.objects.filter(short_name="RCC").first()
    if rab is None or rcc is None:
        return 0
    load = _Loader(today)
    todd = person("chris.todd@example.org")
    crigler = person("forest.crigler@example.org")
    members = list(Stakeholder.objects.filter(memberships__body=rab).distinct().order_by("last_name"))
    diversity = Project.objects.filter(title__icontains="educator").order_by("pk").first()
    template = Product.objects.filter(kind=Product.Kind.TEMPLATE).order_by("pk").first()

    # Let the CT demo account answer invitations and update its action items as the RAB chair.
    ct_staff = User.objects.filter(username="ct.staff").first()
    if (
        todd is not None
        and ct_staff is not None
        and todd.user_id is None
        and not hasattr(ct_staff, "stakeholder")
    ):
        todd.user = ct_staff
        todd.save(update_fields=["user"])

    # -- RAB: a meeting last winter, one last spring, the next one coming up.
    winter = load.meeting(rab, "Winter meeting: regional needs", -330)
    load.agenda(
        winter,
        [
            ("Welcome and introductions", 10, None, {}),
            ("State needs and high-leverage problems", 50, 1, {"presenter": todd}),
            ("The center's services", 30, 2, {"presenter": crigler}),
        ],
    )
    load.attendance(winter, absent={m.email for m in members[-1:]})
    load.minutes(winter, RAB_MINUTES)
    spring = load.meeting(rab, "Spring meeting: feedback on resources", -150)
    load.agenda(
        spring,
        [
            ("Review of open action items", 15, None, {}),
            ("Educator diversity: progress", 35, 1, {"project": diversity, "presenter": todd}),
            ("Feedback on the action-plan template", 40, 3, {"product": template}),
            ("Awareness of services in districts", 25, 2, {}),
        ],
    )
    load.attendance(spring, delegates={m.email: "Deputy " + m.last_name for m in members[:1]})
    load.minutes(spring, RAB_MINUTES.replace("winter", "spring"))
    for text in (
        "Adopt the needs-assessment protocol for the next cycle.",
        "Ask districts for retention data.",
    ):
        load.get_or_create(Decision, meeting=spring, text=text)
    owner = members[0] if members else None
    if owner is not None:
        load.action(winter, "Circulate the needs-assessment summary to all SEAs", owner, -300, status="done")
        load.action(
            spring, "Share district hiring data with the REL team", todd or owner, 20, agenda_position=2
        )
        load.action(spring, "Collect district examples of service use", members[-1], -10, agenda_position=4)
        load.action(
            spring, "Draft a one-page overview of center services", crigler or owner, 45, agenda_position=4
        )
    for index, member in enumerate(members[:5]):
        load.feedback(rab, winter, member, "Coaching sessions", (4, 5, 4 - index % 2), days_ago=330)
        load.feedback(
            rab,
            spring,
            member,
            template.title if template else "Statewide action-plan template",
            (5 - index % 3, 4, 4 + index % 2),
            comment="Clear and easy to adapt." if index == 0 else "",
            product=template,
            days_ago=150,
        )
    upcoming = load.meeting(
        rab,
        "Fall meeting: priorities for next year",
        30,
        mode=Meeting.Mode.HYBRID,
        location="R2CC office, Hartford, Connecticut",
    )
    load.agenda(
        upcoming,
        [
            ("Open action items", 15, None, {}),
            ("Regional priorities for next year", 60, 1, {"project": diversity}),
            ("Feedback on the retention guidebook", 30, 3, {}),
        ],
    )

    # -- RCC: one past meeting, the next one scheduled.
    council = load.meeting(rcc, "Council meeting: coordinating supports", -200, hours=3)
    load.agenda(
        council,
        [
            ("Map of each center's work by state", 60, 1, {}),
            ("Seamless supports for Connecticut", 60, 2, {}),
        ],
    )
    load.attendance(council)
    load.minutes(council, RCC_MINUTES)
    rcc_owner = Stakeholder.objects.filter(memberships__body=rcc).order_by("last_name").first()
    if rcc_owner is not None:
        load.action(
            council, "Share each center's state work plan with the council", rcc_owner, 15, agenda_position=1
        )
    load.meeting(rcc, "Council meeting: mid-year check-in", 60, hours=3)
    return load.created
