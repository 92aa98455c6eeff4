"""A new patient signs up, confirms their email and lands in their account."""

import re

from django.core import mail

import pytest
from playwright.sync_api import expect

from sites.context import platform_scope
from sites.models import User

pytestmark = pytest.mark.browser

LINK = re.compile(r"https?://\S+/auth/confirm/\S+")


def test_signup_confirmation_link_opens_my_account(page, storefront, make_tenant):
    # Given two dispensaries
    tenant = make_tenant("alpha", "Alpha Dispensary")
    other = make_tenant("bravo", "Bravo Clinic", "PT", "clinic")

    # When a patient goes from the home page to "Create an account" and fills it in
    page.goto(storefront.url(tenant))
    page.get_by_role("link", name="Log in").click()
    page.get_by_role("link", name="Create an account").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Create your patient account")
    page.get_by_label("First name").fill("Ada")
    page.get_by_label("Last name").fill("Patient")
    page.get_by_label("Email").fill("ada@example.com")
    page.get_by_label(re.compile(r"^Password:?$")).fill("a-long-and-unusual-passphrase")
    page.get_by_label("Password again").fill("a-long-and-unusual-passphrase")
    page.get_by_role("button", name="Create account").click()

    # Then they are told to check their inbox, and the dispensary has emailed a link
    expect(page.get_by_role("heading", level=1)).to_have_text("Check your inbox")
    [email] = [message for message in mail.outbox if message.to == ["ada@example.com"]]
    assert email.subject == "Confirm your account at Alpha Dispensary"
    [link] = LINK.findall(email.body)
    assert link.startswith(storefront.url(tenant, "auth/confirm/"))

    # When they follow the link
    page.goto(link)

    # Then they are signed in and see their account
    expect(page).to_have_url(storefront.url(tenant, "account/"))
    expect(page.get_by_role("heading", level=1)).to_have_text("My account")
    expect(page.get_by_text("Your account is confirmed. Welcome!")).to_be_visible()
    expect(page.get_by_role("main")).to_contain_text("Signed in as ada@example.com")
    expect(
        page.get_by_role("navigation", name="Account").get_by_role("link", name="My account")
    ).to_be_visible()

    # And the other dispensary knows nothing of them: no account there, no session
    with platform_scope("test: the other tenant is untouched"):
        assert not User.objects.filter(tenant=other, email="ada@example.com").exists()
    page.goto(storefront.url(other, "account/"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Log in to Bravo Clinic")
