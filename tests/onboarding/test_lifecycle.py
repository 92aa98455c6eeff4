"""Tenant lifecycle: suspend (read-only admin, closed storefront and API), reactivate,
offboard (export archive), deletion after the grace period."""

from __future__ import annotations

import io
import json
import zipfile
from datetime import timedelta

from django.db import IntegrityError, transaction
from django.utils import timezone

import pytest
from rest_framework.test import APIClient

from budstack.storage import private_storage
from sites import lifecycle
from sites.context import platform_scope, tenant_scope
from sites.models import AuditLogEntry, Branding, Role, Tenant
from sites.tokens import issue_token
from tests.isolation.objects import FACTORIES, make

pytestmark = pytest.mark.django_db


def audit_count(action: str, **filters) -> int:
    with platform_scope("test: count audit entries"):
        return AuditLogEntry.objects.filter(action=action, **filters).count()


@pytest.fixture
def root(client, make_user):
    user = make_user(None, Role.SUPER_ADMIN, email="root@budstack.example")
    client.force_login(user)
    return client


def test_suspension_closes_storefront_and_api_and_leaves_the_admin_read_only(
    root, tenant_a, tenant_b, make_user
):
    owner = make_user(tenant_a, Role.TENANT_ADMIN)
    with tenant_scope(tenant_a):
        token = issue_token(owner).raw
    response = root.post(f"/admin/tenants/{tenant_a.pk}/lifecycle/suspend/", follow=True)
    assert b"is suspended" in response.content
    tenant_a.refresh_from_db()
    assert tenant_a.status == Tenant.Status.SUSPENDED

    # Storefront: the unavailable page; the other tenant is untouched
    from django.test import Client

    visitor = Client()
    closed = visitor.get("/store/alpha/")
    assert closed.status_code == 503 and "temporarily unavailable" in closed.content.decode()
    assert visitor.get("/store/bravo/").status_code == 200

    # API: 403 TENANT_SUSPENDED by host/header and by the staff member's own token
    api = APIClient()
    by_header = api.get("/api/v1/tenant/current", HTTP_X_TENANT_SLUG="alpha")
    assert by_header.status_code == 403 and by_header.json()["code"] == "TENANT_SUSPENDED"
    by_token = api.get("/api/v1/orders", HTTP_AUTHORIZATION=f"Bearer {token}")
    assert by_token.status_code == 403 and by_token.json()["code"] == "TENANT_SUSPENDED"

    # Admin: staff sign in and read, but every write is refused with a banner
    staff = Client()
    staff.force_login(owner)
    dashboard = staff.get("/admin/")
    assert (
        dashboard.status_code == 200
        and "you can look around, but not change anything" in dashboard.content.decode()
    )
    with tenant_scope(tenant_a):
        branding = Branding.objects.get()
    edit_url = f"/admin/branding/edit/{branding.pk}/"
    assert staff.get(edit_url).status_code == 200
    refused = staff.post(
        edit_url, {"tagline": "changed while suspended"}, HTTP_REFERER=f"http://testserver{edit_url}"
    )
    assert refused.status_code == 303 and refused["Location"].endswith(edit_url)
    banner = staff.get(refused["Location"])
    assert "admin is read-only" in banner.content.decode()
    with tenant_scope(tenant_a):
        assert Branding.objects.get().tagline != "changed while suspended"

    # Reactivation opens everything again
    root.post(f"/admin/tenants/{tenant_a.pk}/lifecycle/reactivate/")
    assert visitor.get("/store/alpha/").status_code == 200
    assert api.get("/api/v1/tenant/current", HTTP_X_TENANT_SLUG="alpha").status_code == 200
    assert audit_count("tenant.suspended", tenant=tenant_a) == 1
    assert audit_count("tenant.reactivated", tenant=tenant_a) == 1


def test_api_status_change_is_one_lifecycle_action(tenant_a, make_user):
    root = make_user(None, Role.SUPER_ADMIN, email="root@budstack.example")
    api = APIClient()
    api.force_authenticate(root)
    response = api.patch(f"/api/v1/tenants/{tenant_a.pk}", {"status": "suspended"}, format="json")
    assert response.status_code == 200 and response.json()["status"] == "suspended"
    again = api.patch(f"/api/v1/tenants/{tenant_a.pk}", {"status": "suspended"}, format="json")
    assert again.status_code == 200  # no change, no entry
    assert audit_count("tenant.suspended", tenant=tenant_a) == 1
    assert audit_count("tenant.updated", tenant=tenant_a) == 0


