"""Activities: the filtered list and its export, logging, detail with history, edit and delete."""

from __future__ import annotations

import time
from collections import defaultdict
from itertools import islice

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.contrib.postgres.aggregates import StringAgg
from django.db import connections
from django.db.models import Case, CharField, Exists, F, OuterRef, Subquery, Value, When
from django.db.models.functions import Concat, Trim
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views import View
from django.views.generic import DetailView

from core.forms import service_errors
from core.keyset import capped_count, keyset_page
from core.lists import Column, FilteredListView, stream_csv
from stakeholders.models import District, PartnerCenter, Stakeholder

from .. import hooks
from ..filters import ActivityFilter
from ..forms.activities import ActivityForm, initial_from_query
from ..models import Activity, Condition, Project
from ..services.activities import (
    EDITABLE_FIELDS,
    RELATED_FIELDS,
    activity_delete,
    activity_log,
    activity_update,
)


def _names(objects) -> str:
    return "; ".join(str(obj) for obj in objects)


class ActivityListView(FilteredListView):
    template_name = "projects/activity_list.html"
    filterset_class = ActivityFilter
    csv_filename = "activities.csv"
    noun, noun_plural = "activity", "activities"
    default_sort = "-date"
    sort_fields = {
        "date": ("date", "pk"),
        "project": ("project__title", "-date", "-pk"),
        "state": ("project__sea__state_code", "-date", "-pk"),
        "type": ("type", "-date", "-pk"),
        "hours": ("hours", "-date", "-pk"),
        # Best match first; offered only while searching (search_rank comes from the search).
        "relevance": ("-search_rank", "-date", "-pk"),
    }
    columns = [
        Column("Date", sort="date", value=lambda a: a.date),
        Column("Project", sort="project", value=lambda a: a.project.title),
        Column("State", sort="state", value=lambda a: a.project.sea.state_code),
        Column("Type", sort="type", value=lambda a: a.get_type_display()),
        Column("Hours", sort="hours", value=lambda a: a.hours, numeric=True),
        Column("Summary", value=lambda a: a.summary),
        Column("Conditions advanced", value=lambda a: _names(a.conditions.all())),
        Column("Logged by", value=lambda a: str(a.author) if a.author else ""),
    ]

    def get_base_queryset(self):
        return (
            Activity.objects.visible_to(self.request.user)
            .select_related("project__sea", "author")
            .prefetch_related("conditions")
        )

    def searching(self) -> bool:
        return bool(self.request.GET.get("q", "").strip())

    def get_sort(self):
        """Search results come best match first unless another sort is asked for.

        Ranking reads every match, so it is done only up to COUNT_CAP matches; a broader search
        (say "data", a sixth of all activities) is shown newest first, from the date index.
        """
        raw = self.request.GET.get("sort", "")
        if raw.removeprefix("-") in self.joined_sorts and self.match_count()[1]:
            # Sorting by a column of another table sorts every row: only for a narrowed list.
            self.sort_refused = raw.removeprefix("-")
            return self.default_sort.removeprefix("-"), self.default_sort.startswith("-")
        if raw.removeprefix("-") == "relevance" or (not raw and self.searching()):
            if self.searching() and not self.filterset_has_error("q") and not self.match_count()[1]:
                return "relevance", raw.startswith("-")
            return self.default_sort.removeprefix("-"), self.default_sort.startswith("-")
        return super().get_sort()

    joined_sorts = ("project", "state")
    sort_refused = ""

    def match_count(self) -> tuple[int, bool]:
        """(matches up to COUNT_CAP, whether there are more), counted once per request."""
        if not hasattr(self, "_match_count"):
            self._match_count = capped_count(self.filterset.qs)
        return self._match_count

    def filterset_has_error(self, name: str) -> bool:
        filterset = getattr(self, "filterset", None)
        return filterset is not None and not filterset.is_valid() and name in filterset.form.errors

    def paginate_queryset(self, queryset, page_size):
        """Newer/older pages by keyset, whatever the depth; the total is counted up to a cap."""
        self.keyset = keyset_page(
            queryset,
            list(queryset.query.order_by),
            count=self.match_count(),
            after=self.request.GET.get("after", ""),
            before=self.request.GET.get("before", ""),
            size=page_size,
        )
        return None, None, self.keyset.object_list, self.keyset.has_other_pages

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["keyset"] = self.keyset
        context["page_query"] = self.query_without("page", "format", "after", "before")
        context["csv_query"] = self.query_without("page", "after", "before", format="csv")
        context["searching"] = self.searching()
        key, descending = self.get_sort()
        context["sort_is_relevance"] = key == "relevance"
        context["too_many_to_rank"] = self.searching() and self.match_count()[1]
        context["sort_refused"] = self.sort_refused
        newest_first = key == "date" and descending
        context["previous_label"] = "Newer" if newest_first else "Previous"
        context["next_label"] = "Older" if newest_first else "Next"
        return context

    def render_csv(self):
        """Every filtered activity, streamed from tuples rather than model instances.

        The export also carries the columns that do not fit on the page. On PostgreSQL the
        rows, related names included, come from one COPY statement (copy_rows); each cell still
        goes through csv_cell, so formulas are defused as in every other export.
        """
        header = [
            "Activity id",
            "Date",
            "Project",
            "State",
            "Type",
            "Delivery mode",
            "Hours",
            "Summary",
            "Next steps",
            "Conditions advanced",
            "Participants",
            "Districts",
            "Partner centers",
            "Logged by",
        ]
        queryset = self.get_queryset().prefetch_related(None).select_related(None)
        types, modes = dict(Activity.Type.choices), dict(Activity.Mode.choices)

        def row(pk, date, title, state, kind, mode, hours, summary, next_steps, names, author):
            first, last, username = author
            return [
                pk, date, title, state, types.get(kind, kind), modes.get(mode, mode), hours,
                summary, next_steps, *names,
                f"{first or ''} {last or ''}".strip() or (username or ""),
            ]  # fmt: skip

        if connections[queryset.db].vendor == "postgresql":
            rows = (
                row(*values[:9], values[9:13], values[13:])
                for values in copy_rows(activity_export_queryset(queryset), EXPORT_TYPES, using=queryset.db)
            )
        else:
            rows = self.chunked_rows(queryset, row)
        stamp = timezone.localdate().isoformat()
        return stream_csv(header=header, rows=rows, filename=f"activities-{stamp}.csv")

    def chunked_rows(self, queryset, row):
        """Other databases: rows in chunks, each chunk's related names one query per relation."""
        values = queryset.values_list(*EXPORT_FIELDS)
        cursor = values.iterator(chunk_size=self.csv_chunk_size)
        while chunk := list(islice(cursor, self.csv_chunk_size)):
            related = related_names([values[0] for values in chunk])
            for values in chunk:
                names = [related[name].get(values[0], ()) for name in RELATED_NAMES]
                yield row(*values[:9], ["; ".join(n) for n in names], values[9:])


