"""What patients see on a dispensary's storefront."""

import json
import re
import time
from datetime import timedelta

from django.core import mail
from django.utils import timezone

import pytest

from commerce.models import Product
from pages.models import (
    ArticleCategory,
    ArticlePage,
    ConditionPage,
    ConditionsIndexPage,
    ContactPage,
    ContactSubmission,
    NavigationMenu,
    NavigationMenuItem,
    StorefrontSettings,
    WireIndexPage,
)
from sites.context import platform_scope, tenant_scope

pytestmark = pytest.mark.django_db


def section(tenant, model):
    return model.objects.child_of(tenant.site.root_page).get()


def add_condition(tenant, title, **fields):
    index = section(tenant, ConditionsIndexPage)
    defaults = {"summary": f"About {title.lower()}.", "slug": title.lower().replace(" ", "-")}
    return index.add_child(instance=ConditionPage(title=title, **{**defaults, **fields}))


def add_article(tenant, title, days_ago=0, **fields):
    wire = section(tenant, WireIndexPage)
    slug = re.sub(r"[^a-z0-9]+", "-", title.lower()).strip("-")
    page = ArticlePage(title=title, slug=slug, date=timezone.localdate() - timedelta(days=days_ago), **fields)
    with tenant_scope(tenant):  # as in the admin: related tenant objects validate in scope
        return wire.add_child(instance=page)


def product(tenant, name, countries="GB PT", **fields):
    with tenant_scope(tenant):
        return Product.objects.create(
            name=name, slug=name.lower().replace(" ", "-"), sku=name.upper()[:10], strain_type="hybrid",
            price=10, available_countries=countries, **fields,
        )  # fmt: skip


def text(response) -> str:
    return response.content.decode()


# --- conditions -------------------------------------------------------------------------


def test_conditions_library_groups_a_to_z_and_searches(client, tenant_a):
    for title in ("Insomnia", "Anxiety", "Arthritis"):
        add_condition(tenant_a, title, symptoms="Poor sleep" if title == "Insomnia" else "")
    page = text(client.get("/store/alpha/conditions/"))
    assert re.findall(r'<h2 id="heading-(\w)">', page) == ["A", "I"]
    assert page.index("Anxiety") < page.index("Arthritis") < page.index("Insomnia")
    found = text(client.get("/store/alpha/conditions/?q=sleep"))
    assert "Insomnia" in found and "Anxiety" not in found
    none = client.get("/store/alpha/conditions/?q=zzz")
    assert "No condition matches" in text(none)


def test_condition_page_shows_evidence_related_items_and_disclaimer(client, tenant_a):
    sold = product(tenant_a, "Sold Here", countries="GB")
    not_sold = product(tenant_a, "Not Sold Here", countries="PT")
    condition = add_condition(
        tenant_a, "Chronic pain", symptoms="Aching joints\nBurning pain", evidence_level="moderate",
        evidence_notes="<p>Modest benefit in trials.</p>",
    )  # fmt: skip
    # Publishing restores relations through the scoped managers: do it as the tenant would.
    with tenant_scope(tenant_a):
        condition.related_products.set([sold, not_sold])
        condition.save_revision().publish()
    article = add_article(tenant_a, "Living with pain")
    article.conditions.set([condition])
    article.save_revision().publish()
    page = text(client.get("/store/alpha/conditions/chronic-pain/"))
    assert "<li>Aching joints</li>" in page and "<li>Burning pain</li>" in page
    assert "Moderate: some trials" in page and "Modest benefit in trials." in page
    assert "Sold Here" in page and "Not Sold Here" not in page
    assert "Living with pain" in page
    assert "not medical advice" in page
    data = json.loads(re.search(r'<script type="application/ld\+json">(.*?)</script>', page, re.S).group(1))
    assert (
        data["@type"] == "MedicalCondition"
        and data["url"] == "http://alpha.budstack.test/conditions/chronic-pain/"
    )


# --- The Wire ---------------------------------------------------------------------------


