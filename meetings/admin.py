"""Administrators can read and correct meeting records; facilitators work in the portal pages."""

from django.contrib import admin
from django.db import models
from simple_history.admin import SimpleHistoryAdmin

from .models import ActionItem, AgendaItem, Decision, Feedback, Meeting, Minutes, Participant


class AgendaItemInline(admin.TabularInline):
    model = AgendaItem
    fields = ("position", "title", "minutes", "presenter", "purpose")
    raw_id_fields = ("presenter",)
    extra = 0


class ParticipantInline(admin.TabularInline):
    model = Participant
    fields = ("stakeholder", "rsvp", "attendance", "delegate_name")
    raw_id_fields = ("stakeholder",)
    extra = 0


@admin.register(Meeting)
class MeetingAdmin(SimpleHistoryAdmin):
    list_display = ("title", "body", "starts_at", "mode", "status")
    list_filter = ("body", "status", "mode")
    list_select_related = ("body",)
    search_fields = ("title",)
    date_hierarchy = "starts_at"
    readonly_fields = ("uid", "sequence", "created_by", "copied_from")
    inlines = [AgendaItemInline, ParticipantInline]
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}


@admin.register(Minutes)
class MinutesAdmin(SimpleHistoryAdmin):
    list_display = ("meeting", "status", "approved_at", "approved_by")
    list_select_related = ("meeting__body", "approved_by")
    readonly_fields = ("status", "approved_at", "approved_by")


@admin.register(ActionItem)
class ActionItemAdmin(SimpleHistoryAdmin):
    list_display = ("description", "meeting", "owner_stakeholder", "owner_user", "due_date", "status")
    list_filter = ("status", "meeting__body")
    list_select_related = ("meeting__body", "owner_stakeholder", "owner_user")
    raw_id_fields = ("meeting", "agenda_item", "owner_stakeholder", "owner_user", "created_by")
    search_fields = ("description",)


@admin.register(Decision)
class DecisionAdmin(admin.ModelAdmin):
    list_display = ("text", "meeting")
    list_select_related = ("meeting__body",)
    raw_id_fields = ("meeting", "agenda_item")


@admin.register(Feedback)
class FeedbackAdmin(admin.ModelAdmin):
    list_display = ("resource", "body", "quality", "relevance", "usefulness", "submitted_at")
    list_filter = ("body", "channel")
    list_select_related = ("body",)
    raw_id_fields = ("meeting", "stakeholder", "product")
