"""Wall 1 in the admin, accounts: a tenant admin manages their own dispensary's people.

Tenant admins list, create, edit and delete their tenant's staff and patients and no
one else's, and cannot raise anyone above tenant admin; editors and marketers have no
users area at all; super admins manage everyone.
"""

from __future__ import annotations

from django.contrib.auth.models import Group

import pytest

from sites.context import platform_scope, tenant_scope
from sites.models import Role, TenantGroup, User
from tests.admin_world import (
    STAFF_ROLES,
    Door,
    World,
    knock,
    leaked,
    log_in,
    no_data,
    refused,
    snapshot,
)

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "Quiet-harbour-2741"


def account_form(world: World, **overrides) -> dict:
    return {
        "email": "new.person@alpha.example",
        "first_name": "New",
        "last_name": "Person",
        "role": Role.EDITOR,
        "password1": NEW_PASSWORD,
        "password2": NEW_PASSWORD,
        "is_active": "on",
        **overrides,
    }


def other_staff(world: World) -> int:
    return world.other.staff.pk


def other_admin_group(world: World) -> int:
    with tenant_scope(world.other.tenant):
        return TenantGroup.objects.get(role=Role.TENANT_ADMIN).group_id


def own_role(world: World) -> dict:
    return {"role": Role.EDITOR}


ACCOUNT_DOORS = {
    "edit": Door("get", lambda w: f"/admin/users/edit/{other_staff(w)}/"),
    "edit-post": Door(
        "post",
        lambda w: f"/admin/users/edit/{other_staff(w)}/",
        lambda w: account_form(w, email="zulu-secret@bravo.example", first_name="Taken", is_active=""),
    ),
    "edit-patient": Door("get", lambda w: f"/admin/users/edit/{w.other.patient.pk}/"),
    "edit-super-admin-post": Door(
        "post", lambda w: f"/admin/users/edit/{w.root.pk}/", lambda w: account_form(w, email="root@x.example")
    ),
    "delete": Door("get", lambda w: f"/admin/users/delete/{other_staff(w)}/"),
    "delete-post": Door("post", lambda w: f"/admin/users/delete/{other_staff(w)}/", no_data),
    "history": Door("get", lambda w: f"/admin/users/history/{other_staff(w)}/"),
    "history-results": Door("get", lambda w: f"/admin/users/history-results/{other_staff(w)}/"),
    "usage": Door("get", lambda w: f"/admin/users/usage/{other_staff(w)}/"),
    "bulk-delete-post": Door(
        "post", lambda w: f"/admin/bulk/tenancy/user/delete/?id={other_staff(w)}", no_data
    ),
    "bulk-deactivate-post": Door(
        "post",
        lambda w: f"/admin/bulk/tenancy/user/set_active_state/?id={other_staff(w)}",
        lambda w: {"mark_as_active": "False"},
    ),
    "bulk-assign-group-to-own-staff": Door(
        "post",
        lambda w: f"/admin/bulk/tenancy/user/assign_role/?id={w.editor.pk}",
        lambda w: {"role": other_admin_group(w)},
    ),
    "bulk-select-all": Door("get", lambda w: "/admin/bulk/tenancy/user/delete/?id=all"),
}


@pytest.mark.parametrize("door", ACCOUNT_DOORS.values(), ids=ACCOUNT_DOORS.keys())
def test_another_tenants_accounts_are_not_found(client, world, door, subtests):
    before = snapshot(world.other)
    own_groups = sorted(world.editor.groups.values_list("name", flat=True))
    for role in STAFF_ROLES:
        with subtests.test(role=role.label):
            log_in(client, world.staff(role))

            response = knock(client, world, door)

            assert refused(response), response
            assert leaked(response) is None
            assert snapshot(world.other) == before
            assert sorted(world.editor.groups.values_list("name", flat=True)) == own_groups
            with platform_scope("test: the super admin is untouched"):
                world.root.refresh_from_db()
            assert world.root.email == "super_admin@platform.example"


LISTINGS = {
    "users": "/admin/users/",
    "users-results": "/admin/users/results/",
    "users-search": "/admin/users/?q=zulu",
    "users-search-tenant": "/admin/users/?q=bravo",
    "users-add-form": "/admin/users/new/",
    "own-staff-edit-form": "/admin/users/edit/{own_staff}/",
}


@pytest.mark.parametrize("url", LISTINGS.values(), ids=LISTINGS.keys())
def test_tenant_admin_sees_only_own_accounts(client, world, url):
    log_in(client, world.admin)

    response = client.get(url.format(own_staff=world.own.staff.pk))

    assert response.status_code == 200
    assert leaked(response) is None
    assert "super_admin@platform.example" not in response.content.decode()


def test_the_listing_shows_the_tenants_staff_and_patients(client, world):
    log_in(client, world.admin)

    html = client.get("/admin/users/").content.decode()

    for user in (world.admin, world.editor, world.marketer, world.own.staff, world.own.patient):
        assert user.email in html
    assert "alpha: editors" in html  # the group filter offers the tenant's groups only


@pytest.mark.parametrize("role", [Role.EDITOR, Role.MARKETER], ids=["editor", "marketer"])
def test_editors_and_marketers_have_no_users_area(client, world, role):
    log_in(client, world.staff(role))

    assert client.get("/admin/users/").status_code == 302
    assert client.get("/admin/users/new/").status_code == 302
    assert "/admin/users/" not in client.get("/admin/").content.decode()


