from celery import shared_task

from projects.services.rollups import activity_month_refresh


@shared_task(ignore_result=True)
def activity_month_refresh_task(full: bool = False):
    """Beat runs this nightly: a consistency check of the hours rollup (`full` rebuilds it)."""
    activity_month_refresh(full=full)
