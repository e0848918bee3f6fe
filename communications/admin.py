from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin
from typing_extensions import override

from .models import Communication, Delivery, Occurrence, ProjectCadence, Schedule


class ScheduleInline(admin.TabularInline):
    model = Schedule
    extra = 0
    fields = [
        "frequency",
        "start_date",
        "start_time",
        "weekdays",
        "month_day",
        "until",
        "count",
        "status",
        "next_run_at",
    ]
    readonly_fields = ["next_run_at"]


@admin.register(Communication)
class CommunicationAdmin(SimpleHistoryAdmin):
    list_display = ["subject", "category", "status", "scope_sea", "author", "created_at"]
    list_filter = ["category", "status", "scope_sea"]
    search_fields = ["subject"]
    raw_id_fields = ["project", "author", "cancelled_by"]
    inlines = [ScheduleInline]


@admin.register(Occurrence)
class OccurrenceAdmin(admin.ModelAdmin):
    list_display = ["communication", "scheduled_for", "status", "audience_count", "reason"]
    list_filter = ["status"]
    raw_id_fields = ["communication", "schedule"]


@admin.register(Delivery)
class DeliveryAdmin(admin.ModelAdmin):
    """Read-only: deliveries change only through the sending loop and the report's actions."""

    list_display = ["email", "communication", "status", "attempts", "sent_at", "last_error"]
    list_filter = ["status"]
    search_fields = ["email"]
    list_select_related = ["communication"]

    @override
    def has_add_permission(self, request):
        return False

    @override
    def has_change_permission(self, request, obj=None):
        return False


@admin.register(ProjectCadence)
class ProjectCadenceAdmin(admin.ModelAdmin):
    list_display = ["project", "expected_days", "updated_at"]
    raw_id_fields = ["project"]
