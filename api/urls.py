from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from rest_framework.routers import DefaultRouter

from . import accountability, views, work

app_name = "api"

router = DefaultRouter()
router.include_format_suffixes = False
router.include_root_view = False
router.register("seas", views.SEAViewSet, basename="sea")
router.register("offices", views.OfficeViewSet, basename="office")
router.register("districts", views.DistrictViewSet, basename="district")
router.register("partner-centers", views.PartnerCenterViewSet, basename="partnercenter")
router.register("organizations", views.OrganizationViewSet, basename="organization")
router.register("stakeholders", views.StakeholderViewSet, basename="stakeholder")
router.register("advisory-bodies", views.AdvisoryBodyViewSet, basename="advisorybody")
router.register("memberships", views.MembershipViewSet, basename="membership")
router.register("projects", views.ProjectViewSet, basename="project")
router.register("conditions", views.ConditionViewSet, basename="condition")
router.register("assessments", views.ConditionAssessmentViewSet, basename="assessment")
router.register("activities", views.ActivityViewSet, basename="activity")
router.register("indicators", views.IndicatorViewSet, basename="indicator")
router.register("indicator-values", views.IndicatorValueViewSet, basename="indicatorvalue")
router.register("products", work.ProductViewSet, basename="product")
router.register("meetings", views.MeetingViewSet, basename="meeting")
router.register("action-items", views.ActionItemViewSet, basename="actionitem")
router.register("communications", views.CommunicationViewSet, basename="communication")
router.register("deliveries", views.DeliveryViewSet, basename="delivery")
router.register("attestations", accountability.AttestationViewSet, basename="attestation")
router.register("survey-responses", accountability.SurveyResponseViewSet, basename="surveyresponse")
router.register("requests", work.TARequestViewSet, basename="tarequest")
router.register("goals", work.GoalViewSet, basename="goal")
router.register("objectives", work.ObjectiveViewSet, basename="objective")
router.register("adoptions", work.ProductAdoptionViewSet, basename="productadoption")

urlpatterns = [
    path("v1/", include(router.urls)),
    path("v1/report/<str:table>/", accountability.ReportTableView.as_view(), name="report-table"),
    path("v1/survey-results/", accountability.SurveyResultsView.as_view(), name="survey-results"),
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path(
        "docs/",
        SpectacularSwaggerSplitView.as_view(url_name="api:schema", template_name="api/swagger_ui.html"),
        name="docs",
    ),
]
