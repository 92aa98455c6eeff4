"""Transactional email sent on a tenant's behalf.

Every feature sends mail through :func:`send_tenant_email`. A message is made of

- ``emails/<name>.subject.txt``: one line (whitespace is collapsed);
- ``emails/<name>.txt``: the plain-text body;
- ``emails/<name>.html`` (optional): the HTML body, a fragment; without it the text is
  shown as paragraphs with links;

and each body is framed by ``emails/layout.txt`` / ``emails/layout.html``, which carry the
dispensary's name, logo, colours and contact details. Every one of these names can be
overridden by the tenant's theme (``templates/emails/...``), because the message is
rendered with the tenant's theme active. Bodies are fragments rather than ``{% extends %}``
children so that an uploaded theme, which may only use its own and the default theme's
templates, can still replace a single message.

Rendering happens at once (the caller's objects are at hand and bad templates fail where
they are used); delivery is a Celery task (``integrations.tasks.deliver_email``) sent
after the transaction commits, which retries with backoff while the SMTP server is down.
"""

from __future__ import annotations

import logging
from email.utils import make_msgid, parseaddr
from typing import Any

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.template import Context, TemplateDoesNotExist
from django.template.defaultfilters import linebreaks_filter, urlize
from django.template.loader import get_template, render_to_string
from django.utils.html import escape
from django.utils.safestring import mark_safe

from sites.accounts import tenant_sender
from sites.context import tenant_scope
from themes.context import use_theme

logger = logging.getLogger("budstack.email")

TEMPLATES: tuple[str, ...] = (
    "welcome",
    "signup_confirm",
    "signup_existing",
    "consultation_confirm",
    "consultation_existing",
    "set_password",
    "password_reset",
    "consultation_received",
    "kyc_status",
    "order_confirmation",
    "order_status",
    "contact_form",
)
DEFAULT_BRAND_COLOUR = "#1f6f4a"
DEFAULT_ACCENT_COLOUR = "#f2b33d"


def _render_plain(name: str, context: dict[str, Any]) -> str:
    """Render a text template without HTML escaping (an apostrophe stays an apostrophe)."""
    template = get_template(name)
    return template.template.render(Context(context, autoescape=False))


def _logo_url(tenant, branding) -> str:
    from sites.urls_helpers import tenant_absolute_url

    if branding is None or branding.logo is None:
        return ""
    try:
        url = branding.logo.get_rendition("max-360x120|format-png").url
    except Exception:  # noqa: BLE001 - a broken logo file must not stop the email
        logger.warning("email logo of tenant %s could not be rendered", tenant.slug, exc_info=True)
        return ""
    return url if url.startswith(("http://", "https://")) else tenant_absolute_url(tenant, url)


def email_branding(tenant) -> dict[str, Any]:
    """What the layouts show of the dispensary: name, logo, colours, contact details."""
    from sites.models import Branding
    from sites.urls_helpers import tenant_absolute_url

    branding = Branding.objects.filter(tenant=tenant).select_related("logo").first()
    tokens = tenant.theme.tokens if tenant.theme_id else {}
    return {
        "name": tenant.name,
        "site_url": tenant_absolute_url(tenant, "/"),
        "logo_url": _logo_url(tenant, branding),
        "primary_colour": (branding and branding.primary_colour)
        or tokens.get("brand")
        or DEFAULT_BRAND_COLOUR,
        "accent_colour": (branding and branding.accent_colour)
        or tokens.get("accent")
        or DEFAULT_ACCENT_COLOUR,
        "tagline": branding.tagline if branding else "",
        "support_email": branding.support_email if branding else "",
        "phone": branding.phone if branding else "",
        "address": branding.address if branding else "",
        "footer_text": branding.footer_text if branding else "",
    }


