"""The request being served, and who sent it: for code that has no request in hand (signal
handlers, the security log) and for every place that needs the client's address."""

import contextvars

from django.conf import settings

_current_request: contextvars.ContextVar = contextvars.ContextVar("portal_current_request", default=None)


def client_ip(request) -> str | None:
    """The client's address: REMOTE_ADDR, or the address our trusted proxies saw.

    With TRUSTED_PROXY_COUNT = n, the n-th address from the right of X-Forwarded-For is the one
    the outermost trusted proxy received the request from; anything left of it is client-supplied
    and ignored.
    """
    if request is None:
        return None
    proxies = getattr(settings, "TRUSTED_PROXY_COUNT", 0)
    if proxies:
        forwarded = [a.strip() for a in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if a.strip()]
        if len(forwarded) >= proxies:
            return forwarded[-proxies]
    return request.META.get("REMOTE_ADDR") or None


def current_request():
    """The request being served on this thread, for signal handlers that need the actor and address."""
    return _current_request.get()


class RequestContextMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        token = _current_request.set(request)
        try:
            return self.get_response(request)
        finally:
            _current_request.reset(token)
