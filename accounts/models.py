from django.contrib.auth.models import AbstractUser
from django.db import models


class Role(models.TextChoices):
    """Roles are auth groups with these names; a data migration creates them."""

    SEA_STAFF = "SEA staff", "SEA staff"
    FACILITATOR = "Facilitator", "Facilitator"
    ADMINISTRATOR = "Administrator", "Administrator"


class User(AbstractUser):
    """A portal user. SEA staff belong to one state education agency."""

    sea = models.ForeignKey(
        "stakeholders.SEA",
        verbose_name="SEA",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="users",
        help_text="Required for SEA staff: they see only this agency's work.",
    )

    class Meta:
        ordering = ["username"]

    def __str__(self):
        return self.get_full_name() or self.username

    def _role_names(self) -> frozenset[str]:
        # Cached per instance: role checks run many times while a page renders.
        if not hasattr(self, "_role_cache"):
            self._role_cache = frozenset(self.groups.values_list("name", flat=True))
        return self._role_cache

    def has_role(self, role: Role) -> bool:
        return role.value in self._role_names()

    @property
    def is_administrator(self) -> bool:
        return self.is_superuser or self.has_role(Role.ADMINISTRATOR)

    @property
    def is_facilitator(self) -> bool:
        return self.has_role(Role.FACILITATOR)

    @property
    def sees_whole_portfolio(self) -> bool:
        """Facilitators and administrators read every state's work."""
        return self.is_active and (self.is_administrator or self.is_facilitator)

    @property
    def is_sea_staff(self) -> bool:
        return self.has_role(Role.SEA_STAFF)

    @property
    def scoped_sea_id(self) -> int | None:
        """The one SEA an SEA staff member is limited to (None when unscoped or no access)."""
        return self.sea_id if self.is_sea_staff else None
