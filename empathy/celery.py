import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "empathy.settings")

app = Celery("empathy")
# Every Celery setting lives in Django settings with the CELERY_ prefix.
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
