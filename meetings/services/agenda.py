"""Building a meeting's agenda."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max, Sum

from meetings.models import AgendaItem, Meeting

from . import manager_check

AGENDA_FIELDS = (
    "title",
    "description",
    "presenter",
    "presenter_name",
    "minutes",
    "project",
    "product",
    "purpose",
)


def _check_open(meeting: Meeting) -> None:
    if meeting.is_cancelled:
        raise ValidationError("The agenda of a cancelled meeting cannot be changed.")
    if hasattr(meeting, "minutes") and meeting.minutes.is_approved:
        raise ValidationError("The minutes of this meeting are approved; its agenda is part of the record.")


def agenda_minutes(meeting: Meeting) -> int:
    return meeting.agenda_items.aggregate(total=Sum("minutes"))["total"] or 0


def agenda_overrun(meeting: Meeting) -> int:
    """Minutes by which the agenda exceeds the meeting's length (0 when it fits)."""
    return max(0, agenda_minutes(meeting) - meeting.length_minutes)


@transaction.atomic
def agenda_item_create(*, meeting: Meeting, by, title: str, minutes: int, **fields) -> AgendaItem:
    """Add an item at the end of the agenda. An agenda longer than the meeting is allowed (the view warns)."""
    manager_check(by)
    _check_open(meeting)
    Meeting.objects.select_for_update().filter(pk=meeting.pk).first()
    last = meeting.agenda_items.aggregate(last=Max("position"))["last"] or 0
    item = AgendaItem(meeting=meeting, position=last + 1, title=title, minutes=minutes, **fields)
    item.full_clean()
    item.save()
    return item


@transaction.atomic
def agenda_item_update(*, item: AgendaItem, by, **fields) -> AgendaItem:
    """Change an agenda item's title, presenter, minutes, project, product or purpose."""
    manager_check(by)
    _check_open(item.meeting)
    for name, value in fields.items():
        if name not in AGENDA_FIELDS:
            raise ValueError(f"Not editable: {name}")
        setattr(item, name, value)
    item.full_clean()
    item.save()
    return item


@transaction.atomic
def agenda_item_move(*, item: AgendaItem, by, direction: str) -> AgendaItem:
    """Swap the item with its neighbour above ("up") or below ("down")."""
    manager_check(by)
    _check_open(item.meeting)
    items = list(
        AgendaItem.objects.select_for_update().filter(meeting_id=item.meeting_id).order_by("position")
    )
    index = next(i for i, other in enumerate(items) if other.pk == item.pk)
    other_index = index - 1 if direction == "up" else index + 1
    if other_index < 0 or other_index >= len(items):
        return item
    this, other = items[index], items[other_index]
    this_pos, other_pos = this.position, other.position
    this.position = 0  # park outside the unique range while swapping
    this.save(update_fields=["position"])
    other.position = this_pos
    other.save(update_fields=["position"])
    this.position = other_pos
    this.save(update_fields=["position"])
    return this


@transaction.atomic
def agenda_item_delete(*, item: AgendaItem, by) -> None:
    """Remove an item and close the gap in the numbering."""
    manager_check(by)
    meeting = item.meeting
    _check_open(meeting)
    item.delete()
    for position, remaining in enumerate(meeting.agenda_items.order_by("position"), start=1):
        if remaining.position != position:
            remaining.position = position
            remaining.save(update_fields=["position"])


def agenda_copy(*, source: Meeting, target: Meeting) -> int:
    """Copy the agenda of `source` onto the empty agenda of `target` (meeting as a template)."""
    items = [
        AgendaItem(
            meeting=target,
            position=item.position,
            title=item.title,
            description=item.description,
            presenter_id=item.presenter_id,
            presenter_name=item.presenter_name,
            minutes=item.minutes,
            project_id=item.project_id,
            product_id=item.product_id,
            purpose_id=item.purpose_id if source.body_id == target.body_id else None,
        )
        for item in source.agenda_items.all()
    ]
    AgendaItem.objects.bulk_create(items)
    return len(items)
