from django.core.management import call_command

from celery import shared_task


@shared_task(name="pages.publish_scheduled", ignore_result=True)
def publish_scheduled() -> None:
    """Beat runs this every minute: pages go live and expire on time."""
    call_command("publish_scheduled")
