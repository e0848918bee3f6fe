"""The list toolkit every list page of the portal is built from.

One view class gives a list page its shareable URL: filters (a django-filter FilterSet bound to
the query string), sorting by whitelisted columns (`?sort=-date`), pagination that keeps the
rest of the query string, and a CSV export of exactly the filtered, sorted rows
(`?format=csv`, streamed so that a whole portfolio can be exported without holding it in memory).

The base queryset always comes from the model's `visible_to(user)`, so the page, its filter
choices and its export show the same records.
"""

from __future__ import annotations

import csv
import datetime
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.paginator import Paginator
from django.http import QueryDict, StreamingHttpResponse
from django.utils import timezone
from django.views.generic import ListView

# Cells starting with these characters are formulas to a spreadsheet (CSV injection).
_FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


@dataclass(frozen=True)
class Column:
    """A column of a list table and of its CSV export.

    `sort` names the key of `FilteredListView.sort_fields` that sorts by this column, if any.
    `value` turns a row into the CSV cell; without it the column is only shown on the page.
    """

    label: str
    sort: str | None = None
    value: Callable[[Any], Any] | None = None
    numeric: bool = False


def csv_cell(value) -> str | int | Decimal | float:
    """Render one value for a CSV file, defusing text a spreadsheet would run as a formula."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, int | float | Decimal):
        return value
    if isinstance(value, datetime.datetime):
        return timezone.localtime(value).isoformat(timespec="seconds")
    if isinstance(value, datetime.date):
        return value.isoformat()
    text = str(value)
    if text.startswith(_FORMULA_PREFIXES):
        return "'" + text
    return text


class _Echo:
    """A file-like object whose write() returns the line, for streaming a csv.writer."""

    def write(self, value: str) -> str:
        return value


def stream_csv(
    *, header: Iterable[str], rows: Iterable[Iterable[Any]], filename: str
) -> StreamingHttpResponse:
    """A streaming CSV download: rows are written as the database cursor yields them."""
    writer = csv.writer(_Echo())

    def lines() -> Iterator[str]:
        yield "\ufeff"  # a byte-order mark so that spreadsheet programs read UTF-8
        yield writer.writerow(list(header))
        for row in rows:
            yield writer.writerow([csv_cell(value) for value in row])

    response = StreamingHttpResponse(lines(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "private, no-store"
    return response


class FilteredListView(LoginRequiredMixin, ListView):
    """A list page with URL filters, whitelisted sorting, pagination and CSV export.

    Subclasses set `filterset_class`, `columns`, `sort_fields` (public key -> order_by fields),
    `default_sort` and `csv_filename`, and return the scoped queryset from `get_base_queryset()`.
    Bad filter values are shown as form errors and ignored, a bad sort key falls back to the
    default and a bad page number shows the nearest page: a hand-edited URL never fails.
    """

    filterset_class = None
    columns: list[Column] = []
    sort_fields: dict[str, tuple[str, ...]] = {}
    default_sort: str = ""
    csv_filename = "export.csv"
    noun, noun_plural = "record", "records"
    paginate_by = 50
    csv_chunk_size = 2000

    def get_base_queryset(self):
        raise NotImplementedError

    # Filtering and sorting -------------------------------------------------------------------

    def get_filterset(self, queryset):
        data = self.request.GET if self.request.GET else None
        return self.filterset_class(data, queryset=queryset, request=self.request)

    def get_sort(self) -> tuple[str, bool]:
        """The active sort key and whether it is descending, from `?sort=` or the default."""
        for raw in (self.request.GET.get("sort", ""), self.default_sort):
            key = raw.removeprefix("-")
            if key in self.sort_fields:
                return key, raw.startswith("-")
        raise ValueError(f"{type(self).__name__}.default_sort is not one of its sort_fields")

    def get_ordering(self):
        key, descending = self.get_sort()
        fields = self.sort_fields[key]
        if not descending:
            return list(fields)
        return [field[1:] if field.startswith("-") else f"-{field}" for field in fields]

    def get_queryset(self):
        self.filterset = self.get_filterset(self.get_base_queryset())
        return self.filterset.qs.order_by(*self.get_ordering())

    # Pagination ------------------------------------------------------------------------------

    def paginate_queryset(self, queryset, page_size):
        paginator = Paginator(queryset, page_size)
        # get_page() turns a missing, non-numeric or out-of-range page into a real page.
        page = paginator.get_page(self.request.GET.get(self.page_kwarg))
        return paginator, page, page.object_list, page.has_other_pages()

    # Rendering -------------------------------------------------------------------------------

    def query_without(self, *names: str, **replace) -> str:
        """The current query string with `names` removed and `replace` set, URL-encoded."""
        query: QueryDict = self.request.GET.copy()
        for name in names:
            query.pop(name, None)
        for name, value in replace.items():
            query[name] = value
        return query.urlencode()

    def get_headers(self) -> list[dict]:
        active, descending = self.get_sort()
        headers = []
        for column in self.columns:
            header = {"label": column.label, "numeric": column.numeric, "sortable": bool(column.sort)}
            if column.sort:
                is_active = column.sort == active
                next_descending = not descending if is_active else False
                header["aria_sort"] = ("descending" if descending else "ascending") if is_active else ""
                header["next"] = "descending" if next_descending else "ascending"
                header["query"] = self.query_without(
                    "page", "format", sort=("-" if next_descending else "") + column.sort
                )
            headers.append(header)
        return headers

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["filterset"] = self.filterset
        context["headers"] = self.get_headers()
        context["csv_query"] = self.query_without("page", format="csv")
        context["page_query"] = self.query_without("page", "format")
        context["noun"], context["noun_plural"] = self.noun, self.noun_plural
        page = context.get("page_obj")
        if page is not None:
            context["page_range"] = page.paginator.get_elided_page_range(page.number, on_each_side=2)
        context["is_filtered"] = any(
            value for name, value in self.request.GET.items() if name not in ("page", "sort", "format")
        )
        return context

    def get(self, request, *args, **kwargs):
        if request.GET.get("format") == "csv":
            return self.render_csv()
        return super().get(request, *args, **kwargs)

    # CSV -------------------------------------------------------------------------------------

    def get_csv_queryset(self):
        """The export's rows: the same filtered, sorted queryset as the page, without paging."""
        return self.get_queryset()

    def render_csv(self) -> StreamingHttpResponse:
        exported = [column for column in self.columns if column.value is not None]
        rows = (
            [column.value(obj) for column in exported]
            for obj in self.get_csv_queryset().iterator(chunk_size=self.csv_chunk_size)
        )
        stamp = timezone.localdate().isoformat()
        return stream_csv(
            header=[column.label for column in exported],
            rows=rows,
            filename=self.csv_filename.replace(".csv", f"-{stamp}.csv"),
        )
