"""The one Celery application; every app's tasks and the beat schedule hang off it."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "gwangmyeong_portal.settings.dev")

app = Celery("gwangmyeong_portal")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