def test_tenant_admin_creates_an_editor_in_own_tenant(client, world):
    log_in(client, world.admin)
    before = snapshot(world.other)

    response = client.post("/admin/users/new/", account_form(world))

    assert response.status_code == 302
    with tenant_scope(world.own.tenant):
        made = User.objects.get(email="new.person@alpha.example")
        assert list(made.groups.values_list("name", flat=True)) == ["alpha: editors"]
    assert (made.tenant, made.role, made.is_superuser) == (world.own.tenant, Role.EDITOR, False)
    assert made.check_password(NEW_PASSWORD)
    assert snapshot(world.other) == before


def test_tenant_admin_cannot_raise_anyone_above_tenant_admin(client, world):
    log_in(client, world.admin)
    with tenant_scope(world.other.tenant):
        other_admins = TenantGroup.objects.get(role=Role.TENANT_ADMIN).group
    before = snapshot(world.other)

    as_super = client.post("/admin/users/new/", account_form(world, role=Role.SUPER_ADMIN))
    smuggled = client.post(
        "/admin/users/new/",
        account_form(
            world,
            role=Role.MARKETER,
            is_superuser="on",
            tenant=world.other.tenant.pk,
            groups=[other_admins.pk, Group.objects.get(name="Moderators").pk],
        ),
    )

    assert as_super.status_code == 200 and "Select a valid choice" in as_super.content.decode()
    assert smuggled.status_code == 302
    with tenant_scope(world.own.tenant):
        made = User.objects.get(email="new.person@alpha.example")
        assert list(made.groups.values_list("name", flat=True)) == ["alpha: marketers"]
    assert (made.tenant, made.role, made.is_superuser) == (world.own.tenant, Role.MARKETER, False)
    assert snapshot(world.other) == before


def test_changing_a_role_moves_the_account_to_that_roles_group(client, world):
    log_in(client, world.admin)
    person = world.own.staff

    response = client.post(
        f"/admin/users/edit/{person.pk}/",
        account_form(world, email=person.email, role=Role.MARKETER, password1="", password2=""),
    )

    assert response.status_code == 302
    with tenant_scope(world.own.tenant):
        person.refresh_from_db()
        assert list(person.groups.values_list("name", flat=True)) == ["alpha: marketers"]
    assert person.role == Role.MARKETER


def test_tenant_admin_cannot_demote_or_deactivate_themselves(client, world):
    log_in(client, world.admin)

    response = client.post(
        f"/admin/users/edit/{world.admin.pk}/",
        account_form(
            world, email=world.admin.email, role=Role.PATIENT, is_active="", password1="", password2=""
        ),
    )

    assert response.status_code == 302
    with tenant_scope(world.own.tenant):
        world.admin.refresh_from_db()
    assert world.admin.role == Role.TENANT_ADMIN and world.admin.is_active


def test_emails_are_checked_where_they_must_be_unique(client, world):
    log_in(client, world.admin)

    # A patient of another dispensary may also be a patient here; nothing says so.
    patient = client.post(
        "/admin/users/new/", account_form(world, email=world.other.patient.email, role=Role.PATIENT)
    )
    twice = client.post(
        "/admin/users/new/", account_form(world, email=world.own.patient.email, role=Role.PATIENT)
    )
    staff_elsewhere = client.post("/admin/users/new/", account_form(world, email=world.other.staff.email))

    assert patient.status_code == 302
    with platform_scope("test: the same patient at two dispensaries"):
        assert User.objects.filter(email=world.other.patient.email).count() == 2
    assert "This dispensary already has an account with this email." in twice.content.decode()
    assert "This email already belongs to a staff account." in staff_elsewhere.content.decode()
    assert leaked(staff_elsewhere) is None


def test_tenant_admin_deletes_own_accounts_but_not_themselves(client, world):
    log_in(client, world.admin)

    deleted = client.post(f"/admin/users/delete/{world.own.patient.pk}/")
    self_delete = client.post(f"/admin/users/delete/{world.admin.pk}/")

    assert deleted.status_code == 302
    assert self_delete.status_code == 302 and self_delete["Location"] == "/admin/"
    with tenant_scope(world.own.tenant):
        assert not User.objects.filter(pk=world.own.patient.pk).exists()
        assert User.objects.filter(pk=world.admin.pk).exists()


def test_super_admin_manages_every_tenants_accounts(client, world):
    log_in(client, world.root)
    platform_wide = Group.objects.create(name="Newsletter readers")

    listing = client.get("/admin/users/").content.decode()
    made = client.post(
        "/admin/users/new/",
        account_form(
            world,
            email="owner2@bravo.example",
            role=Role.TENANT_ADMIN,
            tenant=world.other.tenant.pk,
            other_groups=[platform_wide.pk],
        ),
    )
    too_wide = client.post(
        "/admin/users/new/",
        account_form(
            world,
            email="owner3@bravo.example",
            tenant=world.other.tenant.pk,
            other_groups=[Group.objects.get(name="Moderators").pk],
        ),
    )
    homeless = client.post("/admin/users/new/", account_form(world, email="lost@bravo.example"))

    assert world.own.staff.email in listing and world.other.staff.email in listing
    assert made.status_code == 302
    with platform_scope("test: accounts of every tenant"):
        owner = User.objects.get(email="owner2@bravo.example")
        assert sorted(owner.groups.values_list("name", flat=True)) == ["Newsletter readers", "bravo: admins"]
        assert not User.objects.filter(email="owner3@bravo.example").exists()
    assert owner.tenant == world.other.tenant
    # Wagtail's Moderators hold page rights on the tree root: every tenant's pages.
    assert "These groups reach beyond the dispensary: Moderators." in too_wide.content.decode()
    assert "Choose the dispensary this account belongs to." in homeless.content.decode()
    assert client.get("/admin/groups/").status_code == 200
