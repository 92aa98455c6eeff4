"""Storefront search: scoped, ranked, highlighted, suggested, logged."""

from __future__ import annotations

import re
from datetime import timedelta

from django.core.management import call_command
from django.utils import timezone

import pytest
import time_machine

from commerce.models import Product
from pages.models import ArticlePage, ConditionPage, ConditionsIndexPage, WireIndexPage
from search.models import SearchDocument, SearchQueryLog
from sites.context import platform_scope, tenant_scope
from sites.models import Role
from tests.admin_world import log_in

pytestmark = pytest.mark.django_db


def section(tenant, model):
    return model.objects.child_of(tenant.site.root_page).get()


def condition(tenant, title, **fields):
    index = section(tenant, ConditionsIndexPage)
    slug = re.sub(r"[^a-z0-9]+", "-", title.lower()).strip("-")
    fields = {"summary": f"About {title}.", **fields}
    return index.add_child(instance=ConditionPage(title=title, slug=slug, **fields))


def article(tenant, title, live=True, **fields):
    wire = section(tenant, WireIndexPage)
    slug = re.sub(r"[^a-z0-9]+", "-", title.lower()).strip("-")
    with tenant_scope(tenant):
        return wire.add_child(
            instance=ArticlePage(title=title, slug=slug, date=timezone.localdate(), live=live, **fields)
        )


def product(tenant, name, countries="GB PT", **fields):
    with tenant_scope(tenant):
        return Product.objects.create(
            name=name, slug=re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")[:60],
            sku=re.sub(r"\W", "", name.upper())[:20], strain_type="hybrid", price=10,
            available_countries=countries, **fields,
        )  # fmt: skip


def page(client, tenant, query, **params) -> str:
    response = client.get(f"/store/{tenant.slug}/search/", {"q": query, **params})
    assert response.status_code == 200
    return response.content.decode()


def suggestions(client, tenant, query) -> list[dict]:
    response = client.get(f"/store/{tenant.slug}/search/suggest/", {"q": query})
    assert response.status_code == 200 and response["Content-Type"] == "application/json"
    return response.json()["suggestions"]


def titles(html: str) -> list[str]:
    return re.findall(r'<li class="search-result[^"]*">.*?<h2><a href="[^"]*">(.*?)</a>', html, re.S)


@pytest.fixture(autouse=True, params=[0, 300], ids=["pages-not-kept", "pages-kept"])
def _kept_result_pages(request, settings):
    """Every behaviour here holds whether result pages are computed each time or kept
    under the content version (FRAGMENT_CACHE_SECONDS, as in production)."""
    settings.FRAGMENT_CACHE_SECONDS = request.param
    return request.param


@pytest.fixture
def healingbuds(make_tenant):
    return make_tenant("healingbuds", "Healing Buds", "GB", "sage")


@pytest.fixture
def greenleaf(make_tenant):
    return make_tenant("greenleaf", "GreenLeaf", "GB", "clinic")


def test_a_strain_sold_only_at_healingbuds_is_not_found_at_greenleaf(client, healingbuds, greenleaf):
    product(healingbuds, "Zkittlez Aurora", description="A fruity hybrid for evening relief.")
    product(greenleaf, "Greenleaf Haze")

    found = page(client, healingbuds, "zkittlez")
    assert titles(found) == ["Zkittlez Aurora"] and "1 result " in found
    assert [s["title"] for s in suggestions(client, healingbuds, "zkit")] == ["Zkittlez Aurora"]

    elsewhere = page(client, greenleaf, "zkittlez")
    assert "Zkittlez Aurora" not in elsewhere and "Nothing matches" in elsewhere
    assert suggestions(client, greenleaf, "zkit") == []
    # A near miss is not corrected into the other tenant's strain either.
    assert "Zkittlez Aurora" not in page(client, greenleaf, "zkittles aurora")
    api = client.get("/api/v1/products", {"q": "zkittlez"}, HTTP_X_TENANT_SLUG="greenleaf").json()
    assert api["count"] == 0


