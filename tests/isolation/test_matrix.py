"""The isolation matrix: every role of tenant A against every kind of tenant B's objects.

Kinds are discovered (every model with a tenant foreign key, plus pages); each probe
first shows the door works for the owner (so a probe can fail), then that it is shut
for everyone else. Totals are printed at the end of the run.
"""

from __future__ import annotations

from django.db import connection
from django.urls import get_resolver

import pytest

from sites.context import tenant_scope
from sites.models import Role, tenant_owned_models
from sites.rls import POLICY_NAME
from tests.conftest import PASSWORD
from tests.isolation.objects import FACTORIES, make
from tests.isolation.probes import probe

pytestmark = pytest.mark.django_db

OWNED = sorted(model._meta.label for model in tenant_owned_models())
STOREFRONT_ROLES = [None, Role.PATIENT, Role.EDITOR, Role.TENANT_ADMIN]


def body(response) -> bytes:
    return b"".join(response.streaming_content) if response.streaming else response.content


def role_id(role):
    return role or "anonymous"


def storefront_client(client, tenant, role, make_user):
    if role is None:
        return client
    user = make_user(tenant, role, email=f"{role.lower()}-probe@{tenant.slug}.example")
    response = client.post(
        f"/store/{tenant.slug}/auth/login/", {"username": user.email, "password": PASSWORD}
    )
    assert response.status_code == 302, f"{role} could not log in at their own storefront"
    return client


def test_every_tenant_owned_model_has_a_factory():
    assert set(OWNED) - set(FACTORIES) == set(), "add a factory in tests/isolation/objects.py"


@pytest.mark.parametrize("label", OWNED)
def test_orm_wall_hides_other_tenants_objects(label, tenant_a, tenant_b):
    made = make(label, tenant_b)
    model = type(made.obj)
    with tenant_scope(tenant_b):
        assert model._default_manager.filter(pk=made.obj.pk).exists()
    with tenant_scope(tenant_a):
        probe("orm")
        assert not model._default_manager.filter(pk=made.obj.pk).exists()
        assert model._default_manager.filter(pk=made.obj.pk).update(tenant=tenant_a) == 0
    with tenant_scope(tenant_b):
        assert model._default_manager.filter(pk=made.obj.pk).exists()


@pytest.mark.postgres
@pytest.mark.parametrize("label", OWNED)
def test_database_wall_hides_other_tenants_rows(label, tenant_a, tenant_b):
    made = make(label, tenant_b)
    table = type(made.obj)._meta.db_table
    with tenant_scope(tenant_a), connection.cursor() as cursor:
        probe("rls")
        cursor.execute(f'SELECT count(*) FROM "{table}" WHERE id = %s', [made.obj.pk])  # noqa: S608
        assert cursor.fetchone()[0] == 0
        cursor.execute(f'DELETE FROM "{table}" WHERE id = %s', [made.obj.pk])  # noqa: S608
        assert cursor.rowcount == 0
        cursor.execute(
            "SELECT count(*) FROM pg_policies WHERE tablename = %s AND policyname = %s", [table, POLICY_NAME]
        )
        assert cursor.fetchone()[0] == 1


@pytest.mark.parametrize("role", STOREFRONT_ROLES, ids=role_id)
@pytest.mark.parametrize("label", OWNED)
def test_storefront_shows_nothing_of_another_tenant(label, role, client, tenant_a, tenant_b, make_user):
    made = make(label, tenant_b)
    for path in made.storefront_paths:
        owner_view = client.get(f"/store/bravo/{path}")
        assert owner_view.status_code == 200 and made.marker.encode() in body(owner_view), path
    browser = storefront_client(client, tenant_a, role, make_user)
    pages = [f"/store/alpha/{path}" for path in made.storefront_paths]
    pages += [
        "/store/alpha/",
        "/store/alpha/products/",
        "/store/alpha/sitemap.xml",
        "/store/alpha/the-wire/feed/",
    ]
    if role is not None:
        pages.append("/store/alpha/account/")
    for page in pages:
        probe("storefront")
        response = browser.get(page)
        assert response.status_code in (200, 404), page
        assert made.marker.encode() not in body(response), page
        assert b"Bravo" not in body(response), page


