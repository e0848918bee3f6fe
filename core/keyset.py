"""Keyset ("newer / older") pagination for list pages whose rows run to the hundreds of thousands.

A page number makes the database count every filtered row and skip all the rows before the page;
a keyset cursor holds the sort values of the last row shown, so the next page is a range read on
the index whatever its depth. The total is counted only up to a cap ("1,000+ activities").
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from functools import reduce
from operator import and_, or_
from typing import Any

from django.core import signing
from django.db.models import Q, QuerySet

COUNT_CAP = 1000


@dataclass
class KeysetPage:
    """One page: its rows, cursors to the pages beside it, and the capped count of all rows."""

    object_list: list
    count: int
    count_is_capped: bool
    next_cursor: str = ""
    previous_cursor: str = ""
    is_first: bool = True
    extra: dict = field(default_factory=dict)

    @property
    def has_next(self) -> bool:
        return bool(self.next_cursor)

    @property
    def has_previous(self) -> bool:
        return bool(self.previous_cursor)

    @property
    def has_other_pages(self) -> bool:
        return self.has_next or self.has_previous


def _value_of(obj, path: str):
    for part in path.split("__"):
        obj = getattr(obj, part)
    return obj


def _encode_value(value) -> Any:
    if isinstance(value, datetime.datetime):
        return {"t": value.isoformat()}
    if isinstance(value, datetime.date):
        return {"d": value.isoformat()}
    if isinstance(value, Decimal):
        return {"n": str(value)}
    return value


def _decode_value(value) -> Any:
    if isinstance(value, dict):
        if set(value) == {"t"}:
            return datetime.datetime.fromisoformat(value["t"])
        if set(value) == {"d"}:
            return datetime.date.fromisoformat(value["d"])
        if set(value) == {"n"}:
            return Decimal(value["n"])
        raise ValueError("unknown cursor value")
    if value is None or isinstance(value, str | int | float):
        return value
    raise ValueError("unknown cursor value")


def _salt(ordering: list[str]) -> str:
    # A cursor is valid only for the order it was made in: a sort link never reuses it wrongly.
    return "keyset:" + ",".join(ordering)


def encode_cursor(obj, ordering: list[str]) -> str:
    values = [_encode_value(_value_of(obj, name.lstrip("-"))) for name in ordering]
    return signing.dumps(values, salt=_salt(ordering), compress=True)


def decode_cursor(cursor: str, ordering: list[str]) -> list | None:
    """The sort values in `cursor`, or None when it is not one we made for this order.

    Cursors are signed: a hand-edited one shows the first page rather than reaching the database
    with values of the wrong type.
    """
    try:
        values = [_decode_value(value) for value in signing.loads(cursor, salt=_salt(ordering))]
    except (signing.BadSignature, ValueError, TypeError, InvalidOperation, RecursionError):
        return None
    return values if len(values) == len(ordering) else None


def _after(ordering: list[str], values: list) -> Q:
    """Rows strictly after `values` in `ordering`: (a > x) or (a = x and b > y) or ...

    The redundant leading bound (a >= x) lets the database read the index of `a` from the
    cursor on instead of sorting everything the alternatives match.
    """
    first = ordering[0].lstrip("-")
    bound = Q(**{f"{first}__{'lte' if ordering[0].startswith('-') else 'gte'}": values[0]})
    alternatives = []
    for index, name in enumerate(ordering):
        column = name.lstrip("-")
        lookup = "lt" if name.startswith("-") else "gt"
        equal = [Q(**{ordering[i].lstrip("-"): values[i]}) for i in range(index)]
        alternatives.append(reduce(and_, [*equal, Q(**{f"{column}__{lookup}": values[index]})]))
    return bound & reduce(or_, alternatives)


def _reverse(ordering: list[str]) -> list[str]:
    return [name[1:] if name.startswith("-") else f"-{name}" for name in ordering]


def capped_count(queryset: QuerySet) -> tuple[int, bool]:
    """(the number of rows up to COUNT_CAP, whether there are more): reads at most COUNT_CAP + 1."""
    count = queryset.order_by()[: COUNT_CAP + 1].count()
    return min(count, COUNT_CAP), count > COUNT_CAP


def keyset_page(
    queryset: QuerySet,
    ordering: list[str],
    *,
    after: str = "",
    before: str = "",
    size: int = 50,
    count: tuple[int, bool] | None = None,
) -> KeysetPage:
    """The page of `queryset` (ordered by `ordering`, unique: end it with the pk) after or
    before a cursor, or the first page. A cursor that does not decode shows the first page.
    `count` is capped_count(queryset) when the caller has it already."""
    count, capped = capped_count(queryset) if count is None else count
    values_after = decode_cursor(after, ordering) if after else None
    values_before = decode_cursor(before, ordering) if before and values_after is None else None
    if values_before is not None:
        rows = list(
            queryset.filter(_after(_reverse(ordering), values_before)).order_by(*_reverse(ordering))[
                : size + 1
            ]
        )
        more = len(rows) > size
        rows = rows[:size][::-1]
        page = KeysetPage(rows, count, capped, is_first=not more)
        if rows:
            page.next_cursor = encode_cursor(rows[-1], ordering)
            if more:
                page.previous_cursor = encode_cursor(rows[0], ordering)
        return page
    filtered = queryset if values_after is None else queryset.filter(_after(ordering, values_after))
    rows = list(filtered.order_by(*ordering)[: size + 1])
    more = len(rows) > size
    rows = rows[:size]
    page = KeysetPage(rows, count, capped, is_first=values_after is None)
    if rows and more:
        page.next_cursor = encode_cursor(rows[-1], ordering)
    if rows and values_after is not None:
        page.previous_cursor = encode_cursor(rows[0], ordering)
    return page
