"""The v1 API of running the work: requests, goals, objectives, product moves and adoptions.

Same rules as the rest of the API: querysets from `visible_to(user)`, writes through the
services the pages use, a service's ValidationError is a 400 with field messages.
"""

from django.http import Http404
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, status
from rest_framework.decorators import action
from rest_framework.response import Response

from intake.models import TARequest
from intake.services import request_move, request_submit
from meetings.models import Meeting
from projects.models import Goal, Objective, Product, ProductAdoption, Topic
from projects.services.products import product_adoption_record
from projects.services.projects import project_editable_by
from projects.services.workflow import status_move
from stakeholders.models import SEA, District, Office, PartnerCenter

from . import filters as api_filters
from . import serializers as api_serializers
from .serializers import ScopedRelatedFieldsMixin, StrictFieldsMixin
from .views import ScopedReadOnlyViewSet

# Serializers ----------------------------------------------------------------------------------


class TARequestSerializer(serializers.ModelSerializer):
    class Meta:
        model = TARequest
        fields = [
            "id",
            "sea",
            "title",
            "problem",
            "desired_outcome",
            "urgency",
            "offices",
            "districts",
            "topics",
            "contact_name",
            "contact_email",
            "contact_phone",
            "meeting",
            "submitted_by",
            "submitted_at",
            "status",
            "referred_to",
            "decision_reason",
            "project",
        ]
        read_only_fields = fields


class TARequestSubmitSerializer(StrictFieldsMixin, ScopedRelatedFieldsMixin, serializers.Serializer):
    scoped_fields = {"sea": SEA, "offices": Office, "districts": District, "meeting": Meeting}

    sea = serializers.PrimaryKeyRelatedField(queryset=SEA.objects.none())
    title = serializers.CharField(max_length=200)
    problem = serializers.CharField(max_length=5000)
    desired_outcome = serializers.CharField(max_length=3000)
    urgency = serializers.ChoiceField(choices=TARequest.Urgency.choices, default=TARequest.Urgency.NORMAL)
    topics = serializers.PrimaryKeyRelatedField(queryset=Topic.objects.filter(is_active=True), many=True)
    offices = serializers.PrimaryKeyRelatedField(queryset=Office.objects.none(), many=True, required=False)
    districts = serializers.PrimaryKeyRelatedField(
        queryset=District.objects.none(), many=True, required=False
    )
    contact_name = serializers.CharField(max_length=200)
    contact_email = serializers.EmailField()
    contact_phone = serializers.CharField(max_length=40, required=False, allow_blank=True, default="")
    meeting = serializers.PrimaryKeyRelatedField(
        queryset=Meeting.objects.none(), required=False, allow_null=True
    )


class MoveSerializer(StrictFieldsMixin, serializers.Serializer):
    transition = serializers.CharField(max_length=40)
    expected_status = serializers.CharField(max_length=20, required=False)
    note = serializers.CharField(max_length=2000, required=False, allow_blank=True, default="")


class RequestMoveSerializer(MoveSerializer):
    referred_to = serializers.PrimaryKeyRelatedField(
        queryset=PartnerCenter.objects.all(), required=False, allow_null=True
    )


class ProductMoveSerializer(MoveSerializer):
    delivered_on = serializers.DateField(required=False)


class GoalDetailSerializer(serializers.ModelSerializer):
    class Meta:
        model = Goal
        fields = [
            "id",
            "project",
            "number",
            "statement",
            "status",
            "target_date",
            "indicators",
            "products",
            "activities",
        ]
        read_only_fields = fields


class ObjectiveDetailSerializer(serializers.ModelSerializer):
    class Meta:
        model = Objective
        fields = ["id", "goal", "number", "statement", "status", "target_date"]
        read_only_fields = fields


class ProductAdoptionSerializer(StrictFieldsMixin, ScopedRelatedFieldsMixin, serializers.ModelSerializer):
    scoped_fields = {"product": Product, "district": District}

    class Meta:
        model = ProductAdoption
        fields = ["id", "product", "district", "adopted_on", "note", "recorded_by", "created_at"]
        read_only_fields = ["recorded_by", "created_at"]
        validators = []  # once per district: the service updates the existing adoption


# Views ------------------------------------------------------------------------------------------


def _staff_only(request) -> None:
    if not project_editable_by(request.user):
        raise Http404


def _move(request, obj, serializer_class, output_class, **extra):
    serializer = serializer_class(data=request.data)
    serializer.is_valid(raise_exception=True)
    data = serializer.validated_data
    moved = status_move(
        obj=obj,
        transition=data["transition"],
        by=request.user,
        note=data.get("note", ""),
        expected_status=data.get("expected_status"),
        **extra,
    )
    return Response(output_class(moved, context={"request": request}).data)


