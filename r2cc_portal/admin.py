"""The portal's admin site, and the input rules every admin page registered on it follows.

An administrator's hand-edited address or form never ends in a 500: ids in add-page addresses
(`?sea=3`) and autocomplete fields are parsed by the related field's own rules before any query,
and a list filter or date drill-down the database cannot run (`?date_joined__year=99999999999`)
answers 400 with what was wrong. The site applies these rules to every ModelAdmin and inline
registered on it, the portal's and the third-party apps' alike.
"""

from __future__ import annotations

from django.contrib import admin
from django.contrib.admin import AdminSite
from django.contrib.admin.options import IncorrectLookupParameters
from django.contrib.admin.widgets import AutocompleteSelect, AutocompleteSelectMultiple
from django.core.exceptions import FieldDoesNotExist, ValidationError
from django.template.response import TemplateResponse


class InvalidAdminQuery(Exception):
    """An address the admin cannot serve: answered with a 400 page that says why."""


def related_value_is_valid(field, value) -> bool:
    """Whether `value` can name a row of `field`'s related model (by its target field's rules).

    An integer id must be a whole number within the database column's range: "abc" and
    99999999999999999999 are refused before they reach a query.
    """
    remote = field.remote_field
    target = remote.model._meta.get_field(getattr(remote, "field_name", None) or remote.model._meta.pk.name)
    try:
        target.run_validators(target.to_python(value))
    except (ValidationError, TypeError, ValueError):
        return False
    return True


class ParsedSelectionMixin:
    """An autocomplete widget that shows only the values its field can look up.

    A form re-rendered with a bad submitted value ("abc") shows the field's error instead of
    failing while it looks up the current selection.
    """

    def optgroups(self, name, value, attr=None):
        usable = [v for v in value if v in ("", None) or related_value_is_valid(self.field, v)]
        return super().optgroups(name, usable, attr)


class PortalAutocompleteSelect(ParsedSelectionMixin, AutocompleteSelect):
    pass


class PortalAutocompleteSelectMultiple(ParsedSelectionMixin, AutocompleteSelectMultiple):
    pass


class InputSafeFormsMixin:
    """For ModelAdmins and inlines: autocomplete widgets that parse what they look up."""

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if "widget" not in kwargs and db_field.name in self.get_autocomplete_fields(request):
            kwargs["widget"] = PortalAutocompleteSelect(db_field, self.admin_site, using=kwargs.get("using"))
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        if "widget" not in kwargs and db_field.name in self.get_autocomplete_fields(request):
            kwargs["widget"] = PortalAutocompleteSelectMultiple(
                db_field, self.admin_site, using=kwargs.get("using")
            )
        return super().formfield_for_manytomany(db_field, request, **kwargs)


class BoundedChangeListMixin:
    """A date drill-down or filter that overflows Python's dates is a bad lookup, not a crash."""

    def get_filters(self, request):
        try:
            return super().get_filters(request)
        except (OverflowError, ValueError) as error:
            raise IncorrectLookupParameters(error) from error


_hardened: dict[tuple[type, type], type] = {}


def hardened(admin_class: type, mixin: type) -> type:
    """`admin_class` with `mixin` in front, made once per class."""
    if issubclass(admin_class, mixin):
        return admin_class
    key = (admin_class, mixin)
    if key not in _hardened:
        _hardened[key] = type(
            admin_class.__name__, (mixin, admin_class), {"__module__": admin_class.__module__}
        )
    return _hardened[key]


