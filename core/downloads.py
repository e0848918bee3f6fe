"""Files a page offers besides itself: each chart as SVG, PNG and the CSV of its numbers, and each
table as CSV.

A page view lists its `Download`s and asks `download_response(request, downloads)` first: with
`?download=<name>.<svg|png|csv>` it answers the file, otherwise None and the page renders. The
file is computed by the page's own view, from the same scoped querysets, so it follows the page's
access rule (another state's page is a 404, and so are its files). The links come from the
`{% download_links %}` tag (core/templatetags/downloads.py), which keeps the page's query string
(a chosen state, a page of a list).

PNG is rendered on the server by CairoSVG from the same standalone SVG: it works without
JavaScript, needs nothing from the page's CSP, and a file link stays a plain link.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from django.contrib.staticfiles import finders
from django.http import Http404, HttpResponse

from core.lists import stream_csv

FORMATS = ("svg", "png", "csv")
PNG_SCALE = 2  # twice the chart's own size: sharp on a slide or a high-density screen
# CairoSVG draws no `paint-order`: a white halo stroke around a label would cover its letters.
PNG_STYLES = "text { stroke: none !important; }"
_WANTED = re.compile(r"^(?P<name>[a-z0-9][a-z0-9-]{0,80})\.(?P<fmt>svg|png|csv)$")


@dataclass(frozen=True)
class Download:
    """One chart or table of a page. `rows` is called only when the CSV is asked for."""

    name: str  # the file's name without extension, also its key in ?download=
    header: Sequence[str]
    rows: Callable[[], Iterable[Sequence[Any]]]
    svg: Callable[[], str] | None = None  # a chart; None for a table (CSV only)

    @property
    def formats(self) -> tuple[str, ...]:
        return FORMATS if self.svg is not None else ("csv",)


@cache
def chart_styles() -> str:
    """The charts' stylesheet (static/css/charts.css), carried inside a file that leaves the page."""
    path = finders.find("css/charts.css")
    return Path(path).read_text(encoding="utf-8") if path else ""


def standalone_svg(svg: str) -> str:
    """A chart as a file of its own: no page stylesheet applies, so the styles travel inside it."""
    opening = svg.index(">") + 1
    return f'<?xml version="1.0" encoding="UTF-8"?>\n{svg[:opening]}<style>{chart_styles()}</style>{svg[opening:]}'


def svg_to_png(svg: str) -> bytes:
    import cairosvg  # imported on first use: the pages themselves never need it

    svg = svg.replace("</style>", f"{PNG_STYLES}</style>", 1)
    # unsafe=False (the default): no external file or entity is read while rendering.
    return cairosvg.svg2png(bytestring=svg.encode("utf-8"), scale=PNG_SCALE, background_color="white")


def _file(content: str | bytes, *, content_type: str, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "private, no-store"
    return response


def download_response(request, downloads: Iterable[Download]) -> HttpResponse | None:
    """The file asked for with `?download=<name>.<format>`, None when none is asked for; a name or
    format the page does not offer is a 404."""
    wanted = request.GET.get("download")
    if wanted is None:
        return None
    match = _WANTED.match(wanted)
    found = {d.name: d for d in downloads}.get(match["name"]) if match else None
    if match is None or found is None or match["fmt"] not in found.formats:
        raise Http404("This page offers no such file.")
    filename = f"{found.name}.{match['fmt']}"
    if match["fmt"] == "csv":
        return stream_csv(header=found.header, rows=found.rows(), filename=filename)
    assert found.svg is not None
    svg = standalone_svg(found.svg())
    if match["fmt"] == "svg":
        return _file(svg, content_type="image/svg+xml; charset=utf-8", filename=filename)
    return _file(svg_to_png(svg), content_type="image/png", filename=filename)


def slug_part(text: str) -> str:
    """A piece of a file name from any text (a state code, a condition's slug)."""
    return re.sub(r"[^a-z0-9]+", "-", str(text).lower()).strip("-")[:40] or "x"
