"""Each dispensary looks like its own, and its storefront works from the keyboard."""

import pytest
from playwright.sync_api import expect

from sites.context import tenant_scope
from sites.models import Branding

pytestmark = pytest.mark.browser

STYLESHEETS_LOADED = """() => [...document.querySelectorAll('link[rel=stylesheet]')]
    .map(link => Boolean(link.sheet && link.sheet.cssRules.length))"""
STYLES = """() => ({
    background: getComputedStyle(document.body).backgroundColor,
    font: getComputedStyle(document.body).fontFamily.split(',')[0].replace(/["']/g, ''),
    heading: getComputedStyle(document.querySelector('h1')).color,
    sidebar: Boolean(document.querySelector('header.sidebar')),
    masthead: Boolean(document.querySelector('header.masthead')),
})"""


def test_each_built_in_theme_looks_different(page, storefront, make_tenant, tmp_path):
    # Given three dispensaries on the three built-in themes, one with its own brand colour
    tenants = [
        make_tenant("alpha", "Alpha Dispensary", "GB", "sage"),
        make_tenant("bravo", "Bravo Clinic", "PT", "clinic"),
        make_tenant("charlie", "Charlie Boutique", "GB", "nocturne"),
    ]
    with tenant_scope(tenants[1]):
        Branding.objects.filter(tenant=tenants[1]).update(primary_colour="#0b5394")

    # When a patient looks at each home page
    looks = {}
    for tenant in tenants:
        page.goto(storefront.url(tenant))
        expect(page.get_by_role("heading", level=1)).to_have_text(f"Welcome to {tenant.name}")
        assert page.evaluate(STYLESHEETS_LOADED) == [True]
        looks[tenant.slug] = page.evaluate(STYLES)
        page.screenshot(path=tmp_path / f"{tenant.slug}.png", full_page=True)

    # Then layout, typography and colour differ, and the brand colour wins over the theme's
    assert looks == {
        "alpha": {"background": "rgb(251, 250, 245)", "font": "Georgia", "heading": "rgb(255, 255, 255)",
                  "sidebar": False, "masthead": False},
        "bravo": {"background": "rgb(255, 255, 255)", "font": "Helvetica Neue", "heading": "rgb(11, 83, 148)",
                  "sidebar": False, "masthead": True},
        "charlie": {"background": "rgb(21, 23, 28)", "font": "Trebuchet MS", "heading": "rgb(241, 241, 238)",
                    "sidebar": True, "masthead": False},
    }  # fmt: skip
    shots = {slug: (tmp_path / f"{slug}.png").read_bytes() for slug in looks}
    assert len(set(shots.values())) == 3


def test_tab_reaches_a_visible_skip_link_first(page, storefront, make_tenant):
    tenant = make_tenant("alpha", "Alpha Dispensary")
    page.goto(storefront.url(tenant))
    skip = page.get_by_role("link", name="Skip to content")
    expect(skip).not_to_be_in_viewport()

    page.keyboard.press("Tab")

    expect(skip).to_be_focused()
    expect(skip).to_be_in_viewport()

    page.keyboard.press("Enter")

    expect(page).to_have_url(storefront.url(tenant) + "#main")
