"""The v1 API: every queryset comes from `visible_to(user)`, every write goes through a service."""

from django.core.exceptions import PermissionDenied
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, status, viewsets
from rest_framework.response import Response

from communications.models import Communication, Delivery
from meetings.models import ActionItem, Meeting
from meetings.services.actions import action_item_update
from projects.models import (
    Activity,
    Condition,
    ConditionAssessment,
    Indicator,
    IndicatorValue,
    Project,
)
from projects.services.activities import activity_delete, activity_log, activity_update
from projects.services.assessments import assessment_record
from projects.services.indicators import indicator_value_record
from stakeholders.models import (
    SEA,
    AdvisoryBody,
    District,
    Membership,
    Office,
    Organization,
    PartnerCenter,
    Stakeholder,
)

from . import filters, serializers
from .pagination import ActivityCursorPagination, PortalCursorPagination


class ThrottleBeforePermissionMixin:
    """Counts a request against the throttles before refusing it, so that anonymous requests,
    which every endpoint refuses with 401, are limited per address as well."""

    def initial(self, request, *args, **kwargs):
        self.format_kwarg = self.get_format_suffix(**kwargs)
        request.accepted_renderer, request.accepted_media_type = self.perform_content_negotiation(request)
        request.version, request.versioning_scheme = self.determine_version(request, *args, **kwargs)
        self.perform_authentication(request)
        self.check_throttles(request)
        self.check_permissions(request)


class ScopedReadOnlyViewSet(ThrottleBeforePermissionMixin, viewsets.ReadOnlyModelViewSet):
    """List and retrieve what the user may see; anything else is a 404."""

    model = None
    select_related: tuple[str, ...] = ()
    prefetch_related: tuple[str, ...] = ()

    def get_queryset(self):
        queryset = self.model.objects.visible_to(self.request.user)
        if self.select_related:
            queryset = queryset.select_related(*self.select_related)
        if self.prefetch_related:
            queryset = queryset.prefetch_related(*self.prefetch_related)
        return queryset


class SEAViewSet(ScopedReadOnlyViewSet):
    """State education agencies (SEA staff see their own)."""

    model = SEA
    serializer_class = serializers.SEASerializer
    filterset_fields = ["state_code"]
    ordering_fields = ["state_code", "name", "short_name"]


class OfficeViewSet(ScopedReadOnlyViewSet):
    model = Office
    serializer_class = serializers.OfficeSerializer
    filterset_fields = ["sea"]
    ordering_fields = ["name", "sea"]


class DistrictViewSet(ScopedReadOnlyViewSet):
    model = District
    serializer_class = serializers.DistrictSerializer
    filterset_class = filters.DistrictFilter
    ordering_fields = ["name", "nces_id", "sea"]


class PartnerCenterViewSet(ScopedReadOnlyViewSet):
    """Partner centers: shared reference data every signed-in user reads."""

    model = PartnerCenter
    serializer_class = serializers.PartnerCenterSerializer
    filterset_fields = ["kind"]
    ordering_fields = ["name", "short_name"]


class OrganizationViewSet(ScopedReadOnlyViewSet):
    model = Organization
    serializer_class = serializers.OrganizationSerializer
    filterset_fields = ["kind"]
    ordering_fields = ["name"]


class StakeholderViewSet(ScopedReadOnlyViewSet):
    model = Stakeholder
    serializer_class = serializers.StakeholderSerializer
    filterset_class = filters.StakeholderFilter
    ordering_fields = ["last_name", "first_name", "email", "updated_at"]


class AdvisoryBodyViewSet(ScopedReadOnlyViewSet):
    model = AdvisoryBody
    serializer_class = serializers.AdvisoryBodySerializer
    prefetch_related = ("purposes",)
    filterset_fields = ["kind"]
    ordering_fields = ["name"]

    def get_queryset(self):
        # The bodies the portal's meeting pages show this user (those that concern their state).
        return AdvisoryBody.objects.visible_to(self.request.user).prefetch_related("purposes")


class MembershipViewSet(ScopedReadOnlyViewSet):
    """Seats on the advisory bodies, limited to the members the user may see."""

    model = Membership
    serializer_class = serializers.MembershipSerializer
    filterset_class = filters.MembershipFilter
    ordering_fields = ["term_start", "term_end", "role"]

    def get_queryset(self):
        visible_people = Stakeholder.objects.visible_to(self.request.user)
        return Membership.objects.filter(stakeholder__in=visible_people.values("pk"))


class ProjectViewSet(ScopedReadOnlyViewSet):
    """Projects with their goals, objectives and scope changes."""

    model = Project
    serializer_class = serializers.ProjectSerializer
    prefetch_related = (
        "offices",
        "districts",
        "partner_centers",
        "stakeholders",
        "goals__objectives",
        "scope_changes",
    )
    filterset_class = filters.ProjectFilter
    ordering_fields = ["title", "start_date", "status", "updated_at"]


class ConditionViewSet(ThrottleBeforePermissionMixin, viewsets.ReadOnlyModelViewSet):
    """The five conditions of collective impact (reference data)."""

    queryset = Condition.objects.all()
    serializer_class = serializers.ConditionSerializer
    pagination_class = None
    filter_backends = []


