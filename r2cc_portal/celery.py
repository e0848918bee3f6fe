import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "r2cc_portal.settings.development")

app = Celery("r2cc_portal")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
