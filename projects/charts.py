"""Server-rendered SVG charts for the dashboards, the project page and the network of support.

Every chart is plain SVG markup built here with every piece of text escaped, styled with
presentation attributes and classes from static/css/charts.css (the CSP forbids inline style),
and always shown next to a table of the same numbers for screen readers and print.
"""

from __future__ import annotations

import datetime
import math
from collections import defaultdict
from dataclasses import dataclass

import networkx as nx
from django.utils import timezone
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

MARKERS = ("circle", "square", "triangle", "diamond", "cross")


def _num(value: float) -> str:
    """A coordinate to one decimal, without a trailing ".0" (a chart writes a thousand of them)."""
    text = f"{value:.1f}"
    return text[:-2] if text.endswith(".0") else text


def _nice_ticks(low: float, high: float, count: int = 5, *, min_step: float | None = None) -> list[float]:
    """Round tick values covering low..high (about `count` of them): steps of 1, 2 or 5 times a
    power of ten (0, 5, 10, 15 …), never smaller than `min_step` (1 for whole hours or stages)."""
    span = high - low if high > low else 1.0
    raw = span / max(count - 1, 1)
    magnitude = 10 ** math.floor(math.log10(raw))
    step = next(m * magnitude for m in (1, 2, 5, 10) if raw <= m * magnitude)
    if min_step is not None:
        step = max(step, min_step)
    first = math.floor(low / step) * step
    ticks = [round(first, 10)]
    while ticks[-1] < high - step * 1e-9:
        ticks.append(round(ticks[-1] + step, 10))
    return ticks


def _marker(shape: str, x: float, y: float, css: str, size: float = 4.0) -> str:
    s = size
    if shape == "square":
        return f'<rect class="{css}" x="{_num(x - s)}" y="{_num(y - s)}" width="{_num(2 * s)}" height="{_num(2 * s)}"/>'
    if shape == "triangle":
        points = (
            f"{_num(x)},{_num(y - s - 1)} {_num(x + s + 1)},{_num(y + s)} {_num(x - s - 1)},{_num(y + s)}"
        )
        return f'<polygon class="{css}" points="{points}"/>'
    if shape == "diamond":
        points = f"{_num(x)},{_num(y - s - 1)} {_num(x + s + 1)},{_num(y)} {_num(x)},{_num(y + s + 1)} {_num(x - s - 1)},{_num(y)}"
        return f'<polygon class="{css}" points="{points}"/>'
    if shape == "cross":
        return (
            f'<path class="{css} marker-cross" d="M{_num(x - s)},{_num(y - s)}L{_num(x + s)},{_num(y + s)}'
            f'M{_num(x - s)},{_num(y + s)}L{_num(x + s)},{_num(y - s)}"/>'
        )
    return f'<circle class="{css}" cx="{_num(x)}" cy="{_num(y)}" r="{_num(s)}"/>'


def _svg_open(width: int, height: int, label: str, css: str) -> str:
    return (
        f'<svg class="chart {css}" viewBox="0 0 {width} {height}" width="{width}" height="{height}" '
        f'role="img" aria-label="{escape(label)}" xmlns="http://www.w3.org/2000/svg">'
        f"<title>{escape(label)}</title>"
    )


# Hours per month by condition ------------------------------------------------------------------


def _month_labels(months, step: int) -> list[tuple[int, str, int | None]]:
    """(index, month name, year or None) for every `step`-th month counted back from the latest,
    the year under the first labelled month and wherever the year changes."""
    labels = []
    year = None
    for i, month in enumerate(months):
        if (len(months) - 1 - i) % step:
            continue
        labels.append((i, month.strftime("%b"), month.year if month.year != year else None))
        year = month.year
    return labels