@extend_schema_view(
    create=extend_schema(
        request=serializers.AssessmentRecordSerializer,
        responses={201: serializers.ConditionAssessmentSerializer(many=True)},
        description="Record a dated assessment of one or more conditions of a project (SEA staff of "
        "the project's state, facilitators and administrators). Earlier assessments are kept.",
    )
)
class ConditionAssessmentViewSet(mixins.CreateModelMixin, ScopedReadOnlyViewSet):
    model = ConditionAssessment
    serializer_class = serializers.ConditionAssessmentSerializer
    select_related = ("condition",)
    filterset_class = filters.ConditionAssessmentFilter
    ordering_fields = ["assessed_on", "created_at", "stage"]

    def get_serializer_class(self):
        if self.action == "create":
            return serializers.AssessmentRecordSerializer
        return serializers.ConditionAssessmentSerializer

    def create(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        assessments = assessment_record(
            assessor=request.user,
            project=data["project"],
            assessed_on=data["assessed_on"],
            ratings={r["condition"]: (r["stage"], r["evidence"]) for r in data["ratings"]},
        )
        output = serializers.ConditionAssessmentSerializer(
            assessments, many=True, context={"request": request}
        )
        return Response(output.data, status=status.HTTP_201_CREATED)


class ActivityViewSet(ThrottleBeforePermissionMixin, viewsets.ModelViewSet):
    """Project activities. SEA staff change the ones they logged; facilitators and administrators all."""

    serializer_class = serializers.ActivitySerializer
    filterset_class = filters.ActivityFilter
    ordering_fields = ["date", "hours", "created_at", "updated_at"]
    pagination_class = ActivityCursorPagination

    def get_queryset(self):
        return Activity.objects.visible_to(self.request.user).prefetch_related(
            "participants", "districts", "partner_centers", "conditions"
        )

    def perform_create(self, serializer):
        serializer.instance = activity_log(author=self.request.user, **serializer.validated_data)

    def perform_update(self, serializer):
        serializer.instance = activity_update(
            activity=serializer.instance, editor=self.request.user, **serializer.validated_data
        )

    def perform_destroy(self, instance):
        activity_delete(activity=instance, editor=self.request.user)


class IndicatorViewSet(ScopedReadOnlyViewSet):
    model = Indicator
    serializer_class = serializers.IndicatorSerializer
    filterset_fields = ["project", "direction"]
    ordering_fields = ["name", "project"]


@extend_schema_view(
    create=extend_schema(
        request=serializers.IndicatorValueRecordSerializer,
        responses={201: serializers.IndicatorValueSerializer},
        description="Record the value an indicator had on a date (SEA staff of the project's state, "
        "facilitators and administrators); one value per indicator and date.",
    )
)
class IndicatorValueViewSet(mixins.CreateModelMixin, ScopedReadOnlyViewSet):
    model = IndicatorValue
    serializer_class = serializers.IndicatorValueSerializer
    filterset_class = filters.IndicatorValueFilter
    ordering_fields = ["measured_on", "value"]

    def get_serializer_class(self):
        if self.action == "create":
            return serializers.IndicatorValueRecordSerializer
        return serializers.IndicatorValueSerializer

    def create(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        value = indicator_value_record(recorded_by=request.user, **serializer.validated_data)
        output = serializers.IndicatorValueSerializer(value, context={"request": request})
        return Response(output.data, status=status.HTTP_201_CREATED)


class MeetingViewSet(ScopedReadOnlyViewSet):
    """Meetings of the advisory bodies the user may see, with their agendas."""

    model = Meeting
    serializer_class = serializers.MeetingSerializer
    prefetch_related = ("agenda_items",)
    filterset_class = filters.MeetingFilter
    ordering_fields = ["starts_at", "title"]


@extend_schema_view(
    partial_update=extend_schema(
        request=serializers.ActionItemStatusSerializer,
        responses={200: serializers.ActionItemSerializer},
        description="Change the status (and note) of an action item you own; facilitators and "
        "administrators change any.",
    )
)
class ActionItemViewSet(mixins.UpdateModelMixin, ScopedReadOnlyViewSet):
    model = ActionItem
    serializer_class = serializers.ActionItemSerializer
    select_related = ("meeting",)
    filterset_class = filters.ActionItemFilter
    ordering_fields = ["due_date", "status", "updated_at"]
    http_method_names = ["get", "patch", "head", "options"]

    def partial_update(self, request, *args, **kwargs):
        item = self.get_object()
        if not ActionItem.objects.editable_by(request.user).filter(pk=item.pk).exists():
            raise PermissionDenied("You can change only the action items you own.")
        serializer = serializers.ActionItemStatusSerializer(data=request.data, context={"request": request})
        serializer.is_valid(raise_exception=True)
        item = action_item_update(item=item, editor=request.user, **serializer.validated_data)
        return Response(serializers.ActionItemSerializer(item, context={"request": request}).data)


class CommunicationViewSet(ScopedReadOnlyViewSet):
    """Messages to stakeholders (read only: compose and schedule them in the portal)."""

    model = Communication
    serializer_class = serializers.CommunicationSerializer
    filterset_class = filters.CommunicationFilter
    ordering_fields = ["created_at", "subject", "status"]

    def get_queryset(self):
        return super().get_queryset().campaigns()


class DeliveryViewSet(ScopedReadOnlyViewSet):
    """One row per recipient of each sending of a message (read only)."""

    model = Delivery
    serializer_class = serializers.DeliverySerializer
    filterset_class = filters.DeliveryFilter
    ordering_fields = ["sent_at", "status", "created_at"]
    pagination_class = PortalCursorPagination  # newest first

    def get_queryset(self):
        # Test sends and password resets are not part of any communication's deliveries.
        return super().get_queryset().reported()
