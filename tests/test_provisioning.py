"""One service creates a whole dispensary, or nothing at all."""

from django.contrib.auth.models import Group
from django.core import mail
from django.core.management import CommandError, call_command

from wagtail.models import Collection, GroupPagePermission, Page, Site

import pytest

from pages.models import HomePage
from sites.context import platform_scope
from sites.models import Branding, Role, Tenant, TenantGroup, User
from sites.provisioning import ProvisioningError, TenantSpec, provision_tenant

pytestmark = pytest.mark.django_db

SECTIONS = ["products", "conditions", "the-wire", "about", "contact", "consultation", "blockchain"]


def counts() -> dict[str, int]:
    with platform_scope("count rows in a test"):
        return {
            "tenants": Tenant.objects.count(),
            "sites": Site.objects.count(),
            "pages": Page.objects.count(),
            "collections": Collection.objects.count(),
            "groups": Group.objects.count(),
            "users": User.objects.count(),
            "branding": Branding.objects.count(),
        }


def test_provision_creates_the_whole_tenant(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        result = provision_tenant(TenantSpec("healing", "Healing Co", "gb", "sage", "Boss@Healing.example"))
    tenant = result.tenant
    assert tenant.country_code == "GB"
    home = tenant.site.root_page.specific
    assert isinstance(home, HomePage) and home.live and home.title == "Healing Co"
    assert [p.slug for p in home.get_children()] == SECTIONS
    assert all(p.live for p in home.get_children())
    assert tenant.site.hostname == "healing.budstack.test"
    assert tenant.collection.get_parent() == Collection.get_first_root_node()
    with platform_scope("test"):
        roles = {tg.role: tg.group for tg in TenantGroup.objects.filter(tenant=tenant)}
    assert set(roles) == {Role.TENANT_ADMIN, Role.EDITOR, Role.MARKETER}
    publish = GroupPagePermission.objects.filter(page=home, permission__codename="publish_page")
    assert {p.group for p in publish} == {roles[Role.TENANT_ADMIN], roles[Role.MARKETER]}
    admin = result.admin
    assert admin.email == "boss@healing.example" and admin.role == Role.TENANT_ADMIN
    assert admin.tenant == tenant and not admin.has_usable_password()
    assert list(admin.groups.all()) == [roles[Role.TENANT_ADMIN]]
    with platform_scope("test"):
        assert Branding.objects.get(tenant=tenant).support_email == "boss@healing.example"
    assert "/admin/password_reset/confirm/" in result.set_password_url
    assert len(mail.outbox) == 1 and result.set_password_url in mail.outbox[0].body


def test_set_password_link_lets_the_admin_in(client):
    result = provision_tenant(TenantSpec("healing", "Healing Co", "GB", "sage", "boss@healing.example"))
    path = result.set_password_url.split("://", 1)[1].split("/", 1)[1]
    form_page = client.get("/" + path, follow=True)
    assert form_page.status_code == 200
    done = client.post(
        form_page.redirect_chain[-1][0],
        {"new_password1": "a-new-strong-pass-42", "new_password2": "a-new-strong-pass-42"},
    )
    assert done.status_code == 302
    assert client.login(username="boss@healing.example", password="a-new-strong-pass-42")


@pytest.mark.parametrize(
    ("spec", "field"),
    [
        pytest.param(TenantSpec("admin", "X", "GB", "sage", "a@x.example"), "slug", id="reserved-admin"),
        pytest.param(TenantSpec("api", "X", "GB", "sage", "a@x.example"), "slug", id="reserved-api"),
        pytest.param(TenantSpec("www", "X", "GB", "sage", "a@x.example"), "slug", id="reserved-www"),
        pytest.param(TenantSpec("Bad_Slug!", "X", "GB", "sage", "a@x.example"), "slug", id="bad-slug"),
        pytest.param(TenantSpec("-edge", "X", "GB", "sage", "a@x.example"), "slug", id="leading-hyphen"),
        pytest.param(TenantSpec("fine", "X", "XX", "sage", "a@x.example"), "country", id="unknown-country"),
        pytest.param(TenantSpec("fine", "X", "GBR", "sage", "a@x.example"), "country", id="alpha3-country"),
        pytest.param(TenantSpec("fine", "X", "GB", "nope", "a@x.example"), "theme", id="unknown-theme"),
        pytest.param(TenantSpec("fine", "X", "GB", "sage", "not-an-email"), "admin_email", id="bad-email"),
        pytest.param(TenantSpec("fine", " ", "GB", "sage", "a@x.example"), "name", id="blank-name"),
    ],
)
def test_bad_input_is_refused_and_creates_nothing(spec, field):
    before = counts()
    with pytest.raises(ProvisioningError) as error:
        provision_tenant(spec)
    assert field in error.value.errors
    assert counts() == before


def test_duplicate_slug_and_staff_email_are_refused(make_tenant):
    make_tenant("alpha")
    before = counts()
    with pytest.raises(ProvisioningError) as error:
        provision_tenant(TenantSpec("alpha", "Again", "GB", "sage", "owner@alpha.example"))
    assert set(error.value.errors) == {"slug", "admin_email"}
    assert counts() == before


def test_a_failure_midway_rolls_everything_back(monkeypatch):
    import sites.provisioning as provisioning

    def explode(*args, **kwargs):
        raise RuntimeError("mail server on fire")

    monkeypatch.setattr(provisioning, "_create_groups", explode)
    before = counts()
    with pytest.raises(RuntimeError):
        provision_tenant(TenantSpec("fine", "Fine", "GB", "sage", "a@fine.example"))
    assert counts() == before


def test_create_tenant_command(capsys):
    call_command(
        "create_tenant", "--slug", "north", "--name", "North Leaf", "--country", "PT",
        "--theme", "nocturne", "--admin-email", "owner@north.example",
    )  # fmt: skip
    out = capsys.readouterr().out
    assert "Created North Leaf (north, PT)" in out
    assert "/admin/password_reset/confirm/" in out
    assert Tenant.objects.get(slug="north").theme.slug == "nocturne"


def test_create_tenant_command_reports_every_problem():
    before = counts()
    with pytest.raises(CommandError) as error:
        call_command(
            "create_tenant", "--slug", "www", "--name", "W", "--country", "ZZ", "--admin-email", "x@y.example"
        )
    message = str(error.value)
    assert "Nothing was created" in message and "reserved" in message and "ZZ" in message
    assert counts() == before
