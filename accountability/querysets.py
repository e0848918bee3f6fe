from django.db import models
from django.db.models import Exists, OuterRef

from accounts.scoping import scope_to_user


class AttestationQuerySet(models.QuerySet):
    def visible_to(self, user):
        return scope_to_user(self, user, "activity__project__sea")

    def current(self):
        return self.filter(is_current=True)

    def pending(self):
        return self.filter(is_current=True, status="pending")

    def answerable_by(self, user):
        """Current pending answers `user` may give: they hold the counterpart role on the project."""
        from projects.models import ProjectMember

        if user is None or not user.is_authenticated or not user.is_active:
            return self.none()
        role = ProjectMember.objects.filter(
            project=OuterRef("activity__project"), user=user, role=OuterRef("counterpart_role")
        )
        return self.pending().filter(Exists(role))


class ServiceStatementQuerySet(models.QuerySet):
    def visible_to(self, user):
        return scope_to_user(self, user, "project__sea")

    def answerable_by(self, user):
        """Pending statements of projects on which `user` is an SEA contact."""
        from projects.models import ProjectMember

        if user is None or not user.is_authenticated or not user.is_active:
            return self.none()
        role = ProjectMember.objects.filter(project=OuterRef("project"), user=user, role="sea_contact")
        return self.filter(status="pending").filter(Exists(role))


class SurveyInvitationQuerySet(models.QuerySet):
    def visible_to(self, user):
        return scope_to_user(self, user, "project__sea")
