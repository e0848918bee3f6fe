from django.contrib import admin
from django.db import models
from django.db.models import Count
from import_export.admin import ImportMixin
from import_export.formats.base_formats import CSV
from simple_history.admin import SimpleHistoryAdmin
from typing_extensions import override

from .models import (
    SEA,
    AdvisoryBody,
    BodyPurpose,
    CommunicationPreference,
    District,
    Membership,
    Office,
    Organization,
    PartnerCenter,
    Stakeholder,
)
from .resources import DistrictResource, StakeholderResource

# Membership.clean() names these fields in its errors or reads them to check "exactly one
# represents_*" and overlapping terms, so every membership form must carry them.
MEMBERSHIP_TERM_FIELDS = ("role", "is_voting", "term_start", "term_end")

# A website typed without a scheme is an https one (Django 6's default; silences the 5.x warning).
HTTPS_URLS = {models.URLField: {"assume_scheme": "https"}}


# Inlines ---------------------------------------------------------------------------------


class OfficeInline(admin.TabularInline):
    model = Office
    fields = ("name",)
    extra = 0
    show_change_link = True


class DistrictInline(admin.TabularInline):
    # A state has hundreds of districts: no blank rows, collapsed, each one a link to its page.
    model = District
    fields = ("name", "nces_id", "is_demo")
    extra = 0
    show_change_link = True
    classes = ("collapse",)


class BodyPurposeInline(admin.TabularInline):
    model = BodyPurpose
    fields = ("number", "text")
    extra = 0


class MembershipInline(admin.TabularInline):
    """Seats on a body, shown from one of their ends (body, person or represented center)."""

    model = Membership
    extra = 0
    show_change_link = True

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("stakeholder", "body")


class BodyMembershipInline(MembershipInline):
    fk_name = "body"
    fields = ("stakeholder", *Membership.REPRESENTS_FIELDS, *MEMBERSHIP_TERM_FIELDS)
    autocomplete_fields = ("stakeholder", *Membership.REPRESENTS_FIELDS)


class StakeholderMembershipInline(MembershipInline):
    fk_name = "stakeholder"
    fields = ("body", *Membership.REPRESENTS_FIELDS, *MEMBERSHIP_TERM_FIELDS)
    autocomplete_fields = ("body", *Membership.REPRESENTS_FIELDS)


class CenterMembershipInline(MembershipInline):
    """Seats held on behalf of a partner center (the inline sets `represents_center`)."""

    fk_name = "represents_center"
    verbose_name = "membership representing this center"
    verbose_name_plural = "memberships representing this center"
    fields = ("body", "stakeholder", *MEMBERSHIP_TERM_FIELDS)
    autocomplete_fields = ("body", "stakeholder")


class CommunicationPreferenceInline(admin.TabularInline):
    model = CommunicationPreference
    fields = ("category", "delivery", "updated_at")
    readonly_fields = ("updated_at",)
    extra = 0


# Agencies and districts --------------------------------------------------------------------


@admin.register(SEA)
class SEAAdmin(SimpleHistoryAdmin):
    formfield_overrides = HTTPS_URLS
    list_display = ("short_name", "name", "state_code", "office_count", "district_count", "website")
    search_fields = ("name", "short_name", "state_code")
    ordering = ("state_code",)
    inlines = (OfficeInline, DistrictInline)

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .annotate(
                office_count=Count("offices", distinct=True),
                district_count=Count("districts", distinct=True),
            )
        )

    @admin.display(description="offices", ordering="office_count")
    def office_count(self, obj):
        return obj.office_count

    @admin.display(description="districts", ordering="district_count")
    def district_count(self, obj):
        return obj.district_count


@admin.register(Office)
class OfficeAdmin(admin.ModelAdmin):
    list_display = ("name", "sea")
    list_filter = ("sea",)
    list_select_related = ("sea",)
    search_fields = ("name", "sea__short_name", "sea__state_code")
    autocomplete_fields = ("sea",)


@admin.register(District)
class DistrictAdmin(ImportMixin, SimpleHistoryAdmin):
    # CSV import with a preview of the changes; a file with any bad row imports nothing.
    resource_classes = [DistrictResource]
    import_formats = [CSV]
    list_display = ("name", "nces_id", "sea", "is_demo")
    list_filter = ("sea", "is_demo")
    list_select_related = ("sea",)
    search_fields = ("name", "nces_id")
    autocomplete_fields = ("sea",)


# Partner centers and organizations ---------------------------------------------------------