def hours_chart(hours, *, label: str, compact: bool = False) -> SafeString:
    """Total hours per month as bars, hours per condition as lines with distinct markers.

    `compact` draws the phone's version: a narrow drawing with larger text (charts.css) and
    every other month named, shown instead of the wide one on a small screen."""
    if compact:
        width, height = 480, 340
        left, right, top, bottom = 46, 10, 16, 52
    else:
        width, height = 1000, 300
        left, right, top, bottom = 52, 16, 16, 44
    plot_w, plot_h = width - left - right, height - top - bottom
    months = hours.months
    ticks = _nice_ticks(0.0, max(float(hours.maximum), 1.0), min_step=1)
    top_value = ticks[-1]
    band = plot_w / max(len(months), 1)

    def x(i):
        return left + band * (i + 0.5)

    def y(v):
        return top + plot_h - float(v) / top_value * plot_h

    parts = [_svg_open(width, height, label, "chart-hours chart-compact" if compact else "chart-hours")]
    parts.extend(
        f'<line class="grid" x1="{left}" x2="{width - right}" y1="{_num(y(tick))}" y2="{_num(y(tick))}"/>'
        f'<text class="axis" x="{left - 6}" y="{_num(y(tick) + 4)}" text-anchor="end">{_num(tick)}</text>'
        for tick in ticks
    )
    parts.append(
        f'<text class="axis" x="12" y="{_num(top + plot_h / 2)}" text-anchor="middle" '
        f'transform="rotate(-90 12 {_num(top + plot_h / 2)})">hours</text>'
    )
    for i, value in enumerate(hours.total.values):
        bar_h = float(value) / top_value * plot_h
        parts.append(
            f'<rect class="bar-total" x="{_num(x(i) - band * 0.35)}" y="{_num(y(value))}" '
            f'width="{_num(band * 0.7)}" height="{_num(bar_h)}"/>'
        )
    line = 20 if compact else 16
    for i, name, year in _month_labels(months, 2 if compact else 1):
        parts.append(
            f'<text class="axis" x="{_num(x(i))}" y="{height - bottom + line}" text-anchor="middle">'
            f"{escape(name)}</text>"
        )
        if year is not None:
            parts.append(
                f'<text class="axis" x="{_num(x(i))}" y="{height - bottom + 2 * line - 2}" '
                f'text-anchor="middle">{year}</text>'
            )
    for n, series in enumerate(hours.by_condition, start=1):
        css = f"series-{n}"
        points = " ".join(f"{_num(x(i))},{_num(y(v))}" for i, v in enumerate(series.values))
        parts.append(f'<polyline class="line {css}" points="{points}"/>')
        parts.extend(
            _marker(MARKERS[(n - 1) % len(MARKERS)], x(i), y(v), f"marker {css}")
            for i, v in enumerate(series.values)
        )
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308 (every text above is escaped)


def legend_marker(number: int) -> SafeString:
    """A small SVG swatch matching series `number` of the hours chart (0 = total bars)."""
    if number == 0:
        body = '<rect class="bar-total" x="2" y="3" width="16" height="10"/>'
    else:
        css = f"series-{number}"
        body = f'<line class="line {css}" x1="0" x2="20" y1="8" y2="8"/>' + _marker(
            MARKERS[(number - 1) % len(MARKERS)], 10, 8, f"marker {css}"
        )
    return mark_safe(  # noqa: S308 (no text)
        f'<svg class="legend-swatch" viewBox="0 0 20 16" width="20" height="16" aria-hidden="true">{body}</svg>'
    )


# Share bar (indicators on/off target) ----------------------------------------------------------


def share_bar(parts: list[tuple[str, int, str]], *, label: str) -> SafeString:
    """One horizontal bar split into parts: (name, count, css class)."""
    width, height = 420, 28
    total = sum(count for _, count, _ in parts) or 1
    out = [_svg_open(width, height, label, "chart-share")]
    x = 0.0
    for name, count, css in parts:
        w = count / total * width
        if w > 0:
            out.append(
                f'<rect class="{css}" x="{_num(x)}" y="0" width="{_num(w)}" height="{height}">'
                f"<title>{escape(name)}: {count}</title></rect>"
            )
        x += w
    out.append("</svg>")
    return mark_safe("".join(out))  # noqa: S308


# Condition stage over time (small multiples) ---------------------------------------------------


