"""Tenant staff in the Wagtail admin start at, and stay inside, their own tree."""

import pytest

from sites.models import Role
from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client, tenant_a, make_user):
    user = make_user(tenant_a, Role.TENANT_ADMIN, email="boss@alpha.example")
    assert client.login(username=user.email, password=PASSWORD)
    return client


def test_tenant_admin_explores_and_edits_own_pages(admin_client, tenant_a):
    home = tenant_a.site.root_page
    assert admin_client.get(f"/admin/pages/{home.pk}/").status_code == 200
    assert admin_client.get(f"/admin/pages/{home.pk}/edit/").status_code == 200
    about = home.get_children().get(slug="about")
    assert admin_client.get(f"/admin/pages/{about.pk}/edit/").status_code == 200


def test_tenant_admin_cannot_open_another_tenants_pages(admin_client, tenant_a, tenant_b):
    other_home = tenant_b.site.root_page
    other_pages = [other_home, *other_home.get_children()]
    for page in other_pages:
        explore = admin_client.get(f"/admin/pages/{page.pk}/")
        assert explore.status_code == 302 and str(tenant_b.name) not in explore.content.decode()
        edit = admin_client.get(f"/admin/pages/{page.pk}/edit/")
        assert edit.status_code in (302, 403, 404) and edit.get("Location", "").rstrip("/") in ("/admin", "")
        title_before = page.title
        admin_client.post(f"/admin/pages/{page.pk}/edit/", {"title": "pwned", "slug": page.slug})
        page.refresh_from_db()
        assert page.title == title_before


def test_admin_dashboard_does_not_list_other_tenants(admin_client, tenant_b):
    response = admin_client.get("/admin/")
    assert response.status_code == 200
    assert "Bravo Clinic" not in response.content.decode()


def test_super_admin_sees_every_tenant(client, tenant_a, tenant_b, make_user):
    user = make_user(None, Role.SUPER_ADMIN, email="root@budstack.example")
    client.login(username=user.email, password=PASSWORD)
    for tenant in (tenant_a, tenant_b):
        assert client.get(f"/admin/pages/{tenant.site.root_page_id}/edit/").status_code == 200
