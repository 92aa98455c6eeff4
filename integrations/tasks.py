"""Background work of the integrations app."""

from __future__ import annotations

import logging
import random
import smtplib
from typing import Any

from django.conf import settings

from celery import shared_task

logger = logging.getLogger("budstack.email")

# Connection refused/reset, timeouts and DNS failures are OSErrors; the SMTP server
# saying "try later" (4xx) or dropping the line is an SMTPException.
TRANSIENT_ERRORS = (smtplib.SMTPException, OSError)


def retry_delay(attempt: int) -> float:
    """Seconds before retry number ``attempt + 1``: exponential, capped, with jitter."""
    base = settings.EMAIL_RETRY_BASE_DELAY * (2**attempt)
    capped = min(base, settings.EMAIL_RETRY_MAX_DELAY)
    jittered = capped * random.uniform(0.8, 1.2)  # noqa: S311 - jitter, not a secret
    # A countdown past the broker's visibility timeout would have Redis hand the retry
    # to a second worker while the first still holds it: the email would go out twice.
    return min(jittered, settings.CELERY_VISIBILITY_TIMEOUT * 0.9)


@shared_task(bind=True, name="integrations.deliver_email", acks_late=True, max_retries=None)
def deliver_email(self, tenant_id: int | None, template: str, payload: dict[str, Any]) -> int:
    """Hand a rendered message (``integrations.email.message_payload``) to the mail server.

    The message was rendered when it was sent, so this task touches no tenant data; the
    tenant id and template name are here for the logs. Returns the number of messages
    the server accepted.
    """
    from integrations.email import message_from_payload

    message = message_from_payload(payload)
    try:
        sent = message.send(fail_silently=False)
    except TRANSIENT_ERRORS as exc:
        attempt = self.request.retries
        # Inline (no broker, development) a retry would run at once, without the wait,
        # and hold the request that sent the mail: report the failure instead.
        if attempt >= settings.EMAIL_MAX_RETRIES or self.request.is_eager:
            logger.error(
                "email %s of tenant %s to %d recipient(s) given up after %d attempts: %s",
                template, tenant_id, len(message.recipients()), attempt + 1, exc,
            )  # fmt: skip
            raise
        delay = retry_delay(attempt)
        logger.warning(
            "email %s of tenant %s failed (%s); retry %d in %.0fs",
            template, tenant_id, exc, attempt + 1, delay,
        )  # fmt: skip
        raise self.retry(exc=exc, countdown=delay, max_retries=settings.EMAIL_MAX_RETRIES) from exc
    logger.info("email %s of tenant %s delivered", template, tenant_id)
    return sent