def test_hidden_things_are_never_found_counted_or_suggested(client, tenant_a):
    product(tenant_a, "Quasar Sold", description="quasar")
    product(tenant_a, "Quasar Lisbon", countries="PT")  # gated: not sold in GB
    product(tenant_a, "Quasar Withdrawn", is_published=False)
    product(tenant_a, "Quasar Later", publish_at=timezone.now() + timedelta(days=3))
    article(tenant_a, "Quasar Draft", live=False)
    private = article(tenant_a, "Quasar Members", intro="quasar")
    condition(tenant_a, "Quasar Ailment")  # below a restricted section
    with platform_scope("test"):
        from wagtail.models import PageViewRestriction

        PageViewRestriction.objects.create(page=private, restriction_type="password", password="s3cret")
        PageViewRestriction.objects.create(
            page=section(tenant_a, ConditionsIndexPage), restriction_type="login"
        )

    html = page(client, tenant_a, "quasar")
    assert titles(html) == ["Quasar Sold"] and "1 result " in html and "Products (1)" in html
    for hidden in ("Lisbon", "Withdrawn", "Later", "Draft", "Members", "Ailment"):
        assert hidden not in html
    assert [s["title"] for s in suggestions(client, tenant_a, "quas")] == ["Quasar Sold"]


def test_a_scheduled_article_is_found_only_after_go_live(client, tenant_a, settings):
    settings.PAGE_CACHE_SECONDS = 0
    go_live = timezone.now() + timedelta(hours=2)
    scheduled = article(tenant_a, "Solstice Dosing Guide", live=False, intro="Timing doses around solstice.")
    scheduled.go_live_at = go_live
    scheduled.save_revision().publish()

    assert "Solstice" not in page(client, tenant_a, "solstice")
    assert suggestions(client, tenant_a, "solst") == []

    with time_machine.travel(go_live + timedelta(minutes=1), tick=False):
        call_command("publish_scheduled")
        html = page(client, tenant_a, "solstice")
    assert titles(html) == ["Solstice Dosing Guide"]


def test_results_have_types_highlights_filters_and_pages(client, tenant_a):
    condition(tenant_a, "Chronic pain", summary="Long-lasting pain that medical cannabis may ease.")
    article(tenant_a, "Living well", intro="Our patients describe how they manage pain day to day.")
    for number in range(11):
        product(tenant_a, f"Remedy {number:02d}", description="Indica flower for evening pain relief.")

    html = page(client, tenant_a, "pain")
    assert "13 results" in html
    assert "Products (11)" in html and "Articles (1)" in html and "Conditions (1)" in html
    assert "<mark>pain</mark>" in html.lower()
    # Title matches (weight A) outrank body matches.
    assert titles(html)[0] == "Chronic pain"
    assert re.search(r'class="result-type">Condition<', html)

    only_articles = page(client, tenant_a, "pain", type="article")
    assert titles(only_articles) == ["Living well"] and "1 result " in only_articles

    first, second = page(client, tenant_a, "pain"), page(client, tenant_a, "pain", page="2")
    assert len(titles(first)) == 10 and len(titles(second)) == 3
    assert not set(titles(first)) & set(titles(second))
    # Nonsense parameters are ignored, never an error.
    assert "13 results" in page(client, tenant_a, "pain", type="<script>", page="x")


def test_snippets_and_titles_cannot_inject_markup(client, tenant_a):
    product(
        tenant_a, "Kush <img src=x onerror=alert(1)>", description='<script>alert("kush")</script> kush calm'
    )
    html = page(client, tenant_a, "kush")
    assert "<script>alert" not in html and "<img src=x" not in html
    assert "Kush &lt;img src=x onerror=alert(1)&gt;" in html
    snippet = re.search(r'<p class="snippet">(.*?)</p>', html, re.S).group(1)
    # The only markup in a snippet is ours: <mark> around the matched words.
    assert "<mark>" in snippet.lower() and "alert(" in snippet
    assert not re.search(r"[<>]", re.sub(r"</?mark>", "", snippet, flags=re.I))
    assert "Kush <img src=x onerror=alert(1)>" in [s["title"] for s in suggestions(client, tenant_a, "kush")]


