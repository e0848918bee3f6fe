"""Template filters every page uses (registered as builtins: no `{% load %}` needed).

`{{ value|day }}` and `{{ value|moment }}` print the portal's one date format ("Dec 1, 2026",
"Dec 1, 2026, 2:30 PM") inside `<time datetime="...">`, so people and machines read the same
date. Where markup is not allowed (an <option>, the page title) use `|date` without a format:
the format module (r2cc_portal/formats/en) gives it the same format.
"""

import datetime

from django import template
from django.utils import formats, timezone
from django.utils.html import format_html

register = template.Library()


@register.filter
def day(value, empty=""):
    """A date (or the local date of a datetime) as `<time datetime="2026-12-01">Dec 1, 2026</time>`."""
    if not value:
        return empty
    if isinstance(value, datetime.datetime):
        if timezone.is_aware(value):
            value = timezone.localtime(value)
        value = value.date()
    if not isinstance(value, datetime.date):
        return value
    return format_html(
        '<time datetime="{}">{}</time>', value.isoformat(), formats.date_format(value, "DATE_FORMAT")
    )


@register.filter
def moment(value, empty=""):
    """A datetime in local time as `<time datetime="...">Dec 1, 2026, 2:30 PM</time>`."""
    if not value:
        return empty
    if not isinstance(value, datetime.datetime):
        return day(value, empty)
    if timezone.is_aware(value):
        value = timezone.localtime(value)
    return format_html(
        '<time datetime="{}">{}</time>',
        value.isoformat(timespec="minutes"),
        formats.date_format(value, "DATETIME_FORMAT"),
    )
