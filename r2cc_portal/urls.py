from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from accounts import views as accounts_views

from . import health, views

urlpatterns = [
    path("", views.home, name="home"),
    path("healthz", health.healthz, name="healthz"),
    path("accounts/login/", accounts_views.PortalLoginView.as_view(), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("accounts/", include("accounts.urls")),
    path("admin/login/", accounts_views.admin_login_redirect, name="admin_login_redirect"),
    path("admin/", admin.site.urls),
    path("projects/", include("projects.urls")),
    path("directory/", include("stakeholders.urls")),
    path("communications/", include("communications.urls")),
    path("meetings/", include("meetings.urls")),
    path("api/", include("api.urls")),
]
