"""Who confirms an activity: the one rule, decided from its author.

Activities logged by center staff (facilitators and administrators) are confirmed by the
project's SEA contacts; activities logged by SEA staff by the project's center lead. An activity
without an author (or logged by anyone else) has no counterpart and is not asked about.
"""

from django.contrib.auth import get_user_model

from projects.models import ProjectMember

Role = ProjectMember.Role


def counterpart_role(author) -> str | None:
    """The project-team role that confirms activities logged by `author`."""
    if author is None:
        return None
    if author.is_administrator or author.is_facilitator:
        return Role.SEA_CONTACT
    if author.is_sea_staff:
        return Role.CENTER_LEAD
    return None


def counterparts(*, project_id: int, role: str):
    """The active users holding `role` on the project (those who may answer)."""
    return (
        get_user_model()
        .objects.filter(project_roles__project_id=project_id, project_roles__role=role, is_active=True)
        .order_by("pk")
        .distinct()
    )


def is_counterpart(user, *, project_id: int, role: str) -> bool:
    if user is None or not user.is_authenticated or not user.is_active:
        return False
    return ProjectMember.objects.filter(project_id=project_id, user=user, role=role).exists()
