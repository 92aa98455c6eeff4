"""A new patient at healingbuds completes the consultation in Chromium and sees PENDING with a KYC link."""

from __future__ import annotations

import re

from django.core import mail

import pytest
from playwright.sync_api import expect

from integrations.drgreen.credentials import store_credentials
from integrations.drgreen.fake import FakeDrGreen
from integrations.drgreen.signing import generate_key_pair
from kyc.models import ConsultationSubmission, PatientProfile
from sites.context import tenant_scope

pytestmark = pytest.mark.browser
CONFIRM_LINK = re.compile(r"https?://\S+/consultation/confirm/[\w-]+/[\w-]+/")
NO_QUESTIONS = (
    "psychosis",
    "pregnant_or_breastfeeding",
    "heart_condition",
    "family_history_psychosis",
    "liver_disease",
    "kidney_disease",
    "epilepsy",
    "substance_dependence",
    "depression_or_anxiety",
    "under_specialist_care",
    "operates_machinery",
)


@pytest.fixture
def fake():
    with FakeDrGreen() as fake:
        yield fake


def test_new_patient_completes_the_consultation_and_sees_pending_with_kyc_link(
    page, storefront, demo_like, make_tenant, fake, settings
):
    # Given Healing Buds, connected to Dr. Green, and another dispensary
    settings.DRGREEN_RETRIES = 0
    tenant = demo_like("healingbuds", "Healing Buds", "GB", "sage")
    other = make_tenant("greenleaf", "Greenleaf Clinic", "PT", "clinic")
    pair = generate_key_pair()
    store_credentials(tenant, pair.api_key, pair.secret_key, base_url=fake.api_url)

    # When a visitor confirms their age, opens the consultation and starts it
    page.goto(storefront.url(tenant, "consultation/"))
    page.get_by_role("button", name="I am 18 or older").click()
    expect(page).to_have_url(storefront.url(tenant, "consultation/"))
    page.get_by_role("link", name="Start the consultation").click()
    expect(page.get_by_text("Step 1 of 5")).to_be_visible()

    # Step 1: details, and the account is created on the way (to be confirmed by email)
    page.get_by_label("First name").fill("Ada")
    page.get_by_label("Last name").fill("Lovelace")
    page.get_by_label("Date of birth").fill("1980-12-10")
    page.get_by_label("Gender").select_option("female")
    page.get_by_label("Phone code").fill("+44")
    page.get_by_label("Contact number").fill("7700900456")
    page.get_by_label("Email").fill("ada@example.com")
    page.get_by_label(re.compile(r"^Password")).fill("a-long-and-unusual-passphrase")
    page.get_by_role("button", name="Continue").click()

    # Nobody is signed in by the step: the visitor is asked to confirm their address
    expect(page).to_have_url(storefront.url(tenant, "consultation/sent/"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Check your inbox")
    [email] = [message for message in mail.outbox if message.to == ["ada@example.com"]]
    assert email.subject == "Confirm your email to continue your consultation at Healing Buds"
    [link] = CONFIRM_LINK.findall(email.body)

    # Following the emailed link signs them in where they left off
    page.goto(link)
    expect(page).to_have_url(storefront.url(tenant, "consultation/step/2/"))
    expect(page.get_by_text("Your email address is confirmed.")).to_be_visible()

    # Step 2: address; going back keeps step 1's answers
    expect(page.get_by_text("Step 2 of 5")).to_be_visible()
    page.get_by_role("link", name="Back").click()
    expect(page.get_by_label("Last name")).to_have_value("Lovelace")
    page.get_by_role("button", name="Continue").click()
    page.get_by_label("Address line 1").fill("12 St James's Square")
    page.get_by_label("City").fill("London")
    page.get_by_label("Postal code").fill("SW1Y 4JH")
    page.get_by_label("Country").select_option("GB")
    page.get_by_role("button", name="Continue").click()

    # Step 3: a condition from the library, and for how long
    expect(page.get_by_text("Step 3 of 5")).to_be_visible()
    page.get_by_label("Chronic pain").check()
    page.get_by_label("More than 12 months").check()
    page.get_by_role("button", name="Continue").click()

    # Step 4: history; a knock-out answer stops the flow with an explanation
    expect(page.get_by_text("Step 4 of 5")).to_be_visible()
    for name in NO_QUESTIONS:
        page.locator(f"#field-{name}").get_by_label("No").check()
    page.locator("#field-treatments_failed").get_by_label("Yes").check()
    page.locator("#field-used_cannabis_before").get_by_label("No").check()
    page.locator("#field-cannabis_frequency").get_by_label("Never").check()
    page.locator("#field-cannabis_routes").get_by_label("Never used").check()
    page.get_by_label("Medicines and supplements you take now").fill("Paracetamol")
    page.locator("#field-psychosis").get_by_label("Yes").check()
    page.get_by_role("button", name="Continue").click()
    expect(page.get_by_role("alert")).to_contain_text("we cannot offer medical cannabis")
    page.locator("#field-psychosis").get_by_label("No").check()
    page.get_by_role("button", name="Continue").click()

    # Step 5: review and consents
    expect(page.get_by_text("Step 5 of 5")).to_be_visible()
    expect(page.locator(".consultation-review")).to_contain_text("Lovelace")
    expect(page.locator(".consultation-review")).to_contain_text("Chronic pain")
    page.get_by_label("I agree that my health data").check()
    page.get_by_label("I accept the terms of service.").check()
    page.get_by_label("I confirm that my answers are true").check()
    page.get_by_role("button", name="Submit consultation").click()

    # Then the success page says PENDING and links to the supplier's identity check
    expect(page).to_have_url(storefront.url(tenant, "consultation/success/"))
    expect(page.locator(".kyc-status")).to_have_text("PENDING")
    link = page.get_by_role("link", name="Verify your identity")
    expect(link).to_have_attribute("href", re.compile(re.escape(fake.url) + r"/kyc/"))

    # And the answers are stored as one encrypted version; the other dispensary knows nothing
    with tenant_scope(tenant):
        profile = PatientProfile.objects.get(user__email="ada@example.com")
        assert ConsultationSubmission.objects.filter(user=profile.user).count() == 1
    assert profile.drgreen_client_id and profile.kyc_link
    with tenant_scope(other):
        assert not PatientProfile.objects.filter(user__email="ada@example.com").exists()
