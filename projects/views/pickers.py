"""Type-ahead matches for the pickers (core.pickers): JSON, scoped to the signed-in user."""

from __future__ import annotations

from django.contrib.auth.mixins import LoginRequiredMixin
from django.db.models import Q
from django.http import JsonResponse
from django.views import View

from stakeholders.models import District, Stakeholder

from ..forms.work import activity_label, product_label
from ..models import Activity, Product, Project

PICKER_LIMIT = 20


def _words(request) -> list[str]:
    return request.GET.get("q", "")[:100].split()[:4]


def _int_param(request, name: str) -> int | None:
    value = request.GET.get(name, "")
    return int(value) if value.isdigit() and len(value) < 16 else None


class PickerView(LoginRequiredMixin, View):
    """`?q=` words (all must match); at most PICKER_LIMIT results as {"value", "text"}."""

    raise_exception = False

    def get(self, request, *args, **kwargs):
        results = [{"value": str(pk), "text": text} for pk, text in self.matches(request)]
        response = JsonResponse({"results": results[:PICKER_LIMIT]})
        response["Cache-Control"] = "private, no-store"
        return response


class ProjectPickerView(PickerView):
    def matches(self, request):
        projects = Project.objects.visible_to(request.user)
        for word in _words(request):
            projects = projects.filter(title__icontains=word)
        rows = projects.order_by("title", "pk").values_list("pk", "title", "sea__state_code")
        return [(pk, f"{title} ({state})") for pk, title, state in rows[:PICKER_LIMIT]]


class ProductPickerView(PickerView):
    """Products the user may see, by words of their own or their project's title; `?project=`
    keeps them to that project."""

    def matches(self, request):
        products = Product.objects.visible_to(request.user)
        project = _int_param(request, "project")
        if project is not None:
            products = products.filter(project_id=project)
        for word in _words(request):
            products = products.filter(Q(title__icontains=word) | Q(project__title__icontains=word))
        rows = products.order_by("title", "pk").values_list("pk", "title", "project__title")
        return [(pk, product_label(title, project_title)) for pk, title, project_title in rows[:PICKER_LIMIT]]


class PersonPickerView(PickerView):
    """People the user may see; `?project=` keeps them to that project's state (and no state)."""

    def matches(self, request):
        people = Stakeholder.objects.visible_to(request.user).filter(is_active=True)
        project = _int_param(request, "project")
        if project is not None:
            sea = Project.objects.visible_to(request.user).filter(pk=project).values("sea_id")
            people = people.filter(Q(sea__isnull=True) | Q(sea_id__in=sea))
        for word in _words(request):
            people = people.filter(
                Q(first_name__icontains=word) | Q(last_name__icontains=word) | Q(email__icontains=word)
            )
        rows = people.order_by("last_name", "first_name", "pk").values_list(
            "pk", "first_name", "last_name", "email"
        )
        return [
            (pk, f"{first} {last}".strip() + (f" · {email}" if email else ""))
            for pk, first, last, email in rows[:PICKER_LIMIT]
        ]


class DistrictPickerView(PickerView):
    """Districts the user may see; `?project=` keeps them to that project's state, `?sea=` to
    that state (the project and request forms, whose state is chosen before the form)."""

    def matches(self, request):
        districts = District.objects.visible_to(request.user)
        project = _int_param(request, "project")
        if project is not None:
            sea = Project.objects.visible_to(request.user).filter(pk=project).values("sea_id")
            districts = districts.filter(sea_id__in=sea)
        sea_id = _int_param(request, "sea")
        if sea_id is not None:
            districts = districts.filter(sea_id=sea_id)
        for word in _words(request):
            districts = districts.filter(Q(name__icontains=word) | Q(nces_id__startswith=word))
        rows = districts.order_by("name", "pk").values_list("pk", "name", "nces_id")
        return [(pk, f"{name} ({nces_id})") for pk, name, nces_id in rows[:PICKER_LIMIT]]


class ActivityPickerView(PickerView):
    """Activities of one project (`?project=`, required) the user may see, latest first: the goal
    form links a goal to its own project's activities. Without a project nothing matches (a
    substring search over every activity would scan them all)."""

    def matches(self, request):
        project = _int_param(request, "project")
        if project is None:
            return []
        activities = Activity.objects.visible_to(request.user).filter(project_id=project)
        for word in _words(request):
            activities = activities.filter(summary__icontains=word)
        rows = activities.order_by("-date", "-pk").values_list("pk", "date", "type", "summary")
        types = dict(Activity.Type.choices)
        return [
            (pk, activity_label(date, types.get(kind, kind), summary))
            for pk, date, kind, summary in rows[:PICKER_LIMIT]
        ]