def test_zero_results_offer_a_correction_and_the_conditions(client, tenant_a):
    product(tenant_a, "Blue Dream")
    condition(tenant_a, "Insomnia")
    html = page(client, tenant_a, "blue dreem")
    assert "Nothing matches" in html
    assert re.search(r'Did you mean <a href="\?q=Blue%20Dream">Blue Dream</a>', html)
    assert "Insomnia" in html  # a condition to go to instead


def test_index_follows_unpublish_delete_and_rebuild(client, tenant_a, settings):
    settings.PAGE_CACHE_SECONDS = 0
    story = article(tenant_a, "Terpene Primer", intro="Myrcene and limonene explained.")
    strain = product(tenant_a, "Myrcene Mango")
    assert set(titles(page(client, tenant_a, "myrcene"))) == {"Terpene Primer", "Myrcene Mango"}

    story.unpublish()
    with tenant_scope(tenant_a):
        assert not SearchDocument.objects.filter(source="page", object_id=story.pk).exists()
        strain.delete()
        assert not SearchDocument.objects.filter(source="product").exists()
    assert "Nothing matches" in page(client, tenant_a, "myrcene")

    story.save_revision().publish()
    with tenant_scope(tenant_a):
        SearchDocument.objects.all().delete()  # a lost index is rebuilt by the command
    call_command("rebuild_search_index", tenant=["alpha"], quiet=True)
    assert titles(page(client, tenant_a, "myrcene")) == ["Terpene Primer"]


def test_searches_are_logged_without_personal_data_and_shown_to_the_tenant_admin(
    client, tenant_a, tenant_b, make_user, settings
):
    settings.PAGE_CACHE_SECONDS = 0
    product(tenant_a, "Northern Lights")
    for query in ("Northern", "northern ", "unobtainium", "ada@example.com"):
        page(client, tenant_a, query)
    page(client, tenant_b, "bravo only query")
    with tenant_scope(tenant_a):
        logged = {row.query: (row.count, row.results) for row in SearchQueryLog.objects.all()}
    assert logged == {"northern": (2, 1), "unobtainium": (1, 0)}

    admin = make_user(tenant_a, Role.TENANT_ADMIN)
    log_in(client, admin)
    dashboard = client.get("/admin/").content.decode()
    assert "Top searches" in dashboard and "northern" in dashboard and "unobtainium" in dashboard
    assert "bravo only query" not in dashboard
    client.logout()
    log_in(client, make_user(tenant_a, Role.EDITOR))
    assert "Top searches" not in client.get("/admin/").content.decode()


@pytest.mark.parametrize("theme", ["sage", "clinic", "nocturne"])
def test_every_builtin_theme_renders_search_with_an_accessible_combobox(client, make_tenant, theme):
    tenant = make_tenant(f"theme-{theme}", theme=theme)
    product(tenant, "Theme Tester")
    html = page(client, tenant, "tester")
    assert titles(html) == ["Theme Tester"]
    assert 'role="combobox"' in html and 'aria-controls="site-search-listbox"' in html
    assert 'role="listbox"' in html and "search/autocomplete.js" in html


def test_odd_input_is_answered_never_an_error(client, tenant_a):
    product(tenant_a, "Odd Strain")
    for query in ('"', "&|!():*", "_", "the", "a_b:*A", "ü", "x" * 300, "<script>", "1 2 3 4 5 6 7 8 9 10"):
        assert client.get("/store/alpha/search/", {"q": query}).status_code == 200, query
        assert client.get("/store/alpha/search/suggest/", {"q": query}).status_code == 200, query
    assert client.post("/store/alpha/search/suggest/", {"q": "odd"}).status_code in (403, 405)