@pytest.mark.parametrize("role", STOREFRONT_ROLES, ids=role_id)
def test_another_tenants_pages_cannot_be_reached_below_this_tenant(
    role, client, tenant_a, tenant_b, make_user
):
    from pages.models import ConditionPage, ConditionsIndexPage

    conditions = ConditionsIndexPage.objects.child_of(tenant_b.site.root_page).get()
    secret = conditions.add_child(
        instance=ConditionPage(title="Secret condition of bravo", slug="bravo-only", summary="Only at bravo.")
    )
    assert client.get("/store/bravo/conditions/bravo-only/").status_code == 200
    browser = storefront_client(client, tenant_a, role, make_user)
    for page in (
        "/store/alpha/conditions/bravo-only/",
        "/store/alpha/search/?q=Secret",
        "/store/alpha/conditions/",
    ):
        probe("storefront")
        response = browser.get(page)
        assert secret.title.encode() not in response.content, page
    assert browser.get("/store/alpha/conditions/bravo-only/").status_code == 404


def _api_routes(patterns, prefix: str = ""):
    from django.urls import URLResolver

    for pattern in patterns:
        route = prefix + str(pattern.pattern)
        if isinstance(pattern, URLResolver):
            yield from _api_routes(pattern.url_patterns, route)
        else:
            yield route


def test_api_endpoints_are_all_probed():
    """Every /api/ route, however deeply included, must be listed in tests/isolation/api.py."""
    from tests.isolation import api

    routes = sorted(route for route in _api_routes(get_resolver().url_patterns) if route.startswith("api/"))
    assert routes, "the API is mounted below /api/"
    assert set(routes) <= set(api.PROBED_ROUTES), "add isolation probes for the new API routes"


@pytest.fixture
def api_world_for(tenant_a, tenant_b, make_user):
    """Tenant B's objects of every kind the API serves, and a caller of tenant A."""
    from rest_framework.test import APIClient

    from sites.tokens import issue_token
    from tests.isolation.api import ApiWorld

    def token(tenant, role):
        user = make_user(tenant, role, email=f"api-{role.lower()}@{tenant.slug}.example")
        response = APIClient().post(
            "/api/v1/auth/token", {"email": user.email, "password": PASSWORD}, HTTP_X_TENANT_SLUG=tenant.slug
        )
        assert response.status_code == 201, response.content
        return response.json()["token"]

    def build(role) -> ApiWorld:
        objects = {label.split(".")[1].lower(): make(label, tenant_b) for label in (
            "commerce.Product", "tenancy.AuditLogEntry", "tenancy.Branding", "media.TenantImage",
            "media.TenantDocument", "commerce.Order", "integrations.WebhookDelivery")}  # fmt: skip
        bravo_patient = make_user(tenant_b, Role.PATIENT, email="api-patient-only@bravo.example")
        with tenant_scope(tenant_b):
            bravo_token = issue_token(
                make_user(tenant_b, Role.EDITOR, email="api-editor@bravo.example")
            ).token
            home = tenant_b.site.root_page.specific
        world = ApiWorld(
            alpha=tenant_a,
            bravo=tenant_b,
            bravo_admin_token=token(tenant_b, Role.TENANT_ADMIN),
            caller_token=token(tenant_a, role) if role else None,
            objects={
                "product": objects["product"].obj,
                "audit": objects["auditlogentry"].obj,
                "branding": objects["branding"].obj,
                "images": objects["tenantimage"].obj,
                "documents": objects["tenantdocument"].obj,
                "pages": home,
                "token": bravo_token,
                "bravo_patient": bravo_patient,
                "order": objects["order"].obj,
                "delivery": objects["webhookdelivery"].obj,
            },
            markers=[made.marker for made in objects.values()] + [bravo_token.prefix],
        )
        return world

    return build


@pytest.mark.parametrize("role", STOREFRONT_ROLES, ids=role_id)
def test_api_routes_show_nothing_of_another_tenant(role, api_world_for):
    """One world per role (tenants are slow to provision), every route probed in it."""
    from tests.isolation.api import PROBES

    world = api_world_for(role)
    for route, check in sorted(PROBES.items()):
        try:
            check(world)
        except AssertionError as error:
            raise AssertionError(f"{route}: {error}") from error
