"""Wall 1 in the admin, images and documents: only the tenant's collections.

Tenant A's staff try tenant B's image, document and collection through every door of
the images and documents admin, the choosers, the admin API, bulk actions and the
download view; then they do their own work (upload into their collection).
"""

from __future__ import annotations

import json

import pytest

from media.models import TenantDocument, TenantImage
from sites.context import platform_scope
from sites.models import Role
from tests.admin_world import (
    STAFF_ROLES,
    Door,
    World,
    assert_not_found_for_every_role,
    leaked,
    log_in,
    no_data,
    png,
    snapshot,
    text_file,
)

pytestmark = pytest.mark.django_db


def image(world: World) -> int:
    return world.other.image.pk


def document(world: World) -> int:
    return world.other.document.pk


def retitle(world: World) -> dict:
    return {"title": "Taken over", "collection": world.own.tenant.collection_id, "tags": ""}


def into_own_collection(world: World) -> dict:
    return {"collection": world.own.tenant.collection_id}


MEDIA_DOORS = {
    "image-edit": Door("get", lambda w: f"/admin/images/{image(w)}/"),
    "image-edit-post": Door("post", lambda w: f"/admin/images/{image(w)}/", retitle),
    "image-delete": Door("get", lambda w: f"/admin/images/{image(w)}/delete/"),
    "image-delete-post": Door("post", lambda w: f"/admin/images/{image(w)}/delete/", no_data),
    "image-usage": Door("get", lambda w: f"/admin/images/usage/{image(w)}/"),
    "image-preview": Door("get", lambda w: f"/admin/images/{image(w)}/preview/original/"),
    "image-url-generator": Door("get", lambda w: f"/admin/images/{image(w)}/generate_url/"),
    "image-url-output": Door("get", lambda w: f"/admin/images/{image(w)}/generate_url/output/"),
    "image-multiple-edit-post": Door("post", lambda w: f"/admin/images/multiple/{image(w)}/", retitle),
    "image-multiple-delete-post": Door(
        "post", lambda w: f"/admin/images/multiple/{image(w)}/delete/", no_data
    ),
    "image-chooser-chosen": Door("get", lambda w: f"/admin/images/chooser/chosen/{image(w)}/"),
    "image-chooser-format": Door("get", lambda w: f"/admin/images/chooser/{image(w)}/select_format/"),
    "image-chooser-chosen-multiple": Door(
        "get", lambda w: f"/admin/images/chooser/chosen-multiple/?id={image(w)}"
    ),
    "image-api-detail": Door("get", lambda w: f"/admin/api/main/images/{image(w)}/"),
    "image-bulk-delete": Door("get", lambda w: f"/admin/bulk/media/tenantimage/delete/?id={image(w)}"),
    "image-bulk-delete-post": Door(
        "post", lambda w: f"/admin/bulk/media/tenantimage/delete/?id={image(w)}", no_data
    ),
    "image-bulk-move-post": Door(
        "post",
        lambda w: f"/admin/bulk/media/tenantimage/add_to_collection/?id={image(w)}",
        into_own_collection,
    ),
    "image-bulk-all-in-collection": Door(
        "get",
        lambda w: f"/admin/bulk/media/tenantimage/delete/?id=all&childOf={w.other.tenant.collection_id}",
    ),
    "document-edit": Door("get", lambda w: f"/admin/documents/edit/{document(w)}/"),
    "document-edit-post": Door("post", lambda w: f"/admin/documents/edit/{document(w)}/", retitle),
    "document-delete": Door("get", lambda w: f"/admin/documents/delete/{document(w)}/"),
    "document-delete-post": Door("post", lambda w: f"/admin/documents/delete/{document(w)}/", no_data),
    "document-usage": Door("get", lambda w: f"/admin/documents/usage/{document(w)}/"),
    "document-multiple-edit-post": Door(
        "post", lambda w: f"/admin/documents/multiple/{document(w)}/", retitle
    ),
    "document-multiple-delete-post": Door(
        "post", lambda w: f"/admin/documents/multiple/{document(w)}/delete/", no_data
    ),
    "document-chooser-chosen": Door("get", lambda w: f"/admin/documents/chooser/chosen/{document(w)}/"),
    "document-chooser-chosen-multiple": Door(
        "get", lambda w: f"/admin/documents/chooser/chosen-multiple/?id={document(w)}"
    ),
    "document-api-detail": Door("get", lambda w: f"/admin/api/main/documents/{document(w)}/"),
    "document-bulk-delete-post": Door(
        "post", lambda w: f"/admin/bulk/media/tenantdocument/delete/?id={document(w)}", no_data
    ),
    "document-download": Door("get", lambda w: f"/documents/{document(w)}/{w.other.document.filename}"),
    "collection-privacy": Door(
        "get", lambda w: f"/admin/collections/{w.other.tenant.collection_id}/privacy/"
    ),
}


