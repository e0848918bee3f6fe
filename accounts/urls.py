from django.urls import path

from . import views

app_name = "accounts"

urlpatterns = [
    path("profile/", views.profile, name="profile"),
    path("profile/two-factor/", views.two_factor_setup, name="two_factor_setup"),
    path("profile/two-factor/confirm/", views.two_factor_confirm, name="two_factor_confirm"),
    path("profile/two-factor/disable/", views.two_factor_disable_view, name="two_factor_disable"),
    path("login/verify/", views.two_factor_verify, name="two_factor_verify"),
]
