"""A dispensary applies in the browser; the slug is checked live as they type."""

import pytest
from playwright.sync_api import expect

from onboarding.models import TenantApplication

pytestmark = pytest.mark.browser


def test_application_form_checks_the_slug_live_and_submits(page, storefront, make_tenant, monkeypatch):
    monkeypatch.setattr("pages.contact.MIN_SECONDS", 0)  # no need to wait like a person here
    make_tenant("alpha", "Alpha Dispensary")
    page.goto(f"{storefront.base_url}/onboarding/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Open your storefront on BudStack")

    slug = page.get_by_label("Storefront address")
    status = page.locator("#slug-status")
    slug.fill("alpha")
    expect(status).to_have_text("That address is already taken; choose another.")
    expect(slug).to_have_attribute("aria-invalid", "true")
    slug.fill("admin")
    expect(status).to_contain_text("reserved")
    slug.fill("fresh-shop")
    expect(status).to_have_text("fresh-shop.budstack.test is available.")
    expect(slug).to_have_attribute("aria-invalid", "false")

    page.get_by_label("Business name").fill("Fresh Shop")
    page.get_by_label("Country").select_option("PT")
    page.get_by_label("Your name").fill("Rui Costa")
    page.get_by_label("Email").fill("rui@freshshop.example")
    page.get_by_label("Phone").fill("+351 21 000 0000")
    page.get_by_label("Licence number").fill("INFARMED-777")
    page.get_by_label("Starter").check()
    page.locator("input[name=theme]").first.check()
    page.get_by_role("button", name="Send application").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Thank you: your application is in")
    application = TenantApplication.objects.get()
    assert (application.slug, application.country_code, application.plan.slug) == (
        "fresh-shop",
        "PT",
        "starter",
    )
