"""URL filters of the product list (django-filter), scoped to the signed-in user."""

from __future__ import annotations

import django_filters
from django.db.models import Q

from stakeholders.models import SEA, PartnerCenter

from .filters import SearchInput, drop_state_filter_for_one_state
from .models import Product, Topic


class ProductFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(label="Search", method="search", widget=SearchInput)
    state = django_filters.ModelChoiceFilter(
        label="State", field_name="project__sea", queryset=SEA.objects.none(), empty_label="All states"
    )
    status = django_filters.ChoiceFilter(choices=Product.Status.choices, empty_label="Any status")
    kind = django_filters.ChoiceFilter(choices=Product.Kind.choices, empty_label="Any kind")
    topic = django_filters.ModelChoiceFilter(
        label="Topic", field_name="topics", queryset=Topic.objects.order_by("name"), empty_label="Any topic"
    )
    lead_center = django_filters.ModelChoiceFilter(
        label="Lead center", queryset=PartnerCenter.objects.none(), empty_label="Any center"
    )
    due_before = django_filters.DateFilter(label="Due by", field_name="due_date", lookup_expr="lte")

    class Meta:
        model = Product
        fields = []

    def __init__(self, *args, request=None, **kwargs):
        super().__init__(*args, request=request, **kwargs)
        user = request.user
        seas = SEA.objects.visible_to(user)
        self.filters["state"].queryset = seas
        self.form.fields["state"].queryset = seas
        centers = PartnerCenter.objects.visible_to(user).order_by("short_name")
        self.filters["lead_center"].queryset = centers
        self.form.fields["lead_center"].queryset = centers
        self.form.fields["due_before"].widget.input_type = "date"
        drop_state_filter_for_one_state(self, "state")

    def search(self, queryset, _name, value):
        return queryset.filter(Q(title__icontains=value) | Q(project__title__icontains=value))
