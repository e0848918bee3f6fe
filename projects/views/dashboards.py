"""The portfolio and state dashboards, the project page and the network of support.

Views only pick the scoped querysets and hand them to projects.selectors; every number on these
pages is computed in SQL with a fixed number of queries.
"""

import csv
import datetime
from pathlib import Path

from django.contrib.auth.decorators import login_required
from django.contrib.staticfiles import finders
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils import timezone

from projects import charts, hooks, selectors
from projects.models import Activity, Indicator, Product, Project, ScopeChange
from projects.selectors_work import project_work
from stakeholders.models import SEA

PROJECT_ACTIVITY_LIMIT = 10


def hours_download(request, context: dict) -> HttpResponse | None:
    """The hours chart of a dashboard as a file when asked (`?download=hours.svg` or
    `hours.csv`): the SVG standalone, with the portal's chart styles inside; the CSV the numbers
    of the table beside it. None for the page itself."""
    wanted = request.GET.get("download", "")
    hours = context["hours"]
    if wanted == "hours.csv":
        response = HttpResponse(content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = 'attachment; filename="activity-hours.csv"'
        writer = csv.writer(response)
        writer.writerow(["series", *(month.strftime("%Y-%m") for month in hours.months), "total"])
        for series in hours.series:
            writer.writerow([series.name, *series.values, series.total])
        return response
    if wanted == "hours.svg":
        path = finders.find("css/portal.css")
        styles = Path(path).read_text() if path else ""
        svg = str(context["hours_chart"])
        # A file of its own: no page CSP applies, so the styles travel inside it.
        svg = svg.replace("<title>", f"<style>{styles}</style><title>", 1)
        response = HttpResponse(svg, content_type="image/svg+xml; charset=utf-8")
        response["Content-Disposition"] = 'attachment; filename="activity-hours.svg"'
        return response
    return None


def dashboard_context(request, *, sea=None, state_counts=None) -> dict:
    """Everything the home and state dashboards show, for the user's scope (and one SEA)."""
    user = request.user
    today = timezone.localdate()
    projects = Project.objects.visible_to(user)
    indicators = Indicator.objects.visible_to(user)
    products = Product.objects.visible_to(user)
    activities = Activity.objects.visible_to(user)
    if sea is not None:
        projects = projects.filter(sea=sea)
        indicators = indicators.filter(project__sea=sea)
        products = products.filter(project__sea=sea)
        activities = activities.filter(project__sea=sea)
    conditions = selectors.condition_list()
    if state_counts is None:
        states = selectors.projects_by_state_and_status(projects)
        statuses = selectors.status_totals(states)
    else:
        states = []
        statuses = state_counts
    total = sum(count for _, _, count in statuses)
    heatmap = selectors.heatmap_page(
        projects, total=total, page_number=request.GET.get("page"), conditions=conditions
    )
    hours = selectors.activity_hours_by_month(user, sea=sea, conditions=conditions, today=today)
    # Indicators of active projects: a finished project's indicators are history, not a signal.
    counts, off_target = selectors.indicator_status(indicators.filter(project__status=Project.Status.ACTIVE))
    overdue = selectors.overdue_products(products, today=today)
    attention = selectors.projects_needing_attention(projects, today=today, off_target=off_target)
    recent = selectors.recent_activities(activities)
    scope_label = sea.name if sea is not None else "your portfolio"
    return {
        "today": today,
        "conditions": conditions,
        "stages": selectors.STAGE_LABELS.items(),
        "states": states,
        "statuses": statuses,
        "project_total": total,
        "heatmap": heatmap,
        "hours": hours,
        "hours_chart": charts.hours_chart(
            hours, label=f"Hours logged per month by condition, {scope_label}, last 12 months"
        ),
        "legend": [(charts.legend_marker(0), hours.total)]
        + [(charts.legend_marker(n), s) for n, s in enumerate(hours.by_condition, start=1)],
        "indicator_counts": counts,
        "indicator_bar": charts.share_bar(
            [
                ("On target", counts.on_target, "share-on"),
                ("Off target", counts.off_target, "share-off"),
                ("No value yet", counts.no_value, "share-none"),
            ],
            label=(
                f"Indicators: {counts.on_target} on target, {counts.off_target} off target, "
                f"{counts.no_value} without a value"
            ),
        ),
        "overdue": overdue,
        "overdue_total": overdue[0].total if overdue else 0,
        "attention": attention.rows,
        "attention_total": attention.total,
        "quiet_days": selectors.QUIET_DAYS,
        "stale_months": selectors.STALE_ASSESSMENT_MONTHS,
        "recent": recent,
    }


@login_required
def state_dashboard(request, state_code: str):
    """One SEA's dashboard; another state's (or an unknown) code is a 404."""
    sea = selectors.sea_with_status_counts(SEA.objects.visible_to(request.user), state_code)
    if sea is None:
        raise Http404
    state_counts = [
        (status, label, getattr(sea, f"count_{status}")) for status, label in Project.Status.choices
    ]
    context = dashboard_context(request, sea=sea, state_counts=state_counts)
    if (download := hours_download(request, context)) is not None:
        return download
    context.update(
        sea=sea,
        districts=selectors.state_districts(sea),
        centers=selectors.state_partner_centers(sea),
        panels=hooks.panels("state_dashboard", request=request, obj=sea),
    )
    context["district_total"] = context["districts"][0].total if context["districts"] else 0
    return render(request, "projects/state_dashboard.html", context)


@login_required
def project_detail(request, pk: int):
    project = get_object_or_404(
        Project.objects.visible_to(request.user).select_related("sea", "lead_center"), pk=pk
    )
    today = timezone.localdate()
    conditions = selectors.condition_list()
    history = selectors.project_condition_history(project, conditions)
    # The charts share one time axis: from a month before the first assessment to today.
    first_assessed = min((p.assessed_on for h in history for p in h.points), default=project.start_date)
    start = first_assessed - datetime.timedelta(days=30)
    end = max(today, start + datetime.timedelta(days=1))
    for row in history:
        row.chart = charts.stage_chart(
            row.points,
            start=start,
            end=end,
            number=row.condition.number,
            label=f"{row.condition.name}: stage over time",
        )
    products = list(
        Product.objects.filter(project=project).select_related("lead_center").order_by("due_date", "title")
    )
    activities = list(
        Activity.objects.filter(project=project)
        .select_related("author")
        .defer("next_steps")
        .order_by("-date", "-pk")[:PROJECT_ACTIVITY_LIMIT]
    )
    context = {
        "project": project,
        "today": today,
        "links": selectors.project_links(project),
        "stakeholders": list(
            project.stakeholders.select_related(
                "office__sea", "district", "partner_center", "organization", "sea"
            )
        ),
        "history": history,
        "stages": selectors.STAGE_LABELS.items(),
        "indicators": selectors.project_indicators(project),
        "products": products,
        "activities": activities,
        "activity_limit": PROJECT_ACTIVITY_LIMIT,
        "scope_changes": list(ScopeChange.objects.filter(project=project).order_by("changed_on", "pk")),
        "panels": hooks.panels("project_detail", request=request, obj=project),
    }
    context["work"] = project_work(project, request.user)
    return render(request, "projects/project_detail.html", context)


@login_required
def network(request):
    """The network of support, optionally for one state (`?state=CT`, shareable)."""
    state_code = (request.GET.get("state") or "").strip().upper()[:2] or None
    states = list(
        SEA.objects.visible_to(request.user).order_by("state_code").values_list("state_code", "name")
    )
    if state_code and state_code not in {code for code, _ in states}:
        state_code = None
    data = selectors.support_network(request.user, state_code=state_code)
    where = data.state.name if data.state else "all states you can see"
    collapsed = len(data.projects) > charts.PROJECT_NODE_LIMIT
    centers = data.centers
    seas = {sea.pk: sea for sea in data.seas}
    rows = []
    by_sea: dict[int, dict] = {}
    for project in data.projects:
        lead = centers.get(project["lead_center_id"])
        partners = [centers[c] for c in project["partner_ids"] if c in centers]
        rows.append({**project, "sea": seas.get(project["sea_id"]), "lead": lead, "partners": partners})
        sea_row = by_sea.setdefault(project["sea_id"], {"sea": seas.get(project["sea_id"]), "centers": {}})
        for center in [lead, *partners]:
            if center is not None:
                sea_row["centers"].setdefault(center.pk, {"center": center, "projects": 0})
                sea_row["centers"][center.pk]["projects"] += 1
    sea_links = []
    for row in sorted(by_sea.values(), key=lambda row: row["sea"].state_code):
        linked = sorted(row["centers"].values(), key=lambda c: (-c["projects"], c["center"].short_name))
        # One string per SEA: the template escapes it, and a whole portfolio renders in one pass.
        summary = ", ".join(f"{item['center'].short_name} ({item['projects']})" for item in linked)
        sea_links.append({"sea": row["sea"], "centers": linked, "summary": summary})
    overlaps = [row for row in sea_links if len(row["centers"]) > 1]
    # Too many projects across several states: a graph would be a tangle, a matrix reads.
    matrix = drawing = None
    if not (collapsed and len(sea_links) > 1):
        drawing = charts.network_svg(charts.network_graph(data), label=f"Network of support: {where}")
    else:
        matrix = charts.network_matrix_svg(
            sea_links, label=f"Projects shared by each SEA and partner center: {where}"
        )
    shared_projects = [row for row in rows if row["partners"]]
    bodies = [
        {
            "short_name": body["short_name"],
            "name": body["name"],
            "seas": sorted((seas[s] for s in body["seas"] if s in seas), key=lambda s: s.state_code),
            "centers": sorted(
                (centers[c] for c in body["centers"] if c in centers), key=lambda c: c.short_name
            ),
        }
        for body in data.bodies.values()
    ]
    context = {
        "states": states,
        "state": data.state,
        "drawing": drawing,
        # A whole portfolio's projects are listed on the project list page; one state's fit here.
        "collapsed": collapsed,
        "rows": rows if data.state or not collapsed else [],
        "project_count": len(rows),
        "sea_links": sea_links,
        "matrix": matrix,
        "overlaps": overlaps,
        "shared_projects": shared_projects[:50] if data.state or not collapsed else [],
        "shared_project_count": len(shared_projects),
        "bodies": bodies,
    }
    return render(request, "projects/network.html", context)
