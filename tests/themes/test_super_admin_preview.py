"""Super admins preview any theme on any storefront through a signed, expiring link."""

from __future__ import annotations

import datetime as dt
import re

from django.test import Client

import pytest
import time_machine

from sites.context import platform_scope
from sites.models import AuditLogEntry, Role, Tenant
from tests.conftest import PASSWORD
from themes import preview
from themes.models import Theme

pytestmark = pytest.mark.django_db

NOCTURNE = 'class="sidebar"'  # only Nocturne's base has a sidebar


def nocturne() -> Theme:
    return Theme.objects.get(slug="nocturne")


@pytest.fixture
def root(client, make_user):
    user = make_user(None, Role.SUPER_ADMIN, email="root@budstack.example")
    assert client.login(username=user.email, password=PASSWORD)
    return user


def open_preview(client, tenant, theme) -> str:
    """Press "Preview" on the Themes screen; follow the link to the storefront."""
    link = client.post(f"/admin/themes/preview/{theme.pk}/", {"tenant": tenant.pk})
    assert link.status_code == 302
    assert link["Location"].startswith(f"/store/{tenant.slug}/?{preview.TOKEN_PARAM}=")
    start = client.get(link["Location"])
    assert start.status_code == 302 and start["Location"] == f"/store/{tenant.slug}/"  # token leaves the URL
    return link["Location"]


def test_a_super_admin_is_anonymous_on_storefronts_so_the_session_preview_cannot_serve_them(
    client, tenant_a, root
):
    # The tenant admins' preview (?theme_preview=<id>) needs a tenant account.
    response = client.get(f"/store/alpha/about/?theme_preview={nocturne().pk}")
    assert response.status_code == 200
    assert NOCTURNE not in response.content.decode()
    assert "Log in" in response.content.decode() and "My account" not in response.content.decode()


def test_themes_screen_offers_a_preview_on_each_dispensary(client, tenant_a, tenant_b, root):
    html = client.get("/admin/themes/").content.decode()
    assert f'action="/admin/themes/preview/{nocturne().pk}/"' in html
    assert "Alpha Dispensary" in html and "Bravo Clinic" in html


def test_preview_link_shows_the_theme_to_the_super_admin_only(client, tenant_a, tenant_b, root):
    open_preview(client, tenant_a, nocturne())

    home = client.get("/store/alpha/")
    about = client.get("/store/alpha/about/")
    assert NOCTURNE in home.content.decode() and NOCTURNE in about.content.decode()
    assert "Previewing the theme “Nocturne”" in about.content.decode()
    assert "no-store" in about["Cache-Control"] and "private" in about["Cache-Control"]
    # Patients, the other tenant and the tenant's own setting are untouched.
    patient = Client().get("/store/alpha/about/")
    assert NOCTURNE not in patient.content.decode() and "no-store" not in patient.get("Cache-Control", "")
    assert NOCTURNE not in client.get("/store/bravo/about/").content.decode()
    assert Tenant.objects.get(pk=tenant_a.pk).theme.slug == "sage"
    with platform_scope("test: the tenant's trail shows the preview"):
        entry = AuditLogEntry.objects.get(action="theme.preview_opened")
    assert (entry.tenant_id, entry.actor_id, entry.data) == (tenant_a.pk, root.pk, {"theme": "nocturne 1.0"})


def test_stop_preview_ends_it(client, tenant_a, root):
    open_preview(client, tenant_a, nocturne())
    stop = client.get("/store/alpha/about/?theme_preview=off")
    assert stop.status_code == 302 and stop["Location"] == "/store/alpha/about/"
    assert NOCTURNE not in client.get("/store/alpha/about/").content.decode()


def test_the_link_works_in_any_browser_that_opens_it_but_only_for_its_tenant(
    client, tenant_a, tenant_b, root
):
    # The link is what a super admin would open on a subdomain host, where their admin
    # session cookie is not sent: it does not depend on being logged in there.
    link = client.post(f"/admin/themes/preview/{nocturne().pk}/", {"tenant": tenant_a.pk})["Location"]
    token = link.split("=", 1)[1]
    elsewhere = Client(HTTP_HOST="alpha.budstack.test")
    assert elsewhere.get(f"/?{preview.TOKEN_PARAM}={token}")["Location"] == "/"
    assert NOCTURNE in elsewhere.get("/about/").content.decode()
    other = Client()
    other.get(f"/store/bravo/?{preview.TOKEN_PARAM}={token}")
    assert NOCTURNE not in other.get("/store/bravo/about/").content.decode()


def test_the_link_expires(client, tenant_a, root, settings):
    settings.THEME_PREVIEW_MAX_AGE = 30 * 60
    with time_machine.travel(dt.datetime(2026, 12, 1, 9, 0, tzinfo=dt.UTC), tick=False) as clock:
        open_preview(client, tenant_a, nocturne())
        clock.shift(dt.timedelta(minutes=29))
        assert NOCTURNE in client.get("/store/alpha/about/").content.decode()
        clock.shift(dt.timedelta(minutes=2))
        assert NOCTURNE not in client.get("/store/alpha/about/").content.decode()


def test_a_demoted_super_admins_links_stop_working(client, tenant_a, root):
    link = client.post(f"/admin/themes/preview/{nocturne().pk}/", {"tenant": tenant_a.pk})["Location"]
    viewer = Client()
    viewer.get(link)
    assert NOCTURNE in viewer.get("/store/alpha/about/").content.decode()

    with platform_scope("test: demote the super admin"):
        root.is_superuser = False
        root.role = Role.TENANT_ADMIN
        root.tenant = tenant_a
        root.save()

    assert NOCTURNE not in viewer.get("/store/alpha/about/").content.decode()


@pytest.mark.parametrize(
    "token",
    ["not-a-token", "eyJ0ZW5hbnQiOjF9:1vAAAA:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"],
    ids=["garbage", "forged-signature"],
)
def test_forged_tokens_change_nothing(client, tenant_a, token):
    start = client.get(f"/store/alpha/?{preview.TOKEN_PARAM}={token}")
    assert start.status_code == 302
    assert NOCTURNE not in client.get("/store/alpha/about/").content.decode()


@pytest.mark.parametrize("role", [Role.TENANT_ADMIN, Role.EDITOR])
def test_only_super_admins_mint_preview_links(client, tenant_a, make_user, role):
    user = make_user(tenant_a, role)
    client.login(username=user.email, password=PASSWORD)
    response = client.post(f"/admin/themes/preview/{nocturne().pk}/", {"tenant": tenant_a.pk})
    assert response.status_code in (302, 403)
    assert preview.TOKEN_PARAM not in response.get("Location", "")
    with pytest.raises(PermissionError):
        preview.make_token(tenant_a, nocturne(), user)


def test_a_missing_tenant_is_a_message_not_an_error(client, root):
    response = client.post(f"/admin/themes/preview/{nocturne().pk}/", {"tenant": "999999"})
    assert response.status_code == 302 and response["Location"] == "/admin/themes/"
    follow = client.get("/admin/themes/").content.decode()
    assert re.search(r"Choose the dispensary", follow)
