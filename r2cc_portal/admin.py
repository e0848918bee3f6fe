from django.contrib.admin import AdminSite


class PortalAdminSite(AdminSite):
    site_header = "R2CC Portal administration"
    site_title = "R2CC Portal admin"
    index_title = "Agencies, centers, bodies, projects and users"

    def has_permission(self, request):
        """Staff and members of the Administrator role may use the admin."""
        user = request.user
        return user.is_active and (user.is_staff or user.is_administrator)
