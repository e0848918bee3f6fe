from django.urls import path

from . import views, views_report

app_name = "accountability"

urlpatterns = [
    path("confirm/", views.attestation_inbox, name="inbox"),
    path("confirm/<int:pk>/", views.attestation_answer, name="attestation_answer"),
    path("confirm/link/<str:token>/", views.attest_link, name="attest_link"),
    path("statements/<int:pk>/", views.statement_answer, name="statement_answer"),
    path("statements/link/<str:token>/", views.statement_link, name="statement_link"),
    path("survey/<str:token>/", views.survey_link, name="survey_link"),
    path("attestation/", views.attestation_dashboard, name="dashboard"),
]

urlpatterns += [
    path("report/", views_report.report, name="report"),
    path("report/print/", views_report.report_print, name="report_print"),
    path("report/explanation/", views_report.explanation_save, name="explanation_save"),
    path("report/records/", views_report.records, name="records"),
    path("surveys/results/", views_report.survey_results_page, name="survey_results"),
]
