from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.contrib.auth.forms import AdminUserCreationForm, UserChangeForm
from django.core.exceptions import ValidationError
from typing_extensions import override

from .models import Role, SecurityEvent, User

SEA_STAFF_NEEDS_SEA = "SEA staff must belong to one SEA."


class SEAStaffNeedsSEAMixin:
    """Refuse an SEA staff user without an SEA: such a user would see nothing in the portal.

    The role is a group, so the rule spans a many-to-many and the user row; the database cannot
    hold it and the model cannot check it before the groups are saved, hence a form rule.
    """

    def clean(self):
        cleaned_data = super().clean()
        if "groups" in self.fields:
            groups = cleaned_data.get("groups") or []
        elif self.instance.pk:
            groups = self.instance.groups.all()
        else:
            groups = []
        if not any(group.name == Role.SEA_STAFF.value for group in groups):
            return cleaned_data
        sea = cleaned_data.get("sea") if "sea" in self.fields else self.instance.sea
        if sea is None:
            if "sea" in self.fields:
                self.add_error("sea", SEA_STAFF_NEEDS_SEA)
            else:
                raise ValidationError(SEA_STAFF_NEEDS_SEA)
        return cleaned_data


class PortalUserChangeForm(SEAStaffNeedsSEAMixin, UserChangeForm):
    class Meta(UserChangeForm.Meta):
        model = User


class PortalUserCreationForm(SEAStaffNeedsSEAMixin, AdminUserCreationForm):
    class Meta(AdminUserCreationForm.Meta):
        model = User
        fields = ("username", "groups", "sea")


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    form = PortalUserChangeForm
    add_form = PortalUserCreationForm
    fieldsets = (
        (None, {"fields": ("username", "password")}),
        ("Personal info", {"fields": ("first_name", "last_name", "email")}),
        (
            "Portal role",
            {
                "fields": ("groups", "sea"),
                "description": "SEA staff must belong to one SEA; they see only its work.",
            },
        ),
        ("Permissions", {"fields": ("is_active", "is_staff", "is_superuser", "user_permissions")}),
        ("Important dates", {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = (
        *BaseUserAdmin.add_fieldsets,
        (
            "Portal role",
            {
                "classes": ("wide",),
                "fields": ("first_name", "last_name", "email", "groups", "sea"),
                "description": "SEA staff must belong to one SEA; they see only its work.",
            },
        ),
    )
    list_display = ("username", "email", "first_name", "last_name", "sea", "roles", "is_staff", "is_active")
    list_filter = ("groups", "sea", "is_staff", "is_superuser", "is_active")
    list_select_related = ("sea",)
    search_fields = ("username", "first_name", "last_name", "email", "sea__short_name", "sea__state_code")
    autocomplete_fields = ("sea", "groups")
    filter_horizontal = ("user_permissions",)
    date_hierarchy = "date_joined"

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("groups")

    @admin.display(description="roles")
    def roles(self, obj):
        # Reads the prefetched groups; `.values_list()` here would cost a query per row.
        return ", ".join(sorted(group.name for group in obj.groups.all())) or "—"


@admin.register(SecurityEvent)
class SecurityEventAdmin(admin.ModelAdmin):
    """The security log: read-only, so that nobody can rewrite what happened."""

    list_display = ("occurred_at", "kind", "username", "ip_address", "path")
    list_filter = ("kind",)
    search_fields = ("username", "ip_address", "path")
    date_hierarchy = "occurred_at"
    list_select_related = ("user",)
    readonly_fields = ("occurred_at", "kind", "user", "username", "ip_address", "path", "detail")

    @override
    def has_add_permission(self, request):
        return False

    @override
    def has_change_permission(self, request, obj=None):
        return False

    @override
    def has_delete_permission(self, request, obj=None):
        return False