def stage_chart(points, *, start: datetime.date, end: datetime.date, label: str, number: int) -> SafeString:
    """A step line of one condition's stage (0-4) over time, from `start` to `end`."""
    width, height = 340, 150
    left, right, top, bottom = 26, 12, 10, 24
    plot_w, plot_h = width - left - right, height - top - bottom
    span = max((end - start).days, 1)

    def x(day):
        return left + (day - start).days / span * plot_w

    def y(stage):
        return top + plot_h - stage / 4 * plot_h

    out = [_svg_open(width, height, label, "chart-stage")]
    out.extend(
        f'<line class="grid" x1="{left}" x2="{width - right}" y1="{_num(y(stage))}" y2="{_num(y(stage))}"/>'
        f'<text class="axis" x="{left - 6}" y="{_num(y(stage) + 4)}" text-anchor="end">{stage}</text>'
        for stage in range(5)
    )
    out.append(
        f'<text class="axis" x="{left}" y="{height - 6}">{escape(start.strftime("%b %Y"))}</text>'
        f'<text class="axis" x="{width - right}" y="{height - 6}" text-anchor="end">{escape(end.strftime("%b %Y"))}</text>'
    )
    if points:
        path = []
        previous = None
        for point in points:
            px, py = x(point.assessed_on), y(point.stage)
            if previous is None:
                path.append(f"M{_num(px)},{_num(py)}")
            else:
                path.append(f"H{_num(px)}V{_num(py)}")
            previous = point
        path.append(f"H{_num(x(end))}")
        out.append(f'<path class="line step series-{number}" d="{"".join(path)}"/>')
        out.extend(
            _marker(
                MARKERS[(number - 1) % len(MARKERS)], x(p.assessed_on), y(p.stage), f"marker series-{number}"
            )
            for p in points
        )
    else:
        out.append(
            f'<text class="axis" x="{_num(left + plot_w / 2)}" y="{_num(top + plot_h / 2)}" '
            'text-anchor="middle">Not assessed yet</text>'
        )
    out.append("</svg>")
    return mark_safe("".join(out))  # noqa: S308


# Indicator values against baseline and target --------------------------------------------------


def _reference_line(name: str, value, css: str, *, left: float, right: float, y: float, compact: bool) -> str:
    """A labelled horizontal line (baseline, target). On a phone there is no room beside the
    plot: the label sits on its line, at the right."""
    text_x, text_y, anchor = (right - 4, y - 6, "end") if compact else (right + 6, y + 4, "start")
    return (
        f'<line class="{css}" x1="{left}" x2="{right}" y1="{_num(y)}" y2="{_num(y)}"/>'
        f'<text class="ref-label {css}-label" x="{_num(text_x)}" y="{_num(text_y)}" text-anchor="{anchor}">'
        f"{escape(name)} {escape(_num(float(value)))}</text>"
    )


def indicator_chart(indicator, values, *, label: str, compact: bool = False) -> SafeString:
    """Measured values as a line with points, the baseline and the target as labelled lines;
    `compact` is the phone's version (narrow, larger text, the line labels inside the plot)."""
    if compact:
        width, height = 480, 340
        left, right, top, bottom = 50, 12, 20, 40
    else:
        width, height = 1000, 320
        left, right, top, bottom = 60, 120, 20, 40
    plot_w, plot_h = width - left - right, height - top - bottom
    numbers = [float(v.value) for v in values] + [float(indicator.baseline), float(indicator.target)]
    low, high = min(numbers), max(numbers)
    pad = (high - low) * 0.15 or 1.0
    ticks = _nice_ticks(max(low - pad, 0.0) if low >= 0 else low - pad, high + pad)
    low, high = ticks[0], ticks[-1]
    dates = [v.measured_on for v in values] + [
        d for d in (indicator.baseline_date, indicator.target_date) if d
    ]
    if not dates:
        dates = [timezone.localdate()]
    first, last = min(dates), max(dates)
    span = max((last - first).days, 1)

    def x(day):
        return left + (day - first).days / span * plot_w

    def y(v):
        return top + plot_h - (float(v) - low) / (high - low) * plot_h

    out = [_svg_open(width, height, label, "chart-indicator chart-compact" if compact else "chart-indicator")]
    out.extend(
        f'<line class="grid" x1="{left}" x2="{left + plot_w}" y1="{_num(y(tick))}" y2="{_num(y(tick))}"/>'
        f'<text class="axis" x="{left - 6}" y="{_num(y(tick) + 4)}" text-anchor="end">{_num(tick)}</text>'
        for tick in ticks
    )
    out.append(
        f'<text class="axis" x="{left}" y="{height - 12}">{escape(first.strftime("%b %Y"))}</text>'
        f'<text class="axis" x="{left + plot_w}" y="{height - 12}" text-anchor="end">'
        f"{escape(last.strftime('%b %Y'))}</text>"
    )
    for year in range(first.year + 1, last.year + 1):
        jan = datetime.date(year, 1, 1)
        if (jan - first).days > span * 0.08 and (last - jan).days > span * 0.08:
            out.append(
                f'<line class="grid" x1="{_num(x(jan))}" x2="{_num(x(jan))}" y1="{top}" y2="{top + plot_h}"/>'
                f'<text class="axis" x="{_num(x(jan))}" y="{height - 12}" text-anchor="middle">{year}</text>'
            )
    out.extend(
        _reference_line(name, value, css, left=left, right=left + plot_w, y=y(value), compact=compact)
        for name, value, css in (
            ("Baseline", indicator.baseline, "ref-baseline"),
            ("Target", indicator.target, "ref-target"),
        )
    )
    if values:
        points = " ".join(f"{_num(x(v.measured_on))},{_num(y(v.value))}" for v in values)
        out.append(f'<polyline class="line series-value" points="{points}"/>')
        for v in values:
            out.append(_marker("circle", x(v.measured_on), y(v.value), "marker series-value", 4.5))
            if len(values) <= (8 if compact else 16):
                out.append(
                    f'<text class="value-label" x="{_num(x(v.measured_on))}" y="{_num(y(v.value) - 9)}" '
                    f'text-anchor="middle">{escape(_num(float(v.value)))}</text>'
                )
    out.append("</svg>")
    return mark_safe("".join(out))  # noqa: S308


