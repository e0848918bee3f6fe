"""Serializers of the v1 API. Input is validated here and written by the portal's services."""

from rest_framework import serializers

from communications.models import Communication, Delivery
from meetings.models import ActionItem, AgendaItem, Meeting
from projects.models import (
    Activity,
    Condition,
    ConditionAssessment,
    Goal,
    Indicator,
    IndicatorValue,
    Objective,
    Product,
    Project,
    ScopeChange,
    Stage,
)
from stakeholders.models import (
    SEA,
    AdvisoryBody,
    BodyPurpose,
    District,
    Membership,
    Office,
    Organization,
    PartnerCenter,
    Stakeholder,
)


class StrictFieldsMixin:
    """Refuses input keys the serializer does not accept, instead of silently dropping them."""

    def to_internal_value(self, data):
        if isinstance(data, dict):
            errors = {}
            for key in data:
                field = self.fields.get(key)
                if field is None:
                    errors[key] = ["This field is not known."]
                elif field.read_only:
                    errors[key] = ["This field is read-only."]
            if errors:
                raise serializers.ValidationError(errors)
        return super().to_internal_value(data)


class ScopedRelatedFieldsMixin:
    """Limits the choices of writable related fields to what the requesting user may see."""

    scoped_fields: dict[str, object] = {}

    def get_fields(self):
        fields = super().get_fields()
        request = self.context.get("request")
        user = getattr(request, "user", None)
        for name, model in self.scoped_fields.items():
            field = fields[name]
            target = field.child_relation if isinstance(field, serializers.ManyRelatedField) else field
            target.queryset = model.objects.visible_to(user)
        return fields


class SEASerializer(serializers.ModelSerializer):
    class Meta:
        model = SEA
        fields = ["id", "name", "short_name", "state_code", "website"]


class OfficeSerializer(serializers.ModelSerializer):
    class Meta:
        model = Office
        fields = ["id", "sea", "name"]


class DistrictSerializer(serializers.ModelSerializer):
    class Meta:
        model = District
        fields = ["id", "sea", "name", "nces_id", "is_demo"]


class PartnerCenterSerializer(serializers.ModelSerializer):
    class Meta:
        model = PartnerCenter
        fields = ["id", "name", "short_name", "kind", "funder", "contract", "operators", "website"]


class OrganizationSerializer(serializers.ModelSerializer):
    class Meta:
        model = Organization
        fields = ["id", "name", "kind", "sea", "website"]


class StakeholderSerializer(serializers.ModelSerializer):
    class Meta:
        model = Stakeholder
        fields = [
            "id",
            "first_name",
            "last_name",
            "email",
            "title",
            "sea",
            "office",
            "district",
            "partner_center",
            "organization",
            "is_active",
            "created_at",
            "updated_at",
        ]


class BodyPurposeSerializer(serializers.ModelSerializer):
    class Meta:
        model = BodyPurpose
        fields = ["number", "text"]


class AdvisoryBodySerializer(serializers.ModelSerializer):
    purposes = BodyPurposeSerializer(many=True, read_only=True)

    class Meta:
        model = AdvisoryBody
        fields = [
            "id",
            "name",
            "short_name",
            "kind",
            "description",
            "convened_by",
            "meetings_per_year",
            "purposes",
        ]


class MembershipSerializer(serializers.ModelSerializer):
    class Meta:
        model = Membership
        fields = [
            "id",
            "body",
            "stakeholder",
            "role",
            "is_voting",
            "represents_sea",
            "represents_district",
            "represents_center",
            "represents_organization",
            "term_start",
            "term_end",
        ]


class ObjectiveSerializer(serializers.ModelSerializer):
    class Meta:
        model = Objective
        fields = ["id", "number", "statement", "target_date"]


class GoalSerializer(serializers.ModelSerializer):
    objectives = ObjectiveSerializer(many=True, read_only=True)

    class Meta:
        model = Goal
        fields = ["id", "number", "statement", "objectives"]


class ScopeChangeSerializer(serializers.ModelSerializer):
    class Meta:
        model = ScopeChange
        fields = ["id", "changed_on", "summary", "reason", "details"]


class ProjectSerializer(serializers.ModelSerializer):
    goals = GoalSerializer(many=True, read_only=True)
    scope_changes = ScopeChangeSerializer(many=True, read_only=True)

    class Meta:
        model = Project
        fields = [
            "id",
            "title",
            "problem_statement",
            "sea",
            "offices",
            "districts",
            "lead_center",
            "partner_centers",
            "stakeholders",
            "status",
            "start_date",
            "end_date",
            "goals",
            "scope_changes",
            "created_at",
            "updated_at",
        ]


class ConditionSerializer(serializers.ModelSerializer):
    class Meta:
        model = Condition
        fields = ["id", "number", "slug", "name", "description"]


class ConditionAssessmentSerializer(serializers.ModelSerializer):
    condition = serializers.SlugRelatedField(slug_field="number", read_only=True)
    stage_label = serializers.CharField(source="get_stage_display", read_only=True)

    class Meta:
        model = ConditionAssessment
        fields = [
            "id",
            "project",
            "condition",
            "stage",
            "stage_label",
            "assessed_on",
            "evidence",
            "assessor",
            "created_at",
        ]


class RatingSerializer(StrictFieldsMixin, serializers.Serializer):
    condition = serializers.IntegerField(min_value=1, max_value=5, help_text="Condition number, 1–5.")
    stage = serializers.ChoiceField(choices=Stage.choices)
    evidence = serializers.CharField(max_length=10000)


