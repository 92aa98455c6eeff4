"""A patient finds their way around a dispensary's storefront."""

import re

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser


def test_patient_follows_the_main_navigation_to_conditions_and_about(page, storefront, demo_like):
    # Given two dispensaries that read like the demo ones
    tenant = demo_like("northleaf", "North Leaf")
    other = demo_like("southfield", "Southfield Clinic", "PT", "clinic")

    # When a patient opens the first one's home page and confirms their age
    page.goto(storefront.url(tenant))
    expect(page.get_by_role("heading", level=1)).to_have_text("Please confirm your age")
    page.get_by_role("button", name="I am 18 or older").click()

    # Then they see its name, its welcome and its main navigation, and nothing of the other
    expect(page).to_have_title(re.compile(r"North Leaf$"))
    expect(page.get_by_role("banner").get_by_role("link", name="North Leaf")).to_be_visible()
    expect(page.get_by_role("heading", level=1)).to_have_text("Welcome to North Leaf")
    main_nav = page.get_by_role("navigation", name="Main")
    expect(main_nav.get_by_role("link")).to_have_text(
        ["Products", "Conditions", "The Wire", "About us", "Contact", "Consultation"]
    )
    expect(page.locator("body")).not_to_contain_text(other.name)

    # When they follow "Conditions"
    main_nav.get_by_role("link", name="Conditions").click()

    # Then they are on this dispensary's conditions page and see the conditions it treats
    expect(page).to_have_url(storefront.url(tenant, "conditions/"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Conditions")
    expect(page.get_by_role("heading", level=3)).to_have_text(
        ["Anxiety", "Chronic pain", "Insomnia", "MS spasticity"]
    )
    expect(page).to_have_title("Conditions · North Leaf")

    # When they follow "About us"
    page.get_by_role("navigation", name="Main").get_by_role("link", name="About us").click()

    # Then they read about this dispensary, still under its name
    expect(page).to_have_url(storefront.url(tenant, "about/"))
    expect(page.get_by_role("heading", level=1)).to_have_text("About us")
    expect(page).to_have_title("About us · North Leaf")
    expect(page.get_by_role("contentinfo")).to_contain_text("North Leaf")
    expect(page.locator("body")).not_to_contain_text(other.name)
