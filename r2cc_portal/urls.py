from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from . import health, views

admin.site.site_header = "R2CC Portal administration"
admin.site.site_title = "R2CC Portal admin"

urlpatterns = [
    path("", views.home, name="home"),
    path("healthz", health.healthz, name="healthz"),
    path("accounts/login/", auth_views.LoginView.as_view(redirect_authenticated_user=True), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("admin/", admin.site.urls),
    path("projects/", include("projects.urls")),
    path("directory/", include("stakeholders.urls")),
    path("communications/", include("communications.urls")),
    path("meetings/", include("meetings.urls")),
    path("api/", include("api.urls")),
]
