"""Demo requests for help: how the demo projects came in, and some that did not become projects.

Loaded after the projects and meetings demo; running it again changes nothing.
"""

import datetime

from django.contrib.contenttypes.models import ContentType
from django.utils import timezone

from accounts.models import User
from projects.models import Project, StatusChange, Topic
from stakeholders.models import SEA, District, PartnerCenter

from .models import TARequest

REQUESTS = (
    # (title, state, status, topics, urgency, days ago, problem, outcome, extra)
    (
        "Diversify our educator workforce",
        "CT",
        TARequest.Status.BECAME_PROJECT,
        ["educator-workforce", "data-use"],
        TARequest.Urgency.HIGH,
        2600,
        "Our teachers do not reflect our students: eight districts want to widen the pipeline for "
        "teachers of color and keep the ones they hire.",
        "A statewide action-plan template the districts adopt, and a guidebook on retention.",
        {"project": "Diversifying Connecticut's educator workforce"},
    ),
    (
        "Statewide literacy curriculum review",
        "CT",
        TARequest.Status.DECLINED,
        ["literacy"],
        TARequest.Urgency.NORMAL,
        400,
        "Districts ask which reading curricula meet the new state law.",
        "A review of approved curricula.",
        {"reason": "Curriculum approval is the state's statutory role; the center cannot rate products."},
    ),
    (
        "Chronic absenteeism data study",
        "NY",
        TARequest.Status.REFERRED,
        ["data-use", "student-wellbeing"],
        TARequest.Urgency.NORMAL,
        300,
        "Absenteeism doubled since 2020 and we do not know which students are most affected.",
        "An analysis of attendance data by student group and district.",
        {
            "referred_to": "REL NEI",
            "reason": "Applied research on state data is the REL's work; REL Northeast & Islands agreed to take it.",
        },
    ),
    (
        "Mentoring for new special-education teachers",
        "RI",
        TARequest.Status.NEW,
        ["special-education", "educator-workforce"],
        TARequest.Urgency.HIGH,
        6,
        "Half of our new special-education teachers leave within two years.",
        "A mentoring model districts can run with their own staff.",
        {},
    ),
)


def intake_demo_load(*, today: datetime.date | None = None) -> int:
    """Create the demo requests that are missing; returns how many were created."""
    today = today or timezone.localdate()
    seas = {s.state_code: s for s in SEA.objects.all()}
    topics = {t.slug: t for t in Topic.objects.all()}
    centers = {c.short_name: c for c in PartnerCenter.objects.all()}
    facilitator = User.objects.filter(username="facilitator").first()
    request_type = ContentType.objects.get_for_model(TARequest)
    created = 0
    for title, state, status, slugs, urgency, days_ago, problem, outcome, extra in REQUESTS:
        sea = seas.get(state)
        if sea is None or TARequest.objects.filter(title=title, sea=sea).exists():
            continue
        submitter = User.objects.filter(username=f"{state.lower()}.staff").first()
        project = (
            Project.objects.filter(title=extra.get("project", "")).first() if "project" in extra else None
        )
        if "project" in extra and project is None:
            continue
        request = TARequest.objects.create(
            sea=sea,
            title=title,
            problem=problem,
            desired_outcome=outcome,
            urgency=urgency,
            contact_name=submitter.get_full_name() if submitter else "State contact",
            contact_email=submitter.email if submitter else f"contact@{state.lower()}.example.org",
            submitted_by=submitter,
            status=status,  # the demo's history, set once at creation (the status is protected after)
            referred_to=centers.get(extra.get("referred_to", "")),
            decision_reason=extra.get("reason", ""),
            project=project,
        )
        submitted = timezone.now() - datetime.timedelta(days=days_ago)
        TARequest.objects.filter(pk=request.pk).update(submitted_at=submitted)
        request.topics.set([topics[s] for s in slugs if s in topics])
        request.districts.set(District.objects.filter(sea=sea).order_by("name")[:2])
        path = {
            TARequest.Status.BECAME_PROJECT: ["in_conversation", "accepted", "became_project"],
            TARequest.Status.DECLINED: ["in_conversation", "declined"],
            TARequest.Status.REFERRED: ["in_conversation", "referred"],
        }.get(status, [])
        source = "new"
        for step, target in enumerate(path, start=1):
            StatusChange.objects.create(
                content_type=request_type,
                object_id=request.pk,
                transition=target,
                source=source,
                target=target,
                note=extra.get("reason", "") if target in ("declined", "referred") else "",
                by=facilitator,
                at=submitted + datetime.timedelta(days=7 * step),
            )
            source = target
        created += 1
    return created
