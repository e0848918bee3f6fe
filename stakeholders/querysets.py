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


class AdvisoryBodyQuerySet(PartnerCenterQuerySet):
    pass


class MembershipQuerySet(models.QuerySet):
    def current(self, on=None):
        from django.utils import timezone

        on = on or timezone.localdate()
        return self.filter(term_start__lte=on).filter(
            models.Q(term_end__isnull=True) | models.Q(term_end__gte=on)
        )
