"""Fetching records for a page: what the user may not read (or manage) is a 404."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404

from meetings.models import ActionItem, Meeting
from meetings.querysets import may_manage
from stakeholders.models import AdvisoryBody


def require_manager(user) -> None:
    """Facilitators and administrators manage the bodies; to anyone else these pages do not exist."""
    if not may_manage(user):
        raise Http404("No such page.")


def body_for(user, pk):
    return get_object_or_404(AdvisoryBody.objects.visible_to(user).select_related("convened_by"), pk=pk)


def managed_body(user, pk):
    require_manager(user)
    return body_for(user, pk)


def meeting_for(user, pk):
    return get_object_or_404(Meeting.objects.visible_to(user).select_related("body"), pk=pk)


def managed_meeting(user, pk):
    require_manager(user)
    return meeting_for(user, pk)


def action_item_for(user, pk):
    return get_object_or_404(
        ActionItem.objects.visible_to(user).select_related(
            "meeting__body", "owner_stakeholder", "owner_user", "agenda_item"
        ),
        pk=pk,
    )


def error_messages(exc: ValidationError) -> list[str]:
    if hasattr(exc, "error_dict"):
        return [m for errors in exc.message_dict.values() for m in errors]
    return list(exc.messages)


def flash_errors(request, exc: ValidationError) -> None:
    for message in error_messages(exc):
        messages.error(request, message)
