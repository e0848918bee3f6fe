"""Who made a change, for the history django-simple-history keeps of a record."""

from typing import TypeVar

from django.db.models import Model

M = TypeVar("M", bound=Model)


def history_by(instance: M, user) -> M:
    """Name `user` as the author of the next version recorded of `instance` (simple-history reads
    the acting user from this attribute when there is no request, as in services and tasks)."""
    instance._history_user = user  # type: ignore[attr-defined]
    return instance


def history_reason(instance: M, reason: str) -> M:
    """Keep `reason` beside the next version recorded of `instance` (at most 100 characters)."""
    instance._change_reason = reason[:100]  # type: ignore[attr-defined]
    return instance
