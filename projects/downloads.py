"""The files of the dashboards, the project page, the indicator page and the network of support:
each chart as PNG, SVG and CSV, each dashboard table as CSV (core/downloads.py answers them).

The page's view hands over what it computed for the page (its context) and its scoped querysets,
so a file never shows more than the page: a table the page cuts short (the ten most overdue
products) comes whole, from the same queryset.
"""

from __future__ import annotations

from core.downloads import Download, slug_part
from projects import selectors
from projects.models import Activity


def _yes(flag: bool) -> str:
    return "yes" if flag else ""


def dashboard_downloads(context: dict, *, prefix: str = "") -> list[Download]:
    """The home and state dashboards' files; `prefix` names the state in the file names."""
    hours = context["hours"]
    counts = context["indicator_counts"]
    scope = context["scope"]
    today = context["today"]
    conditions = context["conditions"]

    def heat_map_rows():
        projects = (
            scope.projects.select_related("sea")
            .order_by("sea__state_code", "title", "pk")
            .annotate(latest_stages=selectors.latest_stages())
        )
        for project in projects.iterator(chunk_size=2000):
            stages = selectors.stages_by_condition(project.latest_stages, conditions)
            yield [project.title, project.sea.state_code, *("" if s is None else s for s in stages)]

    def attention_rows():
        attention = selectors.projects_needing_attention(
            scope.projects, today=today, off_target=context["off_target"], limit=None
        )
        for row in attention.rows:
            yield [row.title, row.state_code, _yes(row.is_quiet), _yes(row.is_off_target), _yes(row.is_stale)]

    def overdue_rows():
        for product in selectors.overdue_products(scope.products, today=today, limit=None):
            yield [
                product.title,
                product.project.title,
                product.project.sea.state_code,
                product.due_date,
                product.get_status_display(),
            ]

    return [
        Download(
            f"{prefix}activity-hours",
            header=["series", *(month.strftime("%Y-%m") for month in hours.months), "total"],
            rows=lambda: ([s.name, *s.values, s.total] for s in hours.series),
            svg=lambda: str(context["hours_chart"]()),
        ),
        Download(
            f"{prefix}indicators-on-target",
            header=["status", "indicators"],
            rows=lambda: [
                ["On target", counts.on_target],
                ["Off target", counts.off_target],
                ["No value yet", counts.no_value],
            ],
            svg=lambda: str(context["indicator_bar"]()),
        ),
        Download(
            f"{prefix}conditions-heat-map",
            header=["project", "state", *(f"{c.number}. {c.name} (stage 0-4)" for c in conditions)],
            rows=heat_map_rows,
        ),
        Download(
            f"{prefix}projects-needing-attention",
            header=[
                "project",
                "state",
                f"no activity in {selectors.QUIET_DAYS} days",
                "indicator off target",
                f"no assessment in {selectors.STALE_ASSESSMENT_MONTHS} months",
            ],
            rows=attention_rows,
        ),
        Download(
            f"{prefix}overdue-products",
            header=["product", "project", "state", "due", "status"],
            rows=overdue_rows,
        ),
        Download(
            f"{prefix}recent-activity",
            header=["date", "type", "summary", "hours", "project", "state", "logged by"],
            rows=lambda: (
                [
                    a.date,
                    a.get_type_display(),
                    a.summary,
                    a.hours,
                    a.project.title,
                    a.project.sea.state_code,
                    str(a.author or ""),
                ]
                for a in context["recent"]
            ),
        ),
    ]


def portfolio_downloads(context: dict) -> list[Download]:
    """The home dashboard's own table: projects per state and status."""
    statuses = context["statuses"]

    def rows():
        for state in context["states"]:
            yield [state.state_code, state.short_name, *state.ordered_counts, state.total]
        yield ["", "All states", *(count for _, _, count in statuses), context["project_total"]]

    return [
        Download(
            "projects-by-state",
            header=["state", "SEA", *(label for _, label, _ in statuses), "total"],
            rows=rows,
        )
    ]


