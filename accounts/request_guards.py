"""Input refused at the edge, before any view, form or query sees it.

PostgreSQL cannot store a NUL character (U+0000) in text and refuses any query that carries one,
so a NUL that reached a lookup, a session key or a log row used to end in a 500. It never belongs
in what people type or what programs send as text, so the portal refuses the whole request once,
here, with a 400: in the path and query string (percent-escapes decoded), header and cookie
values, urlencoded and JSON bodies (where `\\u0000` is a NUL too) and the text fields of multipart
forms. Uploaded files may hold any byte; what reads them (the admin's CSV import) validates them.
"""

from __future__ import annotations

import logging
import re

from django.core.exceptions import RequestDataTooBig
from django.http import HttpResponse, JsonResponse
from django.http.multipartparser import MultiPartParserError

logger = logging.getLogger("django.security.NulCharacter")

MESSAGE = (
    "The request contains a NUL character (U+0000, %00), which the portal does not accept. "
    "Remove it and try again."
)
MALFORMED_MESSAGE = "The form data of the request could not be read. Reload the page and try again."

# A `\u0000` escape in JSON text: a backslash run of odd length before `u0000` (an even run is
# escaped backslashes followed by the plain characters "u0000").
_JSON_NUL_ESCAPE = re.compile(rb"(?<!\\)(?:\\\\)*\\u0000")


def _has_nul(text: str) -> bool:
    return "\x00" in text


def _json_has_nul(body: bytes) -> bool:
    if b"\x00" in body:
        return True
    return b"\\u0000" in body and _JSON_NUL_ESCAPE.search(body) is not None


def _urlencoded_has_nul(raw: str | bytes) -> bool:
    # Only `%00` decodes to NUL: `+` is a space and `%2500` is the text "%00".
    if isinstance(raw, str):
        return "%00" in raw or "\x00" in raw
    return b"%00" in raw or b"\x00" in raw


class NulCharacterGuardMiddleware:
    """Answers 400 to any request that carries a NUL character where text is expected.

    Runs near the top of MIDDLEWARE, before sessions (a session key is a database lookup) and
    everything that logs the request. Reads the body at most once: Django keeps what it read
    for request.POST, request.body and the API's parsers.
    """

    json_path_prefixes = ("/api/",)

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        try:
            refused = self.carries_nul(request)
        except (MultiPartParserError, UnicodeDecodeError):
            return self.refuse(request, MALFORMED_MESSAGE)
        except RequestDataTooBig:
            raise  # Django answers 400 for it
        if refused:
            logger.warning("Refused a request with a NUL character: %s %r", request.method, refused)
            return self.refuse(request, MESSAGE)
        return self.get_response(request)

    def carries_nul(self, request) -> str | None:
        """Where the request carries a NUL (for the log), or None."""
        if _has_nul(request.path) or _has_nul(request.path_info):
            return "path"
        if _urlencoded_has_nul(request.META.get("QUERY_STRING", "")):
            return "query string"
        for name, value in request.META.items():
            if name.startswith("HTTP_") and isinstance(value, str) and _has_nul(value):
                return f"header {name}"
        # Cookie values may hold octal escapes ("\000") that the cookie parser decodes.
        for name, value in request.COOKIES.items():
            if _has_nul(name) or _has_nul(value):
                return "cookie"
        return self.body_carries_nul(request)

    def body_carries_nul(self, request) -> str | None:
        content_type = request.content_type or ""
        if content_type == "multipart/form-data":
            # Parsed once here (CsrfViewMiddleware would parse it anyway); files are left alone.
            for name, values in request.POST.lists():
                if _has_nul(name) or any(_has_nul(value) for value in values):
                    return "form field"
            for name, upload in request.FILES.items():
                if _has_nul(name) or _has_nul(upload.name or ""):
                    return "file name"
            return None
        if content_type == "application/x-www-form-urlencoded":
            return "form field" if _urlencoded_has_nul(request.body) else None
        if content_type == "application/json" or content_type.endswith("+json"):
            return "JSON body" if _json_has_nul(request.body) else None
        return None

    def refuse(self, request, message: str) -> HttpResponse:
        if request.path.startswith(self.json_path_prefixes):
            return JsonResponse({"detail": message}, status=400)
        return HttpResponse(message, status=400, content_type="text/plain; charset=utf-8")
