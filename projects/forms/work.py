"""Forms of goals, objectives, proposals and products."""

from __future__ import annotations

from django import forms

from core.pickers import PickerFormMixin, PickerSelectMultiple
from projects.forms.activities import DateInput
from projects.models import (
    Activity,
    Goal,
    GoalProposal,
    Indicator,
    Objective,
    Product,
    ProductAdoption,
    Topic,
)
from projects.services.products import MAX_FILE_BYTES
from stakeholders.models import District, PartnerCenter


class _ServiceValidated:
    def _post_clean(self):
        # The service validates the record; the form parses the fields.
        pass


def activity_label(date, type_label: str, summary: str) -> str:
    """How an activity reads in a picker: one label for the goal form and its type-ahead."""
    summary = " ".join(summary.split())
    if len(summary) > 80:
        summary = summary[:79] + "…"
    return f"{date:%Y-%m-%d} {type_label}: {summary}"


def product_label(title: str, project_title: str) -> str:
    """How a product reads in a picker: its title and its project's (titles repeat across projects)."""
    return f"{title} · {project_title}"


class ProjectChoiceField(forms.ModelChoiceField):
    """A project picked among many, read as its type-ahead reads it: queryset select_related("sea")."""

    def label_from_instance(self, obj):
        return f"{obj.title} ({obj.sea.state_code})"


class ProductChoiceField(forms.ModelChoiceField):
    """A product picked among many: its queryset should select_related("project")."""

    def label_from_instance(self, obj):
        return product_label(obj.title, obj.project.title)


class ActivityChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj):
        return activity_label(obj.date, obj.get_type_display(), obj.summary)


class GoalForm(PickerFormMixin, _ServiceValidated, forms.ModelForm):
    """A project's indicators and products are few (checkboxes); its activities run to
    hundreds, so they are a type-ahead of that project's activities."""

    activities = ActivityChoiceField(
        queryset=Activity.objects.none(),
        required=False,
        label="Activities",
        help_text="Type words of the summary to find activities of this project.",
        widget=PickerSelectMultiple(
            "projects:pick_activity",
            placeholder="Type to find activities",
            search=("summary__icontains",),
            search_label="Find activities",
        ),
    )

    class Meta:
        model = Goal
        fields = ("statement", "target_date", "indicators", "products", "activities")
        widgets = {
            "statement": forms.Textarea(attrs={"rows": 3}),
            "target_date": DateInput(),
            "indicators": forms.CheckboxSelectMultiple,
            "products": forms.CheckboxSelectMultiple,
        }

    def __init__(self, *args, project, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["indicators"].queryset = Indicator.objects.filter(project=project).order_by("name")
        self.fields["products"].queryset = Product.objects.filter(project=project).order_by("title")
        activities = self.fields["activities"]
        activities.queryset = Activity.objects.filter(project=project).order_by("-date", "-pk")
        activities.widget.scope = {"project": project.pk}


class ObjectiveForm(_ServiceValidated, forms.ModelForm):
    class Meta:
        model = Objective
        fields = ("statement", "target_date")
        widgets = {"statement": forms.Textarea(attrs={"rows": 2}), "target_date": DateInput()}


class GoalProposalForm(_ServiceValidated, forms.ModelForm):
    class Meta:
        model = GoalProposal
        fields = ("statement", "target_date", "reason")
        widgets = {
            "statement": forms.Textarea(attrs={"rows": 3}),
            "target_date": DateInput(),
            "reason": forms.Textarea(attrs={"rows": 2}),
        }


class ProposalDecisionForm(forms.Form):
    decision = forms.ChoiceField(choices=(("approve", "Approve"), ("decline", "Decline")))
    note = forms.CharField(required=False, max_length=300)


class ProductForm(_ServiceValidated, forms.ModelForm):
    link = forms.URLField(required=False, max_length=200, assume_scheme="https")

    class Meta:
        model = Product
        fields = ("title", "kind", "description", "lead_center", "due_date", "link", "file", "topics")
        widgets = {
            "description": forms.Textarea(attrs={"rows": 3}),
            "due_date": DateInput(),
            "topics": forms.CheckboxSelectMultiple,
        }
        help_texts = {
            "file": f"PDF, Word, Excel, PowerPoint, CSV, text or ZIP, at most {MAX_FILE_BYTES // 2**20} MB."
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["lead_center"].queryset = PartnerCenter.objects.order_by("short_name")
        self.fields["topics"].queryset = Topic.objects.filter(is_active=True).order_by("name")


class ProductVersionForm(forms.Form):
    label = forms.CharField(max_length=40, help_text="e.g. 1.0, 2025 edition")
    note = forms.CharField(label="What changed", max_length=300, required=False)
    link = forms.URLField(required=False, assume_scheme="https")
    file = forms.FileField(required=False, help_text=ProductForm.Meta.help_texts["file"])


class ProductAdoptionForm(forms.Form):
    district = forms.ModelChoiceField(queryset=District.objects.none())
    adopted_on = forms.DateField(widget=DateInput())
    note = forms.CharField(max_length=300, required=False)

    def __init__(self, *args, product, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["district"].queryset = product.project.districts.order_by("name")


__all__ = ["ProductAdoption"]
