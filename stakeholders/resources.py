"""CSV import of districts and stakeholders in the admin (django-import-export).

The admin first shows what an upload would change (new, updated, unchanged rows) without
saving anything; rows with errors are listed with their line numbers and nothing is imported
from a file that has any. Related records are named by natural keys a spreadsheet has:
a state's postal code, a district's NCES id, an organization's name, a center's short name.
"""

from django.core.exceptions import ValidationError
from import_export import fields, resources
from import_export.widgets import BooleanWidget, ForeignKeyWidget
from typing_extensions import override

from .models import SEA, District, Organization, PartnerCenter, Stakeholder


class StrictForeignKeyWidget(ForeignKeyWidget):
    """An unknown value is an error on its row, named after the column (not a server error)."""

    def clean(self, value, row=None, **kwargs):
        if value in (None, ""):
            return None
        try:
            return super().clean(str(value).strip(), row=row, **kwargs)
        except self.model.DoesNotExist as error:
            raise ValueError(f"There is no {self.model._meta.verbose_name} “{value}”.") from error


NUL_MESSAGE = "Contains a NUL character (U+0000), which cannot be stored: remove it from the file."


def refuse_nul_characters(row) -> None:
    """A NUL in a cell is an error on its row (PostgreSQL cannot store it), not a server error."""
    errors = {
        str(column): NUL_MESSAGE
        for column, value in row.items()
        if isinstance(value, str) and "\x00" in value
    }
    if errors:
        raise ValidationError(errors)


class DistrictResource(resources.ModelResource):
    sea = fields.Field(
        attribute="sea", column_name="state", widget=StrictForeignKeyWidget(SEA, field="state_code")
    )
    is_demo = fields.Field(attribute="is_demo", column_name="is_demo", widget=BooleanWidget())

    class Meta:
        model = District
        fields = ("nces_id", "name", "sea", "is_demo")
        import_id_fields = ("nces_id",)
        clean_model_instances = True
        skip_unchanged = True
        report_skipped = True
        use_transactions = True

    def before_import_row(self, row, **kwargs):
        refuse_nul_characters(row)


class StakeholderResource(resources.ModelResource):
    sea = fields.Field(
        attribute="sea", column_name="state", widget=StrictForeignKeyWidget(SEA, field="state_code")
    )
    district = fields.Field(
        attribute="district",
        column_name="district_nces_id",
        widget=StrictForeignKeyWidget(District, field="nces_id"),
    )
    organization = fields.Field(
        attribute="organization",
        column_name="organization",
        widget=StrictForeignKeyWidget(Organization, field="name"),
    )
    partner_center = fields.Field(
        attribute="partner_center",
        column_name="partner_center",
        widget=StrictForeignKeyWidget(PartnerCenter, field="short_name"),
    )
    is_active = fields.Field(attribute="is_active", column_name="is_active", widget=BooleanWidget())

    class Meta:
        model = Stakeholder
        fields = (
            "email",
            "first_name",
            "last_name",
            "title",
            "sea",
            "district",
            "organization",
            "partner_center",
            "is_active",
        )
        import_id_fields = ("email",)
        clean_model_instances = True
        skip_unchanged = True
        report_skipped = True
        use_transactions = True

    @override
    def get_instance(self, instance_loader, row):
        # E-mail addresses are unique whatever their case (see the model's constraint).
        email = (row.get("email") or "").strip()
        if not email:
            return None
        return Stakeholder.objects.filter(email__iexact=email).first()

    def before_import_row(self, row, **kwargs):
        refuse_nul_characters(row)
        for key in ("email", "first_name", "last_name", "title"):
            if isinstance(row.get(key), str):
                row[key] = row[key].strip()
        if row.get("is_active") in (None, ""):
            row["is_active"] = "1"
