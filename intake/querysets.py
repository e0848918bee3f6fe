from django.db import models

from accounts.scoping import scope_to_user


class TARequestQuerySet(models.QuerySet):
    def visible_to(self, user):
        """Facilitators see every state's requests; SEA staff their own state's."""
        return scope_to_user(self, user, "sea")

    def open(self):
        return self.filter(status__in=self.model.OPEN_STATUSES)  # type: ignore[attr-defined]
