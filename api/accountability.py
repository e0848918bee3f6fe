"""The v1 API of attestations, survey responses and the annual report's tables.

Querysets are the accountability app's `visible_to(user)`; answers go through its services,
the report tables through the same functions as the report page.
"""

from django.core.exceptions import PermissionDenied
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound
from rest_framework.response import Response
from rest_framework.utils.urls import remove_query_param, replace_query_param
from rest_framework.views import APIView

from accountability.forms import ReportPeriodForm, SurveyResultsForm
from accountability.models import Attestation, Decision, SurveyInvitation, SurveyResponse
from accountability.report import TABLES, table_page
from accountability.services.attestations import AlreadyAnswered, attestation_decide
from accountability.survey_results import GROUPS, survey_results

from .pagination import (
    AttestationCursorPagination,
    PortalPageNumberPagination,
    SurveyResponseCursorPagination,
)
from .serializers import StrictFieldsMixin
from .views import ScopedReadOnlyViewSet, ThrottleBeforePermissionMixin


class AttestationSerializer(serializers.ModelSerializer):
    class Meta:
        model = Attestation
        fields = [
            "id",
            "activity",
            "version",
            "is_current",
            "counterpart_role",
            "status",
            "requested_at",
            "decided_at",
            "decided_by",
            "comment",
        ]
        read_only_fields = fields


class AttestationAnswerSerializer(StrictFieldsMixin, serializers.Serializer):
    decision = serializers.ChoiceField(choices=[Decision.CONFIRMED, Decision.COMMENTED, Decision.DISPUTED])
    comment = serializers.CharField(required=False, allow_blank=True, max_length=2000, default="")


class AttestationViewSet(ScopedReadOnlyViewSet):
    """Counterparts' answers on each version of the activities the user may see."""

    model = Attestation
    serializer_class = AttestationSerializer
    filterset_fields = ["status", "is_current", "activity"]
    pagination_class = AttestationCursorPagination

    def get_queryset(self):
        return super().get_queryset().order_by("-requested_at", "-pk")

    @extend_schema(
        request=AttestationAnswerSerializer,
        responses={
            200: AttestationSerializer,
            400: OpenApiTypes.OBJECT,
            403: OpenApiTypes.OBJECT,
            409: OpenApiTypes.OBJECT,
        },
    )
    @action(detail=True, methods=["post"])
    def answer(self, request, pk=None):  # noqa: ARG002 - DRF passes the key; get_object() reads it
        """Confirm, comment on or dispute (with a reason) the current version, as its counterpart."""
        attestation = self.get_object()
        serializer = AttestationAnswerSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        try:
            answered = attestation_decide(
                attestation=attestation, by=request.user, **serializer.validated_data
            )
        except AlreadyAnswered as exc:
            return Response({"detail": exc.messages[0]}, status=status.HTTP_409_CONFLICT)
        except PermissionDenied as exc:
            return Response({"detail": str(exc)}, status=status.HTTP_403_FORBIDDEN)
        return Response(AttestationSerializer(answered).data)


class SurveyResponseSerializer(serializers.ModelSerializer):
    project = serializers.IntegerField(source="invitation.project_id", read_only=True)
    activity = serializers.IntegerField(source="invitation.activity_id", read_only=True, allow_null=True)
    product = serializers.IntegerField(source="invitation.product_id", read_only=True, allow_null=True)
    activity_type = serializers.CharField(source="invitation.activity_type", read_only=True)

    class Meta:
        model = SurveyResponse
        fields = [
            "id",
            "project",
            "activity",
            "product",
            "activity_type",
            "quality",
            "relevance",
            "usefulness",
            "comment",
            "submitted_at",
        ]
        read_only_fields = fields


class SurveyResponseViewSet(ScopedReadOnlyViewSet):
    """Participants' ratings of services and products (means per dimension, 1–5)."""

    serializer_class = SurveyResponseSerializer
    pagination_class = SurveyResponseCursorPagination

    def get_queryset(self):
        visible = SurveyInvitation.objects.visible_to(self.request.user).values("pk")
        return (
            SurveyResponse.objects.filter(invitation__in=visible)
            .select_related("invitation")
            .order_by("-submitted_at", "-pk")
        )


ReportTableSerializer = inline_serializer(
    "ReportTable",
    {
        "count": serializers.IntegerField(help_text="Rows of the whole table."),
        "next": serializers.URLField(allow_null=True),
        "previous": serializers.URLField(allow_null=True),
        "table": serializers.CharField(),
        "title": serializers.CharField(),
        "period_start": serializers.DateField(),
        "period_end": serializers.DateField(),
        "columns": serializers.ListField(child=serializers.CharField()),
        "rows": serializers.ListField(child=serializers.ListField(child=serializers.JSONField())),
    },
)


class ReportTablePagination(PortalPageNumberPagination):
    """Pages of a report table's rows, with the list endpoints' parameters (`page`, `page_size`
    up to 500) and their `count`/`next`/`previous`."""

    max_page = 1_000_000  # beyond any table; keeps the offset a sane number

    def bounds(self, request) -> tuple[int, int, int]:
        """(page number, offset, limit) of the request; a page that is not one is a 404."""
        size = self.get_page_size(request) or 1
        raw = request.query_params.get(self.page_query_param, "1")
        number = int(raw) if raw.isascii() and raw.isdigit() and len(raw) <= 7 else 0
        if not 1 <= number <= self.max_page:
            raise NotFound("Invalid page.")
        return number, (number - 1) * size, size

    def links(self, request, number: int, size: int, total: int) -> tuple[str | None, str | None]:
        url = request.build_absolute_uri()
        following = (
            replace_query_param(url, self.page_query_param, number + 1) if number * size < total else None
        )
        if number == 1:
            return following, None
        if number == 2:
            return following, remove_query_param(url, self.page_query_param)
        return following, replace_query_param(url, self.page_query_param, number - 1)