@admin.register(PartnerCenter)
class PartnerCenterAdmin(SimpleHistoryAdmin):
    formfield_overrides = HTTPS_URLS
    list_display = ("short_name", "name", "kind", "operators", "funder", "led_project_count")
    list_filter = ("kind",)
    search_fields = ("name", "short_name", "operators", "funder", "contract")

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(led_project_count=Count("led_projects"))

    @override
    def get_inlines(self, request, obj):
        # A membership's validation needs the center saved first (it must represent exactly
        # one thing), so memberships (and the led projects the projects app adds) appear once
        # the center exists.
        if obj is None:
            return ()
        return (CenterMembershipInline,)

    @admin.display(description="led projects", ordering="led_project_count")
    def led_project_count(self, obj):
        return obj.led_project_count


@admin.register(Organization)
class OrganizationAdmin(admin.ModelAdmin):
    formfield_overrides = HTTPS_URLS
    list_display = ("name", "kind", "sea", "website")
    list_filter = ("kind", "sea")
    list_select_related = ("sea",)
    search_fields = ("name",)
    autocomplete_fields = ("sea",)


# People --------------------------------------------------------------------------------------


@admin.register(Stakeholder)
class StakeholderAdmin(ImportMixin, SimpleHistoryAdmin):
    resource_classes = [StakeholderResource]
    import_formats = [CSV]
    list_display = ("last_name", "first_name", "email", "title", "sea", "affiliation", "is_active")
    list_display_links = ("last_name", "first_name")
    list_filter = ("is_active", "sea", "partner_center", "organization__kind")
    list_select_related = ("sea", "office__sea", "district", "partner_center", "organization")
    search_fields = ("first_name", "last_name", "email", "title")
    autocomplete_fields = ("sea", "office", "district", "partner_center", "organization", "user")
    readonly_fields = ("created_at", "updated_at")
    date_hierarchy = "created_at"
    fieldsets = (
        (None, {"fields": ("first_name", "last_name", "email", "title", "is_active")}),
        (
            "Affiliation",
            {
                "fields": ("sea", "office", "district", "partner_center", "organization"),
                "description": "An office or district must belong to the person's state.",
            },
        ),
        (
            "Portal account",
            {
                "fields": ("user",),
                "description": "The person's own sign-in, so they can answer invitations and "
                "update the action items they own.",
            },
        ),
        ("Delivery", {"fields": ("email_bounced_at", "created_at", "updated_at")}),
    )
    inlines = (CommunicationPreferenceInline, StakeholderMembershipInline)

    @admin.display(description="affiliation")
    def affiliation(self, obj):
        return obj.affiliation


# Advisory bodies -----------------------------------------------------------------------------


@admin.register(AdvisoryBody)
class AdvisoryBodyAdmin(admin.ModelAdmin):
    list_display = ("short_name", "name", "kind", "convened_by", "meetings_per_year", "membership_count")
    list_filter = ("kind", "convened_by")
    list_select_related = ("convened_by",)
    search_fields = ("name", "short_name", "description")
    autocomplete_fields = ("convened_by",)
    inlines = (BodyPurposeInline, BodyMembershipInline)

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(membership_count=Count("memberships"))

    @admin.display(description="memberships", ordering="membership_count")
    def membership_count(self, obj):
        return obj.membership_count


@admin.register(BodyPurpose)
class BodyPurposeAdmin(admin.ModelAdmin):
    list_display = ("body", "number", "text")
    list_filter = ("body",)
    list_select_related = ("body",)
    search_fields = ("text", "body__short_name", "body__name")
    autocomplete_fields = ("body",)


@admin.register(Membership)
class MembershipAdmin(SimpleHistoryAdmin):
    list_display = ("stakeholder", "body", "role", "represents", "is_voting", "term_start", "term_end")
    list_filter = ("body", "role", "is_voting")
    list_select_related = ("stakeholder", "body", *Membership.REPRESENTS_FIELDS)
    search_fields = (
        "stakeholder__first_name",
        "stakeholder__last_name",
        "stakeholder__email",
        "body__short_name",
        "body__name",
    )
    autocomplete_fields = ("body", "stakeholder", *Membership.REPRESENTS_FIELDS)
    date_hierarchy = "term_start"
    fieldsets = (
        (None, {"fields": ("body", "stakeholder", "role", "is_voting")}),
        (
            "Represents",
            {
                "fields": Membership.REPRESENTS_FIELDS,
                "description": "Choose exactly one: an SEA, a district, a partner center or an organization.",
            },
        ),
        ("Term", {"fields": ("term_start", "term_end")}),
    )

    @admin.display(description="represents")
    def represents(self, obj):
        return obj.represents


@admin.register(CommunicationPreference)
class CommunicationPreferenceAdmin(admin.ModelAdmin):
    list_display = ("stakeholder", "category", "delivery", "updated_at")
    list_filter = ("category", "delivery")
    list_select_related = ("stakeholder",)
    search_fields = ("stakeholder__first_name", "stakeholder__last_name", "stakeholder__email")
    autocomplete_fields = ("stakeholder",)
    readonly_fields = ("updated_at",)
    date_hierarchy = "updated_at"
