from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin
from typing_extensions import override

from .models import (
    Attestation,
    MeasureTarget,
    PerformanceMeasure,
    ProgressExplanation,
    ServiceStatement,
    SurveyInvitation,
    SurveyItem,
    SurveyResponse,
)


@admin.register(SurveyItem)
class SurveyItemAdmin(SimpleHistoryAdmin):
    list_display = ["text", "dimension", "order", "is_active"]
    list_filter = ["dimension", "is_active"]
    list_editable = ["order", "is_active"]


class MeasureTargetInline(admin.TabularInline):
    model = MeasureTarget
    extra = 1


@admin.register(PerformanceMeasure)
class PerformanceMeasureAdmin(SimpleHistoryAdmin):
    list_display = ["name", "counts", "activity_type", "project", "objective", "order"]
    list_filter = ["counts"]
    search_fields = ["name", "definition"]
    raw_id_fields = ["project", "objective"]
    inlines = [MeasureTargetInline]


@admin.register(ProgressExplanation)
class ProgressExplanationAdmin(SimpleHistoryAdmin):
    list_display = ["measure", "period_start", "period_end", "updated_by", "updated_at"]
    raw_id_fields = ["measure", "updated_by"]


class ReadOnlyAdmin(SimpleHistoryAdmin):
    """Answers are given by their people through the services, never typed in by an admin."""

    @override
    def has_add_permission(self, request):
        return False

    @override
    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Attestation)
class AttestationAdmin(ReadOnlyAdmin):
    list_display = ["activity", "version", "is_current", "status", "requested_at", "decided_by", "decided_at"]
    list_filter = ["status", "is_current", "counterpart_role"]
    raw_id_fields = ["activity", "decided_by"]
    list_select_related = ["activity__project", "decided_by"]


@admin.register(ServiceStatement)
class ServiceStatementAdmin(ReadOnlyAdmin):
    list_display = ["project", "month", "activities", "hours", "products", "status", "decided_by"]
    list_filter = ["status"]
    raw_id_fields = ["project", "decided_by"]
    list_select_related = ["project", "decided_by"]


@admin.register(SurveyInvitation)
class SurveyInvitationAdmin(ReadOnlyAdmin):
    list_display = ["stakeholder", "project", "activity_type", "product", "sent_at", "responded_at"]
    raw_id_fields = ["stakeholder", "activity", "product", "project"]
    list_select_related = ["stakeholder", "project", "product"]


@admin.register(SurveyResponse)
class SurveyResponseAdmin(ReadOnlyAdmin):
    list_display = ["invitation", "quality", "relevance", "usefulness", "submitted_at"]
    raw_id_fields = ["invitation"]
