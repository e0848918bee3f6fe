"""Keys of cached fragments (core/fragments.py): the data shown, and the code that draws it."""

import datetime
from dataclasses import dataclass
from decimal import Decimal

from django.test import override_settings

from core import fragments
from core.fragments import fragment_key


@dataclass
class Row:
    pk: int
    title: str
    stage: int | None


def test_equal_data_gives_equal_keys_and_any_difference_a_new_one():
    rows = [Row(1, "Educator workforce", 3), Row(2, "Literacy", None)]
    key = fragment_key("page=2", rows, Decimal("3.50"), datetime.date(2026, 12, 7))
    assert key == fragment_key(
        "page=2",
        [Row(1, "Educator workforce", 3), Row(2, "Literacy", None)],
        Decimal("3.50"),
        datetime.date(2026, 12, 7),
    )
    changed = [
        fragment_key("page=3", rows, Decimal("3.50"), datetime.date(2026, 12, 7)),
        fragment_key(
            "page=2", [Row(1, "Educator workforce", 4), rows[1]], Decimal("3.50"), datetime.date(2026, 12, 7)
        ),
        fragment_key(
            "page=2",
            [Row(1, "Educator workforce", 3), Row(2, "Literacy", 0)],
            Decimal("3.50"),
            datetime.date(2026, 12, 7),
        ),
        fragment_key("page=2", rows, Decimal("3.5"), datetime.date(2026, 12, 7)),
        fragment_key("page=2", rows, Decimal("3.50"), datetime.date(2026, 12, 8)),
        fragment_key("page=2", rows[:1], Decimal("3.50"), datetime.date(2026, 12, 7)),
    ]
    assert key not in changed
    assert len(set(changed)) == len(changed)


def test_a_changed_template_gives_new_keys(tmp_path, settings):
    page = tmp_path / "page.html"
    page.write_text("<p>{{ value }}</p>")
    templates = [{**settings.TEMPLATES[0], "DIRS": [tmp_path]}]
    try:
        with override_settings(TEMPLATES=templates):
            fragments._code_digest.cache_clear()
            before = fragment_key("same data")
            page.write_text("<p><strong>{{ value }}</strong></p>")
            fragments._code_digest.cache_clear()
            after = fragment_key("same data")
    finally:
        fragments._code_digest.cache_clear()
    assert before != after
