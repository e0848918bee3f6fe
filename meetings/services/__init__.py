"""Every write of the meetings app goes through these services (views, tasks, demo data call them).

Each service that acts for someone takes that actor and checks it may do what it asks
(`manager_check`, `ActionItem.objects.editable_by`): a caller's own check is never the only one.
"""

from django.core.exceptions import PermissionDenied

from meetings.querysets import may_manage


def manager_check(actor) -> None:
    """Raise PermissionDenied unless `actor` manages the bodies (facilitators, administrators)."""
    if not may_manage(actor):
        raise PermissionDenied(
            "Only facilitators and administrators manage advisory bodies and their meetings."
        )