class ReportTableView(ThrottleBeforePermissionMixin, APIView):
    """One table of the annual performance report for a period (default: the last fiscal year),
    a page of its rows at a time (`page`, `page_size`: 50 by default, at most 500)."""

    pagination = ReportTablePagination()

    @extend_schema(
        parameters=[
            OpenApiParameter("table", str, OpenApiParameter.PATH, enum=list(TABLES)),
            OpenApiParameter(
                "fy",
                {"type": "integer", "minimum": 2000, "maximum": 2100},
                description="Federal fiscal year (October to September).",
            ),
            OpenApiParameter("date_from", OpenApiTypes.DATE),
            OpenApiParameter("date_to", OpenApiTypes.DATE),
            OpenApiParameter(
                "page",
                {"type": "integer", "minimum": 1, "maximum": ReportTablePagination.max_page},
                description="Page of the rows (default 1).",
            ),
            OpenApiParameter(
                "page_size",
                {"type": "integer", "minimum": 1, "maximum": ReportTablePagination.max_page_size},
                description="Rows per page (default 50, at most 500).",
            ),
        ],
        responses={200: ReportTableSerializer, 400: OpenApiTypes.OBJECT, 404: OpenApiTypes.OBJECT},
    )
    def get(self, request, table: str):
        if table not in TABLES:
            raise NotFound("No such table.")
        form = ReportPeriodForm(request.query_params)
        if not form.is_valid():
            raise serializers.ValidationError(form.errors.get_json_data())
        period = form.period()
        number, offset, limit = self.pagination.bounds(request)
        built = table_page(table, request.user, period, offset=offset, limit=limit)
        total = built.total or 0
        if number > 1 and offset >= total:
            raise NotFound("Invalid page.")
        following, previous = self.pagination.links(request, number, limit, total)
        return Response(
            {
                "count": total,
                "next": following,
                "previous": previous,
                "table": built.slug,
                "title": built.title,
                "period_start": period.start,
                "period_end": period.end,
                "columns": built.columns,
                "rows": [[_json(cell.value) for cell in row] for row in built.rows],
            }
        )


_DIMENSION = inline_serializer(
    "SurveyDimension",
    {
        "mean": serializers.FloatField(allow_null=True),
        "responses": serializers.IntegerField(),
        "rated_highly": serializers.IntegerField(),
        "share_highly": serializers.FloatField(allow_null=True),
    },
)
_RESULT_ROW = {
    "source": serializers.ChoiceField(choices=["surveys", "feedback"]),
    "key": serializers.JSONField(allow_null=True),
    "label": serializers.CharField(),
    "state": serializers.CharField(),
    "invited": serializers.IntegerField(allow_null=True),
    "responses": serializers.IntegerField(),
    "response_rate": serializers.FloatField(allow_null=True),
    "quality": _DIMENSION,
    "relevance": _DIMENSION,
    "usefulness": _DIMENSION,
}
SurveyResultsSerializer = inline_serializer(
    "SurveyResults",
    {
        "group": serializers.CharField(),
        "period_start": serializers.DateField(),
        "period_end": serializers.DateField(),
        "rows": serializers.ListField(child=inline_serializer("SurveyResultRow", _RESULT_ROW)),
        "totals": serializers.ListField(child=inline_serializer("SurveyResultTotal", _RESULT_ROW)),
    },
)


def _result_row(row) -> dict:
    return {
        "source": row.source,
        "key": row.key,
        "label": row.label,
        "state": row.state,
        "invited": row.invited,
        "responses": row.responses,
        "response_rate": _json(row.response_rate),
        **{
            figure.dimension: {
                "mean": _json(figure.mean),
                "responses": figure.responses,
                "rated_highly": figure.high,
                "share_highly": _json(figure.share_high),
            }
            for figure in row.dimensions
        },
    }


class SurveyResultsView(ThrottleBeforePermissionMixin, APIView):
    """Survey results for a period (default: the last fiscal year), grouped like the page: per
    group and source (participant surveys, advisory board feedback) the responses, the response
    rate and per dimension the mean and the share rated 4 or 5. Every row, no page limit."""

    @extend_schema(
        parameters=[
            OpenApiParameter("group", str, enum=list(GROUPS), description="Default: project."),
            OpenApiParameter(
                "fy",
                {"type": "integer", "minimum": 2000, "maximum": 2100},
                description="Federal fiscal year (October to September).",
            ),
            OpenApiParameter("date_from", OpenApiTypes.DATE),
            OpenApiParameter("date_to", OpenApiTypes.DATE),
        ],
        responses={200: SurveyResultsSerializer, 400: OpenApiTypes.OBJECT},
    )
    def get(self, request):
        form = SurveyResultsForm(request.query_params)
        if not form.is_valid():
            raise serializers.ValidationError(form.errors.get_json_data())
        data = form.cleaned_data
        period = form.period()
        results = survey_results(
            request.user, group=data.get("group") or "project", period=period, limit=None
        )
        return Response(
            {
                "group": results.group,
                "period_start": period.start,
                "period_end": period.end,
                "rows": [_result_row(row) for row in results.rows],
                "totals": [_result_row(row) for row in results.totals],
            }
        )


def _json(value):
    from decimal import Decimal

    if isinstance(value, Decimal):
        return float(value)
    return value
