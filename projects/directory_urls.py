from django.urls import path

from .views import directory as views

# The directory keeps its URL names in the `stakeholders` namespace.
app_name = "stakeholders"

urlpatterns = [
    path("people/", views.StakeholderListView.as_view(), name="stakeholder_list"),
    path("people/<int:pk>/", views.StakeholderDetailView.as_view(), name="stakeholder_detail"),
    path("districts/", views.DistrictListView.as_view(), name="district_list"),
]