def state_downloads(context: dict, *, prefix: str) -> list[Download]:
    """The state dashboard's own tables: projects per status, districts, partner centers."""
    sea = context["sea"]
    statuses = context["statuses"]
    return [
        Download(
            f"{prefix}projects-by-status",
            header=[*(label for _, label, _ in statuses), "total"],
            rows=lambda: [[*(count for _, _, count in statuses), context["project_total"]]],
        ),
        Download(
            f"{prefix}districts",
            header=["district", "projects"],
            rows=lambda: ([d.name, d.project_count] for d in selectors.state_districts(sea, limit=None)),
        ),
        Download(
            f"{prefix}partner-centers",
            header=["center", "short name", "leads", "partners on"],
            rows=lambda: ([c.name, c.short_name, c.led or 0, c.partnered or 0] for c in context["centers"]),
        ),
    ]


def project_downloads(context: dict) -> list[Download]:
    """The project page: a chart per condition, and its indicators, products and activities."""
    project = context["project"]
    stem = context["download_prefix"]
    downloads = [
        Download(
            f"{stem}{row.download_name}",
            header=["condition", "assessed on", "stage", "stage name"],
            rows=lambda row=row: (
                [row.condition.name, p.assessed_on, p.stage, p.get_stage_display()] for p in row.points
            ),
            svg=lambda row=row: str(row.chart),
        )
        for row in context["history"]
    ]

    def indicator_rows():
        for i in context["indicators"]:
            status = "No value yet" if i.on_target is None else ("On target" if i.on_target else "Off target")
            yield [
                i.name,
                i.unit,
                i.get_direction_display(),
                i.baseline,
                i.latest,
                i.latest_on,
                i.target,
                status,
            ]

    def activity_rows():
        activities = (
            Activity.objects.filter(project=project)
            .select_related("author")
            .defer("next_steps")
            .order_by("-date", "-pk")
        )
        for a in activities.iterator(chunk_size=2000):
            yield [
                a.date,
                a.get_type_display(),
                a.get_mode_display(),
                a.hours,
                a.summary,
                str(a.author or ""),
            ]

    downloads += [
        Download(
            f"{stem}indicators",
            header=[
                "indicator",
                "unit",
                "direction",
                "baseline",
                "latest value",
                "latest on",
                "target",
                "status",
            ],
            rows=indicator_rows,
        ),
        Download(
            f"{stem}products",
            header=["product", "kind", "lead center", "due", "status", "delivered on"],
            rows=lambda: (
                [
                    p.title,
                    p.get_kind_display(),
                    p.lead_center.short_name if p.lead_center else "",
                    p.due_date,
                    p.get_status_display(),
                    p.delivered_on,
                ]
                for p in context["products"]
            ),
        ),
        Download(
            f"{stem}activities",
            header=["date", "type", "mode", "hours", "summary", "logged by"],
            rows=activity_rows,
        ),
    ]
    return downloads


def indicator_downloads(indicator, values, chart) -> list[Download]:
    """The indicator page's chart: its measured values, baseline and target."""

    def rows():
        yield ["baseline", indicator.baseline_date, indicator.baseline]
        for value in values:
            yield ["value", value.measured_on, value.value]
        yield ["target", indicator.target_date, indicator.target]

    return [
        Download(
            f"indicator-{indicator.pk}",
            header=["series", "date", "value"],
            rows=rows,
            svg=lambda: str(chart),
        )
    ]


def network_downloads(*, state_code: str | None, graph, drawing, matrix, sea_links) -> list[Download]:
    """The network of support: the graph's links, or (a matrix) the projects per SEA and center."""
    name = "network-of-support" + (f"-{slug_part(state_code)}" if state_code else "")
    if matrix is not None:
        return [
            Download(
                name,
                header=["SEA", "partner center", "projects"],
                rows=lambda: (
                    [row["sea"].state_code, item["center"].short_name, item["projects"]]
                    for row in sea_links
                    for item in row["centers"]
                ),
                svg=lambda: str(matrix),
            )
        ]

    def edge_rows():
        nodes = graph.nodes
        for a, b, data in sorted(graph.edges(data=True), key=lambda e: (e[2]["kind"], e[0], e[1])):
            yield [
                nodes[a]["title"],
                nodes[a]["kind"],
                nodes[b]["title"],
                nodes[b]["kind"],
                data["kind"],
                data.get("weight", ""),
            ]

    return [
        Download(
            name,
            header=["from", "from kind", "to", "to kind", "link", "projects"],
            rows=edge_rows,
            svg=lambda: str(drawing.svg),
        )
    ]
