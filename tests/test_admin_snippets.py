"""Wall 1 in the admin, tenant-owned rows: products and branding.

Products are a snippet viewset and branding a settings-style viewset over tenant-scoped
models. Their listings, choosers and object views look rows up through the scoped
default manager; these tests knock on each door with tenant B's rows and then check
that tenant A's staff can still do their own work.
"""

from __future__ import annotations

from decimal import Decimal

import pytest

from commerce.models import Product
from sites.context import platform_scope, tenant_scope
from sites.models import Branding, Role, TenantScopedManager
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


def product_form(world: World, **overrides) -> dict:
    return {
        "name": "Taken over",
        "slug": "taken-over",
        "sku": "TAKEN-1",
        "strain_type": "indica",
        "form": "oil",
        "thc_percent": "1.00",
        "cbd_percent": "20.00",
        "price": "1.00",
        "currency": "GBP",
        "stock": "0",
        "description": "",
        "available_countries": "GB",
        "is_published": "on",
        "thc_unit": "%",
        "cbd_unit": "%",
        "flower_equivalent_grams": "1",
        "terpenes": "",
        "unit_weight_grams": "",
        "unit_volume_ml": "",
        "image": "",
        "image_url": "",
        "coa_document": "",
        "publish_at": "",
        "unpublish_at": "",
        **overrides,
    }


def branding_form(world: World, **overrides) -> dict:
    return {
        "tagline": "Taken over",
        "primary_colour": "#000000",
        "accent_colour": "#ffffff",
        "logo": "",
        "support_email": "",
        **overrides,
    }


def product(world: World) -> int:
    return world.other.product.pk


def branding(world: World) -> int:
    return world.other.branding.pk


ROW_DOORS = {
    "product-edit": Door("get", lambda w: f"/admin/snippets/commerce/product/edit/{product(w)}/"),
    "product-edit-post": Door(
        "post", lambda w: f"/admin/snippets/commerce/product/edit/{product(w)}/", product_form
    ),
    "product-delete": Door("get", lambda w: f"/admin/snippets/commerce/product/delete/{product(w)}/"),
    "product-delete-post": Door(
        "post", lambda w: f"/admin/snippets/commerce/product/delete/{product(w)}/", no_data
    ),
    "product-history": Door("get", lambda w: f"/admin/snippets/commerce/product/history/{product(w)}/"),
    "product-history-results": Door(
        "get", lambda w: f"/admin/snippets/commerce/product/history-results/{product(w)}/"
    ),
    "product-usage": Door("get", lambda w: f"/admin/snippets/commerce/product/usage/{product(w)}/"),
    "product-chooser-chosen": Door(
        "get", lambda w: f"/admin/snippets/choose/commerce/product/chosen/{product(w)}/"
    ),
    "product-bulk-delete-post": Door(
        "post", lambda w: f"/admin/bulk/commerce/product/delete/?id={product(w)}", no_data
    ),
    "branding-edit": Door("get", lambda w: f"/admin/branding/edit/{branding(w)}/"),
    "branding-edit-post": Door("post", lambda w: f"/admin/branding/edit/{branding(w)}/", branding_form),
    "branding-delete-post": Door("post", lambda w: f"/admin/branding/delete/{branding(w)}/", no_data),
    "branding-history": Door("get", lambda w: f"/admin/branding/history/{branding(w)}/"),
    "branding-usage": Door("get", lambda w: f"/admin/branding/usage/{branding(w)}/"),
}


@pytest.mark.parametrize("door", ROW_DOORS.values(), ids=ROW_DOORS.keys())
def test_another_tenants_rows_are_not_found(client, world, door, subtests):
    before = snapshot(world.other)
    for role in STAFF_ROLES:
        with subtests.test(role=role.label):
            log_in(client, world.staff(role))

            response = knock(client, world, door)

            assert refused(response), response
            assert leaked(response) is None
            assert snapshot(world.other) == before


LISTINGS = {
    "snippets": "/admin/snippets/",
    "products": "/admin/snippets/commerce/product/",
    "products-search": "/admin/snippets/commerce/product/?q=Zulu",
    "products-search-sku": "/admin/snippets/commerce/product/?q=ZULU-SKU",
    "products-filtered": "/admin/snippets/commerce/product/?strain_type=hybrid&is_published=true",
    "product-chooser": "/admin/snippets/choose/commerce/product/",
    "product-chooser-search": "/admin/snippets/choose/commerce/product/results/?q=Zulu",
    "product-chooser-chosen-multiple": "/admin/snippets/choose/commerce/product/chosen-multiple/?id={other_product}",
    "products-export": "/admin/snippets/commerce/product/?export=csv",
}


@pytest.mark.parametrize("url", LISTINGS.values(), ids=LISTINGS.keys())
def test_row_listings_show_nothing_of_another_tenant(client, world, url, subtests):
    for role in STAFF_ROLES:
        with subtests.test(role=role.label):
            log_in(client, world.staff(role))

            response = client.get(url.format(other_product=world.other.product.pk), follow=True)

            assert response.status_code == 200
            assert leaked(response) is None