def test_wire_paginates_filters_and_shows_reading_time(client, tenant_a):
    with tenant_scope(tenant_a):
        research = ArticleCategory.objects.create(name="Research", slug="research")
    for number in range(12):
        add_article(tenant_a, f"Story {number:02d}", days_ago=number, intro="word " * 10)
    add_article(tenant_a, "Deep dive", days_ago=30, category=research, intro="word " * 500)
    first = text(client.get("/store/alpha/the-wire/"))
    assert first.count('<li>\n  <h2><a href="/store/alpha/the-wire/story-') == 10
    assert "Page 1 of 2" in first and 'rel="next"' in first
    second = text(client.get("/store/alpha/the-wire/?page=2"))
    assert "Story 10" in second and "Deep dive" in second and "Story 00" not in second
    filtered = text(client.get("/store/alpha/the-wire/?category=research"))
    assert "Deep dive" in filtered and "Story 01" not in filtered
    assert "3 min read" in filtered


def test_tags_are_per_tenant_and_filter_the_wire(client, tenant_a, tenant_b):
    tagged = add_article(tenant_a, "Tagged story")
    with tenant_scope(tenant_a):
        tagged.tags.add("sleep")
        tagged.save_revision().publish()
    add_article(tenant_a, "Untagged story")
    with tenant_scope(tenant_b):
        other = add_article(tenant_b, "Bravo sleep story")
        other.tags.add("sleep")
        other.save_revision().publish()
    with platform_scope("test"):
        tags = {(t.tenant.slug, t.name) for t in ArticlePage.tags.through.tag_model().objects.all()}
    assert tags == {("alpha", "sleep"), ("bravo", "sleep")}
    page = text(client.get("/store/alpha/the-wire/?tag=sleep"))
    assert "Tagged story" in page and "Untagged story" not in page and "Bravo" not in page
    article = text(client.get("/store/alpha/the-wire/tagged-story/"))
    assert 'href="/store/alpha/the-wire/?tag=sleep"' in article


def test_related_articles_share_category(client, tenant_a):
    with tenant_scope(tenant_a):
        guides = ArticleCategory.objects.create(name="Guides", slug="guides")
    add_article(tenant_a, "Guide one", category=guides)
    add_article(tenant_a, "Guide two", category=guides)
    add_article(tenant_a, "Unrelated news")
    page = text(client.get("/store/alpha/the-wire/guide-one/"))
    related = page.split('id="related"')[1]
    assert "Guide two" in related and "Unrelated news" not in related


# --- contact ----------------------------------------------------------------------------


def contact_post(client, prefix="/store/alpha", age=10, **overrides):
    from pages.contact import _signer

    form = {
        "your_name": "Ana", "email": "ana@example.com", "message": "Do you deliver to Porto?",
        "form_started": _signer.sign(str(int(time.time()) - age)), "website": "",
    }  # fmt: skip
    return client.post(f"{prefix}/contact/", {**form, **overrides})


def test_contact_message_is_stored_for_the_tenant_and_emailed(
    client, tenant_a, tenant_b, django_capture_on_commit_callbacks
):
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        response = contact_post(client)
    assert response.status_code == 200 and "Thank you" in text(response)
    with tenant_scope(tenant_a):
        (submission,) = ContactSubmission.objects.all()
    assert submission.tenant == tenant_a and submission.form_data["message"] == "Do you deliver to Porto?"
    assert set(submission.form_data) == {"your_name", "email", "message"}
    with tenant_scope(tenant_b):
        assert ContactSubmission.objects.count() == 0
    (email,) = mail.outbox
    assert email.to == ["owner@alpha.example"] and "Porto" in email.body
    # The dispensary's reply goes to the person who wrote.
    assert email.reply_to == ["ana@example.com"] and email.from_email.startswith("Alpha Dispensary <")


