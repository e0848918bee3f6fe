from celery import shared_task

from projects.services.rollups import activity_month_refresh


@shared_task(ignore_result=True)
def activity_month_refresh_task(full: bool = False):
    """Beat runs this every few minutes so the dashboards' hours chart follows the activity log."""
    activity_month_refresh(full=full)
