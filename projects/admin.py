from django import forms
from django.contrib import admin
from django.db import models, transaction
from simple_history.admin import SimpleHistoryAdmin
from typing_extensions import override

from stakeholders.admin import PartnerCenterAdmin
from stakeholders.models import PartnerCenter

from .models import (
    ACTIVITY_HISTORY,
    Activity,
    ActivityMonth,
    Condition,
    ConditionAssessment,
    Goal,
    GoalProposal,
    Indicator,
    IndicatorValue,
    Objective,
    Product,
    ProductAdoption,
    ProductVersion,
    Project,
    ProjectMember,
    RollupWatermark,
    ScopeChange,
    StatusChange,
    Topic,
)
from .services import rollups

# Long text in a table row: a few lines are enough, the change page of the record has room.
COMPACT_TEXT = {models.TextField: {"widget": forms.Textarea(attrs={"rows": 2, "cols": 40})}}
# A link typed without a scheme is an https one (Django 6's default; silences the 5.x warning).
HTTPS_URLS = {models.URLField: {"assume_scheme": "https"}}


# Inlines ---------------------------------------------------------------------------------


class ProjectMemberInline(admin.TabularInline):
    model = ProjectMember
    fields = ("user", "role")
    autocomplete_fields = ("user",)
    extra = 0


class GoalInline(admin.TabularInline):
    model = Goal
    fields = ("number", "statement", "target_date", "status")
    readonly_fields = ("status",)
    formfield_overrides = COMPACT_TEXT
    extra = 0
    show_change_link = True  # objectives are edited on the goal's page


class ObjectiveInline(admin.TabularInline):
    model = Objective
    fields = ("number", "statement", "target_date", "status")
    readonly_fields = ("status",)
    formfield_overrides = COMPACT_TEXT
    extra = 0


class ScopeChangeInline(admin.StackedInline):
    model = ScopeChange
    fields = ("changed_on", "summary", "reason", "details", "recorded_by")
    autocomplete_fields = ("recorded_by",)
    formfield_overrides = COMPACT_TEXT
    extra = 0


class IndicatorInline(admin.TabularInline):
    model = Indicator
    fields = ("name", "definition", "unit", "baseline", "target", "target_date", "direction")
    formfield_overrides = COMPACT_TEXT
    extra = 0
    show_change_link = True  # values are recorded on the indicator's page


class IndicatorValueInline(admin.TabularInline):
    model = IndicatorValue
    fields = ("measured_on", "value", "note", "recorded_by")
    autocomplete_fields = ("recorded_by",)
    extra = 0


class ProductInline(admin.TabularInline):
    formfield_overrides = HTTPS_URLS
    model = Product
    fields = ("title", "kind", "status", "due_date", "delivered_on", "lead_center", "link")
    readonly_fields = ("status",)
    autocomplete_fields = ("lead_center",)
    extra = 0
    show_change_link = True


class ProductVersionInline(admin.TabularInline):
    formfield_overrides = HTTPS_URLS
    model = ProductVersion
    fields = ("label", "file", "link", "note", "created_by")
    autocomplete_fields = ("created_by",)
    extra = 0


class ProductAdoptionInline(admin.TabularInline):
    model = ProductAdoption
    fields = ("district", "adopted_on", "note", "recorded_by")
    autocomplete_fields = ("district", "recorded_by")
    extra = 0


# Reference data ----------------------------------------------------------------------------


@admin.register(Condition)
class ConditionAdmin(admin.ModelAdmin):
    """The five conditions of collective impact come from a migration and never change here."""

    list_display = ("number", "name", "slug")
    list_display_links = ("number", "name")
    search_fields = ("name", "slug", "description")
    ordering = ("number",)

    @override
    def has_add_permission(self, request):
        return False

    @override
    def has_change_permission(self, request, obj=None):
        return False

    @override
    def has_delete_permission(self, request, obj=None):
        return False


# Projects ----------------------------------------------------------------------------------


