"""Each tenant renders with its own theme; previews are for the previewer only."""

import re

import pytest

from sites.models import Role, Tenant
from tests.conftest import PASSWORD
from tests.themes.zips import make_zip
from themes.installer import install_zip
from themes.models import Theme

pytestmark = pytest.mark.django_db


def stylesheet(response) -> str:
    return re.search(r'<link rel="stylesheet" href="([^"]+)"', response.content.decode()).group(1)


def builtin(slug):
    return Theme.objects.get(slug=slug)


def test_each_tenant_renders_with_its_theme(client, tenant_a, tenant_b):
    a, b = client.get("/store/alpha/"), client.get("/store/bravo/")
    assert stylesheet(a) == "/static/themes/sage/1.0/storefront.css"
    assert stylesheet(b) == "/static/themes/clinic/1.0/storefront.css"
    assert 'class="masthead"' in b.content.decode() and 'class="masthead"' not in a.content.decode()
    assert "--brand: #1f6f4a;" in a.content.decode() and "--brand: #1d4e89;" in b.content.decode()


def test_switching_a_theme_changes_only_that_tenant_on_the_next_request(client, tenant_a, tenant_b):
    before_b = client.get("/store/bravo/about/")
    client.get("/store/alpha/about/")  # warm the template cache with sage
    tenant_a.theme = builtin("nocturne")
    tenant_a.save()
    after_a = client.get("/store/alpha/about/").content.decode()
    assert 'class="sidebar"' in after_a and "layout-sidebar" in after_a
    after_b = client.get("/store/bravo/about/")
    assert stylesheet(after_b) == stylesheet(before_b) == "/static/themes/clinic/1.0/storefront.css"
    assert 'class="masthead"' in after_b.content.decode() and "sidebar" not in after_b.content.decode()


def test_branding_colours_override_the_theme_tokens(client, tenant_a, in_tenant):
    from sites.models import Branding

    with in_tenant(tenant_a):
        Branding.objects.filter(tenant=tenant_a).update(primary_colour="#aa0000")
    html = client.get("/store/alpha/").content.decode()
    assert "--brand: #aa0000;" in html and "--background: #fbfaf5;" in html


def test_theme_static_files_are_served_with_versioned_urls(client):
    from django.contrib.staticfiles import finders

    assert finders.find("themes/clinic/1.0/storefront.css").endswith(
        "themes/builtin/clinic/static/storefront.css"
    )


def test_uploaded_theme_renders_through_the_restricted_engine(client, tenant_a, tenant_b):
    theme = install_zip(make_zip())
    tenant_a.theme = theme
    tenant_a.save()
    about = client.get("/store/alpha/about/").content.decode()
    assert '<h1 class="harbour-title">Harbour: About us</h1>' in about
    assert 'class="harbour' in about  # its base.html extends the default theme's
    css_url = stylesheet(client.get("/store/alpha/"))
    assert css_url == "/theme-static/harbour/1.0/storefront.css"
    css = client.get(css_url)
    assert css.status_code == 200 and b"#f0f8ff" in b"".join(css.streaming_content)
    assert css["Cache-Control"] == "public, max-age=31536000, immutable"
    assert client.get("/theme-static/harbour/1.0/../theme.json").status_code == 404
    assert "Harbour" not in client.get("/store/bravo/about/").content.decode()
    compiled = theme.templates_dir()
    assert (compiled / "pages" / "about_page.html").exists()


def login_storefront(client, tenant, make_user, role):
    user = make_user(tenant, role, email=f"{role.lower()}@{tenant.slug}.example")
    assert (
        client.post(
            f"/store/{tenant.slug}/auth/login/", {"username": user.email, "password": PASSWORD}
        ).status_code
        == 302
    )
    return user


def test_a_tenant_admin_previews_a_theme_without_changing_it_for_patients(
    client, tenant_a, tenant_b, make_user
):
    from django.test import Client

    login_storefront(client, tenant_a, make_user, Role.TENANT_ADMIN)
    nocturne = builtin("nocturne")
    start = client.get(f"/store/alpha/about/?theme_preview={nocturne.pk}")
    assert start.status_code == 302 and start["Location"] == "/store/alpha/about/"
    previewed = client.get("/store/alpha/about/").content.decode()
    assert 'class="sidebar"' in previewed and "Previewing the theme “Nocturne”" in previewed
    patient = Client()
    assert 'class="sidebar"' not in patient.get("/store/alpha/about/").content.decode()
    assert Tenant.objects.get(pk=tenant_a.pk).theme.slug == "sage"
    assert "sidebar" not in client.get("/store/bravo/about/").content.decode()
    client.get("/store/alpha/about/?theme_preview=off")
    assert 'class="sidebar"' not in client.get("/store/alpha/about/").content.decode()


