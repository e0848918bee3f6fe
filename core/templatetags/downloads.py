"""`{% download_links name what chart=True %}`: the links to a chart's or table's files
(core/downloads.py), keeping the page's own query string."""

from django import template
from django.utils.html import format_html, format_html_join

register = template.Library()

LABELS = {"png": "chart (PNG)", "svg": "chart (SVG)", "csv": "data (CSV)"}


def download_href(request, name: str, fmt: str) -> str:
    query = request.GET.copy() if request is not None else None
    if query is None:
        return f"?download={name}.{fmt}"
    query["download"] = f"{name}.{fmt}"
    return "?" + query.urlencode()


@register.simple_tag(takes_context=True)
def download_links(context, name: str, what: str, chart: bool = True):
    """Download links for one chart (PNG, SVG, CSV) or, with chart=False, one table (CSV). A
    page's `download_prefix` (the state of a state dashboard) starts every name."""
    request = context.get("request")
    name = f"{context.get('download_prefix') or ''}{name}"
    formats = ("png", "svg", "csv") if chart else ("csv",)
    links = format_html_join(
        " · ",
        '<a href="{}" download>{}<span class="visually-hidden"> of {}</span></a>',
        ((download_href(request, name, fmt), LABELS[fmt] if chart else "CSV", what) for fmt in formats),
    )
    return format_html('<p class="no-print small mb-2 downloads">Download: {}</p>', links)