@admin.register(Project)
class ProjectAdmin(SimpleHistoryAdmin):
    list_display = ("title", "sea", "lead_center", "status", "start_date", "end_date")
    list_filter = ("status", "sea", "lead_center")
    list_select_related = ("sea", "lead_center")
    search_fields = ("title", "problem_statement")
    autocomplete_fields = (
        "sea",
        "offices",
        "districts",
        "lead_center",
        "partner_centers",
        "stakeholders",
        "topics",
    )
    # The status moves in the portal, with a reason (projects.services.workflow.status_move).
    readonly_fields = ("status", "created_at", "updated_at")
    date_hierarchy = "start_date"
    fieldsets = (
        (None, {"fields": ("title", "problem_statement", "status", "start_date", "end_date")}),
        ("Client", {"fields": ("sea", "offices", "districts", "stakeholders", "topics")}),
        ("Project team", {"fields": ("lead_center", "partner_centers")}),
        ("Record", {"fields": ("created_at", "updated_at")}),
    )
    inlines = (ProjectMemberInline, GoalInline, ScopeChangeInline, IndicatorInline, ProductInline)

    # A project moved to another SEA, or deleted, takes its activities' hours along in the rollup.
    def save_model(self, request, obj, form, change):
        from_sea_id = Project.objects.filter(pk=obj.pk).values_list("sea_id", flat=True).first()
        super().save_model(request, obj, form, change)
        if change and from_sea_id is not None:
            rollups.activity_month_project_moved(
                project_id=obj.pk, from_sea_id=from_sea_id, to_sea_id=obj.sea_id
            )

    @transaction.atomic
    def delete_model(self, request, obj):
        rollups.activity_month_change(before=self._contributions([obj.pk]), after={})
        super().delete_model(request, obj)

    @transaction.atomic
    def delete_queryset(self, request, queryset):
        rollups.activity_month_change(before=self._contributions(queryset.values("pk")), after={})
        super().delete_queryset(request, queryset)

    def _contributions(self, project_ids):
        ids = (
            Activity.objects.select_for_update().filter(project__in=project_ids).values_list("pk", flat=True)
        )
        return rollups.activities_contributions(list(ids))


@admin.register(ProjectMember)
class ProjectMemberAdmin(SimpleHistoryAdmin):
    list_display = ("user", "role", "project")
    list_filter = ("role", "project__sea")
    list_select_related = ("user", "project")
    search_fields = ("user__username", "user__first_name", "user__last_name", "project__title")
    autocomplete_fields = ("project", "user")


@admin.register(ScopeChange)
class ScopeChangeAdmin(SimpleHistoryAdmin):
    list_display = ("changed_on", "summary", "project", "recorded_by")
    list_filter = ("project__sea",)
    list_select_related = ("project", "recorded_by")
    search_fields = ("summary", "reason", "details", "project__title")
    autocomplete_fields = ("project", "recorded_by")
    date_hierarchy = "changed_on"


@admin.register(Goal)
class GoalAdmin(SimpleHistoryAdmin):
    list_display = ("__str__", "project", "number", "status", "target_date")
    list_filter = ("status", "project__sea")
    readonly_fields = ("status",)
    autocomplete_fields = ("project", "indicators", "products")
    raw_id_fields = ("activities",)
    list_select_related = ("project",)
    search_fields = ("statement", "project__title")
    inlines = (ObjectiveInline,)


@admin.register(Objective)
class ObjectiveAdmin(SimpleHistoryAdmin):
    list_display = ("__str__", "statement", "project", "status", "target_date")
    list_filter = ("status", "goal__project__sea")
    readonly_fields = ("status",)
    search_fields = ("statement", "goal__statement", "goal__project__title")
    autocomplete_fields = ("goal", "indicators", "products")
    date_hierarchy = "target_date"

    def get_queryset(self, request):
        # Objective.__str__ reads its goal's number wherever it is shown. A select_related here
        # makes the changelist ignore list_select_related, so the project is joined here too.
        return super().get_queryset(request).select_related("goal__project")

    @admin.display(description="project", ordering="goal__project__title")
    def project(self, obj):
        return obj.goal.project


# Measurement and activity ------------------------------------------------------------------


