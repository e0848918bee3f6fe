from django.urls import path

from . import views

app_name = "communications"

urlpatterns = [
    path("", views.CommunicationListView.as_view(), name="list"),
    path("u/<str:token>/", views.unsubscribe, name="unsubscribe"),
    path("preferences/<str:token>/", views.preferences, name="preferences"),
]