@pytest.mark.parametrize("door", MEDIA_DOORS.values(), ids=MEDIA_DOORS.keys())
def test_another_tenants_media_is_not_found(client, world, door, subtests):
    assert_not_found_for_every_role(client, world, door, subtests)


LISTINGS = {
    "images": "/admin/images/",
    "images-search": "/admin/images/?q=Zulu",
    "images-results": "/admin/images/results/?q=Zulu",
    "image-chooser": "/admin/images/chooser/",
    "image-chooser-search": "/admin/images/chooser/results/?q=Zulu",
    "image-upload-form": "/admin/images/add/",
    "image-multiple-upload-form": "/admin/images/multiple/add/",
    "documents": "/admin/documents/",
    "documents-search": "/admin/documents/?q=Zulu",
    "document-chooser": "/admin/documents/chooser/",
    "document-chooser-search": "/admin/documents/chooser/results/?q=Zulu",
    "document-upload-form": "/admin/documents/add/",
    "api-images": "/admin/api/main/images/",
    "api-images-search": "/admin/api/main/images/?search=Zulu",
    "api-documents": "/admin/api/main/documents/",
    "tag-autocomplete": "/admin/tag-autocomplete/?term=zulu",
    "tag-model-autocomplete": "/admin/tag-autocomplete/taggit/tag/?term=zulu",
}


@pytest.mark.parametrize("url", LISTINGS.values(), ids=LISTINGS.keys())
def test_media_listings_show_nothing_of_another_tenant(client, world, url, subtests):
    for role in STAFF_ROLES:
        with subtests.test(role=role.label):
            log_in(client, world.staff(role))

            response = client.get(url, follow=True)

            assert response.status_code == 200
            assert leaked(response) is None


def test_tags_offered_are_the_tenants_own(client, world):
    log_in(client, world.editor)

    autocomplete = client.get("/admin/tag-autocomplete/?term=alpha").json()
    images = client.get("/admin/images/").content.decode()
    chooser = client.get("/admin/images/chooser/").content.decode()

    assert autocomplete == ["alpha-launch", "alpha-memo"]
    assert "alpha-launch" in images and "alpha-launch" in chooser
    log_in(client, world.root)
    assert "zulu-secret-launch" in client.get("/admin/images/").content.decode()


def test_admin_api_lists_the_tenants_own_media(client, world):
    log_in(client, world.editor)

    images = client.get("/admin/api/main/images/").json()["items"]
    documents = client.get("/admin/api/main/documents/").json()["items"]

    assert [item["title"] for item in images] == ["Alpha Image"]
    assert [item["title"] for item in documents] == ["Alpha Doc"]


def test_choosers_offer_the_tenants_own_media(client, world):
    log_in(client, world.marketer)

    images = client.get("/admin/images/chooser/").content.decode()
    documents = client.get("/admin/documents/chooser/").content.decode()

    assert "Alpha Image" in images and "Alpha Doc" in documents


