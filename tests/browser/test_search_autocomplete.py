"""Search autocomplete works from the keyboard (ARIA combobox) and shows only this tenant."""

import pytest
from playwright.sync_api import expect

from commerce.models import Product
from sites.context import tenant_scope

pytestmark = pytest.mark.browser


def test_autocomplete_is_a_keyboard_driven_combobox(page, storefront, make_tenant):
    # Given two dispensaries, each selling a strain whose name starts with "Zen"
    alpha, bravo = make_tenant("alpha", "Alpha Dispensary", "GB"), make_tenant("bravo", "Bravo", "GB")
    for tenant, name in ((alpha, "Zenith Kush"), (bravo, "Zentropy Haze")):
        with tenant_scope(tenant):
            Product.objects.create(
                name=name, slug=name.lower().replace(" ", "-"), sku=name[:6], strain_type="indica",
                price=12, available_countries="GB",
            )  # fmt: skip

    # When a patient of alpha types "zen" in the header's search box
    page.goto(storefront.url(alpha))
    box = page.get_by_role("combobox", name="Search this site")
    box.press_sequentially("zen", delay=40)

    # Then alpha's strain is suggested, never bravo's, and the box says the list is open
    options = page.get_by_role("option")
    expect(options).to_have_count(1)
    expect(options.first).to_contain_text("Zenith Kush")
    expect(box).to_have_attribute("aria-expanded", "true")

    # Arrow down selects it (aria-activedescendant), Escape closes, Enter opens the product
    box.press("ArrowDown")
    expect(options.first).to_have_attribute("aria-selected", "true")
    expect(box).to_have_attribute("aria-activedescendant", "site-search-listbox-0")
    box.press("Escape")
    expect(box).to_have_attribute("aria-expanded", "false")
    box.press("ArrowDown")  # reopens
    expect(options).to_have_count(1)
    box.press("ArrowDown")
    box.press("Enter")
    expect(page).to_have_url(storefront.url(alpha, "products/zenith-kush/"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Zenith Kush")
