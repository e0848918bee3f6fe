from django.db import models

from accounts.scoping import scope_to_user


class SEAQuerySet(models.QuerySet):
    def visible_to(self, user):
        return scope_to_user(self, user, "pk")


class OfficeQuerySet(models.QuerySet):
    def visible_to(self, user):
        return scope_to_user(self, user, "sea")


class DistrictQuerySet(models.QuerySet):
    def visible_to(self, user):
        return scope_to_user(self, user, "sea")


class StakeholderQuerySet(models.QuerySet):
    def visible_to(self, user):
        return scope_to_user(self, user, "sea")

    def active(self):
        return self.filter(is_active=True)


class PartnerCenterQuerySet(models.QuerySet):
    def visible_to(self, user):
        # Partner centers are shared reference data: every signed-in user may read them.
        if user is None or not user.is_authenticated or not user.is_active:
            return self.none()
        return self


class OrganizationQuerySet(PartnerCenterQuerySet):
    pass


class AdvisoryBodyQuerySet(models.QuerySet):
    """Which advisory bodies a user sees: the one rule the portal, the API, digests and audiences use.

    Facilitators and administrators see every body. A body concerns a state when one of its
    members represents the state's SEA or one of its districts, or is a person of that state;
    SEA staff see the bodies that concern their state and the bodies they sit on themselves.
    The regional bodies (RAB, RCC) seat people of every state, so every state's staff share them
    by design, with all their members and meetings. Anyone else sees none.
    """

    def _memberships(self):
        # Through the field, not an import: the models module imports this one.
        return self.model._meta.get_field("memberships").related_model.objects  # type: ignore[union-attr]

    def _state_condition(self, sea_id) -> models.Q:
        return (
            models.Q(represents_sea_id=sea_id)
            | models.Q(represents_district__sea_id=sea_id)
            | models.Q(stakeholder__sea_id=sea_id)
        )

    def concerning(self, sea):
        """The bodies that concern `sea` (an SEA or its id)."""
        sea_id = getattr(sea, "pk", sea)
        return self.filter(pk__in=self._memberships().filter(self._state_condition(sea_id)).values("body_id"))

    def visible_to(self, user):
        if user is None or not user.is_authenticated or not user.is_active:
            return self.none()
        if user.sees_whole_portfolio:
            return self
        condition = models.Q(stakeholder__user=user)
        if user.is_sea_staff and user.sea_id:
            condition |= self._state_condition(user.sea_id)
        return self.filter(pk__in=self._memberships().filter(condition).values("body_id"))


class MembershipQuerySet(models.QuerySet):
    def current(self, on=None):
        from django.utils import timezone

        on = on or timezone.localdate()
        return self.filter(term_start__lte=on).filter(
            models.Q(term_end__isnull=True) | models.Q(term_end__gte=on)
        )