@pytest.mark.parametrize(
    ("overrides", "expected"),
    [
        pytest.param({"website": "http://spam.example"}, "could not be sent", id="honeypot"),
        pytest.param({"age": 0}, "That was quick", id="too-fast"),
        pytest.param({"form_started": "forged"}, "reload the page", id="forged-token"),
    ],
)
def test_contact_spam_is_refused_and_nothing_stored(
    client, tenant_a, overrides, expected, django_capture_on_commit_callbacks
):
    mail.outbox.clear()
    age = overrides.pop("age", 10)
    with django_capture_on_commit_callbacks(execute=True):
        response = contact_post(client, age=age, **overrides)
    assert response.status_code == 400 and expected in text(response)
    with tenant_scope(tenant_a):
        assert ContactSubmission.objects.count() == 0
    assert mail.outbox == []


def test_contact_form_is_rate_limited_per_address(client, tenant_a, tenant_b):
    for _ in range(5):
        assert contact_post(client).status_code == 200
    limited = contact_post(client)
    assert limited.status_code == 429 and "try again later" in text(limited)
    assert contact_post(client, prefix="/store/bravo").status_code == 200
    with tenant_scope(tenant_a):
        assert ContactSubmission.objects.count() == 5


def test_contact_form_field_errors_are_shown(client, tenant_a):
    response = contact_post(client, email="not-an-email")
    assert response.status_code == 200 and "Enter a valid email address" in text(response)


# --- age check and consent --------------------------------------------------------------


def enable_age_gate(tenant, age=21):
    with tenant_scope(tenant):
        StorefrontSettings.objects.filter(tenant=tenant).update(age_gate_enabled=True, minimum_age=age)
        StorefrontSettings.objects.get(tenant=tenant).save()


def test_age_gate_asks_once_per_visit_and_tenant(client, tenant_a, tenant_b):
    enable_age_gate(tenant_a)
    enable_age_gate(tenant_b, age=18)
    first = client.get("/store/alpha/the-wire/")
    assert first.status_code == 302
    assert first["Location"] == "/store/alpha/age-check/?next=%2Fstore%2Falpha%2Fthe-wire%2F"
    gate = client.get(first["Location"])
    assert "I am 21 or older" in text(gate)
    under = client.post("/store/alpha/age-check/", {"confirm": "no"})
    assert under.status_code == 400 and "21 or older" in text(under)
    ok = client.post("/store/alpha/age-check/", {"confirm": "yes", "next": "/store/alpha/the-wire/"})
    assert ok["Location"] == "/store/alpha/the-wire/"
    assert client.get("/store/alpha/the-wire/").status_code == 200
    assert client.get("/store/bravo/").status_code == 302


def test_age_gate_lets_machines_and_login_through(client, tenant_a):
    enable_age_gate(tenant_a)
    for path in ("robots.txt", "sitemap.xml", "the-wire/feed/", "auth/login/"):
        assert client.get(f"/store/alpha/{path}").status_code == 200, path


def test_age_gate_refuses_open_redirects(client, tenant_a):
    enable_age_gate(tenant_a)
    response = client.post("/store/alpha/age-check/", {"confirm": "yes", "next": "https://evil.example/"})
    assert response["Location"] == "/store/alpha/"


def test_cookie_banner_until_a_choice_and_videos_wait_for_consent(client, tenant_a):
    home = tenant_a.site.root_page.specific
    home.body = [
        ("video", {"url": "https://www.youtube.com/watch?v=dQw4w9WgXcQ", "title": "Our pharmacy tour"})
    ]
    home.save_revision().publish()
    before = text(client.get("/store/alpha/"))
    assert 'aria-label="Cookie consent"' in before
    assert "<iframe" not in before and "youtube-nocookie.com" not in before
    essential = client.post("/store/alpha/consent/", {"choice": "essential", "next": "/store/alpha/"})
    assert (
        essential["Location"] == "/store/alpha/" and client.cookies["budstack_consent"].value == "essential"
    )
    after = text(client.get("/store/alpha/"))
    assert 'aria-label="Cookie consent"' not in after and "<iframe" not in after
    client.post("/store/alpha/consent/", {"choice": "all"})
    assert 'src="https://www.youtube-nocookie.com/embed/dQw4w9WgXcQ"' in text(client.get("/store/alpha/"))


