"""The monthly service statement: a project's month of services, attested as a whole."""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Count, Sum
from django.utils import timezone

from core.history import history_by
from projects.models import Activity, Product, ProjectMember

from ..counterparts import counterparts, is_counterpart
from ..models import Decision, ServiceStatement
from . import notices
from .attestations import AlreadyAnswered


def month_bounds(month: datetime.date) -> tuple[datetime.date, datetime.date]:
    first = month.replace(day=1)
    following = (first + datetime.timedelta(days=32)).replace(day=1)
    return first, following - datetime.timedelta(days=1)


def statement_figures(*, project, month: datetime.date) -> dict:
    first, last = month_bounds(month)
    totals = Activity.objects.filter(project=project, date__range=(first, last)).aggregate(
        activities=Count("pk"), hours=Sum("hours")
    )
    products = Product.objects.filter(
        project=project, status=Product.Status.DELIVERED, delivered_on__range=(first, last)
    ).count()
    return {
        "activities": totals["activities"],
        "hours": totals["hours"] or Decimal("0"),
        "products": products,
    }


@transaction.atomic
def statement_prepare(*, project, month: datetime.date, notify: bool = True) -> ServiceStatement:
    """Make (or bring up to date, while still pending) the statement of `project` for `month`
    and ask its SEA contacts to attest it. Safe to call twice: one statement per month."""
    first, _ = month_bounds(month)
    if first > timezone.localdate():
        raise ValidationError({"month": "A statement covers a month that has begun."})
    figures = statement_figures(project=project, month=first)
    statement, created = ServiceStatement.objects.select_for_update().get_or_create(
        project=project, month=first, defaults={**figures, "prepared_at": timezone.now()}
    )
    if not created and statement.status == Decision.PENDING:
        for name, value in figures.items():
            setattr(statement, name, value)
        statement.full_clean()
        statement.save(update_fields=[*figures])
    if created and notify:
        transaction.on_commit(lambda: statement_notify(statement_id=statement.pk))
    return statement


def statement_notify(*, statement_id: int) -> int:
    statement = ServiceStatement.objects.select_related("project").get(pk=statement_id)
    if statement.status != Decision.PENDING:
        return 0
    subject = notices.STATEMENT_SUBJECT.format(
        month=f"{statement.month:%B %Y}", project=statement.project.title
    )
    sent = 0
    for user in counterparts(project_id=statement.project_id, role=ProjectMember.Role.SEA_CONTACT):
        sent += notices.notice_to_user(
            user=user,
            subject=subject[:200],
            body=notices.STATEMENT_BODY,
            provider=notices.STATEMENT_PROVIDER,
            object_id=statement.pk,
            project=statement.project,
        )
    return sent


def statements_prepare_month(*, month: datetime.date) -> int:
    """Statements of `month` for every project with activities in it (the beat runs this for the
    month just ended; safe to run twice)."""
    first, last = month_bounds(month)
    project_ids = (
        Activity.objects.filter(date__range=(first, last)).values_list("project_id", flat=True).distinct()
    )
    from projects.models import Project

    count = 0
    for project in Project.objects.filter(pk__in=list(project_ids)):
        statement_prepare(project=project, month=first)
        count += 1
    return count


def statement_decide(
    *, statement: ServiceStatement, by, decision: str, comment: str = ""
) -> ServiceStatement:
    """An SEA contact confirms or disputes (with a reason) a statement; the first answer wins."""
    comment = (comment or "").strip()
    if decision not in (Decision.CONFIRMED, Decision.DISPUTED):
        raise ValidationError({"decision": ["Choose confirm or dispute."]})
    if decision == Decision.DISPUTED and not comment:
        raise ValidationError({"comment": ["Say why you dispute this statement."]})
    with transaction.atomic():
        locked = (
            ServiceStatement.objects.select_for_update(of=("self",))
            .select_related("decided_by")
            .get(pk=statement.pk)
        )
        if not is_counterpart(by, project_id=locked.project_id, role=ProjectMember.Role.SEA_CONTACT):
            raise PermissionDenied("Only the project's SEA contacts attest its statements.")
        if locked.status != Decision.PENDING:
            raise AlreadyAnswered(
                f"Already answered: {locked.decided_by or 'someone'} marked it "
                f"{locked.get_status_display().lower()}. Nothing was changed."
            )
        locked.status, locked.comment = decision, comment
        locked.decided_by, locked.decided_at = by, timezone.now()
        locked.full_clean()
        history_by(locked, by)
        locked.save(update_fields=["status", "comment", "decided_by", "decided_at"])
    return locked
