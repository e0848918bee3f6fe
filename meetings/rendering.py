"""Markdown minutes rendered to sanitized HTML: scripts, event handlers and javascript: links go."""

import re

import markdown
import nh3
from django.utils.safestring import SafeString, mark_safe

ALLOWED_TAGS = {
    "a", "abbr", "b", "blockquote", "br", "code", "em", "h1", "h2", "h3", "h4", "h5", "h6", "hr", "i",
    "li", "ol", "p", "pre", "strong", "table", "tbody", "td", "th", "thead", "tr", "ul",
}  # fmt: skip
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "abbr": {"title"}, "th": {"scope"}}


HEADING = re.compile(r"<(/?)h([1-6])>")


def render_markdown(text: str, *, heading_level: int = 2) -> SafeString:
    """Markdown to HTML that is safe to show: only the tags above survive, links get rel=noopener.

    Headings are shifted so that the text's top level becomes `heading_level` on the page.
    """
    html = markdown.markdown(text or "", extensions=["tables", "sane_lists"], output_format="html")
    clean = nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes={"http", "https", "mailto"},
        link_rel="noopener noreferrer nofollow",
    )
    top = min((int(level) for _, level in HEADING.findall(clean)), default=heading_level)
    shift = heading_level - top
    if shift:
        clean = HEADING.sub(lambda m: f"<{m.group(1)}h{min(6, max(1, int(m.group(2)) + shift))}>", clean)
    return mark_safe(clean)  # noqa: S308 - sanitized by nh3 just above
