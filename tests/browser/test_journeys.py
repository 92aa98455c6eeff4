"""Two journeys end to end in Chromium: a patient reading and writing to the dispensary,
and an editor scheduling an article that goes live only when its time comes."""

from __future__ import annotations

import re
from datetime import timedelta

from django.core.management import call_command
from django.test import Client
from django.utils import timezone

from wagtail.models import WorkflowState

import pytest
import time_machine
from playwright.sync_api import Page, expect

from pages.models import ArticlePage, ContactPage, ContactSubmission, WireIndexPage
from sites.context import tenant_scope
from sites.models import Role
from tests.conftest import PASSWORD

pytestmark = pytest.mark.browser


def pass_age_check(page: Page) -> None:
    expect(page.get_by_role("heading", level=1)).to_have_text("Please confirm your age")
    page.get_by_role("button", name="I am 18 or older").click()


def admin_log_in(page: Page, base_url: str, user) -> None:
    page.goto(f"{base_url}/admin/login/")
    page.get_by_label(re.compile("Email")).fill(user.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page).to_have_url(f"{base_url}/admin/")


def test_patient_reads_a_condition_and_an_article_then_writes_to_the_dispensary(
    page, browser, storefront, demo_like, make_user
):
    # Given a dispensary that reads like the demo ones, and another one
    tenant = demo_like("northleaf", "North Leaf")
    other = demo_like("southfield", "Southfield Clinic", "PT", "clinic")
    owner = make_user(tenant, Role.TENANT_ADMIN, email="boss@northleaf.example")

    # When a patient arrives at the home page and goes to the conditions library
    page.goto(storefront.url(tenant))
    pass_age_check(page)
    expect(page.get_by_role("heading", level=1)).to_have_text("Welcome to North Leaf")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Conditions").click()

    # Then they open a condition and read what the dispensary says about it
    expect(page.get_by_role("heading", level=1)).to_have_text("Conditions")
    page.get_by_role("main").get_by_role("link", name="Chronic pain").click()
    expect(page).to_have_url(storefront.url(tenant, "conditions/chronic-pain/"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Chronic pain")

    # And they follow its further reading to an article
    reading = page.get_by_role("region", name="Further reading")
    reading.get_by_role("link", name="What to expect at your first consultation").click()
    expect(page).to_have_url(storefront.url(tenant, "the-wire/what-to-expect-at-your-first-consultation/"))
    expect(page.get_by_role("heading", level=1)).to_have_text("What to expect at your first consultation")

    # When they go to the contact page and send a message (after reading the form: the
    # form refuses answers sent back within three seconds, as bots do)
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Contact").click()
    expect(page).to_have_url(storefront.url(tenant, "contact/"))
    page.get_by_label("Your name").fill("Maria Santos")
    page.get_by_label("Email").fill("maria@example.com")
    page.get_by_label("Message").fill("Can I collect my prescription on Saturday morning?")
    page.wait_for_timeout(3200)
    page.get_by_role("button", name=re.compile("Send|Submit")).click()

    # Then they are thanked, and the message is stored for this dispensary only
    expect(page.get_by_role("heading", level=1)).to_have_text("Thank you")
    with tenant_scope(tenant):
        (submission,) = ContactSubmission.objects.all()
        contact = ContactPage.objects.descendant_of(tenant.site.root_page).get()
    assert submission.form_data["message"] == "Can I collect my prescription on Saturday morning?"
    with tenant_scope(other):
        assert not ContactSubmission.objects.exists()

    # And the dispensary's admin reads it in the Wagtail admin
    admin = browser.new_context(viewport={"width": 1280, "height": 800}, locale="en-GB")
    try:
        staff_page = admin.new_page()
        admin_log_in(staff_page, storefront.base_url, owner)
        staff_page.goto(f"{storefront.base_url}/admin/forms/submissions/{contact.pk}/")
        expect(staff_page.get_by_role("main")).to_contain_text(
            "Can I collect my prescription on Saturday morning?"
        )
        expect(staff_page.get_by_role("main")).to_contain_text("maria@example.com")
    finally:
        admin.close()


def test_editor_schedules_an_article_that_goes_live_only_at_its_time(page, storefront, demo_like, make_user):
    # Given a dispensary with an editor and an admin who approves what editors submit
    tenant = demo_like("northleaf", "North Leaf")
    editor = make_user(tenant, Role.EDITOR, email="editor@northleaf.example")
    owner = make_user(tenant, Role.TENANT_ADMIN, email="boss@northleaf.example")
    with tenant_scope(tenant):
        wire = WireIndexPage.objects.child_of(tenant.site.root_page).get()
    go_live = (timezone.localtime() + timedelta(days=3)).replace(hour=9, minute=0, second=0, microsecond=0)

    # When the editor writes an article in the admin and sets its go-live date
    admin_log_in(page, storefront.base_url, editor)
    page.goto(f"{storefront.base_url}/admin/pages/add/pages/articlepage/{wire.pk}/")
    page.locator("#id_title").fill("Our new Saturday opening hours")
    page.locator("#id_intro").fill("From next week the pharmacy opens on Saturday mornings.")
    page.get_by_role("button", name="Toggle status").click()
    page.get_by_role("button", name="Set schedule").click()
    dialog = page.get_by_role("dialog", name="Set publishing schedule")
    dialog.get_by_label("Go live date/time").fill(go_live.strftime("%Y-%m-%d %H:%M"))
    # The date picker can reopen over the button after a delay (it did in CI), so the editor
    # saves from the keyboard, as keyboard users do: focus the button and press Enter.
    save = dialog.get_by_role("button", name="Save schedule")
    save.focus()
    save.press("Enter")
    expect(page.locator(".messages")).to_contain_text("created")

    # And submits it for moderation
    page.locator("footer.footer").get_by_role("button", name="More actions").click()
    page.get_by_role("button", name="Submit to North Leaf moderation").click()
    expect(page.locator(".messages")).to_contain_text("submitted for moderation")

    with tenant_scope(tenant):
        article = ArticlePage.objects.get(slug="our-new-saturday-opening-hours")
    assert not article.live

    # When the dispensary's admin approves it (their own screens are not under test here)
    approver = Client()
    assert approver.login(username=owner.email, password=PASSWORD)
    state = WorkflowState.objects.get(base_content_type__model="page", object_id=str(article.pk))
    approved = approver.post(
        f"/admin/pages/workflow/action/{article.pk}/approve/{state.current_task_state.pk}/", {"comment": ""}
    )
    assert approved.status_code in (200, 302)

    # Then it is scheduled, not live: patients see neither the article nor a link to it
    article.refresh_from_db()
    assert not article.live and article.scheduled_revision is not None
    assert timezone.localtime(article.scheduled_revision.approved_go_live_at) == go_live
    url = storefront.url(tenant, "the-wire/our-new-saturday-opening-hours/")
    page.goto(storefront.url(tenant, "the-wire/"))
    pass_age_check(page)
    expect(page.get_by_role("heading", level=1)).to_have_text("The Wire")
    expect(page.get_by_role("main")).not_to_contain_text("Our new Saturday opening hours")
    assert page.goto(url).status == 404

    # When the clock reaches the go-live time and the scheduled publisher runs
    with time_machine.travel(go_live + timedelta(minutes=1), tick=False):
        call_command("publish_scheduled")

    # Then patients find it on The Wire and can read it
    page.goto(storefront.url(tenant, "the-wire/"))
    page.get_by_role("main").get_by_role("link", name="Our new Saturday opening hours").click()
    expect(page).to_have_url(url)
    expect(page.get_by_role("heading", level=1)).to_have_text("Our new Saturday opening hours")
    expect(page.get_by_role("main")).to_contain_text(
        "From next week the pharmacy opens on Saturday mornings."
    )
