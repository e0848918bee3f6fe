"""Junk values and a small HTML form reader for the bad-input probes (tests/test_bad_input.py).

The probes read the forms a page actually renders and send each field values a person could type
or a hand-edited address could carry: ids that are not numbers or overflow bigint, dates outside
what Python or PostgreSQL can hold, choices that do not exist, negative page numbers, overlong
text. Whatever the page does with them, it must not answer 5xx.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from html.parser import HTMLParser

HUGE = "99999999999999999999"  # past bigint's 9223372036854775807
LONG_TEXT = "x" * 60_001  # past every text limit, the minutes' 50,000 too

# What to try in a field of each kind (the first is also used when every field is junk at once).
JUNK_BY_KIND = {
    "select": ("abc", HUGE, "-1"),
    "number": (HUGE, "1e309", "-1", "abc"),
    "date": ("10000-01-01", "0000-01-01", "0001-01-01"),
    "datetime-local": ("10000-01-01T00:00", "0001-01-01T00:00"),
    "time": ("25:61", "abc"),
    "checkbox": ("abc", HUGE),
    "radio": ("abc",),
    "text": (LONG_TEXT, HUGE),
    "hidden": ("abc", HUGE),
}
QUERY_JUNK = ("abc", HUGE, "-1", "10000-01-01", LONG_TEXT[:3000])


@dataclass
class Field:
    name: str
    kind: str
    value: str = ""
    options: list[str] = field(default_factory=list)


@dataclass
class Form:
    method: str
    action: str
    fields: list[Field] = field(default_factory=list)

    def data(self) -> dict[str, list[str]]:
        """What a browser would submit untouched (first option of selects, checked boxes)."""
        data: dict[str, list[str]] = {}
        for f in self.fields:
            if f.kind == "select":
                data.setdefault(f.name, []).append(f.value or (f.options[0] if f.options else ""))
            elif f.kind in ("checkbox", "radio"):
                if f.value:
                    data.setdefault(f.name, []).append(f.value)
            else:
                data.setdefault(f.name, []).append(f.value)
        return data


class _FormReader(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.forms: list[Form] = []
        self._select: Field | None = None
        self._textarea: Field | None = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form":
            self.forms.append(Form(method=(a.get("method") or "get").lower(), action=a.get("action") or ""))
            return
        if not self.forms or not a.get("name"):
            if tag == "option" and self._select is not None:
                self._option(a)
            return
        form = self.forms[-1]
        if tag == "input":
            kind = (a.get("type") or "text").lower()
            if kind in ("submit", "button", "image", "reset", "file"):
                return
            checked = "checked" in a
            value = a.get("value", "on" if kind in ("checkbox", "radio") else "")
            if kind in ("checkbox", "radio") and not checked:
                form.fields.append(Field(a["name"], kind, "", [value]))
            else:
                form.fields.append(Field(a["name"], kind, value))
        elif tag == "select":
            self._select = Field(a["name"], "select")
            form.fields.append(self._select)
        elif tag == "textarea":
            self._textarea = Field(a["name"], "text")
            form.fields.append(self._textarea)

    def _option(self, a):
        value = a.get("value", "")
        self._select.options.append(value)
        if "selected" in a:
            self._select.value = value

    def handle_endtag(self, tag):
        if tag == "select":
            self._select = None
        elif tag == "textarea":
            self._textarea = None

    def handle_data(self, data):
        if self._textarea is not None:
            self._textarea.value += data


def read_forms(html: str) -> list[Form]:
    reader = _FormReader()
    reader.feed(html)
    return reader.forms


def kind_of(f: Field) -> str:
    if f.kind in JUNK_BY_KIND:
        return f.kind
    return "text"


# A formset's management form says how many forms to build: past its absolute maximum Django
# refuses the formset, but still builds that many forms first, which only slows the probe.
MANAGEMENT_FIELDS = ("-TOTAL_FORMS", "-INITIAL_FORMS", "-MIN_NUM_FORMS", "-MAX_NUM_FORMS")


def junk_variants(form: Form, *, skip=("csrfmiddlewaretoken",)):
    """(label, data) pairs: round n sets every field to the n-th junk of its kind at once.

    Fields are validated independently, so one round shows how every field takes its junk; a
    page that cannot render a bad value, or a value that slips past validation into a query,
    answers 5xx in the round that carries it.
    """
    base = form.data()
    fields = [f for f in form.fields if f.name not in skip and not f.name.endswith(MANAGEMENT_FIELDS)]
    rounds = max((len(JUNK_BY_KIND[kind_of(f)]) for f in fields), default=0)
    for n in range(rounds):
        data = dict(base)
        for f in fields:
            junk = JUNK_BY_KIND[kind_of(f)]
            data[f.name] = [junk[n % len(junk)]]
        yield f"round {n + 1}", data
