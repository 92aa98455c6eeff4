"""Editors write, tenant admins approve, marketers schedule; beat publishes on time."""

from datetime import timedelta

from django.utils import timezone

from wagtail.models import Page, WorkflowState
from wagtail.test.utils.form_data import inline_formset, nested_form_data, rich_text, streamfield

import pytest
import time_machine
from celery.beat import Scheduler

from budstack.celery import app as celery_app
from commerce.models import CatalogPage
from kyc.models import ConsultationPage
from pages.models import (
    AboutPage,
    ArticlePage,
    ConditionPage,
    ConditionsIndexPage,
    ContactPage,
    HomePage,
    TraceabilityPage,
    WireIndexPage,
)
from sites.models import Role
from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db


def login(client, user):
    assert client.login(username=user.email, password=PASSWORD)
    return client


def article_form(title, **extra):
    return nested_form_data(
        {
            "title": title,
            "slug": title.lower().replace(" ", "-"),
            "date": timezone.localdate().isoformat(),
            "intro": "An introduction.",
            "body": streamfield([("paragraph", rich_text("<p>Body text.</p>"))]),
            "comments": inline_formset([]),
            **extra,
        }
    )


def wire_of(tenant):
    return WireIndexPage.objects.child_of(tenant.site.root_page).get()


