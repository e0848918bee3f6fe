"""Moving the portal's status machines: one service for requests, projects, goals and products.

The transitions themselves (sources, targets, conditions, who may) are declared on the models
with django-fsm-2. This service takes the row lock, checks that the record is still in the
state the user saw (two facilitators acting at once: the second is refused, not applied on
top), runs the transition and records who moved it, when and why in `StatusChange`.
ConcurrentTransitionMixin on the models is the second guard: a save whose state changed
underneath raises ConcurrentTransition and rolls the transaction back.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django_fsm import can_proceed

from core.history import history_reason
from projects.models import StatusChange


@dataclass(frozen=True)
class Move:
    """A transition offered to a user on a page: its method name, label and target."""

    name: str
    label: str
    target: str
    target_label: str


def _label(name: str) -> str:
    return name.replace("_", " ").capitalize()


def moves_for(obj: models.Model, user, *, field: str = "status") -> list[Move]:
    """The transitions `user` may run on `obj` from its current state (for a page's buttons).

    Conditions are not checked here: a move whose condition needs input (a delivery date) is
    offered with that input and refused with a message when it is missing.
    """
    current = getattr(obj, field)
    choices = dict(getattr(obj._meta.get_field(field), "choices", None) or ())
    moves = []
    for t in getattr(obj, f"get_all_{field}_transitions")():
        if t.source not in (current, "*", "+") or not t.has_perm(obj, user):
            continue
        moves.append(
            Move(
                name=t.name,
                label=_label(t.name),
                target=t.target,
                target_label=str(choices.get(t.target, t.target)),
            )
        )
    return moves


def status_labels(model: type[models.Model], *, field: str = "status") -> dict[str, str]:
    """The human labels of a status field's codes (`in_conversation` → "In conversation")."""
    choices = getattr(model._meta.get_field(field), "choices", None) or ()
    return {str(code): str(label) for code, label in choices}


def status_history(obj: models.Model, *, field: str = "status") -> list[StatusChange]:
    """The recorded moves of `obj`, oldest first, each with `source_label` and `target_label`
    (the labels of the states; a code no longer among the choices reads as itself)."""
    labels = status_labels(type(obj), field=field)
    changes = list(
        StatusChange.objects.filter(
            content_type=ContentType.objects.get_for_model(type(obj)), object_id=obj.pk
        ).select_related("by")
    )
    for change in changes:
        change.source_label = labels.get(change.source, change.source)
        change.target_label = labels.get(change.target, change.target)
    return changes


def status_move(
    *,
    obj: models.Model,
    transition: str,
    by,
    note: str = "",
    expected_status: str | None = None,
    note_required: bool = False,
    field: str = "status",
    before_save=None,
):
    """Run `transition` on `obj` for `by`; returns the saved, moved record.

    Raises ValidationError (with a `note` or `__all__` message) when the move is not offered,
    not permitted, its conditions fail, or the record moved since the user saw it.
    `before_save(locked)` may set fields the target state needs (e.g. a delivery date) and
    raise ValidationError itself.
    """
    note = (note or "").strip()
    if note_required and not note:
        raise ValidationError({"note": "Say why: the reason is kept with the record."})
    model = type(obj)
    with transaction.atomic():
        locked = model._default_manager.select_for_update().get(pk=obj.pk)
        current = getattr(locked, field)
        if expected_status is not None and current != expected_status:
            label = dict(getattr(model._meta.get_field(field), "choices", None) or ()).get(current, current)
            raise ValidationError(
                f"Someone else moved this record to “{label}” in the meantime; nothing was changed. "
                "Look at it again before you act."
            )
        names = {t.name for t in getattr(locked, f"get_all_{field}_transitions")()}
        method = getattr(locked, transition, None) if transition in names else None
        if method is None:
            raise ValidationError("This move does not exist.")
        if not can_proceed(method, check_conditions=False):
            raise ValidationError(
                f"This record cannot be moved that way from “{getattr(locked, f'get_{field}_display')()}”."
            )
        if not method._django_fsm.has_transition_perm(locked, current, by):
            raise ValidationError("You may not make this move.")
        if before_save is not None:
            before_save(locked)
        if not can_proceed(method):
            conditions = method._django_fsm.get_transition(current).conditions
            unmet = [c.__doc__ or c.__name__ for c in conditions if not c(locked)]
            raise ValidationError("Not yet: " + " ".join(unmet))
        method()
        locked.full_clean()
        history_reason(locked, note)
        locked.save()
        StatusChange.objects.create(
            content_type=ContentType.objects.get_for_model(model),
            object_id=locked.pk,
            transition=transition,
            source=current,
            target=getattr(locked, field),
            note=note,
            by=by,
        )
    return locked
