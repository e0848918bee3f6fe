"""What this app adds to the pages and workflows of projects, through projects' hooks."""

from django.db.models import Exists, OuterRef
from django.template.loader import render_to_string

from projects import hooks
from projects.models import ProjectMember

from . import selectors
from .forms import AttestationForm
from .models import Attestation, Decision
from .services.attestations import attestation_request


@hooks.register_demo_loader
def demo_load(*, today) -> int:
    from .demo import accountability_demo_load

    return accountability_demo_load(today=today)


@hooks.on_activity_saved
def request_attestation(*, activity, created: bool, by) -> None:
    attestation_request(activity=activity, by=by)
    if created:
        from .tasks import survey_invite_activity_task

        # The participants are asked by a worker once the activity is committed.
        survey_invite_activity_task.delay_on_commit(activity.pk)


@hooks.register_panel("activity_detail")
def attestation_panel(request, activity) -> str:
    """The answers on each version of the activity, and the counterpart's form on the current one."""
    # One query: the answers and whether the viewer holds the role that answers the current one.
    member = ProjectMember.objects.filter(
        project_id=activity.project_id, user_id=request.user.pk, role=OuterRef("counterpart_role")
    )
    rows = list(
        Attestation.objects.filter(activity=activity)
        .select_related("decided_by")
        .annotate(viewer_answers=Exists(member))
        .order_by("-version")
    )
    current = next((row for row in rows if row.is_current), None)
    can_answer = bool(current and current.status == Decision.PENDING and current.viewer_answers)
    return render_to_string(
        "accountability/_partials/attestation_panel.html",
        {
            "attestations": rows,
            "current": current,
            "can_answer": can_answer,
            "form": AttestationForm() if can_answer else None,
        },
        request=request,
    )


@hooks.register_panel("project_detail")
def disputes_panel(request, project) -> str:
    """Disputed activities of the project, flagged at the top of its page."""
    disputed = list(
        Attestation.objects.filter(activity__project=project, is_current=True, status=Decision.DISPUTED)
        .select_related("activity", "decided_by")
        .order_by("-decided_at")[:20]
    )
    if not disputed:
        return ""
    return render_to_string(
        "accountability/_partials/disputes_panel.html",
        {"disputed": disputed, "project": project},
        request=request,
    )


STATE_PANEL_PROJECT_LIMIT = 10


@hooks.register_panel("state_dashboard")
def state_attestation_panel(request, sea) -> str:
    """The state's attestation rate and median days to attest, and its projects' (one query),
    drawn once per change of the data."""

    def draw(figures: dict) -> str:
        return render_to_string(
            "accountability/_partials/state_attestation_panel.html",
            {
                **figures,
                "sea": sea,
                "dates": {"start": figures["start"].isoformat(), "end": figures["end"].isoformat()},
            },
        )

    return selectors.state_attestation_panel(
        request.user, sea, project_limit=STATE_PANEL_PROJECT_LIMIT, draw=draw
    )
