import datetime

from celery import shared_task
from django.utils import timezone

from .rollup import service_month_refresh
from .services.attestations import attestation_reminders_send
from .services.statements import statements_prepare_month
from .services.surveys import survey_invite_activity, surveys_for_delivered_products


@shared_task
def attestation_reminders_send_task() -> int:
    return attestation_reminders_send()


@shared_task
def statements_prepare_task() -> int:
    """The statements of the month just ended (the beat runs it daily; one per project and month)."""
    last_month = timezone.localdate().replace(day=1) - datetime.timedelta(days=1)
    return statements_prepare_month(month=last_month)


@shared_task
def surveys_for_delivered_products_task() -> int:
    return surveys_for_delivered_products()


@shared_task
def service_month_refresh_task() -> int:
    return service_month_refresh()


@shared_task
def survey_invite_activity_task(activity_id: int) -> int:
    from projects.models import Activity

    activity = Activity.objects.select_related("project", "author").filter(pk=activity_id).first()
    return survey_invite_activity(activity=activity) if activity else 0
