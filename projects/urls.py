from django.urls import path  # noqa: F401

from .views import activities, assessments, dashboards, indicators, pickers
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
    path("<int:pk>/", dashboards.project_detail, name="detail"),
    path("states/<str:state_code>/", dashboards.state_dashboard, name="state_dashboard"),
    path("network/", dashboards.network, name="network"),
    path("indicators/<int:pk>/", indicators.indicator_detail, name="indicator_detail"),
    path("pick/projects/", pickers.ProjectPickerView.as_view(), name="pick_project"),
    path("pick/people/", pickers.PersonPickerView.as_view(), name="pick_person"),
    path("pick/districts/", pickers.DistrictPickerView.as_view(), name="pick_district"),
    path("indicators/<int:pk>/values/new/", indicators.indicator_value_create, name="indicator_value_create"),
]
