"""The one rule behind every `visible_to(user)` queryset method.

Facilitators and administrators read the whole portfolio; SEA staff read what belongs to
their own state education agency; everyone else reads nothing.
"""

from django.db.models import Q, QuerySet


def scope_to_user(queryset: QuerySet, user, sea_lookup: str, *, also: Q | None = None) -> QuerySet:
    """Filter `queryset` to what `user` may read, following `sea_lookup` to the owning SEA.

    `also` widens what SEA staff see (for example records they authored themselves).
    """
    if user is None or not user.is_authenticated or not user.is_active:
        return queryset.none()
    if user.sees_whole_portfolio:
        return queryset
    if user.is_sea_staff and user.sea_id:
        condition = Q(**{sea_lookup: user.sea_id})
        if also is not None:
            condition |= also
        return queryset.filter(condition)
    return queryset.none()
