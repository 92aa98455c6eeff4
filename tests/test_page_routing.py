"""Cached page routing: no query finds a known page, and every tree change is seen at once."""

from __future__ import annotations

from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext

from wagtail.models import PageViewRestriction

import pytest

from pages.models import AboutPage, ConditionPage, ConditionsIndexPage
from pages.routing import _route_key
from sites.context import tenant_scope

pytestmark = pytest.mark.django_db


def _page_queries(captured) -> list[str]:
    return [q["sql"] for q in captured if '"wagtailcore_page"' in q["sql"]]


def _about(tenant) -> AboutPage:
    return AboutPage.objects.child_of(tenant.site.root_page).get()


def _condition(tenant, slug: str = "insomnia") -> ConditionPage:
    index = ConditionsIndexPage.objects.child_of(tenant.site.root_page).get()
    page = ConditionPage(title="Insomnia", slug=slug, summary="Trouble sleeping.", symptoms="Waking at night")
    index.add_child(instance=page)
    page.save_revision().publish()
    return page


def test_a_known_page_is_served_without_looking_it_up(client, tenant_a):
    _condition(tenant_a)
    assert client.get("/store/alpha/conditions/insomnia/").status_code == 200
    with CaptureQueriesContext(connection) as warm:
        again = client.get("/store/alpha/conditions/insomnia/")
    assert again.status_code == 200 and b"Trouble sleeping." in again.content
    # Wagtail's walk looks up each slug and then loads each specific page (4 queries
    # here); the cached route holds the condition itself.
    pages = _page_queries(warm)
    assert not [sql for sql in pages if '"wagtailcore_page"."slug" = ' in sql]
    assert not [sql for sql in pages if 'WHERE "pages_conditionpage"."page_ptr_id" = ' in sql]
    # No view-restriction query while the tenant has no private page.
    assert not [q for q in warm.captured_queries if "wagtailcore_pageviewrestriction" in q["sql"]]


def test_renaming_moving_and_unpublishing_are_followed_at_once(client, tenant_a):
    about = _about(tenant_a)
    assert client.get("/store/alpha/about/").status_code == 200
    about.slug = "our-story"
    about.save_revision().publish()
    assert client.get("/store/alpha/about/").status_code == 404
    assert client.get("/store/alpha/our-story/").status_code == 200

    page = _condition(tenant_a)
    assert client.get("/store/alpha/conditions/insomnia/").status_code == 200
    page.move(tenant_a.site.root_page, pos="last-child")
    assert client.get("/store/alpha/conditions/insomnia/").status_code == 404
    assert client.get("/store/alpha/insomnia/").status_code == 200
    page.refresh_from_db()
    page.unpublish()
    assert client.get("/store/alpha/insomnia/").status_code == 404


def test_the_same_path_routes_to_each_tenants_own_page(client, tenant_a, tenant_b):
    alpha = client.get("/store/alpha/about/")
    bravo = client.get("/store/bravo/about/")
    assert b"Alpha Dispensary" in alpha.content and b"Bravo Clinic" not in alpha.content
    assert b"Bravo Clinic" in bravo.content and b"Alpha Dispensary" not in bravo.content


def test_a_page_made_private_after_it_was_served_asks_for_the_password(client, tenant_a):
    page = _condition(tenant_a)
    index = page.get_parent()
    assert b"Trouble sleeping." in client.get("/store/alpha/conditions/insomnia/").content
    assert b"Insomnia" in client.get("/store/alpha/conditions/").content

    # Private from the parent down: the condition and its place in the library listing.
    restriction = PageViewRestriction.objects.create(
        page=index, restriction_type=PageViewRestriction.PASSWORD, password="letmein"
    )
    locked = client.get("/store/alpha/conditions/insomnia/")
    assert b"Trouble sleeping." not in locked.content
    assert b'name="password"' in locked.content

    restriction.delete()
    assert b"Trouble sleeping." in client.get("/store/alpha/conditions/insomnia/").content


def test_private_pages_are_left_out_of_listings(client, tenant_a):
    page = _condition(tenant_a)
    assert b"Insomnia" in client.get("/store/alpha/conditions/").content
    PageViewRestriction.objects.create(page=page, restriction_type=PageViewRestriction.LOGIN)
    assert b"Insomnia" not in client.get("/store/alpha/conditions/").content


def test_invented_paths_leave_nothing_in_the_cache(client, tenant_a):
    assert client.get("/store/alpha/the-wire/").status_code == 200
    for number in range(5):
        assert client.get(f"/store/alpha/the-wire/made-up-{number}/").status_code == 404
        assert client.get(f"/store/alpha/no/such/page-{number}/").status_code == 404
    with tenant_scope(tenant_a):
        invented = [_route_key(tenant_a.pk, ["the-wire", f"made-up-{number}"]) for number in range(5)] + [
            _route_key(tenant_a.pk, ["no", "such", f"page-{number}"]) for number in range(5)
        ]
    assert cache.get_many(invented) == {}
    assert cache.get(_route_key(tenant_a.pk, ["the-wire"])) is not None
