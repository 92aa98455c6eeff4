"""Each dispensary looks like its own, and its storefront works from the keyboard."""

import pytest
from playwright.sync_api import expect

from sites.context import tenant_scope
from sites.models import Branding

pytestmark = pytest.mark.browser

STYLESHEETS_LOADED = """() => [...document.querySelectorAll('link[rel=stylesheet]')]
    .map(link => Boolean(link.sheet && link.sheet.cssRules.length))"""
STYLES = """() => ({
    headerBorder: getComputedStyle(document.querySelector('header')).borderBottomColor,
    background: getComputedStyle(document.body).backgroundColor,
})"""


def test_two_dispensaries_look_different(page, storefront, make_tenant, tmp_path):
    # Given a sage dispensary with the default green and a clinic one branded in blue
    alpha = make_tenant("alpha", "Alpha Dispensary", "GB", "sage")
    bravo = make_tenant("bravo", "Bravo Clinic", "PT", "clinic")
    with tenant_scope(bravo):
        Branding.objects.filter(tenant=bravo).update(primary_colour="#1d4e89")

    # When a patient looks at each home page
    looks = {}
    for tenant in (alpha, bravo):
        page.goto(storefront.url(tenant))
        expect(page.get_by_role("heading", level=1)).to_have_text(f"Welcome to {tenant.name}")
        assert page.evaluate(STYLESHEETS_LOADED) == [True]
        looks[tenant.slug] = page.evaluate(STYLES)
        page.screenshot(path=tmp_path / f"{tenant.slug}.png", full_page=True)

    # Then each shows its own brand colour under the header and its theme's background
    assert looks == {
        "alpha": {"headerBorder": "rgb(31, 111, 74)", "background": "rgb(251, 250, 245)"},
        "bravo": {"headerBorder": "rgb(29, 78, 137)", "background": "rgb(255, 255, 255)"},
    }
    shots = {slug: (tmp_path / f"{slug}.png").read_bytes() for slug in looks}
    assert all(shot.startswith(b"\x89PNG") for shot in shots.values())
    assert shots["alpha"] != shots["bravo"]


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
