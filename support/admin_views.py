"""Support tickets in the Wagtail admin (/admin/support/).

Tenant admins open tickets and follow their own tenant's; super admins see and answer
every ticket. Tickets are read through the tenant-scoped manager inside the request's
scope (RLS beneath it), so another tenant's ticket is simply not found: a 404. Editors,
marketers and patients are told nothing either.
"""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.views.decorators.http import require_POST

from sites.admin_scoping import is_unrestricted, staff_tenant
from sites.models import Role

from .forms import ReplyForm, TicketForm
from .models import Ticket
from .tickets import close_ticket, open_ticket, reply


def can_use_support(user) -> bool:
    if not (user.is_authenticated and user.is_active):
        return False
    return is_unrestricted(user) or (user.role == Role.TENANT_ADMIN and staff_tenant(user) is not None)


def _allowed(request: HttpRequest) -> None:
    if not can_use_support(request.user):
        raise Http404("Not found")


def _ticket(pk: int) -> Ticket:
    ticket = Ticket.objects.select_related("tenant", "opened_by").filter(pk=pk).first()
    if ticket is None:
        raise Http404("Not found")
    return ticket


STATUS_FILTERS = [("open", "Open"), ("answered", "Answered"), ("closed", "Closed"), ("all", "All")]


def index(request: HttpRequest) -> HttpResponse:
    _allowed(request)
    platform = is_unrestricted(request.user)
    current = request.GET.get("status", "open" if platform else "all")
    tickets = Ticket.objects.select_related("tenant", "opened_by")
    if current in Ticket.Status.values:
        tickets = tickets.filter(status=current)
    return TemplateResponse(
        request,
        "support/admin/index.html",
        {
            "tickets": tickets.order_by("-updated_at", "-pk")[:300],
            "platform": platform,
            "filters": STATUS_FILTERS,
            "current": current,
        },
    )


def new(request: HttpRequest) -> HttpResponse:
    _allowed(request)
    tenant = staff_tenant(request.user)
    if tenant is None:
        # Super admins answer tickets; they have nobody to open one with.
        raise Http404("Not found")
    form = TicketForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        ticket = open_ticket(
            tenant,
            user=request.user,
            subject=form.cleaned_data["subject"],
            body=form.cleaned_data["body"],
            category=form.cleaned_data["category"],
            priority=form.cleaned_data["priority"],
            request=request,
        )
        messages.success(request, f"Ticket #{ticket.pk} sent to the BudStack team.")
        return redirect("support_admin:detail", ticket.pk)
    return TemplateResponse(request, "support/admin/new.html", {"form": form})


def detail(request: HttpRequest, ticket_id: int) -> HttpResponse:
    _allowed(request)
    ticket = _ticket(ticket_id)
    form = ReplyForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        reply(ticket, user=request.user, body=form.cleaned_data["body"], request=request)
        messages.success(request, "Reply sent.")
        return redirect("support_admin:detail", ticket.pk)
    return TemplateResponse(
        request,
        "support/admin/detail.html",
        {
            "ticket": ticket,
            "thread": ticket.messages.select_related("author").order_by("created_at", "pk"),
            "form": form,
            "platform": is_unrestricted(request.user),
        },
    )


@require_POST
def close(request: HttpRequest, ticket_id: int) -> HttpResponse:
    _allowed(request)
    ticket = _ticket(ticket_id)
    if close_ticket(ticket, user=request.user, request=request):
        messages.success(request, f"Ticket #{ticket.pk} closed.")
    return redirect("support_admin:detail", ticket.pk)