def render_tenant_email(
    tenant,
    template: str,
    to: list[str],
    context: dict[str, Any] | None = None,
    *,
    reply_to: list[str] | None = None,
) -> EmailMultiAlternatives:
    """The complete message (text and HTML), rendered with the tenant's theme and branding."""
    with tenant_scope(tenant), use_theme(tenant.theme if tenant.theme_id else None):
        context = {"tenant": tenant, "branding": email_branding(tenant), **(context or {})}
        subject = " ".join(_render_plain(f"emails/{template}.subject.txt", context).split())
        text = _render_plain(f"emails/{template}.txt", context)
        try:
            html_body = mark_safe(render_to_string(f"emails/{template}.html", context))  # noqa: S308
        except TemplateDoesNotExist:
            html_body = linebreaks_filter(urlize(escape(text.strip()), autoescape=False))
        framed = {**context, "subject": subject}
        text = _render_plain("emails/layout.txt", {**framed, "body": text.strip()})
        html = render_to_string("emails/layout.html", {**framed, "body": html_body})
        from_email, support = tenant_sender(tenant)
    _, address = parseaddr(settings.EMAIL_FROM)
    message = EmailMultiAlternatives(
        subject,
        text,
        from_email,
        to,
        reply_to=reply_to or support,
        # A stable id: if a retry re-sends a message the server did accept, receivers
        # can tell it is the same one.
        headers={"Message-ID": make_msgid(domain=address.rpartition("@")[2] or None)},
    )
    message.attach_alternative(html, "text/html")
    return message


def message_payload(message: EmailMultiAlternatives) -> dict[str, Any]:
    """A JSON-serialisable form of the message for the delivery task."""
    return {
        "subject": message.subject,
        "body": message.body,
        "from_email": message.from_email,
        "to": list(message.to),
        "cc": list(message.cc),
        "bcc": list(message.bcc),
        "reply_to": list(message.reply_to),
        "headers": dict(message.extra_headers),
        "alternatives": [[content, mimetype] for content, mimetype in message.alternatives],
    }


def message_from_payload(payload: dict[str, Any]) -> EmailMultiAlternatives:
    message = EmailMultiAlternatives(
        payload["subject"],
        payload["body"],
        payload["from_email"],
        payload["to"],
        bcc=payload.get("bcc") or None,
        cc=payload.get("cc") or None,
        reply_to=payload.get("reply_to") or None,
        headers=payload.get("headers") or None,
    )
    for content, mimetype in payload.get("alternatives", []):
        message.attach_alternative(content, mimetype)
    return message


def send_tenant_email(
    tenant,
    template: str,
    to: str | list[str],
    context: dict[str, Any] | None = None,
    *,
    reply_to: list[str] | None = None,
) -> None:
    """Send ``emails/<template>.*`` to ``to`` from the tenant's name (see tenant_sender).

    Replies go to the tenant's support address unless ``reply_to`` names others.

    The message is rendered now and handed to Celery once the current transaction
    commits (at once outside one); a rolled-back action sends nothing.
    """
    from integrations.tasks import deliver_email

    recipients = [to] if isinstance(to, str) else [address for address in to if address]
    if not recipients:
        return
    payload = message_payload(render_tenant_email(tenant, template, recipients, context, reply_to=reply_to))
    tenant_id = tenant.pk

    def enqueue() -> None:
        deliver_email.delay(tenant_id, template, payload)

    # robust: in eager mode (development) a mail server that is down must not turn the
    # request that sent the mail into an error page; the task has logged the failure.
    transaction.on_commit(enqueue, robust=True)


def send_platform_email(template: str, to: str | list[str], context: dict[str, Any] | None = None) -> None:
    """Mail from the platform itself (onboarding, lifecycle), not from a dispensary.

    Same templates (``emails/<template>.subject.txt|.txt|.html``) and the same delivery
    task as :func:`send_tenant_email`, sent once the transaction commits, from
    ``EMAIL_FROM`` and without any tenant's branding.
    """
    from integrations.tasks import deliver_email

    recipients = [to] if isinstance(to, str) else [address for address in to if address]
    if not recipients:
        return
    context = {"platform_name": settings.WAGTAIL_SITE_NAME, **(context or {})}
    subject = " ".join(_render_plain(f"emails/{template}.subject.txt", context).split())
    text = _render_plain(f"emails/{template}.txt", context).strip()
    try:
        html = render_to_string(f"emails/{template}.html", context)
    except TemplateDoesNotExist:
        html = linebreaks_filter(urlize(escape(text), autoescape=False))
    _, address = parseaddr(settings.EMAIL_FROM)
    message = EmailMultiAlternatives(
        subject,
        text,
        settings.EMAIL_FROM,
        recipients,
        headers={"Message-ID": make_msgid(domain=address.rpartition("@")[2] or None)},
    )
    message.attach_alternative(html, "text/html")
    payload = message_payload(message)

    def enqueue() -> None:
        deliver_email.delay(None, template, payload)

    transaction.on_commit(enqueue, robust=True)