# Ratings per quarter (feedback on an advisory body's page) -------------------------------------


def rating_chart(rows: list[dict], *, label: str) -> SafeString:
    """The mean rating (1 poor - 5 excellent) per quarter as a line: `rows` carry `label` (the
    quarter) and `overall`."""
    width, height = 480, 220
    left, right, top, bottom = 44, 34, 12, 30  # room for a quarter's name under the first and last point
    plot_w, plot_h = width - left - right, height - top - bottom
    step = plot_w / max(len(rows) - 1, 1)

    def x(i):
        return left + (i * step if len(rows) > 1 else plot_w / 2)

    def y(v):
        return top + plot_h * (5 - float(v)) / 4

    out = [_svg_open(width, height, label, "chart-rating")]
    out.extend(
        f'<line class="grid" x1="{left}" x2="{width - right}" y1="{_num(y(v))}" y2="{_num(y(v))}"/>'
        f'<text class="axis" x="{left - 8}" y="{_num(y(v) + 4)}" text-anchor="end">{v}</text>'
        for v in range(1, 6)
    )
    # Every quarter named while they fit, then every other one counted back from the latest.
    every = 1 if len(rows) <= 6 else 2
    if rows:
        points = " ".join(f"{_num(x(i))},{_num(y(row['overall']))}" for i, row in enumerate(rows))
        out.append(f'<polyline class="line series-value" points="{points}"/>')
    for i, row in enumerate(rows):
        out.append(_marker("circle", x(i), y(row["overall"]), "marker series-value", 4.5))
        if (len(rows) - 1 - i) % every == 0:
            out.append(
                f'<text class="axis" x="{_num(x(i))}" y="{height - bottom + 20}" text-anchor="middle">'
                f"{escape(row['label'])}</text>"
            )
    out.append("</svg>")
    return mark_safe("".join(out))  # noqa: S308 (every text is escaped)


# Network of support ----------------------------------------------------------------------------

COLUMNS = {"body-sea": 0, "sea": 1, "project": 2, "center": 3, "body-center": 4}


@dataclass
class NetworkDrawing:
    svg: SafeString
    collapsed: bool
    node_count: int
    edge_count: int


PROJECT_NODE_LIMIT = 60  # more projects than this are drawn as SEA-center links


def network_graph(network, *, project_limit: int = PROJECT_NODE_LIMIT) -> nx.Graph:
    """The network as a graph: SEAs, projects (or SEA-center links when there are too many
    projects to draw), partner centers and the advisory bodies with the seats on them."""
    graph = nx.Graph()
    collapsed = len(network.projects) > project_limit
    for sea in network.seas:
        graph.add_node(f"sea:{sea.pk}", kind="sea", label=sea.short_name, title=sea.name)
    used_centers = _add_projects(graph, network, collapsed=collapsed)
    _add_bodies(graph, network, used_centers)
    for center_id in used_centers:
        center = network.centers.get(center_id)
        if center is not None:
            graph.add_node(f"center:{center_id}", kind="center", label=center.short_name, title=center.name)
    graph.graph["collapsed"] = collapsed
    return graph