@admin.register(ConditionAssessment)
class ConditionAssessmentAdmin(SimpleHistoryAdmin):
    list_display = ("project", "condition", "stage", "assessed_on", "assessor")
    list_filter = ("condition", "stage", "project__sea")
    list_select_related = ("project", "condition", "assessor")
    search_fields = ("project__title", "evidence")
    autocomplete_fields = ("project", "condition", "assessor")
    readonly_fields = ("created_at",)
    date_hierarchy = "assessed_on"


@admin.register(Activity)
class ActivityAdmin(SimpleHistoryAdmin):
    list_display = ("date", "type", "project", "sea", "hours", "mode", "author")
    list_display_links = ("date", "type")
    list_filter = ("type", "mode", "project__sea", "conditions")
    list_select_related = ("project__sea", "author")
    search_fields = ("summary", "next_steps", "project__title")
    autocomplete_fields = ("project", "participants", "districts", "partner_centers", "conditions", "author")
    readonly_fields = ("created_at", "updated_at")
    date_hierarchy = "date"
    fieldsets = (
        (None, {"fields": ("project", "date", "type", "mode", "hours", "author")}),
        ("What happened", {"fields": ("summary", "next_steps", "conditions")}),
        ("Who took part", {"fields": ("participants", "districts", "partner_centers")}),
        ("Record", {"fields": ("created_at", "updated_at")}),
    )

    @admin.display(description="SEA", ordering="project__sea__state_code")
    def sea(self, obj):
        return obj.project.sea

    # An edit in the admin is one version in the history, relations included, and moves the
    # dashboards' rollup in the same transaction, as the activity services do.
    def save_model(self, request, obj, form, change):
        before = {}
        if change:
            Activity.objects.select_for_update().filter(pk=obj.pk).exists()
            before = rollups.activity_contribution(obj.pk)
        obj._rollup_before = before
        obj.skip_history_when_saving = True
        super().save_model(request, obj, form, change)

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        obj = form.instance
        del obj.skip_history_when_saving
        ACTIVITY_HISTORY.create_historical_record(obj, "~" if change else "+")
        rollups.activity_month_change(before=obj._rollup_before, after=rollups.activity_contribution(obj.pk))

    @transaction.atomic
    def delete_model(self, request, obj):
        rollups.activity_month_remove(Activity.objects.filter(pk=obj.pk))
        super().delete_model(request, obj)

    @transaction.atomic
    def delete_queryset(self, request, queryset):
        rollups.activity_month_remove(queryset)
        super().delete_queryset(request, queryset)


@admin.register(Indicator)
class IndicatorAdmin(SimpleHistoryAdmin):
    list_display = ("name", "project", "unit", "baseline", "target", "target_date", "direction")
    list_filter = ("direction", "project__sea")
    list_select_related = ("project",)
    search_fields = ("name", "definition", "data_source", "project__title")
    autocomplete_fields = ("project",)
    date_hierarchy = "target_date"
    inlines = (IndicatorValueInline,)


@admin.register(IndicatorValue)
class IndicatorValueAdmin(SimpleHistoryAdmin):
    list_display = ("indicator", "project", "measured_on", "value", "recorded_by")
    list_filter = ("indicator__project__sea",)
    list_select_related = ("indicator__project", "recorded_by")
    search_fields = ("indicator__name", "indicator__project__title", "note")
    autocomplete_fields = ("indicator", "recorded_by")
    date_hierarchy = "measured_on"

    @admin.display(description="project", ordering="indicator__project__title")
    def project(self, obj):
        return obj.indicator.project


@admin.register(Product)
class ProductAdmin(SimpleHistoryAdmin):
    formfield_overrides = HTTPS_URLS
    list_display = (
        "title",
        "project",
        "kind",
        "status",
        "due_date",
        "delivered_on",
        "lead_center",
        "overdue",
    )
    list_filter = ("status", "kind", "lead_center", "project__sea")
    list_select_related = ("project", "lead_center")
    search_fields = ("title", "project__title")
    autocomplete_fields = ("project", "lead_center", "topics")
    readonly_fields = ("status",)
    inlines = (ProductVersionInline, ProductAdoptionInline)
    date_hierarchy = "due_date"

    @admin.display(description="overdue", boolean=True)
    def overdue(self, obj):
        return obj.is_overdue