def test_editor_submits_and_tenant_admin_approves(client, tenant_a, make_user):
    editor = make_user(tenant_a, Role.EDITOR)
    boss = make_user(tenant_a, Role.TENANT_ADMIN, email="boss@alpha.example")
    wire = wire_of(tenant_a)
    login(client, editor)
    response = client.post(
        f"/admin/pages/add/pages/articlepage/{wire.pk}/",
        {**article_form("Moderated story"), "action-submit": "1"},
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    article = ArticlePage.objects.get(slug="moderated-story")
    assert not article.live
    state = WorkflowState.objects.get(base_content_type__model="page", object_id=str(article.pk))
    assert state.status == WorkflowState.STATUS_IN_PROGRESS
    assert state.workflow.name == "Alpha Dispensary moderation"
    # The editor cannot publish around the workflow.
    client.post(
        f"/admin/pages/{article.pk}/edit/", {**article_form("Moderated story"), "action-publish": "1"}
    )
    article.refresh_from_db()
    assert not article.live
    client.logout()
    login(client, boss)
    task_state = state.current_task_state
    approve = client.post(
        f"/admin/pages/workflow/action/{article.pk}/approve/{task_state.pk}/", {"comment": "Looks good"}
    )
    assert approve.status_code in (200, 302)
    article.refresh_from_db()
    assert article.live
    assert client.get("/store/alpha/the-wire/moderated-story/").status_code == 200


def test_marketer_schedules_go_live_and_expiry(client, tenant_a, make_user):
    marketer = make_user(tenant_a, Role.MARKETER)
    article = wire_of(tenant_a).add_child(instance=ArticlePage(title="Campaign", slug="campaign", live=False))
    go_live = timezone.now() + timedelta(days=2)
    login(client, marketer)
    response = client.post(
        f"/admin/pages/{article.pk}/edit/",
        {
            **article_form("Campaign", go_live_at=go_live.strftime("%Y-%m-%d %H:%M")),
            "action-publish": "1",
        },
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    article.refresh_from_db()
    assert not article.live and article.scheduled_revision is not None


class InlineScheduler(Scheduler):
    """Celery beat's scheduler; due tasks run inline (eager) instead of via the broker."""

    producer = None


def tick_beat_after(seconds: float, start) -> None:
    """Start beat at ``start``, move the clock on, and let beat decide what is due."""
    with time_machine.travel(start, tick=False):
        scheduler = InlineScheduler(app=celery_app, lazy=True)
        scheduler.setup_schedule()
    with time_machine.travel(start + timedelta(seconds=seconds), tick=False):
        # One tick sends at most one due entry (beat's loop calls it again and again);
        # with several entries due at once, tick once per entry.
        for _ in scheduler.schedule:
            scheduler.tick()


def test_beat_publishes_and_expires_on_time(client, tenant_a, settings):
    settings.CELERY_TASK_ALWAYS_EAGER = True
    wire = wire_of(tenant_a)
    start = timezone.now()
    article = wire.add_child(instance=ArticlePage(title="Timed", slug="timed", live=False))
    article.go_live_at = start + timedelta(seconds=30)
    article.expire_at = start + timedelta(minutes=3)
    article.save_revision().publish()
    assert client.get("/store/alpha/the-wire/timed/").status_code == 404

    tick_beat_after(20, start)  # beat runs, but it is not time yet
    assert client.get("/store/alpha/the-wire/timed/").status_code == 404
    tick_beat_after(61, start)
    assert client.get("/store/alpha/the-wire/timed/").status_code == 200
    assert "Timed" in client.get("/store/alpha/the-wire/").content.decode()
    tick_beat_after(200, start)
    assert client.get("/store/alpha/the-wire/timed/").status_code == 404


def test_beat_schedule_runs_publish_scheduled_every_minute():
    entry = celery_app.conf.beat_schedule["publish-scheduled-pages"]
    assert entry["task"] == "pages.publish_scheduled" and entry["schedule"] == 60.0
    assert "pages.publish_scheduled" in celery_app.tasks


PAGE_TYPES = [HomePage, AboutPage, ContactPage, ConditionsIndexPage, ConditionPage, WireIndexPage, ArticlePage,
              TraceabilityPage, CatalogPage, ConsultationPage]  # fmt: skip


def test_every_page_type_previews(client, tenant_a, make_user):
    home = tenant_a.site.root_page
    conditions = ConditionsIndexPage.objects.child_of(home).get()
    conditions.add_child(instance=ConditionPage(title="Preview me", slug="preview-me", summary="S."))
    wire_of(tenant_a).add_child(instance=ArticlePage(title="Preview story", slug="preview-story"))
    login(client, make_user(tenant_a, Role.TENANT_ADMIN, email="boss@alpha.example"))
    for page_type in PAGE_TYPES:
        page = page_type.objects.descendant_of(home, inclusive=True).first()
        response = client.get(f"/admin/pages/{page.pk}/view_draft/")
        assert response.status_code == 200, page_type
        assert page.title in response.content.decode(), page_type


def test_unsaved_edits_preview_before_publishing(client, tenant_a, make_user):
    article = wire_of(tenant_a).add_child(instance=ArticlePage(title="Draft title", slug="draft-title"))
    login(client, make_user(tenant_a, Role.EDITOR))
    preview_url = f"/admin/pages/{article.pk}/edit/preview/"
    posted = client.post(preview_url, article_form("Changed title", slug="draft-title"))
    assert posted.json() == {"is_valid": True, "is_available": True}
    shown = client.get(preview_url)
    assert shown.status_code == 200 and "Changed title" in shown.content.decode()
    article.refresh_from_db()
    assert article.title == "Draft title"


@pytest.mark.parametrize(
    ("child", "parent", "allowed"),
    [
        (ArticlePage, WireIndexPage, True),
        (ArticlePage, HomePage, False),
        (ConditionPage, ConditionsIndexPage, True),
        (ConditionPage, WireIndexPage, False),
        (AboutPage, HomePage, True),
        (HomePage, Page, True),
        (HomePage, HomePage, False),
        (WireIndexPage, AboutPage, False),
    ],
)
def test_pages_go_only_where_they_make_sense(child, parent, allowed):
    assert (child in parent.allowed_subpage_models()) is allowed


def test_one_section_of_each_kind_per_storefront(tenant_a):
    home = tenant_a.site.root_page.specific
    for section in (
        CatalogPage,
        ConditionsIndexPage,
        WireIndexPage,
        AboutPage,
        ContactPage,
        ConsultationPage,
    ):
        assert not section.can_create_at(home), section
