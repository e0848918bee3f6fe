from django.contrib.admin.apps import AdminConfig


class PortalAdminConfig(AdminConfig):
    default_site = "r2cc_portal.admin.PortalAdminSite"
