"""Transactional email sent on a tenant's behalf.

Every feature sends mail through :func:`send_tenant_email`. Templates live at
``emails/<name>.subject.txt``, ``emails/<name>.txt`` and optionally ``emails/<name>.html``
so that a theme can override any of them; the context always carries ``tenant``.
"""

from __future__ import annotations

import contextlib
from typing import Any

from django.core.mail import EmailMultiAlternatives
from django.template import TemplateDoesNotExist
from django.template.loader import render_to_string

from sites.accounts import tenant_sender


def render_tenant_email(tenant, template: str, to: list[str], context: dict[str, Any] | None = None):
    context = {"tenant": tenant, **(context or {})}
    subject = " ".join(render_to_string(f"emails/{template}.subject.txt", context).split())
    text = render_to_string(f"emails/{template}.txt", context)
    from_email, reply_to = tenant_sender(tenant)
    message = EmailMultiAlternatives(subject, text, from_email, to, reply_to=reply_to)
    with contextlib.suppress(TemplateDoesNotExist):
        message.attach_alternative(render_to_string(f"emails/{template}.html", context), "text/html")
    return message


def send_tenant_email(
    tenant, template: str, to: str | list[str], context: dict[str, Any] | None = None
) -> None:
    """Send ``emails/<template>.*`` to ``to`` from the tenant's name (see tenant_sender)."""
    recipients = [to] if isinstance(to, str) else list(to)
    render_tenant_email(tenant, template, recipients, context).send()
