"""Action items: created in a meeting, tracked across the body's meetings, reminded to owners."""

import datetime
import logging

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from accounts.models import Role, User
from core.history import history_by
from meetings.models import ActionItem, ActionItemReminder, AgendaItem, Meeting

from . import manager_check, notices

log = logging.getLogger(__name__)

# A reminder goes out this many days before the due date, and once on the day the item is overdue.
REMIND_DAYS_BEFORE = 3
# The sweep catches up on overdue reminders it missed for this many days (e.g. beat was down).
OVERDUE_CATCH_UP_DAYS = 3

STAFF_FIELDS = (
    "description",
    "owner_stakeholder",
    "owner_user",
    "due_date",
    "status",
    "status_note",
    "agenda_item",
)
OWNER_FIELDS = ("status", "status_note")


@transaction.atomic
def action_item_create(
    *,
    meeting: Meeting,
    by,
    description: str,
    due_date: datetime.date,
    owner_stakeholder=None,
    owner_user=None,
    agenda_item: AgendaItem | None = None,
) -> ActionItem:
    """Record an action item from a meeting (optionally from one of its agenda items)."""
    manager_check(by)
    if meeting.is_cancelled:
        raise ValidationError("A cancelled meeting has no action items.")
    item = ActionItem(
        meeting=meeting,
        agenda_item=agenda_item,
        description=description,
        owner_stakeholder=owner_stakeholder,
        owner_user=owner_user,
        due_date=due_date,
        created_by=by,
    )
    item.full_clean()
    history_by(item, by)
    item.save()
    return item


@transaction.atomic
def action_item_update(*, item: ActionItem, editor, **fields) -> ActionItem:
    """Change an action item. Owners who are not facilitators may change only its status and note.

    Raises PermissionDenied for an item `editor` may not update (`ActionItem.objects.editable_by`).
    """
    if not ActionItem.objects.editable_by(editor).filter(pk=item.pk).exists():
        raise PermissionDenied("You cannot update this action item.")
    allowed = STAFF_FIELDS if editor.sees_whole_portfolio else OWNER_FIELDS
    for name, value in fields.items():
        if name not in allowed:
            raise ValidationError(f"You cannot change the {name.replace('_', ' ')} of this action item.")
        setattr(item, name, value)
    if item.status == ActionItem.Status.OPEN:
        item.closed_on = None
    elif item.closed_on is None:
        item.closed_on = timezone.localdate()
    item.full_clean()
    history_by(item, editor)
    item.save()
    return item


def _author_for(item: ActionItem):
    return (
        item.created_by
        or item.meeting.created_by
        or User.objects.filter(is_active=True, groups__name=Role.FACILITATOR.value).order_by("pk").first()
    )


def _due_reminders(today: datetime.date):
    items = ActionItem.objects.open().select_related(
        "meeting__body", "meeting__created_by", "owner_stakeholder", "owner_user__stakeholder", "created_by"
    )
    soon = items.filter(due_date__gt=today, due_date__lte=today + datetime.timedelta(days=REMIND_DAYS_BEFORE))
    overdue = items.filter(
        due_date__lt=today, due_date__gte=today - datetime.timedelta(days=OVERDUE_CATCH_UP_DAYS)
    )
    for item in soon:
        yield item, ActionItemReminder.Kind.BEFORE_DUE
    for item in overdue:
        yield item, ActionItemReminder.Kind.OVERDUE


def action_item_reminders_send(*, today: datetime.date | None = None) -> int:
    """Send the reminders due today; safe to run any number of times (one row per reminder).

    Returns how many reminders were sent by this run.
    """
    today = today or timezone.localdate()
    sent = 0
    for item, kind in _due_reminders(today):
        try:
            with transaction.atomic():
                reminder, created = ActionItemReminder.objects.get_or_create(
                    action_item=item, kind=kind, due_date=item.due_date
                )
                if not created:
                    continue
                notices.action_item_reminder_send(reminder=reminder, author=_author_for(item))
                sent += 1
        except IntegrityError:
            # Another run claimed this reminder at the same moment.
            continue
    return sent