# Derived data: the dashboards' hours rollup, rebuilt from the activities (read-only here).


class ReadOnlyAdmin(admin.ModelAdmin):
    @override
    def has_add_permission(self, request):
        return False

    @override
    def has_change_permission(self, request, obj=None):
        return False

    @override
    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(ActivityMonth)
class ActivityMonthAdmin(ReadOnlyAdmin):
    list_display = ("sea", "month", "condition_number", "hours", "activities")
    readonly_fields = list_display
    list_filter = ("condition_number",)
    list_select_related = ("sea",)
    date_hierarchy = "month"


@admin.register(RollupWatermark)
class RollupWatermarkAdmin(ReadOnlyAdmin):
    list_display = ("name", "refreshed_at")
    readonly_fields = list_display


class LedProjectInline(admin.TabularInline):
    """Read-only list of the projects a center leads; projects are edited on their own page."""

    model = Project
    fk_name = "lead_center"
    verbose_name = "led project"
    verbose_name_plural = "led projects"
    fields = ("title", "sea", "status", "start_date", "end_date")
    readonly_fields = fields
    extra = 0
    can_delete = False
    show_change_link = True

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("sea")

    @override
    def has_add_permission(self, request, obj=None):
        return False

    @override
    def has_change_permission(self, request, obj=None):
        return False


# Stakeholders stands below projects: its partner-center page gets the led projects from here.
class PartnerCenterWithProjectsAdmin(PartnerCenterAdmin):
    def get_inlines(self, request, obj):
        inlines = super().get_inlines(request, obj)
        return (*inlines, LedProjectInline) if obj is not None else inlines


admin.site.unregister(PartnerCenter)
admin.site.register(PartnerCenter, PartnerCenterWithProjectsAdmin)


@admin.register(Topic)
class TopicAdmin(SimpleHistoryAdmin):
    """The controlled vocabulary of service areas: retire a topic (untick "offered") rather than
    delete it, so older requests, projects and products keep it."""

    list_display = ("name", "slug", "is_active")
    list_filter = ("is_active",)
    search_fields = ("name", "slug", "description")
    prepopulated_fields = {"slug": ("name",)}


@admin.register(ProductAdoption)
class ProductAdoptionAdmin(SimpleHistoryAdmin):
    list_display = ("product", "district", "adopted_on", "recorded_by")
    list_filter = ("product__project__sea",)
    list_select_related = ("product", "district", "recorded_by")
    search_fields = ("product__title", "district__name", "note")
    autocomplete_fields = ("product", "district", "recorded_by")
    date_hierarchy = "adopted_on"


@admin.register(ProductVersion)
class ProductVersionAdmin(SimpleHistoryAdmin):
    formfield_overrides = HTTPS_URLS
    list_display = ("product", "label", "created_at", "created_by")
    list_select_related = ("product", "created_by")
    search_fields = ("product__title", "label", "note")
    autocomplete_fields = ("product", "created_by")


@admin.register(GoalProposal)
class GoalProposalAdmin(SimpleHistoryAdmin):
    list_display = ("goal", "status", "proposed_by", "proposed_at", "decided_by")
    list_filter = ("status",)
    list_select_related = ("goal__project", "proposed_by", "decided_by")
    search_fields = ("statement", "reason", "goal__statement")
    autocomplete_fields = ("goal", "proposed_by", "decided_by")
    readonly_fields = ("proposed_at",)


@admin.register(StatusChange)
class StatusChangeAdmin(ReadOnlyAdmin, SimpleHistoryAdmin):
    """The record of every status move: written by the portal, never edited."""

    list_display = ("at", "content_type", "object_id", "source", "target", "by")
    list_filter = ("content_type", "target")
    list_select_related = ("content_type", "by")
    readonly_fields = ("content_type", "object_id", "transition", "source", "target", "note", "by", "at")
    date_hierarchy = "at"
