"""axe-core finds no serious or critical accessibility problem on the storefront's pages."""

import pytest

pytestmark = pytest.mark.browser

PAGES = {
    "home": "",
    "products": "products/",
    "conditions": "conditions/",
    "about": "about/",
    "contact": "contact/",
    "the-wire": "the-wire/",
    "login": "auth/login/",
    "age-check": "age-check/",
}

# Serious or critical violations a page is known to have, as (rule, offending HTML):
# none when this test was written (axe-core 4.14.1, Chromium 156). The templates are
# being rewritten elsewhere; one that cannot be fixed at once is listed here rather than
# hidden, so a fix fails the test until its entry goes, and anything new fails at once.
KNOWN_VIOLATIONS: dict[str, set[tuple[str, str]]] = {name: set() for name in PAGES}


@pytest.mark.parametrize("name", PAGES)
def test_storefront_page_has_no_serious_accessibility_violation(name, page, storefront, demo_like, axe):
    tenant = demo_like("northleaf", "North Leaf")
    if name != "age-check":  # the demo asks for the visitor's age first, as a person would answer
        page.goto(storefront.url(tenant, "age-check/"))
        page.get_by_role("button", name="I am 18 or older").click()

    url = storefront.url(tenant, PAGES[name])
    response = page.goto(url)
    assert (response.status, page.url) == (200, url)  # the page itself, not a redirect's target

    found = {(violation.rule, html) for violation in axe(page) for html in violation.html}
    assert found == KNOWN_VIOLATIONS[name]


def test_the_check_sees_a_violation_when_there_is_one(page, storefront, make_tenant, axe):
    """Guards the test above against passing vacuously (axe not run, or filtered away)."""
    tenant = make_tenant("alpha", "Alpha Dispensary")
    page.goto(storefront.url(tenant))
    page.evaluate("() => document.querySelector('main').insertAdjacentHTML('beforeend', '<img src=x.png>')")

    [violation] = axe(page)

    assert (violation.rule, violation.impact, violation.html) == (
        "image-alt",
        "critical",
        ('<img src="x.png">',),
    )
