"""Activities: the filtered list and its export, logging, detail with history, edit and delete."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import ValidationError
from django.db.models import CharField, Exists, OuterRef, Prefetch, Value
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views import View
from django.views.generic import DetailView

from r2cc_portal.lists import Column, FilteredListView
from stakeholders.models import Stakeholder

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
    csv_extra = [
        ("Activity id", lambda a: a.pk),
        ("Delivery mode", lambda a: a.get_mode_display()),
        ("Participants", lambda a: _names(a.participants.all())),
        ("Districts", lambda a: _names(a.districts.all())),
        ("Partner centers", lambda a: _names(a.partner_centers.all())),
        ("Next steps", lambda a: a.next_steps),
    ]

    def get_base_queryset(self):
        return (
            Activity.objects.visible_to(self.request.user)
            .select_related("project__sea", "author")
            .prefetch_related("conditions")
        )

    def get_csv_queryset(self):
        return self.get_queryset().prefetch_related(
            Prefetch("participants", queryset=Stakeholder.objects.only("first_name", "last_name")),
            "districts",
            "partner_centers",
        )

    def render_csv(self):
        # The export carries a few more columns than fit on the page.
        extra = [Column(label, value=value) for label, value in self.csv_extra]
        self.columns = [*self.columns, *extra]
        return super().render_csv()


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
