from rest_framework.pagination import CursorPagination, PageNumberPagination


class PortalPageNumberPagination(PageNumberPagination):
    page_size_query_param = "page_size"
    max_page_size = 500


class PortalCursorPagination(CursorPagination):
    """Keyset pages for the large collections: `next`/`previous` links carry an opaque cursor.

    No page counts the whole filtered set, and page 10,000 costs what page 1 costs. The order
    ends with the primary key so that every position is unique; `?ordering=` still applies.
    """

    page_size_query_param = "page_size"
    max_page_size = 500
    ordering = ("-pk",)


class ActivityCursorPagination(PortalCursorPagination):
    ordering = ("-date", "-pk")


class AttestationCursorPagination(PortalCursorPagination):
    ordering = ("-requested_at", "-pk")


class SurveyResponseCursorPagination(PortalCursorPagination):
    ordering = ("-submitted_at", "-pk")
