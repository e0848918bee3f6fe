"""The SVG charts: escaped text, no inline style, and heat-map colours with AA contrast."""

import datetime
import re
from decimal import Decimal
from pathlib import Path
from types import SimpleNamespace

from projects.charts import hours_chart, indicator_chart, network_graph, network_svg, stage_chart
from projects.selectors import HoursByMonth, HoursSeries, months_back

STATIC_CSS = Path(__file__).resolve().parents[2] / "static" / "css"
CSS = (STATIC_CSS / "portal.css").read_text() + (STATIC_CSS / "charts.css").read_text()


def luminance(hex_colour: str) -> float:
    channels = [int(hex_colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
    linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def contrast(a: str, b: str) -> float:
    light, dark = sorted((luminance(a), luminance(b)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


def test_every_heat_map_stage_has_aa_text_contrast():
    rules = re.findall(
        r"\.stage-(\w+) \{ background-color: (#[0-9a-f]{6}) !important; color: (#[0-9a-f]{6}) !important; \}",
        CSS,
    )
    assert {name for name, _, _ in rules} == {"none", "0", "1", "2", "3", "4"}
    for name, background, text in rules:
        assert contrast(background, text) >= 4.5, name


def test_chart_series_stand_out_from_the_white_page():
    for number in range(1, 6):
        colour = re.search(rf"\.series-{number} \{{ stroke: (#[0-9a-f]{{6}})", CSS).group(1)
        assert contrast(colour, "#ffffff") >= 3, number  # WCAG 1.4.11 non-text contrast


def test_hours_chart_escapes_names_and_uses_no_inline_style():
    months = [months_back(datetime.date(2025, 6, 15), n) for n in range(11, -1, -1)]
    hours = HoursByMonth(
        months=months,
        total=HoursSeries("all", "All", [Decimal(n) for n in range(12)]),
        by_condition=[HoursSeries("x", "<script>alert(1)</script>", [Decimal(1)] * 12)],
    )
    svg = hours_chart(hours, label='Hours "quoted" <b>')
    assert "<script>" not in svg
    assert "&lt;b&gt;" in svg
    assert "&quot;quoted&quot;" in svg
    assert "style=" not in svg
    assert svg.count('class="bar-total"') == 12
    assert ">Jan</text>" in svg
    assert ">2025</text>" in svg


def test_stage_chart_steps_through_each_assessment():
    points = [
        SimpleNamespace(assessed_on=datetime.date(2024, 1, 1), stage=1),
        SimpleNamespace(assessed_on=datetime.date(2025, 1, 1), stage=3),
    ]
    svg = stage_chart(
        points,
        start=datetime.date(2023, 12, 1),
        end=datetime.date(2025, 6, 1),
        label="Common agenda",
        number=1,
    )
    assert svg.count('class="marker series-1"') == 2
    assert re.search(r'd="M[\d.]+,[\d.]+H[\d.]+V[\d.]+H[\d.]+"', svg)
    empty = stage_chart(
        [], start=datetime.date(2024, 1, 1), end=datetime.date(2025, 1, 1), label="x", number=2
    )
    assert "Not assessed yet" in empty


def test_indicator_chart_draws_baseline_target_and_values():
    indicator = SimpleNamespace(
        baseline=Decimal("8.2"),
        target=Decimal("15"),
        baseline_date=datetime.date(2024, 1, 1),
        target_date=datetime.date(2026, 1, 1),
    )
    values = [
        SimpleNamespace(measured_on=datetime.date(2024, 6, 1), value=Decimal("9.6")),
        SimpleNamespace(measured_on=datetime.date(2025, 6, 1), value=Decimal("11.4")),
    ]
    svg = indicator_chart(indicator, values, label="Teachers of color")
    assert "Baseline 8.2" in svg
    assert "Target 15" in svg
    assert ">9.6</text>" in svg
    assert ">11.4</text>" in svg
    assert 'class="line series-value"' in svg


def test_network_svg_escapes_labels():
    sea = SimpleNamespace(pk=1, short_name="<CT>", name="Connecticut & co", state_code="CT")
    center = SimpleNamespace(pk=2, short_name="R2CC", name="Region 2")
    data = SimpleNamespace(
        seas=[sea],
        centers={2: center},
        projects=[
            {"pk": 3, "title": "A <b>bold</b> project", "sea_id": 1, "lead_center_id": 2, "partner_ids": []}
        ],
        bodies={},
    )
    drawing = network_svg(network_graph(data), label="Network")
    assert "&lt;CT&gt;" in drawing.svg
    assert "<b>" not in drawing.svg
    assert drawing.node_count == 3
    assert drawing.edge_count == 2
    assert not drawing.collapsed
