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

    def has_perm(self, perm, obj=None):
        # Administrators manage everything in the admin without per-model grants.
        if self.is_active and self.has_role(Role.ADMINISTRATOR):
            return True
        return super().has_perm(perm, obj)

    def has_module_perms(self, app_label):
        if self.is_active and self.has_role(Role.ADMINISTRATOR):
            return True
        return super().has_module_perms(app_label)

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
    def may_compose(self) -> bool:
        """Who may write communications: facilitators and administrators, and SEA staff of a state.

        The one answer to that question: the navigation, the pages, the services and the API ask it.
        """
        return self.is_active and (self.sees_whole_portfolio or bool(self.is_sea_staff and self.sea_id))

    @property
    def scoped_sea_id(self) -> int | None:
        """The one SEA an SEA staff member is limited to (None when unscoped or no access)."""
        return self.sea_id if self.is_sea_staff else None


class SecurityEvent(models.Model):
    """One row of the security log: sign-ins, refusals, permission changes, exports, tokens."""

    class Kind(models.TextChoices):
        SIGN_IN = "sign_in", "Sign-in"
        SIGN_IN_FAILED = "sign_in_failed", "Sign-in failed"
        LOCKED_OUT = "locked_out", "Locked out"
        SIGN_OUT = "sign_out", "Sign-out"
        NOT_FOUND = "not_found", "Not found (404)"
        FORBIDDEN = "forbidden", "Forbidden (403)"
        PERMISSION_CHANGE = "permission_change", "Permission change"
        EXPORT = "export", "Export"
        TOKEN_CREATED = "token_created", "API token created"
        TOKEN_REVOKED = "token_revoked", "API token revoked"
        TWO_FACTOR_ENABLED = "two_factor_enabled", "Two-factor sign-in turned on"
        TWO_FACTOR_DISABLED = "two_factor_disabled", "Two-factor sign-in turned off"

    kind = models.CharField(max_length=30, choices=Kind.choices)
    occurred_at = models.DateTimeField(auto_now_add=True, db_index=True)
    user = models.ForeignKey(
        "accounts.User",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="security_events",
        help_text="Who did it (empty when nobody was signed in).",
    )
    username = models.CharField(
        max_length=150, blank=True, help_text="The user name as typed or as it was when it happened."
    )
    ip_address = models.GenericIPAddressField("IP address", null=True, blank=True)
    path = models.CharField(max_length=500, blank=True)
    detail = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["-occurred_at", "-pk"]
        indexes = [models.Index(fields=["kind", "-occurred_at"])]

    def __str__(self):
        return f"{self.occurred_at:%Y-%m-%d %H:%M:%S} {self.get_kind_display()} {self.username}".strip()
