"""The annual performance report: page, print view, CSV per table, XLSX workbook, and the
filtered lists its numbers link to."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from accounts.models import SecurityEvent
from core.dates import on_local_days
from core.keyset import keyset_page
from core.lists import stream_csv
from projects.models import Product

from .exports import report_workbook, table_rows
from .forms import ExplanationForm, RecordsFilterForm, ReportPeriodForm, SurveyResultsForm
from .models import Attestation, SurveyInvitation, SurveyResponse
from .report import (
    HIGH,
    TABLES,
    Period,
    attestation_table,
    conditions_table,
    measures_visible_to,
    ratings_table,
    report_tables,
    services_table,
    status_rows,
    status_table,
)
from .services.report import may_edit_report, progress_explanation_save
from .survey_results import survey_results

RECORDS_PER_PAGE = 50
RECORDS_ORDER = {
    "products": ["-delivered_on", "pk"],
    "responses": ["-submitted_at", "pk"],
    "invitations": ["-sent_at", "pk"],
    "attestations": ["-activity__date", "pk"],
}


def _period(request, form_class=ReportPeriodForm) -> tuple[Period | None, ReportPeriodForm]:
    form = form_class(request.GET or None)
    if not request.GET.keys() & {"fy", "date_from", "date_to"}:
        if form.is_bound and not form.is_valid():
            return None, form
        return Period.last_fiscal_year(), form
    if not form.is_valid():
        return None, form
    return form.period(), form


def _log_export(request, what: str, period: Period) -> None:
    SecurityEvent.objects.create(
        kind=SecurityEvent.Kind.EXPORT,
        user=request.user,
        username=request.user.get_username(),
        path=request.path[:500],
        detail={"report": what, "start": period.start.isoformat(), "end": period.end.isoformat()},
    )


@login_required
def report(request, *, print_view: bool = False):
    period, form = _period(request)
    if period is None:
        return render(request, "accountability/report.html", {"form": form}, status=400)
    fmt = request.GET.get("format", "")
    if fmt == "xlsx":
        tables = report_tables(request.user, period)
        _log_export(request, "xlsx", period)
        response = HttpResponse(
            report_workbook(tables, title=f"Annual performance report: {period.label}"),
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
        response["Content-Disposition"] = (
            f'attachment; filename="performance-report-{period.start}-{period.end}.xlsx"'
        )
        return response
    if fmt == "csv":
        slug = request.GET.get("table", "")
        if slug not in TABLES:
            raise Http404("No such table.")
        table = TABLES[slug](request.user, period)
        _log_export(request, f"csv:{slug}", period)
        return stream_csv(
            header=table.columns, rows=table_rows(table), filename=f"{slug}-{period.start}-{period.end}.csv"
        )
    rows = status_rows(request.user, period)
    user = request.user
    tables = [
        status_table(user, period, rows),
        services_table(user, period, page=True),
        ratings_table(user, period),
        conditions_table(user, period, page=True),
        attestation_table(user, period),
    ]
    editable = may_edit_report(request.user) and not print_view
    for row in rows:
        row["form"] = (
            ExplanationForm(
                initial={
                    "measure": row["measure"].pk,
                    "date_from": period.start,
                    "date_to": period.end,
                    "text": row["explanation"].text if row["explanation"] else "",
                },
                auto_id=f"m{row['measure'].pk}_%s",
            )
            if editable
            else None
        )
    last = Period.last_fiscal_year()
    return render(
        request,
        "accountability/report_print.html" if print_view else "accountability/report.html",
        {
            "form": form,
            "period": period,
            "tables": tables,
            "status_rows": rows,
            "fiscal_years": [last.end.year + 1, last.end.year, last.end.year - 1],
            "query": f"date_from={period.start}&date_to={period.end}",
            "editable": editable,
        },
    )


@login_required
def report_print(request):
    return report(request, print_view=True)


@login_required
@require_POST
def explanation_save(request):
    if not may_edit_report(request.user):
        raise Http404
    form = ExplanationForm(request.POST)
    if not form.is_valid():
        for field, errors in form.errors.items():
            for error in errors:
                messages.error(request, f"{field}: {error}")
        return redirect("accountability:report")
    data = form.cleaned_data
    measure = get_object_or_404(measures_visible_to(request.user), pk=data["measure"])
    try:
        progress_explanation_save(
            measure=measure,
            period_start=data["date_from"],
            period_end=data["date_to"],
            text=data["text"],
            by=request.user,
        )
    except (ValidationError, PermissionDenied) as exc:
        messages.error(request, " ".join(getattr(exc, "messages", [str(exc)])))
    else:
        messages.success(request, f"The explanation of “{measure.name}” is saved for this period.")
    return redirect(
        f"{reverse('accountability:report')}?date_from={data['date_from']}&date_to={data['date_to']}"
    )


def _survey_records(user, kind: str, data: dict):
    """Survey responses or invitations filtered like a link of the report or the survey results."""
    invitations = SurveyInvitation.objects.visible_to(user)
    if kind == "invitations":
        qs = invitations.select_related("project__sea", "activity", "product", "stakeholder", "response")
        prefix, dated = "", "sent_at"
    else:
        qs = SurveyResponse.objects.filter(invitation__in=invitations.values("pk"))
        qs = qs.select_related("invitation__project__sea", "invitation__activity", "invitation__product")
        prefix = "invitation__"
        dated = "invitation__sent_at" if data.get("dates") == "sent" else "submitted_at"
        if data.get("highly"):
            qs = qs.filter(**{f"{data['highly']}__gte": HIGH})
    qs = qs.filter(on_local_days(dated, data.get("date_from"), data.get("date_to")))
    if data.get("about") == "services":
        qs = qs.filter(**{f"{prefix}activity__isnull": False})
    elif data.get("about") == "products":
        qs = qs.filter(**{f"{prefix}product__isnull": False})
    if data.get("type"):
        qs = qs.filter(**{f"{prefix}activity_type": data["type"]})
    if data.get("product"):
        qs = qs.filter(**{f"{prefix}product": data["product"]})
    return qs, f"{prefix}project__sea", f"{prefix}project"


@login_required
def records(request):  # noqa: C901 - one branch per kind of record a number can count
    """The records a number of the report or the survey results counts: delivered products,
    survey responses or invitations, or attestations, filtered like the link says."""
    form = RecordsFilterForm(request.GET)
    if not form.is_valid():
        return render(request, "accountability/records.html", {"form": form, "keyset": None}, status=400)
    data = form.cleaned_data
    kind, start, end = data["kind"], data.get("date_from"), data.get("date_to")
    if kind == "products":
        qs = Product.objects.visible_to(request.user).filter(status=Product.Status.DELIVERED)
        qs = qs.select_related("project__sea")
        if start:
            qs = qs.filter(delivered_on__gte=start)
        if end:
            qs = qs.filter(delivered_on__lte=end)
        sea, project = "project__sea", "project"
    elif kind in ("responses", "invitations"):
        qs, sea, project = _survey_records(request.user, kind, data)
    else:
        qs = Attestation.objects.visible_to(request.user).filter(is_current=True)
        qs = qs.select_related("activity__project__sea", "decided_by")
        if start:
            qs = qs.filter(activity__date__gte=start)
        if end:
            qs = qs.filter(activity__date__lte=end)
        if data.get("status"):
            qs = qs.filter(status=data["status"])
        if data.get("type"):
            qs = qs.filter(activity__type=data["type"])
        sea, project = "activity__project__sea", "activity__project"
    if data.get("state"):
        qs = qs.filter(**{sea: data["state"]})
    if data.get("project"):
        qs = qs.filter(**{project: data["project"]})
    # Newest first, by keyset pages: a whole year of a national portfolio is not counted row by
    # row (the count stops at a cap), and a page deep in it costs what the first does.
    page = keyset_page(
        qs,
        RECORDS_ORDER[kind],
        after=request.GET.get("after", ""),
        before=request.GET.get("before", ""),
        size=RECORDS_PER_PAGE,
    )
    query = request.GET.copy()
    for name in ("after", "before", "page"):
        query.pop(name, None)
    return render(
        request,
        "accountability/records.html",
        {
            "form": form,
            "kind": kind,
            "keyset": page,
            "page_query": query.urlencode(),
            "kind_label": dict(RecordsFilterForm.KINDS)[kind],
        },
    )


@login_required
def survey_results_page(request):
    """The participants' ratings and the board's feedback, grouped and counted for a period."""
    period, form = _period(request, SurveyResultsForm)
    if period is None:
        return render(request, "accountability/survey_results.html", {"form": form}, status=400)
    group = (form.cleaned_data.get("group") if form.is_bound else "") or "project"
    last = Period.last_fiscal_year()
    return render(
        request,
        "accountability/survey_results.html",
        {
            "form": form,
            "period": period,
            "group": group,
            "results": survey_results(request.user, group=group, period=period),
            "fiscal_years": [last.end.year + 1, last.end.year, last.end.year - 1],
        },
    )
