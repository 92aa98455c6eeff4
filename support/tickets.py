"""Opening, answering and closing support tickets, and the emails each step sends.

A tenant admin's new ticket or reply is mailed to every super admin; a platform reply
is mailed to the ticket's opener (or, if that account is gone, the tenant's admins).
Opening and closing are audited. Mail goes through :mod:`integrations.email` and leaves
once the transaction commits.
"""

from __future__ import annotations

import logging

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from integrations.email import send_tenant_email
from sites.audit import record_audit
from sites.context import platform_scope
from sites.models import Role, Tenant, User

from .models import Ticket, TicketMessage

logger = logging.getLogger("budstack.support")


def _admin_url(ticket: Ticket) -> str:
    return settings.WAGTAILADMIN_BASE_URL.rstrip("/") + reverse("support_admin:detail", args=[ticket.pk])


def _label(user) -> str:
    return user.get_full_name() or user.email if user is not None else ""


def super_admin_emails() -> list[str]:
    with platform_scope("support: super admins to notify"):
        return list(
            User.objects.filter(is_superuser=True, is_active=True)
            .order_by("pk")
            .values_list("email", flat=True)
        )


def _tenant_recipients(ticket: Ticket) -> list[str]:
    opener = ticket.opened_by
    if opener is not None and opener.is_active and opener.tenant_id == ticket.tenant_id:
        return [opener.email]
    return list(
        User.objects.filter(tenant=ticket.tenant, role=Role.TENANT_ADMIN, is_active=True).values_list(
            "email", flat=True
        )
    )


def _notify(ticket: Ticket, message: TicketMessage, template: str, to: list[str]) -> None:
    if not to:
        logger.warning("support ticket %s: nobody to notify for %s", ticket.pk, template)
        return
    send_tenant_email(
        ticket.tenant,
        template,
        to,
        {"ticket": ticket, "message": message, "ticket_url": _admin_url(ticket)},
    )


@transaction.atomic
def open_ticket(
    tenant: Tenant, *, user, subject: str, body: str, category: str, priority: str, request=None
) -> Ticket:
    ticket = Ticket.objects.create(
        tenant=tenant, subject=subject, category=category, priority=priority, opened_by=user
    )
    message = TicketMessage.objects.create(
        tenant=tenant, ticket=ticket, author=user, author_label=_label(user), body=body
    )
    record_audit(
        "support.ticket_opened",
        actor=user,
        target=ticket,
        request=request,
        tenant=tenant,
        data={"subject": subject, "category": category, "priority": priority},
    )
    _notify(ticket, message, "support_ticket_opened", super_admin_emails())
    return ticket


@transaction.atomic
def reply(ticket: Ticket, *, user, body: str, request=None) -> TicketMessage:
    """Add to the thread: a platform reply marks the ticket answered, a tenant's reopens it."""
    from_platform = bool(user.is_superuser)
    ticket = (
        Ticket.objects.select_for_update(of=("self",)).select_related("tenant", "opened_by").get(pk=ticket.pk)
    )
    message = TicketMessage.objects.create(
        tenant=ticket.tenant,
        ticket=ticket,
        author=user,
        author_label="Platform support" if from_platform else _label(user),
        from_platform=from_platform,
        body=body,
    )
    ticket.status = Ticket.Status.ANSWERED if from_platform else Ticket.Status.OPEN
    ticket.closed_at = None
    ticket.save(update_fields=["status", "closed_at", "updated_at"])
    if from_platform:
        _notify(ticket, message, "support_ticket_answered", _tenant_recipients(ticket))
    else:
        _notify(ticket, message, "support_ticket_reply", super_admin_emails())
    return message


@transaction.atomic
def close_ticket(ticket: Ticket, *, user, request=None) -> bool:
    """Close the ticket; False if it was closed already (nothing changes, nothing audited)."""
    ticket = Ticket.objects.select_for_update().get(pk=ticket.pk)
    if ticket.status == Ticket.Status.CLOSED:
        return False
    previous = ticket.status
    ticket.status = Ticket.Status.CLOSED
    ticket.closed_at = timezone.now()
    ticket.save(update_fields=["status", "closed_at", "updated_at"])
    record_audit(
        "support.ticket_closed",
        actor=user,
        target=ticket,
        request=request,
        tenant=ticket.tenant,
        data={"from": previous, "by_platform": bool(user.is_superuser)},
    )
    return True
