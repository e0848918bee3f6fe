from axes.backends import AxesStandaloneBackend


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