EXPORT_FIELDS = (
    "pk", "date", "project__title", "project__sea__state_code", "type", "mode", "hours",
    "summary", "next_steps", "author__first_name", "author__last_name", "author__username",
)  # fmt: skip
# COPY's text output parsed back into Python values, column by column (activity_export_queryset).
EXPORT_TYPES = ["int8", "date", *["text"] * 4, "numeric", *["text"] * 9]


def activity_export_queryset(queryset):
    """One statement: each activity's fields and its related names joined with "; " in SQL."""
    names = {}
    for relation, (through, column, name_fields, ordering) in RELATED_NAMES.items():
        parts = [F(f"{column}__{field}") for field in name_fields]
        name = parts[0] if len(parts) == 1 else Trim(Concat(parts[0], Value(" "), parts[1]))
        aggregated = (
            through.objects.filter(activity_id=OuterRef("pk"))
            .values("activity_id")
            .annotate(names=StringAgg(name, "; ", order_by=ordering))
            .values("names")
        )
        names[f"export_{relation}"] = Subquery(aggregated, output_field=CharField())
    fields = EXPORT_FIELDS[:9] + tuple(names) + EXPORT_FIELDS[9:]
    return queryset.annotate(**names).values_list(*fields)


def copy_rows(values_queryset, types: list[str], *, using: str):
    """Rows of a values_list queryset read with PostgreSQL's COPY ... TO STDOUT.

    One statement whatever the number of rows, streamed as the server writes it, and no
    server-side cursor (so it works behind PgBouncer in transaction mode too).
    """
    sql, params = values_queryset.query.sql_with_params()
    statement = f"COPY ({sql}) TO STDOUT"
    connection = connections[using]
    started = time.monotonic()
    with connection.cursor() as cursor, cursor.cursor.copy(statement, params) as copy:
        copy.set_types(types)
        yield from copy.rows()
    if connection.queries_logged:  # counted like any other statement (query budgets, benchmarks)
        connection.queries_log.append(
            {"sql": statement % tuple(repr(p) for p in params), "time": f"{time.monotonic() - started:.3f}"}
        )