UPLOADS = {
    "image-add": ("/admin/images/add/", lambda c: {"title": "Smuggled", "file": png(), "collection": c}),
    "image-chooser-create": (
        "/admin/images/chooser/create/",
        lambda c: {
            "image-chooser-upload-title": "Smuggled",
            "image-chooser-upload-file": png(),
            "image-chooser-upload-collection": c,
        },
    ),
    "image-multiple-add": (
        "/admin/images/multiple/add/",
        lambda c: {"files[]": png("smuggled.png"), "collection": c},
    ),
    "document-add": (
        "/admin/documents/add/",
        lambda c: {"title": "Smuggled", "file": text_file(), "collection": c},
    ),
    "document-chooser-create": (
        "/admin/documents/chooser/create/",
        lambda c: {
            "document-chooser-upload-title": "Smuggled",
            "document-chooser-upload-file": text_file(),
            "document-chooser-upload-collection": c,
        },
    ),
    "document-multiple-add": (
        "/admin/documents/multiple/add/",
        lambda c: {"files[]": text_file("smuggled.txt"), "collection": c},
    ),
}


@pytest.mark.parametrize(("url", "fields"), UPLOADS.values(), ids=UPLOADS.keys())
def test_uploads_into_another_tenants_collection_are_refused(client, world, url, fields, subtests):
    before = snapshot(world.other)
    for role in STAFF_ROLES:
        with subtests.test(role=role.label):
            log_in(client, world.staff(role))

            response = client.post(url, fields(world.other.tenant.collection_id))

            assert response.status_code in (200, 302)
            assert leaked(response) is None
            assert snapshot(world.other) == before
            # With one collection to upload to, Wagtail files the upload there.
            assert (
                not TenantImage.objects.exclude(tenant=world.own.tenant)
                .exclude(pk=world.other.image.pk)
                .exists()
            )
            assert (
                not TenantDocument.objects.exclude(tenant=world.own.tenant)
                .exclude(pk=world.other.document.pk)
                .exists()
            )


@pytest.mark.parametrize("role", [Role.TENANT_ADMIN, Role.EDITOR], ids=["tenant-admin", "editor"])
def test_staff_upload_into_their_own_collection(client, world, role):
    log_in(client, world.staff(role))
    before = snapshot(world.other)

    single = client.post(
        "/admin/images/add/",
        {"title": "Storefront hero", "file": png("hero.png"), "collection": world.own.tenant.collection_id},
    )
    multiple = client.post(
        "/admin/images/multiple/add/",
        {"files[]": png("shelf.png"), "collection": world.own.tenant.collection_id},
    )
    document = client.post(
        "/admin/documents/add/",
        {
            "title": "Price list",
            "file": text_file("prices.txt"),
            "collection": world.own.tenant.collection_id,
        },
    )

    assert single.status_code == 302 and document.status_code == 302
    assert json.loads(multiple.content)["success"] is True
    with platform_scope("test: which tenant the uploads went to"):
        hero = TenantImage.objects.get(title="Storefront hero")
        assert hero.tenant == world.own.tenant and hero.collection_id == world.own.tenant.collection_id
        assert TenantImage.objects.get(title="shelf.png").tenant == world.own.tenant
        assert TenantDocument.objects.get(title="Price list").tenant == world.own.tenant
    assert snapshot(world.other) == before


def test_marketers_choose_but_do_not_upload(client, world):
    log_in(client, world.marketer)

    assert client.get("/admin/images/add/").status_code == 302
    assert "Alpha Image" in client.get("/admin/images/chooser/").content.decode()


def test_documents_download_for_their_own_staff_and_for_visitors(client, world):
    own, other = world.own.document, world.other.document

    # Documents are served by the storefront they belong to, to anyone who asks there;
    # another tenant's storefront (and session) does not find them.
    assert client.get(f"/store/bravo/documents/{other.pk}/{other.filename}").status_code == 200
    log_in(client, world.editor)
    assert client.get(f"/store/alpha/documents/{own.pk}/{own.filename}").status_code == 200
    assert client.get(f"/store/alpha/documents/{other.pk}/{other.filename}").status_code == 404


def test_super_admin_sees_every_tenants_media(client, world):
    log_in(client, world.root)

    listing = client.get("/admin/images/").content.decode()
    api = [item["title"] for item in client.get("/admin/api/main/images/").json()["items"]]

    assert "Alpha Image" in listing and "Zulu Secret Image" in listing
    assert sorted(api) == ["Alpha Image", "Zulu Secret Image"]
    assert client.get(f"/admin/images/{world.other.image.pk}/").status_code == 200