class AssessmentRecordSerializer(StrictFieldsMixin, ScopedRelatedFieldsMixin, serializers.Serializer):
    """One dated assessment of one or more conditions of a project."""

    scoped_fields = {"project": Project}

    project = serializers.PrimaryKeyRelatedField(queryset=Project.objects.none())
    assessed_on = serializers.DateField()
    ratings = RatingSerializer(many=True, allow_empty=False)

    def validate_ratings(self, ratings):
        numbers = [rating["condition"] for rating in ratings]
        if len(numbers) != len(set(numbers)):
            raise serializers.ValidationError("Rate each condition at most once.")
        return ratings


class ActivitySerializer(StrictFieldsMixin, ScopedRelatedFieldsMixin, serializers.ModelSerializer):
    scoped_fields = {"project": Project, "participants": Stakeholder, "districts": District}

    conditions = serializers.SlugRelatedField(
        slug_field="number",
        many=True,
        required=False,
        queryset=Condition.objects.all(),
        help_text="Numbers (1–5) of the conditions the activity advanced.",
    )

    class Meta:
        model = Activity
        fields = [
            "id",
            "project",
            "date",
            "type",
            "summary",
            "hours",
            "mode",
            "next_steps",
            "participants",
            "districts",
            "partner_centers",
            "conditions",
            "author",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["author", "created_at", "updated_at"]
        extra_kwargs = {
            "participants": {"required": False},
            "districts": {"required": False},
            "partner_centers": {"required": False},
        }

    def get_fields(self):
        fields = super().get_fields()
        fields["partner_centers"].child_relation.queryset = PartnerCenter.objects.all()
        return fields


class IndicatorSerializer(serializers.ModelSerializer):
    class Meta:
        model = Indicator
        fields = [
            "id",
            "project",
            "name",
            "definition",
            "unit",
            "baseline",
            "baseline_date",
            "target",
            "target_date",
            "direction",
            "data_source",
        ]


class IndicatorValueSerializer(StrictFieldsMixin, ScopedRelatedFieldsMixin, serializers.ModelSerializer):
    scoped_fields = {"indicator": Indicator}

    class Meta:
        model = IndicatorValue
        fields = ["id", "indicator", "measured_on", "value", "note", "recorded_by"]
        read_only_fields = ["recorded_by"]
        # The one-value-per-date rule is checked by the service, with a field message.
        validators = []


class ProductSerializer(serializers.ModelSerializer):
    is_overdue = serializers.BooleanField(read_only=True)

    class Meta:
        model = Product
        fields = [
            "id",
            "project",
            "title",
            "kind",
            "status",
            "due_date",
            "delivered_on",
            "link",
            "lead_center",
            "is_overdue",
        ]


class IndicatorValueRecordSerializer(StrictFieldsMixin, ScopedRelatedFieldsMixin, serializers.Serializer):
    scoped_fields = {"indicator": Indicator}

    indicator = serializers.PrimaryKeyRelatedField(queryset=Indicator.objects.none())
    measured_on = serializers.DateField()
    value = serializers.DecimalField(max_digits=14, decimal_places=2)
    note = serializers.CharField(max_length=300, required=False, allow_blank=True, default="")


# Meetings and communications ------------------------------------------------------------------


class AgendaItemSerializer(serializers.ModelSerializer):
    class Meta:
        model = AgendaItem
        fields = [
            "id",
            "position",
            "title",
            "description",
            "presenter",
            "presenter_name",
            "minutes",
            "project",
            "product",
        ]


class MeetingSerializer(serializers.ModelSerializer):
    agenda_items = AgendaItemSerializer(many=True, read_only=True)

    class Meta:
        model = Meeting
        fields = [
            "id",
            "body",
            "title",
            "starts_at",
            "ends_at",
            "mode",
            "location",
            "link",
            "description",
            "status",
            "cancel_reason",
            "cancelled_at",
            "agenda_items",
            "created_at",
            "updated_at",
        ]


class ActionItemSerializer(serializers.ModelSerializer):
    is_overdue = serializers.BooleanField(read_only=True)

    class Meta:
        model = ActionItem
        fields = [
            "id",
            "meeting",
            "agenda_item",
            "description",
            "owner_stakeholder",
            "owner_user",
            "due_date",
            "status",
            "status_note",
            "closed_on",
            "is_overdue",
            "created_at",
            "updated_at",
        ]


class ActionItemStatusSerializer(StrictFieldsMixin, serializers.Serializer):
    """What an owner changes on an action item: its status and a note."""

    status = serializers.ChoiceField(choices=ActionItem.Status.choices, required=False)
    status_note = serializers.CharField(max_length=300, required=False, allow_blank=True)


class CommunicationSerializer(serializers.ModelSerializer):
    class Meta:
        model = Communication
        fields = [
            "id",
            "subject",
            "body",
            "category",
            "audience",
            "project",
            "advisory_body",
            "author",
            "scope_sea",
            "status",
            "cancelled_at",
            "cancel_reason",
            "created_at",
            "updated_at",
        ]


class DeliverySerializer(serializers.ModelSerializer):
    class Meta:
        model = Delivery
        fields = [
            "id",
            "communication",
            "occurrence",
            "stakeholder",
            "email",
            "status",
            "attempts",
            "last_error",
            "sent_at",
            "created_at",
        ]
