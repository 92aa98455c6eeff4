"""Two dispensaries with something to hide, for the admin isolation tests.

Tenant B ("Bravo Clinic") owns one of everything, each named so that its appearance in
any response is unmistakable; tenant A ("Alpha Dispensary") owns the same kinds of
things under ordinary names. ``snapshot`` captures everything of B's that a denied
request could have changed.
"""

from __future__ import annotations

import io
import re
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from wagtail.log_actions import log
from wagtail.models import Page

from PIL import Image as PILImage

from commerce.models import Product
from media.models import TenantDocument, TenantImage
from pages.models import AboutPage
from sites.context import platform_scope, tenant_scope
from sites.models import Branding, Role, Tenant, User
from tests.conftest import PASSWORD

# Anything of tenant B's that must never reach tenant A's staff.
SECRET = re.compile(r"zulu secret|zulu-secret|zulu-patient|bravo clinic|bravo: ", re.IGNORECASE)


def png(name: str = "pixel.png", colour: str = "green") -> SimpleUploadedFile:
    buffer = io.BytesIO()
    PILImage.new("RGB", (12, 8), colour).save(buffer, "PNG")
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/png")


def text_file(name: str = "notes.txt", body: bytes = b"notes") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, body, content_type="text/plain")


def leaked(response) -> str | None:
    """The first secret of tenant B found in a response body, if any."""
    body = b"".join(response.streaming_content) if response.streaming else response.content
    match = SECRET.search(body.decode(errors="replace"))
    return match.group(0) if match else None


def refused(response) -> bool:
    """Not found, or Wagtail's "no permission" bounce to the dashboard (which it gives
    before looking the object up, so it tells nothing about the object either)."""
    return response.status_code == 404 or (response.status_code == 302 and response["Location"] == "/admin/")


@dataclass
class Holdings:
    """One tenant's things."""

    tenant: Tenant
    home: Page
    page: AboutPage
    image: TenantImage
    document: TenantDocument
    product: Product
    branding: Branding
    staff: User
    patient: User


def _holdings(tenant: Tenant, make_user, prefix: str, label: str) -> Holdings:
    staff = make_user(tenant, Role.EDITOR, email=f"{prefix}-staff@{tenant.slug}.example", first_name=label)
    patient = make_user(tenant, Role.PATIENT, email=f"{prefix}-patient@{tenant.slug}.example")
    # Built as the tenant's own staff would: inside its scope (RLS hides everything else).
    with tenant_scope(tenant):
        home = tenant.site.root_page.specific
        page = home.add_child(instance=AboutPage(title=f"{label} Page", slug=f"{prefix}-page", owner=staff))
        page.save_revision(user=staff, log_action=True).publish()
        page.title = f"{label} Page draft"
        page.save_revision(user=staff, log_action=True)
        page.refresh_from_db()
        Page.objects.filter(pk=page.pk).update(locked=True, locked_by=staff, locked_at=timezone.now())
        image = TenantImage.objects.create(title=f"{label} Image", file=png(), collection=tenant.collection)
        image.tags.add(f"{prefix}-secret-launch" if prefix == "zulu" else f"{prefix}-launch")
        document = TenantDocument.objects.create(
            title=f"{label} Doc",
            file=text_file(f"{prefix}.txt", label.encode()),
            collection=tenant.collection,
        )
        document.tags.add(f"{prefix}-secret-memo" if prefix == "zulu" else f"{prefix}-memo")
        product = Product.objects.create(
            name=f"{label} Kush",
            slug=f"{prefix}-kush",
            sku=f"{prefix.upper()}-SKU",
            strain_type="hybrid",
            price=Decimal("10.00"),
            stock=5,
            available_countries="GB PT",
        )
        log(instance=product, action="wagtail.edit", user=staff)
        branding = Branding.objects.get()
        branding.tagline = f"{label} tagline"
        branding.save()
    return Holdings(tenant, home, page.specific, image, document, product, branding, staff, patient)


@dataclass
class World:
    own: Holdings
    other: Holdings
    admin: User
    editor: User
    marketer: User
    root: User

    def staff(self, role: str) -> User:
        return {Role.TENANT_ADMIN: self.admin, Role.EDITOR: self.editor, Role.MARKETER: self.marketer}[role]


def build_world(tenant_a: Tenant, tenant_b: Tenant, make_user) -> World:
    return World(
        own=_holdings(tenant_a, make_user, "alpha", "Alpha"),
        other=_holdings(tenant_b, make_user, "zulu", "Zulu Secret"),
        admin=make_user(tenant_a, Role.TENANT_ADMIN),
        editor=make_user(tenant_a, Role.EDITOR),
        marketer=make_user(tenant_a, Role.MARKETER),
        root=make_user(None, Role.SUPER_ADMIN),
    )


def log_in(client, user: User) -> None:
    assert client.login(username=user.email, password=PASSWORD)


def snapshot(holdings: Holdings) -> dict:
    """Everything of a tenant's that a refused request could have changed."""
    tenant = holdings.tenant
    with platform_scope("test snapshot"):
        pages = Page.objects.descendant_of(holdings.home, inclusive=True).order_by("path")
        return {
            "pages": list(
                pages.values_list(
                    "pk", "path", "title", "live", "locked", "locked_by", "has_unpublished_changes"
                )
            ),
            "revisions": sorted(pages.values_list("pk", "latest_revision")),
            "images": list(
                TenantImage.objects.filter(tenant=tenant).values_list("pk", "title", "collection")
            ),
            "documents": list(
                TenantDocument.objects.filter(tenant=tenant).values_list("pk", "title", "collection")
            ),
            "products": list(Product.objects.filter(tenant=tenant).values_list("pk", "name", "sku", "price")),
            "branding": list(
                Branding.objects.filter(tenant=tenant).values_list("tagline", "primary_colour", "logo")
            ),
            "users": list(
                User.objects.filter(tenant=tenant)
                .order_by("pk")
                .values_list("pk", "email", "role", "is_active", "is_superuser", "first_name")
            ),
            "groups": sorted(User.objects.filter(tenant=tenant).values_list("pk", "groups")),
        }


STAFF_ROLES = [Role.TENANT_ADMIN, Role.EDITOR, Role.MARKETER]


@dataclass(frozen=True)
class Door:
    """One way into the admin: a method, a URL and optionally form data, built per world."""

    method: str
    url: Callable[[World], str]
    data: Callable[[World], dict] | None = None


def no_data(world: World) -> dict:
    return {}


def knock(client, world: World, door: Door):
    data = door.data(world) if door.data else None
    return getattr(client, door.method)(door.url(world), data)


def assert_not_found_for_every_role(client, world: World, door: Door, subtests) -> None:
    """Every staff role of the own tenant gets a 404, sees nothing and changes nothing."""
    before = snapshot(world.other)
    for role in STAFF_ROLES:
        with subtests.test(role=role.label):
            log_in(client, world.staff(role))

            response = knock(client, world, door)

            assert response.status_code == 404
            assert leaked(response) is None
            assert snapshot(world.other) == before
