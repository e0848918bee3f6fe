from django.urls import path

from . import views

app_name = "intake"

urlpatterns = [
    path("", views.request_list, name="list"),
    path("new/", views.request_create, name="create"),
    path("<int:pk>/", views.request_detail, name="detail"),
    path("<int:pk>/move/", views.request_move_view, name="move"),
    path("<int:pk>/accept-as-project/", views.request_accept_as_project_view, name="accept_as_project"),
]
