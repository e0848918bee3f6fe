from django.urls import path

from . import views

app_name = "stakeholders"

urlpatterns = [
    path("people/", views.StakeholderListView.as_view(), name="stakeholder_list"),
    path("people/<int:pk>/", views.StakeholderDetailView.as_view(), name="stakeholder_detail"),
    path("districts/", views.DistrictListView.as_view(), name="district_list"),
]