# --- navigation, SEO, errors ------------------------------------------------------------


def test_tenant_menu_replaces_the_default_menu(client, tenant_a, tenant_b):
    default = text(client.get("/store/alpha/"))
    assert 'href="/store/alpha/conditions/">Conditions</a>' in default
    with tenant_scope(tenant_a):
        menu = NavigationMenu.objects.get(tenant=tenant_a)
        about = tenant_a.site.root_page.get_children().get(slug="about")
        NavigationMenuItem.objects.create(menu=menu, label="Our story", page=about, sort_order=0)
        NavigationMenuItem.objects.create(menu=menu, label="Blog", url="https://blog.example/", sort_order=1)
    custom = text(client.get("/store/alpha/"))
    nav = custom.split('aria-label="Main"')[1].split("</nav>")[0]
    assert re.findall(r">([^<]+)</a>", nav) == ["Our story", "Blog"]
    assert 'href="/store/alpha/about/"' in nav
    assert "Our story" not in text(client.get("/store/bravo/"))


def test_seo_tags_canonical_on_primary_host(client, tenant_a):
    article = add_article(
        tenant_a, "Canonical story", intro="Intro.", search_description="Short description."
    )
    article.save_revision().publish()
    for url in ("/store/alpha/the-wire/canonical-story/",):
        page = text(client.get(url))
        assert '<link rel="canonical" href="http://alpha.budstack.test/the-wire/canonical-story/">' in page
        assert '<meta property="og:type" content="article">' in page
        assert '<meta name="description" content="Short description.">' in page
        data = json.loads(
            re.search(r'<script type="application/ld\+json">(.*?)</script>', page, re.S).group(1)
        )
        assert data["@type"] == "Article" and data["publisher"]["name"] == "Alpha Dispensary"
    home = text(client.get("/", HTTP_HOST="alpha.budstack.test"))
    assert '"@type": "Organization"' in home


def test_sitemap_lists_only_this_tenants_live_public_pages(client, tenant_a, tenant_b):
    add_article(tenant_a, "Published story")
    draft = add_article(tenant_a, "Draft story", live=False)
    draft.save_revision()
    add_article(tenant_b, "Bravo story")
    sitemap = text(client.get("/store/alpha/sitemap.xml"))
    locations = re.findall(r"<loc>(.*?)</loc>", sitemap)
    assert "http://alpha.budstack.test/the-wire/published-story/" in locations
    assert all(loc.startswith("http://alpha.budstack.test/") for loc in locations)
    assert not any("draft-story" in loc or "bravo" in loc for loc in locations)
    robots = text(client.get("/store/alpha/robots.txt"))
    assert "Sitemap: http://testserver/store/alpha/sitemap.xml" in robots


def test_product_page_has_product_structured_data(client, tenant_a):
    product(tenant_a, "Calm Oil", description="CBD oil.")
    page = text(client.get("/store/alpha/products/calm-oil/"))
    data = json.loads(re.search(r'<script type="application/ld\+json">(.*?)</script>', page, re.S).group(1))
    assert data["@type"] == "Product" and data["offers"]["price"] == "10.00"
    assert data["url"] == "http://alpha.budstack.test/products/calm-oil/"


def test_not_found_page_wears_the_storefront_look(client, tenant_a):
    response = client.get("/store/alpha/no-such-page/")
    assert response.status_code == 404
    page = text(response)
    assert "Page not found" in page and 'class="site-header"' in page and "Alpha Dispensary" in page


def test_server_error_page_needs_no_database(rf, tenant_a, django_assert_num_queries):
    from budstack.views import server_error

    request = rf.get("/")
    request.tenant = tenant_a
    with django_assert_num_queries(0):
        response = server_error(request)
    assert response.status_code == 500 and "Alpha Dispensary" in response.content.decode()


def test_contact_page_is_the_only_form_page(tenant_a):
    assert ContactPage.objects.descendant_of(tenant_a.site.root_page).count() == 1
