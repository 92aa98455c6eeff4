"""Celery application; configuration comes from Django settings (CELERY_*)."""

import os

from celery import Celery
from celery.signals import setup_logging

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "budstack.settings.dev")

app = Celery("budstack")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@setup_logging.connect
def use_django_logging(**kwargs) -> None:
    """Workers and beat log like the web processes (JSON with task id and tenant in production)
    instead of Celery replacing the root logger's configuration with its own."""
    from logging.config import dictConfig

    from django.conf import settings

    dictConfig(settings.LOGGING)
