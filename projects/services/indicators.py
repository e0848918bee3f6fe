"""Writes for indicators: recording a measured value."""

import datetime
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction

from projects.models import Indicator, IndicatorValue


def indicator_value_recordable_by(user) -> bool:
    """SEA staff (for their own state's indicators) and facilitators and administrators record values."""
    return bool(
        user and user.is_authenticated and user.is_active and (user.sees_whole_portfolio or user.is_sea_staff)
    )


def indicator_value_record(
    *,
    recorded_by,
    indicator: Indicator,
    measured_on: datetime.date,
    value: Decimal,
    note: str = "",
) -> IndicatorValue:
    """Record the value an indicator had on a date.

    Raises ValidationError with field keys for bad input (a future date, a date that already has
    a value) and PermissionDenied when `recorded_by` may not record values for this indicator; an
    indicator of another state counts as one that does not exist.
    """
    if not indicator_value_recordable_by(recorded_by):
        raise PermissionDenied("Only SEA staff and facilitators record indicator values.")
    if not Indicator.objects.visible_to(recorded_by).filter(pk=indicator.pk).exists():
        raise ValidationError({"indicator": "Choose an indicator of a project you work on."})
    if measured_on and IndicatorValue.objects.filter(indicator=indicator, measured_on=measured_on).exists():
        raise ValidationError(
            {
                "measured_on": f"A value is already recorded for {measured_on:%B} {measured_on.day}, {measured_on.year}; choose another date."
            }
        )
    record = IndicatorValue(
        indicator=indicator,
        measured_on=measured_on,
        value=value,
        note=note.strip(),
        recorded_by=recorded_by,
    )
    record.full_clean(validate_constraints=False)
    try:
        with transaction.atomic():
            record.save()
    except IntegrityError as error:  # someone recorded the same date a moment ago
        raise ValidationError({"measured_on": "A value was just recorded for this date."}) from error
    return record
