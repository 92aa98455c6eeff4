"""Mail from the platform itself (BudStack to a dispensary), not on a tenant's behalf."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.mail import EmailMessage
from django.template.loader import render_to_string


def send_platform_email(template: str, to: list[str], context: dict[str, Any]) -> int:
    """Render ``billing/emails/<template>.subject.txt`` and ``.txt`` and send them now.

    Called from Celery tasks, so a failure raises and the task's transaction rolls back
    (a reminder that was not sent is not recorded as sent).
    """
    recipients = [address for address in to if address]
    if not recipients:
        return 0
    subject = " ".join(render_to_string(f"billing/emails/{template}.subject.txt", context).split())
    body = render_to_string(f"billing/emails/{template}.txt", context)
    return EmailMessage(subject, body, settings.EMAIL_FROM, recipients).send()
