from django.urls import path

from . import views

app_name = "communications"

urlpatterns = [
    path("", views.CommunicationListView.as_view(), name="list"),
    path("new/", views.CommunicationCreateView.as_view(), name="create"),
    path("<int:pk>/", views.CommunicationDetailView.as_view(), name="detail"),
    path("<int:pk>/edit/", views.CommunicationUpdateView.as_view(), name="update"),
    path("<int:pk>/schedule/", views.schedule_create, name="schedule"),
    path("<int:pk>/schedule/dates/", views.schedule_dates, name="schedule_dates"),
    path("<int:pk>/cancel/", views.communication_cancel, name="cancel"),
    path("<int:pk>/preview/", views.communication_preview, name="preview"),
    path("<int:pk>/test/", views.send_test, name="send_test"),
    path("<int:pk>/report/", views.DeliveryReportView.as_view(), name="report"),
    path("<int:pk>/report/retry/", views.retry_failed, name="retry_failed"),
    path("schedules/<int:pk>/pause/", views.schedule_pause, name="schedule_pause"),
    path("deliveries/<int:pk>/bounce/", views.delivery_bounce, name="delivery_bounce"),
    path("cadence/", views.CadenceView.as_view(), name="cadence"),
    path("cadence/<int:project_pk>/", views.cadence_set, name="cadence_set"),
    # No login: reached from links in the messages, authorised by their signature.
    path("u/<str:token>/", views.unsubscribe, name="unsubscribe"),
    path("preferences/<str:token>/", views.preferences, name="preferences"),
]
