from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from .models import TARequest


@admin.register(TARequest)
class TARequestAdmin(SimpleHistoryAdmin):
    list_display = ("title", "sea", "status", "urgency", "submitted_at", "referred_to", "project")
    list_filter = ("status", "urgency", "sea", "topics")
    list_select_related = ("sea", "referred_to", "project")
    search_fields = ("title", "problem", "desired_outcome", "contact_name", "contact_email")
    autocomplete_fields = ("sea", "offices", "districts", "topics", "referred_to", "project", "submitted_by")
    raw_id_fields = ("meeting",)
    # The status moves in the portal (triage), with who, when and why recorded.
    readonly_fields = ("status", "submitted_at", "updated_at")
    date_hierarchy = "submitted_at"