def test_product_listing_searches_and_filters_own_products(client, world):
    log_in(client, world.editor)

    by_name = client.get("/admin/snippets/commerce/product/?q=alpha").content.decode()
    by_sku = client.get("/admin/snippets/commerce/product/?q=ALPHA-SKU").content.decode()
    filtered_out = client.get("/admin/snippets/commerce/product/?strain_type=indica").content.decode()

    assert "Alpha Kush" in by_name and "Alpha Kush" in by_sku
    assert "Alpha Kush" not in filtered_out


@pytest.mark.parametrize("role", [Role.TENANT_ADMIN, Role.EDITOR], ids=["tenant-admin", "editor"])
def test_a_product_made_in_the_admin_belongs_to_the_tenant(client, world, role):
    log_in(client, world.staff(role))
    before = snapshot(world.other)

    response = client.post(
        "/admin/snippets/commerce/product/add/",
        # The same SKU as tenant B's product: SKUs are unique per tenant only.
        product_form(world, name="Northern Lights", slug="northern-lights", sku="ZULU-SKU"),
    )

    assert response.status_code == 302
    with platform_scope("test: which tenant the product went to"):
        made = Product.all_tenants.get(slug="northern-lights")
    assert made.tenant == world.own.tenant and made.sku == "ZULU-SKU"
    assert snapshot(world.other) == before


def test_a_duplicate_sku_within_the_tenant_is_a_form_error(client, world):
    log_in(client, world.editor)

    response = client.post(
        "/admin/snippets/commerce/product/add/", product_form(world, slug="again", sku="ALPHA-SKU")
    )

    assert response.status_code == 200
    assert "Another product already uses this SKU." in response.content.decode()
    with platform_scope("test: no second product anywhere"):
        assert Product.all_tenants.filter(tenant=world.own.tenant).count() == 1


def test_marketers_see_products_but_do_not_change_them(client, world):
    log_in(client, world.marketer)

    assert "Alpha Kush" in client.get("/admin/snippets/commerce/product/").content.decode()
    assert client.get("/admin/snippets/commerce/product/add/").status_code == 302
    edit = client.post(
        f"/admin/snippets/commerce/product/edit/{world.own.product.pk}/",
        product_form(world, slug="alpha-kush"),
    )
    assert edit.status_code == 302
    with tenant_scope(world.own.tenant):
        assert Product.objects.get().name == "Alpha Kush"


def test_the_product_viewset_relies_on_the_scoped_manager():
    # Edit, delete, history, usage and chooser views look rows up with the default manager.
    assert isinstance(Product._default_manager, TenantScopedManager)
    assert isinstance(Branding._default_manager, TenantScopedManager)


def test_tenant_admin_edits_own_branding_from_the_menu(client, world):
    log_in(client, world.admin)
    before = snapshot(world.other)

    menu = client.get("/admin/branding/")
    response = client.post(
        f"/admin/branding/edit/{world.own.branding.pk}/",
        branding_form(world, tagline="Calm, considered care", logo=world.own.image.pk),
    )

    assert menu.status_code == 302 and menu["Location"] == f"/admin/branding/edit/{world.own.branding.pk}/"
    assert response.status_code == 302
    with tenant_scope(world.own.tenant):
        own = Branding.objects.get()
        assert own.tagline == "Calm, considered care" and own.logo == world.own.image
    assert snapshot(world.other) == before


def test_branding_logo_must_be_one_of_the_tenants_images(client, world):
    log_in(client, world.admin)

    response = client.post(
        f"/admin/branding/edit/{world.own.branding.pk}/", branding_form(world, logo=world.other.image.pk)
    )

    assert response.status_code == 200
    assert leaked(response) is None
    with tenant_scope(world.own.tenant):
        assert Branding.objects.get().logo is None


@pytest.mark.parametrize("role", [Role.EDITOR, Role.MARKETER], ids=["editor", "marketer"])
def test_only_tenant_admins_edit_branding(client, world, role):
    log_in(client, world.staff(role))

    response = client.post(f"/admin/branding/edit/{world.own.branding.pk}/", branding_form(world))

    assert response.status_code == 302
    assert "/admin/branding/" not in client.get("/admin/").content.decode()
    with tenant_scope(world.own.tenant):
        assert Branding.objects.get().tagline == "Alpha tagline"


def test_super_admin_sees_every_tenants_rows(client, world):
    log_in(client, world.root)

    products = client.get("/admin/snippets/commerce/product/").content.decode()
    brandings = client.get("/admin/branding/").content.decode()
    edit = client.post(
        f"/admin/branding/edit/{world.other.branding.pk}/",
        branding_form(world, tagline="Set by the platform"),
    )

    assert "Alpha Kush" in products and "Zulu Secret Kush" in products
    assert "Alpha Dispensary" in brandings and "Bravo Clinic" in brandings
    assert edit.status_code == 302
    with platform_scope("test"):
        assert Branding.objects.get(tenant=world.other.tenant).tagline == "Set by the platform"
        assert Product.objects.filter(price=Decimal("10.00")).count() == 2
