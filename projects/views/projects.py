"""The project list: filter, sort, page through and export the projects a user may see."""

from core.lists import Column, FilteredListView

from ..filters import ProjectFilter
from ..models import Condition, Project, Stage

STAGE_LABELS = dict(Stage.choices)


def _stage_column(condition: Condition) -> Column:
    key = f"stage_{condition.number}"
    return Column(condition.name, sort=key, value=lambda project: getattr(project, key))


class ProjectListView(FilteredListView):
    template_name = "projects/project_list.html"
    filterset_class = ProjectFilter
    csv_filename = "projects.csv"
    noun, noun_plural = "project", "projects"
    default_sort = "title"

    def setup(self, request, *args, **kwargs):
        super().setup(request, *args, **kwargs)
        self.conditions = list(Condition.objects.all())
        self.sort_fields = {
            "title": ("title",),
            "state": ("sea__state_code", "title"),
            "lead_center": ("lead_center__short_name", "title"),
            "status": ("status", "title"),
            "start_date": ("start_date", "title"),
            **{f"stage_{c.number}": (f"stage_{c.number}", "title") for c in self.conditions},
        }
        self.columns = [
            Column("Project", sort="title", value=lambda p: p.title),
            Column("State", sort="state", value=lambda p: p.sea.state_code),
            Column("Lead center", sort="lead_center", value=lambda p: p.lead_center.short_name),
            Column("Status", sort="status", value=lambda p: p.get_status_display()),
            Column("Start", sort="start_date", value=lambda p: p.start_date),
            Column("End", value=lambda p: p.end_date),
            *(_stage_column(condition) for condition in self.conditions),
        ]

    def get_base_queryset(self):
        return (
            Project.objects.visible_to(self.request.user)
            .select_related("sea", "lead_center")
            .with_latest_stages(self.conditions)
        )

    @staticmethod
    def _stage(project, condition):
        stage = getattr(project, f"stage_{condition.number}")
        return {"condition": condition, "stage": stage, "label": STAGE_LABELS.get(stage, "")}

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["conditions"] = self.conditions
        context["rows"] = [
            (project, [self._stage(project, c) for c in self.conditions])
            for project in context["object_list"]
        ]
        return context
