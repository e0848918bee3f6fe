from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from accounts import urls as accounts_urls
from accounts import views as accounts_views
from api import token_views
from communications.account_mail import OutboxPasswordResetForm
from projects.views.home import home

from . import health

urlpatterns = [
    path("", home, name="home"),
    path("healthz", health.healthz, name="healthz"),
    path("accounts/login/", accounts_views.PortalLoginView.as_view(), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("accounts/password/change/", auth_views.PasswordChangeView.as_view(), name="password_change"),
    path(
        "accounts/password/change/done/",
        auth_views.PasswordChangeDoneView.as_view(),
        name="password_change_done",
    ),
    path(
        "accounts/password/reset/",
        auth_views.PasswordResetView.as_view(form_class=OutboxPasswordResetForm),
        name="password_reset",
    ),
    path(
        "accounts/password/reset/sent/",
        auth_views.PasswordResetDoneView.as_view(),
        name="password_reset_done",
    ),
    path(
        "accounts/password/reset/<uidb64>/<token>/",
        auth_views.PasswordResetConfirmView.as_view(),
        name="password_reset_confirm",
    ),
    path(
        "accounts/password/reset/done/",
        auth_views.PasswordResetCompleteView.as_view(),
        name="password_reset_complete",
    ),
    # The profile's token pages belong to the API but keep their place in the accounts namespace.
    path("accounts/", include((accounts_urls.urlpatterns + token_views.urlpatterns, "accounts"))),
    path("admin/login/", accounts_views.admin_login_redirect, name="admin_login_redirect"),
    path("admin/", admin.site.urls),
    path("projects/", include("projects.urls")),
    path("directory/", include("projects.directory_urls")),
    path("communications/", include("communications.urls")),
    path("meetings/", include("meetings.urls")),
    path("requests/", include("intake.urls")),
    path("accountability/", include("accountability.urls")),
    path("api/", include("api.urls")),
]