def _add_projects(graph: nx.Graph, network, *, collapsed: bool) -> set:
    """Each project between its SEA and its centers, or (collapsed) one weighted link per SEA
    and center; returns the centers used."""
    used_centers = set()
    links: defaultdict = defaultdict(int)
    for project in network.projects:
        centers = [project["lead_center_id"], *project["partner_ids"]]
        used_centers.update(centers)
        if collapsed:
            for center_id in centers:
                links[(project["sea_id"], center_id)] += 1
            continue
        node = f"project:{project['pk']}"
        graph.add_node(node, kind="project", label=project["title"], title=project["title"])
        graph.add_edge(f"sea:{project['sea_id']}", node, kind="client")
        for center_id in centers:
            graph.add_edge(
                node,
                f"center:{center_id}",
                kind="lead" if center_id == project["lead_center_id"] else "partner",
            )
    for (sea_id, center_id), count in links.items():
        graph.add_edge(f"sea:{sea_id}", f"center:{center_id}", kind="link", weight=count)
    return used_centers


def _add_bodies(graph: nx.Graph, network, used_centers: set) -> None:
    """Each advisory body with a seat edge to the SEAs and centers on it (added to `used_centers`)."""
    for body_id, body in network.bodies.items():
        members = [f"sea:{s}" for s in body["seas"] if graph.has_node(f"sea:{s}")]
        centers = [c for c in body["centers"] if c in network.centers]
        if not members and not centers:
            continue
        kind = "body-sea" if len(members) >= len(centers) else "body-center"
        node = f"body:{body_id}"
        graph.add_node(node, kind=kind, label=body["short_name"], title=body["name"])
        for member in members:
            graph.add_edge(node, member, kind="seat")
        for center_id in centers:
            used_centers.add(center_id)
            graph.add_edge(node, f"center:{center_id}", kind="seat")


def layered_layout(graph: nx.Graph, *, row_height: float = 44.0) -> dict[str, tuple[float, float]]:
    """Columns (bodies of SEAs | SEAs | projects | centers | bodies of centers), each ordered by the
    mean position of its neighbours in the columns already placed (the barycenter heuristic), so
    that links cross as little as possible."""
    columns: dict[int, list[str]] = defaultdict(list)
    for node, data in graph.nodes(data=True):
        columns[COLUMNS[data["kind"]]].append(node)
    order: dict[str, float] = {}
    sequence = [1, 2, 3, 0, 4]
    for col in sequence:
        nodes = columns.get(col, [])

        def key(node):
            placed = [order[n] for n in graph.neighbors(node) if n in order]
            return (sum(placed) / len(placed) if placed else float("inf"), graph.nodes[node]["label"])

        nodes.sort(key=(lambda n: graph.nodes[n]["label"]) if col == 1 else key)
        order.update((node, i) for i, node in enumerate(nodes))
    tallest = max((len(nodes) for nodes in columns.values()), default=1)
    positions = {}
    for col, nodes in columns.items():
        offset = (tallest - len(nodes)) / 2
        for i, node in enumerate(nodes):
            positions[node] = (col, (offset + i) * row_height)
    return positions