def test_patients_cannot_switch_themes_by_query_string(client, tenant_a, make_user):
    login_storefront(client, tenant_a, make_user, Role.PATIENT)
    nocturne = builtin("nocturne")
    response = client.get(f"/store/alpha/about/?theme_preview={nocturne.pk}")
    assert response.status_code == 200 and 'class="sidebar"' not in response.content.decode()


def test_apply_and_roll_back_in_the_admin(client, tenant_a, make_user):
    boss = make_user(tenant_a, Role.TENANT_ADMIN, email="boss@alpha.example")
    client.login(username=boss.email, password=PASSWORD)
    page = client.get("/admin/theme/")
    assert page.status_code == 200 and "Nocturne" in page.content.decode()
    nocturne = builtin("nocturne")
    client.post(f"/admin/theme/apply/{nocturne.pk}/")
    tenant = Tenant.objects.get(pk=tenant_a.pk)
    assert (tenant.theme.slug, tenant.previous_theme.slug) == ("nocturne", "sage")
    assert 'class="sidebar"' in client.get("/store/alpha/about/").content.decode()
    client.post("/admin/theme/rollback/")
    tenant = Tenant.objects.get(pk=tenant_a.pk)
    assert (tenant.theme.slug, tenant.previous_theme.slug) == ("sage", "nocturne")


@pytest.mark.parametrize("role", [Role.EDITOR, Role.MARKETER])
def test_only_tenant_admins_choose_the_theme(client, tenant_a, make_user, role):
    user = make_user(tenant_a, role)
    client.login(username=user.email, password=PASSWORD)
    refused = client.get("/admin/theme/")
    assert (
        refused.status_code == 302 and refused["Location"] == "/admin/"
    )  # Wagtail's "no permission" redirect
    client.post(f"/admin/theme/apply/{builtin('nocturne').pk}/")
    assert Tenant.objects.get(pk=tenant_a.pk).theme.slug == "sage"


def test_super_admins_upload_themes_in_the_admin(client, make_user):
    from django.core.files.uploadedfile import SimpleUploadedFile

    root = make_user(None, Role.SUPER_ADMIN, email="root@budstack.example")
    client.login(username=root.email, password=PASSWORD)
    bad = client.post(
        "/admin/themes/",
        {"zip_file": SimpleUploadedFile("bad.zip", make_zip(extra={"static/x.svg": "<svg/>"}))},
    )
    assert bad.status_code == 400 and "x.svg" in bad.content.decode()
    good = client.post("/admin/themes/", {"zip_file": SimpleUploadedFile("harbour.zip", make_zip())})
    assert good.status_code == 302 and Theme.objects.filter(slug="harbour").exists()


def test_tenant_admins_cannot_upload_themes(client, tenant_a, make_user):
    from django.core.files.uploadedfile import SimpleUploadedFile

    boss = make_user(tenant_a, Role.TENANT_ADMIN, email="boss@alpha.example")
    client.login(username=boss.email, password=PASSWORD)
    response = client.post("/admin/themes/", {"zip_file": SimpleUploadedFile("h.zip", make_zip())})
    assert response.status_code == 302 and not Theme.objects.filter(slug="harbour").exists()


def test_branding_details_show_in_every_theme(client, tenant_a, tenant_b, in_tenant):
    from sites.models import Branding

    for tenant in (tenant_a, tenant_b):
        with in_tenant(tenant):
            Branding.objects.filter(tenant=tenant).update(
                phone="+44 20 7946 0000", instagram_url="https://instagram.com/example",
                footer_text=f"Footer of {tenant.slug}", font_pairing="rounded",
            )  # fmt: skip
    for slug in ("alpha", "bravo"):
        html = client.get(f"/store/{slug}/").content.decode()
        assert 'href="tel:+44 20 7946 0000"' in html and ">Instagram</a>" in html
        assert f"Footer of {slug}" in html
        assert "--font-body: 'Trebuchet MS', Verdana, sans-serif;" in html
