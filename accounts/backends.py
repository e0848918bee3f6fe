from axes.backends import AxesStandaloneBackend
from django.contrib.auth.backends import ModelBackend
from django.contrib.postgres.aggregates import ArrayAgg
from django.db import connection
from django.db.models import Q, Value

from accounts.models import User


class PortalAxesBackend(AxesStandaloneBackend):
    """django-axes' lockout check, for sign-ins that come with a request.

    Every sign-in form of the portal passes the request. Calls without one (the test client's
    `login()`, management commands) have no client address to lock and go on to the password
    check, instead of failing the way the stock backend does.
    """

    def authenticate(self, request, username=None, password=None, **kwargs):
        if request is None:
            return None
        return super().authenticate(request, username=username, password=password, **kwargs)


class PortalModelBackend(ModelBackend):
    """Django's password backend, loading the signed-in user and their roles in one statement.

    Every page asks for the user's roles (auth groups); reading them with the user spares each
    request a second query. On databases without array aggregation the roles are read on first
    use instead (`User._role_names`).
    """

    def get_user(self, user_id):
        if connection.vendor != "postgresql":
            return super().get_user(user_id)
        users = User._default_manager.filter(pk=user_id).annotate(
            role_list=ArrayAgg("groups__name", filter=Q(groups__isnull=False), default=Value([]))
        )
        user = next(iter(users[:1]), None)  # the primary key picks one row: no ordering needed
        if user is None or not self.user_can_authenticate(user):
            return None
        user._role_cache = frozenset(user.role_list)
        return user
