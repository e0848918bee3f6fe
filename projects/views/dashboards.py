"""The portfolio and state dashboards, the project page and the network of support.

Views only pick the scoped querysets and hand them to projects.selectors; every number on these
pages is computed in SQL with a fixed number of queries.
"""

import datetime
from dataclasses import dataclass
from functools import partial

from django.contrib.auth.decorators import login_required
from django.db.models import QuerySet
from django.http import Http404
from django.shortcuts import get_object_or_404, render
from django.utils import timezone

from core.downloads import download_response, slug_part
from core.fragments import FRAGMENT_SECONDS, fragment_key
from projects import charts, hooks, selectors
from projects.downloads import (
    dashboard_downloads,
    network_downloads,
    project_downloads,
    state_downloads,
)
from projects.models import Activity, Indicator, Product, Project, ScopeChange
from projects.selectors_work import project_work
from stakeholders.models import SEA

PROJECT_ACTIVITY_LIMIT = 10


@dataclass
class DashboardScope:
    """What a dashboard counts: the user's records, of one SEA on a state dashboard."""

    projects: QuerySet
    indicators: QuerySet
    products: QuerySet
    activities: QuerySet


def dashboard_scope(user, sea=None) -> DashboardScope:
    scope = DashboardScope(
        projects=Project.objects.visible_to(user),
        indicators=Indicator.objects.visible_to(user),
        products=Product.objects.visible_to(user),
        activities=Activity.objects.visible_to(user),
    )
    if sea is not None:
        scope.projects = scope.projects.filter(sea=sea)
        scope.indicators = scope.indicators.filter(project__sea=sea)
        scope.products = scope.products.filter(project__sea=sea)
        scope.activities = scope.activities.filter(project__sea=sea)
    return scope


def dashboard_context(request, *, sea=None, state_counts=None) -> dict:
    """Everything the home and state dashboards show, for the user's scope (and one SEA)."""
    user = request.user
    today = timezone.localdate()
    scope = dashboard_scope(user, sea)
    projects, indicators, products, activities = (
        scope.projects,
        scope.indicators,
        scope.products,
        scope.activities,
    )
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
    hours_label = f"Hours logged per month by condition, {scope_label}, last 12 months"
    indicator_parts = [
        ("On target", counts.on_target, "share-on"),
        ("Off target", counts.off_target, "share-off"),
        ("No value yet", counts.no_value, "share-none"),
    ]
    indicator_label = (
        f"Indicators: {counts.on_target} on target, {counts.off_target} off target, "
        f"{counts.no_value} without a value"
    )
    # What the fragments' download links keep of the address (core/templatetags/downloads.py).
    query = request.GET.urlencode()
    # Drawings are kept only for the addresses the dashboard links to itself (none, or a heat-map
    # page it names); any other query string is drawn afresh and not kept, so made-up addresses
    # cannot fill the cache.
    page = request.GET.get("page")
    keep = set(request.GET) <= {"page"} and page in (None, str(heatmap.number))
    return {
        "scope": scope,
        "off_target": off_target,
        "today": today,
        "conditions": conditions,
        "stages": selectors.STAGE_LABELS.items(),
        "states": states,
        "statuses": statuses,
        "project_total": total,
        "heatmap": heatmap,
        "hours": hours,
        # Drawn by the template, so only when its fragment is not cached (and by the downloads).
        "hours_chart": partial(charts.hours_chart, hours, label=hours_label),
        "hours_chart_compact": partial(charts.hours_chart, hours, label=hours_label, compact=True),
        "legend": [(charts.legend_marker(0), hours.total)]
        + [(charts.legend_marker(n), s) for n, s in enumerate(hours.by_condition, start=1)],
        "indicator_counts": counts,
        "indicator_bar": partial(charts.share_bar, indicator_parts, label=indicator_label),
        "overdue": overdue,
        "overdue_total": overdue[0].total if overdue else 0,
        "attention": attention.rows,
        "attention_total": attention.total,
        "quiet_days": selectors.QUIET_DAYS,
        "stale_months": selectors.STALE_ASSESSMENT_MONTHS,
        "recent": recent,
        "fragment_seconds": FRAGMENT_SECONDS if keep else 0,  # 0: drawn, not kept
        "fragments": {
            "heatmap": fragment_key(
                query, sea, conditions, heatmap.rows, heatmap.number, heatmap.paginator.count
            ),
            "hours": fragment_key(query, sea, hours_label, hours),
            "panels": fragment_key(query, sea, attention, counts, overdue, recent),
        },
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
    context.update(
        sea=sea,
        districts=selectors.state_districts(sea),
        centers=selectors.state_partner_centers(sea),
        panels=hooks.panels("state_dashboard", request=request, obj=sea),
    )
    prefix = f"{slug_part(sea.state_code)}-"
    downloads = dashboard_downloads(context, prefix=prefix) + state_downloads(context, prefix=prefix)
    if (response := download_response(request, downloads)) is not None:
        return response
    context["download_prefix"] = prefix
    context["district_total"] = context["districts"][0].total if context["districts"] else 0
    context["fragments"]["partners"] = fragment_key(
        request.GET.urlencode(), sea, context["districts"], context["centers"]
    )
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
        row.download_name = f"stages-{slug_part(row.condition.slug)}"
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
        "download_prefix": f"project-{project.pk}-",
    }
    if (response := download_response(request, project_downloads(context))) is not None:
        return response
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
    matrix = drawing = graph = None
    if not (collapsed and len(sea_links) > 1):
        graph = charts.network_graph(data)
        drawing = charts.network_svg(graph, label=f"Network of support: {where}")
    else:
        matrix = charts.network_matrix_svg(
            sea_links, label=f"Projects shared by each SEA and partner center: {where}"
        )
    downloads = network_downloads(
        state_code=state_code, graph=graph, drawing=drawing, matrix=matrix, sea_links=sea_links
    )
    if (response := download_response(request, downloads)) is not None:
        return response
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
        "download_name": downloads[0].name,
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
