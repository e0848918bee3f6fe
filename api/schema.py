"""Every operation documents the errors it can answer with, so clients and the schema check know them."""

from drf_spectacular.openapi import AutoSchema
from drf_spectacular.utils import OpenApiResponse
from rest_framework import serializers


class ErrorSerializer(serializers.Serializer):
    detail = serializers.CharField()


class ValidationErrorSerializer(serializers.Serializer):
    """Field name → messages; `non_field_errors` for messages about the whole request."""

    non_field_errors = serializers.ListField(child=serializers.CharField(), required=False)


ERRORS = {
    "401": OpenApiResponse(ErrorSerializer, description="Not signed in, or the token is invalid or expired."),
    "403": OpenApiResponse(ErrorSerializer, description="Signed in, but not allowed to do this."),
    "404": OpenApiResponse(ErrorSerializer, description="No such record among those you may see."),
    "429": OpenApiResponse(
        ErrorSerializer, description="Too many requests; retry after `Retry-After` seconds."
    ),
}
BAD_REQUEST = OpenApiResponse(
    ValidationErrorSerializer, description="Invalid input: messages per field (unknown fields are refused)."
)


class PortalAutoSchema(AutoSchema):
    def _get_response_bodies(self, direction="response"):
        responses = super()._get_response_bodies(direction)
        extra = dict(ERRORS)
        extra["400"] = BAD_REQUEST
        for code, response in extra.items():
            if code not in responses:
                responses[code] = self._get_response_for_code(response, code, direction=direction)
        return responses


def refuse_unknown_request_fields(result, generator, request, public):  # noqa: ARG001 - drf-spectacular names them
    """Request bodies allow no other keys (the serializers refuse them): say so in the schema."""
    for name, component in result.get("components", {}).get("schemas", {}).items():
        if name.endswith("Request") and component.get("type") == "object":
            component["additionalProperties"] = False
    return result
