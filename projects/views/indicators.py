"""The indicator page (chart of values against baseline and target) and recording a value."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect, render

from core.downloads import download_response
from core.forms import service_errors
from projects import charts, selectors
from projects.downloads import indicator_downloads
from projects.forms.indicators import IndicatorValueForm
from projects.models import Indicator
from projects.services.indicators import indicator_value_record, indicator_value_recordable_by


def _indicator(request, pk: int) -> Indicator:
    return get_object_or_404(
        Indicator.objects.visible_to(request.user).select_related("project", "project__sea"), pk=pk
    )


def _page(request, indicator: Indicator, form: IndicatorValueForm | None, template: str):
    values = selectors.indicator_values(indicator)
    latest = values[-1] if values else None
    label = f"{indicator.name}: values against baseline and target"
    chart = charts.indicator_chart(indicator, values, label=label)
    downloads = indicator_downloads(indicator, values, chart)
    if (response := download_response(request, downloads)) is not None:
        return response
    context = {
        "indicator": indicator,
        "project": indicator.project,
        "values": values,
        "latest": latest,
        "on_target": indicator.is_on_target(latest.value) if latest else None,
        "chart": chart,
        "chart_compact": charts.indicator_chart(indicator, values, label=label, compact=True),
        "download_name": downloads[0].name,
        "can_record": indicator_value_recordable_by(request.user),
        "form": form,
    }
    return render(request, template, context)


@login_required
def indicator_detail(request, pk: int):
    indicator = _indicator(request, pk)
    return _page(request, indicator, None, "projects/indicator_detail.html")


@login_required
def indicator_value_create(request, pk: int):
    """GET shows the form, POST records the value (post/redirect/get) or shows field errors."""
    indicator = _indicator(request, pk)
    if not indicator_value_recordable_by(request.user):
        raise PermissionDenied("Only SEA staff and facilitators record indicator values.")
    form = IndicatorValueForm(request.POST or None, indicator=indicator)
    if request.method == "POST" and form.is_valid():
        with service_errors(form):
            indicator_value_record(
                recorded_by=request.user,
                indicator=indicator,
                measured_on=form.cleaned_data["measured_on"],
                value=form.cleaned_data["value"],
                note=form.cleaned_data.get("note") or "",
            )
            messages.success(request, f"Value recorded for {indicator.name}.")
            return redirect("projects:indicator_detail", pk=indicator.pk)
    return _page(request, indicator, form, "projects/indicator_value_form.html")
