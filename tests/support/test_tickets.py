"""Support tickets: tenant admins ask, super admins answer, both are emailed; nobody else gets in."""

from __future__ import annotations

from django.core import mail

import pytest

from sites.context import platform_scope, tenant_scope
from sites.models import AuditLogEntry, Role
from support.models import Ticket, TicketMessage

pytestmark = pytest.mark.django_db


@pytest.fixture
def people(tenant_a, tenant_b, make_user):
    return {
        "alpha_admin": make_user(tenant_a, Role.TENANT_ADMIN, email="boss@alpha.example"),
        "bravo_admin": make_user(tenant_b, Role.TENANT_ADMIN, email="boss@bravo.example"),
        "root": make_user(None, Role.SUPER_ADMIN, email="root@platform.example"),
        "root2": make_user(None, Role.SUPER_ADMIN, email="ops@platform.example"),
    }


def _open(client, user, subject="Checkout shows an error", **fields):
    client.force_login(user)
    data = {
        "subject": subject,
        "category": "technical",
        "priority": "high",
        "body": "Step 3 fails.",
        **fields,
    }
    return client.post("/admin/support/new/", data)


def test_a_ticket_travels_both_ways_by_email(client, people, tenant_a, django_capture_on_commit_callbacks):
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        response = _open(client, people["alpha_admin"])
    assert response.status_code == 302
    with tenant_scope(tenant_a):
        ticket = Ticket.objects.get()
        assert (ticket.status, ticket.priority, ticket.opened_by) == ("open", "high", people["alpha_admin"])
        assert ticket.messages.get().body == "Step 3 fails."
        assert (
            AuditLogEntry.objects.filter(action="support.ticket_opened", object_id=str(ticket.pk)).count()
            == 1
        )
    (to_platform,) = mail.outbox
    assert sorted(to_platform.to) == ["ops@platform.example", "root@platform.example"]
    assert f"#{ticket.pk}" in to_platform.subject and "Checkout shows an error" in to_platform.subject
    assert "Step 3 fails." in to_platform.body and f"/admin/support/{ticket.pk}/" in to_platform.body

    # The platform answers: the opener is told, the ticket is "answered".
    mail.outbox.clear()
    client.force_login(people["root"])
    assert b"Checkout shows an error" in client.get("/admin/support/").content
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/admin/support/{ticket.pk}/", {"body": "Fixed: try again."})
    assert response.status_code == 302
    (to_opener,) = mail.outbox
    assert to_opener.to == ["boss@alpha.example"] and "Fixed: try again." in to_opener.body
    with platform_scope("test"):
        ticket.refresh_from_db()
        assert ticket.status == "answered"
        assert list(ticket.messages.values_list("from_platform", flat=True)) == [False, True]

    # The tenant replies: open again, super admins told.
    mail.outbox.clear()
    client.force_login(people["alpha_admin"])
    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"/admin/support/{ticket.pk}/", {"body": "Works now, thanks."})
    (reply,) = mail.outbox
    assert sorted(reply.to) == ["ops@platform.example", "root@platform.example"]
    thread = client.get(f"/admin/support/{ticket.pk}/").content.decode()
    assert (
        thread.index("Step 3 fails.") < thread.index("Fixed: try again.") < thread.index("Works now, thanks.")
    )

    # Closing is audited once; closing again changes nothing.
    assert client.post(f"/admin/support/{ticket.pk}/close/").status_code == 302
    client.post(f"/admin/support/{ticket.pk}/close/")
    with tenant_scope(tenant_a):
        ticket.refresh_from_db()
        assert ticket.status == "closed" and ticket.closed_at is not None
        assert AuditLogEntry.objects.filter(action="support.ticket_closed").count() == 1


def test_invalid_ticket_is_a_form_error_and_nothing_is_sent(client, people, tenant_a):
    mail.outbox.clear()
    response = _open(client, people["alpha_admin"], subject="", priority="whenever")
    assert response.status_code == 200
    assert b"This field is required" in response.content and b"Select a valid choice" in response.content
    with tenant_scope(tenant_a):
        assert not Ticket.objects.exists()
    assert mail.outbox == []


def test_tenant_admins_see_only_their_own_tickets(client, people, tenant_a, tenant_b):
    _open(client, people["bravo_admin"], subject="Bravo secret trouble")
    with tenant_scope(tenant_b):
        secret = Ticket.objects.get()
    _open(client, people["alpha_admin"], subject="Alpha own question")

    listing = client.get("/admin/support/?status=all").content
    assert b"Alpha own question" in listing and b"Bravo secret trouble" not in listing
    for url in (f"/admin/support/{secret.pk}/", f"/admin/support/{secret.pk}/close/"):
        response = client.post(url, {"body": "sneaky"}) if url.endswith("close/") else client.get(url)
        assert response.status_code == 404 and b"Bravo" not in response.content
    assert client.post(f"/admin/support/{secret.pk}/", {"body": "sneaky"}).status_code == 404
    with tenant_scope(tenant_b):
        secret.refresh_from_db()
        assert secret.status == "open"
        assert list(TicketMessage.objects.values_list("body", flat=True)) == ["Step 3 fails."]


@pytest.mark.parametrize("role", [Role.EDITOR, Role.MARKETER, Role.PATIENT])
def test_other_roles_cannot_reach_tickets(client, people, tenant_a, make_user, role):
    _open(client, people["alpha_admin"])
    with tenant_scope(tenant_a):
        ticket = Ticket.objects.get()
    client.force_login(make_user(tenant_a, role, email=f"{role.lower()}@alpha.example"))
    for url in ("/admin/support/", "/admin/support/new/", f"/admin/support/{ticket.pk}/"):
        assert client.get(url).status_code in (302, 404), url
    assert client.post(f"/admin/support/{ticket.pk}/close/").status_code in (302, 404)
    with tenant_scope(tenant_a):
        ticket.refresh_from_db()
        assert ticket.status == "open" and ticket.messages.count() == 1


def test_super_admins_see_every_tenants_tickets_but_open_none(client, people):
    _open(client, people["alpha_admin"], subject="Alpha question")
    _open(client, people["bravo_admin"], subject="Bravo question")
    client.force_login(people["root"])
    listing = client.get("/admin/support/").content
    assert b"Alpha question" in listing and b"Bravo question" in listing
    assert client.get("/admin/support/new/").status_code == 404