# Relation -> (through model, its column to the related row, the related row's name fields, order).
RELATED_NAMES = {
    "conditions": (Activity.conditions.through, "condition", ("name",), ("condition__number",)),
    "participants": (
        Activity.participants.through,
        "stakeholder",
        ("first_name", "last_name"),
        ("stakeholder__last_name", "stakeholder__first_name"),
    ),
    "districts": (Activity.districts.through, "district", ("name",), ("district__name",)),
    "partner_centers": (
        Activity.partner_centers.through,
        "partnercenter",
        ("short_name",),
        ("partnercenter__short_name",),
    ),
}


def related_names(activity_ids) -> dict[str, dict[int, list[str]]]:
    """For each relation in RELATED_NAMES, the names linked to each of `activity_ids`."""
    names: dict[str, dict[int, list[str]]] = {}
    for relation, (through, column, name_fields, ordering) in RELATED_NAMES.items():
        linked: dict[int, list[str]] = defaultdict(list)
        rows = (
            through.objects.filter(activity_id__in=activity_ids)
            .order_by("activity_id", *ordering)
            .values_list("activity_id", *(f"{column}__{field}" for field in name_fields))
        )
        for activity_id, *parts in rows:
            linked[activity_id].append(" ".join(part for part in parts if part))
        names[relation] = linked
    return names


class ActivityDetailView(LoginRequiredMixin, DetailView):
    template_name = "projects/activity_detail.html"
    context_object_name = "activity"

    def get_queryset(self):
        user = self.request.user
        editable = Activity.objects.editable_by(user).filter(pk=OuterRef("pk"))
        return (
            Activity.objects.visible_to(user)
            .select_related("project__sea", "author")
            .prefetch_related("conditions", "districts", "partner_centers", "participants")
            .annotate(can_edit=Exists(editable))
        )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        activity = self.object
        context["can_edit"] = activity.can_edit
        context["history"] = activity_history(activity, self.request.user)
        context["panels"] = hooks.panels("activity_detail", request=self.request, obj=activity)
        return context


# The relations an activity's history keeps with each version:
# field -> (foreign key of the through table, model, how the page names a record).
HISTORY_RELATIONS = {
    "participants": ("stakeholder", Stakeholder, ("first_name", " ", "last_name")),
    "districts": ("district", District, ("sea__short_name", " ", "name")),
    "partner_centers": ("partnercenter", PartnerCenter, ("short_name",)),
    "conditions": ("condition", Condition, ("name",)),
}
NOT_VISIBLE = "someone or something you cannot see"


def _relations_by_version(records, user) -> dict[str, dict[int, list[str]]]:
    """For each relation, the sorted names it held in each version (history id -> names).

    One query whatever the number of versions; a record the user may not see (another state's
    person, say) is not named.
    """
    query = None
    for name, (key, model, parts) in HISTORY_RELATIONS.items():
        visible = model.objects.visible_to(user) if hasattr(model.objects, "visible_to") else model.objects
        label = [Value(part) if part == " " else F(f"{key}__{part}") for part in parts]
        rows = (
            getattr(Activity.history.model, name)
            .model.objects.filter(history_id__in=[record.history_id for record in records])
            .order_by()
            .annotate(
                relation=Value(name, output_field=CharField()),
                label=Case(
                    When(
                        **{f"{key}__in": visible.values("pk")},
                        then=Concat(*label, output_field=CharField()) if len(label) > 1 else label[0],
                    ),
                    default=Value(NOT_VISIBLE),
                    output_field=CharField(),
                ),
            )
            .values_list("relation", "history_id", "label")
        )
        query = rows if query is None else query.union(rows, all=True)
    result: dict[str, dict[int, list[str]]] = {name: defaultdict(list) for name in HISTORY_RELATIONS}
    for name, history_id, label in query if records else ():
        result[name][history_id].append(label)
    return {name: {h: sorted(values) for h, values in by.items()} for name, by in result.items()}


def activity_history(activity: Activity, user) -> list[dict]:
    """Each saved version of the activity, newest first: who, when and which fields changed,
    participants, districts, centers and conditions included (old and new)."""
    records = list(activity.history.select_related("history_user").order_by("history_date", "history_id"))
    fields = {field.attname: field for field in Activity._meta.concrete_fields}
    project_ids = {record.project_id for record in records}
    titles = {activity.project_id: activity.project.title}
    if len(project_ids) > 1:  # the activity moved between projects: name the others too
        titles.update(Project.objects.visible_to(user).filter(pk__in=project_ids).values_list("pk", "title"))
    relations = _relations_by_version(records, user)

    def show(field, value):
        if field.attname == "project_id":
            return titles.get(value, "a project you cannot see")
        if field.choices:
            return dict(field.flatchoices).get(value, value)
        return "—" if value in (None, "") else value

    entries = []
    previous = None
    for record in records:
        changes = []
        if previous is not None and record.history_type == "~":
            delta = record.diff_against(
                previous, excluded_fields=["updated_at", "created_at", *HISTORY_RELATIONS]
            )
            for change in delta.changes:
                field = fields.get(change.field) or Activity._meta.get_field(change.field)
                changes.append(
                    {
                        "field": field.verbose_name,
                        "old": show(field, change.old),
                        "new": show(field, change.new),
                    }
                )
            for name, held in relations.items():
                old, new = held.get(previous.history_id, []), held.get(record.history_id, [])
                if old != new:
                    changes.append(
                        {
                            "field": Activity._meta.get_field(name).verbose_name,
                            "old": "; ".join(old) or "—",
                            "new": "; ".join(new) or "—",
                        }
                    )
        entries.append(
            {
                "when": record.history_date,
                "who": record.history_user,
                "kind": {"+": "Logged", "~": "Changed", "-": "Deleted"}[record.history_type],
                "changes": changes,
            }
        )
        previous = record
    return entries[::-1]