class InputSafeAdminMixin(InputSafeFormsMixin):
    """For ModelAdmins: parsed initial ids, bounded list filters, hardened inlines."""

    bad_query_template = "admin/bad_query.html"

    def get_inlines(self, request, obj):
        return [hardened(inline, InputSafeFormsMixin) for inline in super().get_inlines(request, obj)]

    def get_changelist(self, request, **kwargs):
        return hardened(super().get_changelist(request, **kwargs), BoundedChangeListMixin)

    def get_changelist_instance(self, request):
        try:
            return super().get_changelist_instance(request)
        except IncorrectLookupParameters as error:
            # Django would redirect to the unfiltered list without saying why.
            raise InvalidAdminQuery(
                "This list cannot be shown with the filters, page or dates in the address."
            ) from error

    def get_changeform_initial_data(self, request):
        initial = super().get_changeform_initial_data(request)
        for name, value in initial.items():
            try:
                field = self.model._meta.get_field(name)
            except FieldDoesNotExist:
                continue
            if not field.concrete:
                continue
            if not field.is_relation:
                # Parsed as the field would: widgets such as the split date and time cannot
                # render a string, and "abc" is no date.
                try:
                    initial[name] = field.to_python(value)
                except (ValidationError, TypeError, ValueError) as error:
                    raise InvalidAdminQuery(
                        f"“{str(value)[:100]}” in the address is not a valid {field.verbose_name}."
                    ) from error
                continue
            for one in value if isinstance(value, list) else [value]:
                if not related_value_is_valid(field, one):
                    raise InvalidAdminQuery(
                        f"“{str(one)[:100]}” in the address is not a valid "
                        f"{field.related_model._meta.verbose_name} for {field.verbose_name}."
                    )
        return initial

    def bad_query(self, request, error: InvalidAdminQuery) -> TemplateResponse:
        context = {
            **self.admin_site.each_context(request),
            "title": "This address cannot be used",
            "message": str(error),
            "opts": self.model._meta,
            "back": request.path,
        }
        return TemplateResponse(request, self.bad_query_template, context, status=400)

    def changelist_view(self, request, extra_context=None):
        try:
            return super().changelist_view(request, extra_context)
        except InvalidAdminQuery as error:
            return self.bad_query(request, error)

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        try:
            return super().changeform_view(request, object_id, form_url, extra_context)
        except InvalidAdminQuery as error:
            return self.bad_query(request, error)


# Machinery of the portal, not data anyone administers: sign-in lockouts, second-factor devices
# and the rollup tables. Only superusers see or open them.
INTERNAL_APP_LABELS = frozenset({"axes", "otp_totp", "otp_static", "otp_hotp", "otp_email"})
INTERNAL_MODELS = frozenset({"projects.rollupwatermark", "projects.activitymonth"})


def is_internal(model) -> bool:
    return model._meta.app_label in INTERNAL_APP_LABELS or model._meta.label_lower in INTERNAL_MODELS


class SuperuserOnlyAdminMixin:
    """For the ModelAdmins of internal models: invisible and closed to everyone but superusers."""

    def has_module_permission(self, request):
        return request.user.is_superuser and super().has_module_permission(request)

    def has_view_permission(self, request, obj=None):
        return request.user.is_superuser and super().has_view_permission(request, obj)

    def has_change_permission(self, request, obj=None):
        return request.user.is_superuser and super().has_change_permission(request, obj)

    def has_add_permission(self, request, *args):
        return request.user.is_superuser and super().has_add_permission(request, *args)

    def has_delete_permission(self, request, obj=None):
        return request.user.is_superuser and super().has_delete_permission(request, obj)


class PortalAdminSite(AdminSite):
    site_header = "R2CC Portal administration"
    site_title = "R2CC Portal admin"
    index_title = "Agencies, centers, bodies, projects and users"
    site_url = "/"

    def has_permission(self, request):
        """Staff and members of the Administrator role may use the admin."""
        user = request.user
        return user.is_active and (user.is_staff or user.is_administrator)

    def register(self, model_or_iterable, admin_class=None, **options):
        """Every ModelAdmin follows the portal's input rules (InputSafeAdminMixin)."""
        models = [model_or_iterable] if isinstance(model_or_iterable, type) else list(model_or_iterable)
        admin_class = hardened(admin_class or admin.ModelAdmin, InputSafeAdminMixin)
        if any(is_internal(model) for model in models):
            admin_class = hardened(admin_class, SuperuserOnlyAdminMixin)
        super().register(model_or_iterable, admin_class, **options)