def test_a_tenant_admin_cannot_reach_lifecycle_actions(client, tenant_a, make_user):
    client.force_login(make_user(tenant_a, Role.TENANT_ADMIN))
    assert client.post(f"/admin/tenants/{tenant_a.pk}/lifecycle/suspend/").status_code in (403, 404)
    assert client.get("/admin/tenants/").status_code in (403, 404)
    tenant_a.refresh_from_db()
    assert tenant_a.is_active


def make_everything(tenant) -> dict:
    """One of each tenant-owned kind (where one factory's dependencies already made another's)."""
    made = {}
    first = ("commerce.Product", "pages.ArticleCategory", "media.TenantImage")
    for label in sorted(FACTORIES, key=lambda label: label not in first):
        try:
            with transaction.atomic():
                made[label] = make(label, tenant)
        except IntegrityError:
            continue
    assert len(made) > len(FACTORIES) / 2
    return made


def read_archive(name: str) -> zipfile.ZipFile:
    with private_storage().open(name, "rb") as handle:
        return zipfile.ZipFile(io.BytesIO(handle.read()))


def test_offboarding_exports_the_tenants_data_then_deletes_it_after_the_grace_period(
    root, tenant_a, tenant_b, settings, django_capture_on_commit_callbacks
):
    settings.OFFBOARDING_GRACE_DAYS = 30
    made_a, made_b = make_everything(tenant_a), make_everything(tenant_b)

    with django_capture_on_commit_callbacks(execute=True):
        root.post(f"/admin/tenants/{tenant_a.pk}/lifecycle/offboard/")
    tenant_a.refresh_from_db()
    assert tenant_a.status == Tenant.Status.OFFBOARDING
    assert timedelta(days=29) < tenant_a.delete_after - timezone.now() <= timedelta(days=30)
    assert root.get("/store/alpha/").status_code == 503

    # The archive: the tenant's rows, pages and files; nothing of the other tenant
    archive = read_archive(tenant_a.export_file)
    names = set(archive.namelist())
    assert {"tenant.json", "pages.json", "data/commerce.product.json", "data/tenancy.user.json"} <= names
    assert any(name.startswith("media/") for name in names)
    everything = b"".join(archive.read(name) for name in names if not name.startswith("media/"))
    assert made_a["commerce.Product"].marker.encode() in everything
    assert made_a["pages.ArticleCategory"].marker.encode() in everything
    assert b"Alpha Dispensary" in archive.read("pages.json")
    for made in made_b.values():
        assert made.marker.encode() not in everything, made.marker
    assert b"Bravo" not in everything and b'"password"' not in archive.read("data/tenancy.user.json")
    users = json.loads(archive.read("data/tenancy.user.json"))
    assert {row["fields"]["tenant"] for row in users} == {tenant_a.pk}

    # Super admins download it
    download = root.get(f"/admin/tenants/{tenant_a.pk}/export/")
    assert download.status_code == 200 and download["Content-Type"] == "application/zip"

    # Not deleted within the grace period
    assert lifecycle.delete_due_tenants(timezone.now() + timedelta(days=29)) == []
    # Deleted after it: every row, page, site and collection of A; B untouched
    site_id, root_page_id, collection_id = (
        tenant_a.site_id,
        tenant_a.site.root_page_id,
        tenant_a.collection_id,
    )
    with django_capture_on_commit_callbacks(execute=True):
        assert lifecycle.delete_due_tenants(timezone.now() + timedelta(days=31)) == ["alpha"]
    from wagtail.models import Collection, Page, Site

    assert not Tenant.objects.filter(slug="alpha").exists()
    assert not Site.objects.filter(pk=site_id).exists()
    assert not Page.objects.filter(pk=root_page_id).exists()
    assert not Collection.objects.filter(pk=collection_id).exists()
    with platform_scope("test: what is left"):
        for label, made in made_a.items():
            model = type(made.obj)
            assert not model._base_manager.filter(pk=made.obj.pk).exists(), label
        for label, made in made_b.items():
            model = type(made.obj)
            assert model._base_manager.filter(pk=made.obj.pk).exists(), label
    assert not private_storage().exists(tenant_a.export_file)
    assert root.get("/store/bravo/").status_code == 200
    assert audit_count("tenant.offboarding_started") == 0  # went with the tenant's trail
    assert audit_count("tenant.deleted") == 1