class TARequestViewSet(mixins.CreateModelMixin, ScopedReadOnlyViewSet):
    model = TARequest
    serializer_class = TARequestSerializer
    prefetch_related = ("offices", "districts", "topics")
    filterset_fields = ["status", "sea", "urgency"]
    ordering_fields = ["submitted_at", "title", "status"]

    def get_serializer_class(self):
        if self.action == "create":
            return TARequestSubmitSerializer
        if self.action == "move":
            return RequestMoveSerializer
        return TARequestSerializer

    @extend_schema(request=TARequestSubmitSerializer, responses={201: TARequestSerializer})
    def create(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        ta_request = request_submit(by=request.user, **serializer.validated_data)
        return Response(TARequestSerializer(ta_request).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=RequestMoveSerializer, responses={200: TARequestSerializer})
    @action(detail=True, methods=["post"])
    def move(self, request, pk=None):  # noqa: ARG002 - DRF passes the key; get_object() reads it
        """Triage a request: start_conversation, accept, decline or refer (with referred_to)."""
        ta_request = self.get_object()
        _staff_only(request)
        serializer = RequestMoveSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        moved = request_move(
            request=ta_request,
            transition=data["transition"],
            by=request.user,
            note=data.get("note", ""),
            expected_status=data.get("expected_status"),
            referred_to=data.get("referred_to"),
        )
        return Response(TARequestSerializer(moved).data)


class GoalViewSet(ScopedReadOnlyViewSet):
    model = Goal
    serializer_class = GoalDetailSerializer
    prefetch_related = ("indicators", "products", "activities")
    filterset_fields = ["project", "status"]
    ordering_fields = ["number", "target_date"]

    def get_serializer_class(self):
        return MoveSerializer if self.action == "move" else GoalDetailSerializer

    @extend_schema(request=MoveSerializer, responses={200: GoalDetailSerializer})
    @action(detail=True, methods=["post"])
    def move(self, request, pk=None):  # noqa: ARG002 - DRF passes the key; get_object() reads it
        """Move a goal: start, meet, revise, drop or reopen."""
        goal = self.get_object()
        _staff_only(request)
        return _move(request, goal, MoveSerializer, GoalDetailSerializer)


class ObjectiveViewSet(ScopedReadOnlyViewSet):
    model = Objective
    serializer_class = ObjectiveDetailSerializer
    filterset_fields = ["goal", "status"]
    ordering_fields = ["number", "target_date"]

    def get_serializer_class(self):
        return MoveSerializer if self.action == "move" else ObjectiveDetailSerializer

    @extend_schema(request=MoveSerializer, responses={200: ObjectiveDetailSerializer})
    @action(detail=True, methods=["post"])
    def move(self, request, pk=None):  # noqa: ARG002 - DRF passes the key; get_object() reads it
        """Move an objective: start, meet, revise, drop or reopen."""
        objective = self.get_object()
        _staff_only(request)
        return _move(request, objective, MoveSerializer, ObjectiveDetailSerializer)


class ProductAdoptionViewSet(mixins.CreateModelMixin, ScopedReadOnlyViewSet):
    model = ProductAdoption
    serializer_class = ProductAdoptionSerializer
    select_related = ("product", "district")
    filterset_fields = ["product", "district"]
    ordering_fields = ["adopted_on"]

    def create(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        adoption = product_adoption_record(
            by=request.user,
            product=data["product"],
            district=data["district"],
            adopted_on=data["adopted_on"],
            note=data.get("note", ""),
        )
        return Response(self.get_serializer(adoption).data, status=status.HTTP_201_CREATED)


def product_move(viewset, request, pk=None):  # noqa: ARG001 - DRF passes the key; get_object() reads it
    product = viewset.get_object()
    _staff_only(request)
    serializer = ProductMoveSerializer(data=request.data)
    serializer.is_valid(raise_exception=True)
    delivered_on = serializer.validated_data.get("delivered_on")

    def dated(locked):
        if delivered_on:
            locked.delivered_on = delivered_on

    from .serializers import ProductSerializer

    return _move(request, product, ProductMoveSerializer, ProductSerializer, before_save=dated)


class ProductViewSet(ScopedReadOnlyViewSet):
    model = Product
    serializer_class = api_serializers.ProductSerializer
    filterset_class = api_filters.ProductFilter
    ordering_fields = ["due_date", "title", "status", "delivered_on"]

    def get_serializer_class(self):
        if self.action == "move":
            return ProductMoveSerializer
        return api_serializers.ProductSerializer

    @extend_schema(
        request={"application/json": {"type": "object"}}, responses={200: api_serializers.ProductSerializer}
    )
    @action(detail=True, methods=["post"])
    def move(self, request, pk=None):
        """Move a product: start_development, submit_for_review, return_to_development, deliver
        (with delivered_on), retire or cancel."""
        return product_move(self, request, pk)
