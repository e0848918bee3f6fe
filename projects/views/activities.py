"""Activities: the filtered list and its export, logging, detail with history, edit and delete."""

from __future__ import annotations

from collections import defaultdict
from itertools import islice

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import ValidationError
from django.db.models import CharField, Exists, OuterRef, Value
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views import View
from django.views.generic import DetailView

from r2cc_portal.lists import Column, FilteredListView, stream_csv

from .. import hooks
from ..filters import ActivityFilter
from ..forms.activities import ActivityForm, initial_from_query
from ..models import Activity, Project
from ..services.activities import activity_delete, activity_log, activity_update


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

    def render_csv(self):
        """Every filtered activity, streamed from tuples rather than model instances.

        The export also carries the columns that do not fit on the page. Rows come from a
        server-side cursor in chunks; each chunk's related names take one query per relation.
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
        fields = (
            "pk", "date", "project__title", "project__sea__state_code", "type", "mode", "hours",
            "summary", "next_steps", "author__first_name", "author__last_name", "author__username",
        )  # fmt: skip
        values = self.get_queryset().prefetch_related(None).select_related(None).values_list(*fields)
        types, modes = dict(Activity.Type.choices), dict(Activity.Mode.choices)

        def rows():
            cursor = values.iterator(chunk_size=self.csv_chunk_size)
            while chunk := list(islice(cursor, self.csv_chunk_size)):
                related = related_names([row[0] for row in chunk])
                for pk, date, title, state, kind, mode, hours, summary, next_steps, *author in chunk:
                    first, last, username = author
                    yield [
                        pk, date, title, state, types.get(kind, kind), modes.get(mode, mode), hours,
                        summary, next_steps,
                        *("; ".join(related[name].get(pk, ())) for name in RELATED_NAMES),
                        f"{first or ''} {last or ''}".strip() or (username or ""),
                    ]  # fmt: skip

        stamp = timezone.localdate().isoformat()
        return stream_csv(header=header, rows=rows(), filename=f"activities-{stamp}.csv")


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


def activity_history(activity: Activity, user) -> list[dict]:
    """Each saved version of the activity, newest first: who, when and which fields changed."""
    records = list(activity.history.select_related("history_user").order_by("history_date", "history_id"))
    fields = {field.attname: field for field in Activity._meta.concrete_fields}
    project_ids = {record.project_id for record in records}
    titles = {activity.project_id: activity.project.title}
    if len(project_ids) > 1:  # the activity moved between projects: name the others too
        titles.update(Project.objects.visible_to(user).filter(pk__in=project_ids).values_list("pk", "title"))

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
            delta = record.diff_against(previous, excluded_fields=["updated_at", "created_at"])
            for change in delta.changes:
                field = fields.get(change.field) or Activity._meta.get_field(change.field)
                changes.append(
                    {
                        "field": field.verbose_name,
                        "old": show(field, change.old),
                        "new": show(field, change.new),
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
    through = {
        "participants": ("stakeholder_id", Activity.participants.through),
        "districts": ("district_id", Activity.districts.through),
        "partner_centers": ("partnercenter_id", Activity.partner_centers.through),
        "conditions": ("condition_id", Activity.conditions.through),
    }
    queries = [
        model.objects.filter(activity_id=activity.pk)
        .annotate(relation=Value(name, output_field=CharField()))
        .values_list("relation", column)
        for name, (column, model) in through.items()
    ]
    ids: dict[str, list[int]] = {name: [] for name in through}
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
            try:
                activity = self.save(form)
            except ValidationError as error:
                form.add_service_errors(error)
            else:
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
        initial = {
            name: getattr(activity, name)
            for name in ("date", "type", "mode", "hours", "summary", "next_steps")
        }
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
