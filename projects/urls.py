from django.urls import path  # noqa: F401

from .views import activities, assessments, dashboards, editing, goals, indicators, pickers, products
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
    path("new/", editing.project_create_view, name="create"),
    path("<int:pk>/edit/", editing.project_update_view, name="update"),
    path("<int:pk>/status/", editing.project_status_move, name="status_move"),
    path("<int:pk>/goals/new/", goals.goal_create, name="goal_create"),
    path("goals/<int:pk>/", goals.goal_detail, name="goal_detail"),
    path("goals/<int:pk>/edit/", goals.goal_update, name="goal_update"),
    path("goals/<int:pk>/status/", goals.goal_status_move, name="goal_status_move"),
    path("goals/<int:pk>/objectives/new/", goals.objective_create, name="objective_create"),
    path("goals/<int:pk>/propose/", goals.goal_propose_view, name="goal_propose"),
    path("goal-proposals/<int:pk>/decide/", goals.goal_proposal_decide_view, name="goal_proposal_decide"),
    path("objectives/<int:pk>/status/", goals.objective_status_move, name="objective_status_move"),
    path("products/", products.ProductListView.as_view(), name="product_list"),
    path("<int:pk>/products/new/", products.product_create, name="product_create"),
    path("products/<int:pk>/", products.product_detail, name="product_detail"),
    path("products/<int:pk>/edit/", products.product_update, name="product_update"),
    path("products/<int:pk>/status/", products.product_status_move, name="product_status_move"),
    path("products/<int:pk>/file/", products.product_file, name="product_file"),
    path("products/<int:pk>/versions/new/", products.product_version_create, name="product_version_create"),
    path("product-versions/<int:pk>/file/", products.product_version_file, name="product_version_file"),
    path(
        "products/<int:pk>/adoptions/new/", products.product_adoption_create, name="product_adoption_create"
    ),
    path("indicators/<int:pk>/", indicators.indicator_detail, name="indicator_detail"),
    path("pick/projects/", pickers.ProjectPickerView.as_view(), name="pick_project"),
    path("pick/products/", pickers.ProductPickerView.as_view(), name="pick_product"),
    path("pick/people/", pickers.PersonPickerView.as_view(), name="pick_person"),
    path("pick/districts/", pickers.DistrictPickerView.as_view(), name="pick_district"),
    path("pick/activities/", pickers.ActivityPickerView.as_view(), name="pick_activity"),
    path("indicators/<int:pk>/values/new/", indicators.indicator_value_create, name="indicator_value_create"),
]