def related_ids(activity: Activity) -> dict[str, list[int]]:
    """The ids of an activity's participants, districts, centers and conditions, in one query."""
    fields = [Activity._meta.get_field(name) for name in RELATED_FIELDS]
    queries = [
        field.remote_field.through.objects.filter(**{field.m2m_column_name(): activity.pk})
        .annotate(relation=Value(field.name, output_field=CharField()))
        .values_list("relation", field.m2m_reverse_name())
        for field in fields
    ]
    ids: dict[str, list[int]] = {name: [] for name in RELATED_FIELDS}
    for relation, pk in queries[0].union(*queries[1:], all=True):
        ids[relation].append(pk)
    return ids


class ActivityFormView(LoginRequiredMixin, View):
    """Shared by logging and editing: the form, the no-script search, and the type-ahead."""

    template_name = "projects/activity_form.html"

    def get_initial(self) -> dict:
        return {}

    known_project = None

    def make_form(self, data=None, initial=None):
        return ActivityForm(
            data, user=self.request.user, initial=initial or {}, known_project=self.known_project
        )

    def render_form(self, form, **context):
        form.enable_type_ahead(self.request.path)
        return render(self.request, self.template_name, {"form": form, **self.get_context(), **context})

    def get_context(self) -> dict:
        return {}

    def get(self, request, *args, **kwargs):
        # The type-ahead (and a shared ?project= link) sends the current choices as a query.
        return self.render_form(
            self.make_form(initial={**self.get_initial(), **initial_from_query(request.GET)})
        )

    def post(self, request, *args, **kwargs):
        if "_search" in request.POST:
            # Without JavaScript, "Find" posts the form: show the matches and keep every value.
            return self.render_form(self.make_form(initial=initial_from_query(request.POST)))
        form = self.make_form(request.POST)
        if form.is_valid():
            with service_errors(form):
                activity = self.save(form)
                return redirect(reverse("projects:activity_detail", args=[activity.pk]))
        return self.render_form(form)


class ActivityCreateView(ActivityFormView):
    def save(self, form):
        activity = activity_log(author=self.request.user, **form.service_fields())
        messages.success(self.request, "The activity is logged.")
        return activity

    def get_context(self):
        return {"title": "Log an activity", "submit_label": "Log activity"}


class ActivityUpdateView(ActivityFormView):
    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated:
            queryset = Activity.objects.editable_by(request.user).select_related("project__sea", "author")
            self.activity = get_object_or_404(queryset, pk=kwargs["pk"])
            self.known_project = self.activity.project
        return super().dispatch(request, *args, **kwargs)

    def get_initial(self):
        activity = self.activity
        initial = {name: getattr(activity, name) for name in EDITABLE_FIELDS if name != "project"}
        initial["project"] = activity.project_id
        initial.update(related_ids(activity))
        return initial

    def save(self, form):
        activity = activity_update(activity=self.activity, editor=self.request.user, **form.service_fields())
        messages.success(self.request, "The activity is updated.")
        return activity

    def get_context(self):
        return {"title": "Edit activity", "submit_label": "Save changes", "activity": self.activity}


class ActivityDeleteView(LoginRequiredMixin, View):
    """A confirmation page on GET; the activity is deleted only by POST."""

    template_name = "projects/activity_confirm_delete.html"

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated:
            queryset = Activity.objects.editable_by(request.user).select_related("project")
            self.activity = get_object_or_404(queryset, pk=kwargs["pk"])
        return super().dispatch(request, *args, **kwargs)

    def get(self, request, *args, **kwargs):
        return render(request, self.template_name, {"activity": self.activity})

    def post(self, request, *args, **kwargs):
        activity_delete(activity=self.activity, editor=request.user)
        messages.success(request, "The activity is deleted.")
        return redirect("projects:activity_list")
