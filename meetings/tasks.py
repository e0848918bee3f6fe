from celery import shared_task


@shared_task(ignore_result=True)
def action_item_reminders_send_task():
    """Beat runs this hourly; each reminder is sent once (one row per item, kind and due date)."""
    from .services.actions import action_item_reminders_send

    return action_item_reminders_send()