def _shorten(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def network_svg(graph: nx.Graph, *, label: str) -> NetworkDrawing:
    positions = layered_layout(graph)
    kinds_present = {data["kind"] for _, data in graph.nodes(data=True)}
    column_x = {0: 70, 1: 230, 2: 540, 3: 850, 4: 1010}
    if "project" not in kinds_present:  # collapsed: bring the centers closer
        column_x.update({3: 600, 4: 760})
    width = 1080 if "project" in kinds_present else 840
    rows = max((y for _, y in positions.values()), default=0)
    top = 40
    height = int(rows + top + 30)

    def xy(node):
        col, y = positions[node]
        return column_x[col], y + top

    out = [_svg_open(width, height, label, "chart-network")]
    headings = {0: "Advisory board", 1: "SEAs", 2: "Projects", 3: "Partner centers", 4: "Councils"}
    for col, text in headings.items():
        if any(c == col for c, _ in positions.values()):
            out.append(
                f'<text class="column-heading" x="{column_x[col]}" y="16" text-anchor="middle">{escape(text)}</text>'
            )
    max_weight = max((d.get("weight", 1) for _, _, d in graph.edges(data=True)), default=1)
    for a, b, data in sorted(graph.edges(data=True), key=lambda e: e[2]["kind"]):
        (x1, y1), (x2, y2) = xy(a), xy(b)
        kind = data["kind"]
        extra = ""
        if kind == "link":
            extra = f' stroke-width="{_num(1 + 5 * data["weight"] / max_weight)}"'
        out.append(
            f'<line class="edge edge-{kind}" x1="{x1}" y1="{_num(y1)}" x2="{x2}" y2="{_num(y2)}"{extra}/>'
        )
    for node, data in graph.nodes(data=True):
        x, y = xy(node)
        kind = data["kind"]
        title = f"<title>{escape(data['title'])}</title>"
        if kind == "project":
            out.append(f'<g class="node node-project"><circle cx="{x}" cy="{_num(y)}" r="6"/>{title}</g>')
            name = _shorten(data["label"], 56)
            # A box behind the label hides the lines under it: no line ever crosses a label.
            box = len(name) * 6.0 + 10
            out.append(
                f'<rect class="label-box" x="{_num(x - box / 2)}" y="{_num(y - 23)}" width="{_num(box)}" '
                f'height="15" rx="3"/>'
                f'<text class="node-label" x="{x}" y="{_num(y - 12)}" text-anchor="middle">{escape(name)}</text>'
            )
            continue
        text = escape(_shorten(data["label"], 14))
        w = 96
        out.append(
            f'<g class="node node-{kind}"><rect x="{x - w / 2}" y="{_num(y - 10)}" width="{w}" height="20" rx="'
            f'{10 if kind.startswith("body") else 3}"/>{title}'
            f'<text x="{x}" y="{_num(y + 4)}" text-anchor="middle">{text}</text></g>'
        )
    out.append("</svg>")
    return NetworkDrawing(
        svg=mark_safe("".join(out)),  # noqa: S308 (every label is escaped)
        collapsed=graph.graph.get("collapsed", False),
        node_count=graph.number_of_nodes(),
        edge_count=graph.number_of_edges(),
    )


MATRIX_NUMBERS_LIMIT = 600


def network_matrix_svg(sea_links: list[dict], *, label: str) -> SafeString:
    """SEAs × partner centers, each cell the number of projects they share: the readable picture
    of a network too dense to draw as a graph (every center works with most states).

    A national matrix runs to thousands of cells, so each is one `<use>` of a shared square, a
    row's numbers are one `<text>` and its figures one `<title>`; above `MATRIX_NUMBERS_LIMIT`
    cells the squares carry their shade only (the table beside the picture has the numbers)."""
    centers = sorted(
        {item["center"].pk: item["center"] for row in sea_links for item in row["centers"]}.values(),
        key=lambda center: center.short_name,
    )
    column = {center.pk: i for i, center in enumerate(centers)}
    cell, left, top = 26, 110, 110
    width = left + cell * len(centers) + 60  # room for the last slanted center name
    height = top + cell * len(sea_links) + 10
    most = max((item["projects"] for row in sea_links for item in row["centers"]), default=1)
    numbers = sum(len(row["centers"]) for row in sea_links) <= MATRIX_NUMBERS_LIMIT
    out = [
        _svg_open(width, height, label, "chart-matrix"),
        f'<defs><rect id="mx" width="{cell - 2}" height="{cell - 2}"/></defs>',
    ]
    for center in centers:
        x = left + column[center.pk] * cell + cell / 2
        out.append(
            f'<text class="axis" x="{_num(x)}" y="{top - 6}" transform="rotate(-60 {_num(x)} {top - 6})">'
            f"{escape(_shorten(center.short_name, 16))}<title>{escape(center.name)}</title></text>"
        )
    for r, row in enumerate(sea_links):
        sea = escape(row["sea"].short_name)
        figures = ", ".join(
            f"{escape(item['center'].short_name)} {item['projects']}" for item in row["centers"]
        )
        out.append(
            f'<g transform="translate(0 {top + r * cell})"><title>{sea}: projects with {figures}</title>'
            f'<text class="axis" x="{left - 6}" y="{_num(cell / 2 + 4)}" text-anchor="end">{sea}</text>'
        )
        spans = []
        for item in row["centers"]:
            x = left + column[item["center"].pk] * cell
            level = min(4, 1 + int(3 * item["projects"] / most)) if most else 1
            out.append(f'<use href="#mx" x="{x}" class="mx{level}"/>')
            if numbers:
                spans.append(
                    f'<tspan x="{_num(x + (cell - 2) / 2)}" class="mx{level}">{item["projects"]}</tspan>'
                )
        if spans:
            out.append(f'<text y="{_num(cell / 2 + 3)}" text-anchor="middle">{"".join(spans)}</text>')
        out.append("</g>")
    out.append("</svg>")
    return mark_safe("".join(out))  # noqa: S308 (every label is escaped)
