from django.urls import path  # noqa: F401

from .views import activities, assessments
from .views import projects as project_list

app_name = "projects"

urlpatterns = [
    path("", project_list.ProjectListView.as_view(), name="list"),
    path("activities/", activities.ActivityListView.as_view(), name="activity_list"),
    path("activities/new/", activities.ActivityCreateView.as_view(), name="activity_create"),
    path("activities/<int:pk>/", activities.ActivityDetailView.as_view(), name="activity_detail"),
    path("activities/<int:pk>/edit/", activities.ActivityUpdateView.as_view(), name="activity_update"),
    path("activities/<int:pk>/delete/", activities.ActivityDeleteView.as_view(), name="activity_delete"),
    path("<int:pk>/assessment/", assessments.assessment_create, name="assessment_create"),
]
