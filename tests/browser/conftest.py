"""Browser tests: what a person sees, in Debian's Chromium driven by Playwright.

The storefront is served by pytest-django's ``live_server`` (another thread), so these
tests use a transactional database: data made here is committed and the server sees it.
Tenants come from ``make_tenant`` and tenant data is written inside ``tenant_scope``, as
in production; on PostgreSQL the server runs as the non-owner role under row-level
security. ``make test`` installs Chromium and axe-core first (scripts/ensure-browser.sh).
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

from django.db import connections

import pytest
from playwright.sync_api import Browser, Page, Playwright, expect, sync_playwright

from budstack import demo_content as demo
from sites.context import tenant_scope
from sites.models import Branding, Tenant

CHROMIUM = Path("/usr/bin/chromium")
# Without the background-networking flags Chromium keeps dialling Google's hosts, which
# this closed network refuses; the tests only ever talk to the live server on loopback.
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
HERE = Path(__file__).parent
AXE_JS = HERE / "node_modules" / "axe-core" / "axe.min.js"
SERIOUS_IMPACTS = ("serious", "critical")
MISSING_TOOLS = "{} is missing: run scripts/ensure-browser.sh (make test does)"

expect.set_options(timeout=10_000)
_CALL_FAILED = pytest.StashKey[bool]()


def pytest_itemcollected(item):
    """Every test in this folder is a browser test, marked or not."""
    if HERE in item.path.parents and not item.get_closest_marker("browser"):
        item.add_marker(pytest.mark.browser)


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(items):
    """Browser tests run last: Playwright's sync API keeps an asyncio loop registered as
    running on the main thread from the first browser test to the end of the session,
    and no other test should run beside it."""
    items.sort(key=lambda item: item.get_closest_marker("browser") is not None)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    report = yield
    if report.when == "call":
        item.stash[_CALL_FAILED] = report.failed
    return report


@pytest.fixture(scope="session")
def playwright() -> Iterator[Playwright]:
    """Playwright's sync API, for the rest of the session.

    Between its calls Playwright leaves its asyncio loop marked as running on this
    thread. Django then treats the thread as async: it refuses ORM calls as "async
    unsafe" (nothing here is async, so the check is switched off while Playwright runs)
    and hands out new database connections, which lack the snapshot of the migrated
    database that serialized rollback restores (carried over below, and closed at the
    end so that the test database can be dropped).
    """
    before = {alias: connections[alias] for alias in connections}
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    try:
        with sync_playwright() as pw:
            for alias, connection in before.items():
                if hasattr(connection, "_test_serialized_contents"):
                    connections[alias]._test_serialized_contents = connection._test_serialized_contents
            try:
                yield pw
            finally:
                connections.close_all()
    finally:
        if previous is None:
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


@pytest.fixture(scope="session")
def browser(playwright: Playwright) -> Iterator[Browser]:
    if not CHROMIUM.exists():
        pytest.fail(MISSING_TOOLS.format(CHROMIUM))
    browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True)
    yield browser
    browser.close()


@pytest.fixture
def page(browser: Browser, request, tmp_path) -> Iterator[Page]:
    """A fresh browser context per test: no cookies, storage or cache from another test.

    When the test fails, what the browser showed is saved as ``failure.png`` in the
    test's tmp_path (printed with the failure)."""
    context = browser.new_context(viewport={"width": 1280, "height": 800}, locale="en-GB", bypass_csp=True)
    context.set_default_timeout(10_000)
    page = context.new_page()
    yield page
    if request.node.stash.get(_CALL_FAILED, False):
        shot = tmp_path / "failure.png"
        page.screenshot(path=shot, full_page=True)
        print(f"screenshot of the failure: {shot} ({page.url})")
    context.close()


@dataclass(frozen=True)
class Storefront:
    """Path-style storefront addresses on the live server."""

    base_url: str

    def url(self, tenant: Tenant, path: str = "") -> str:
        return f"{self.base_url}/store/{tenant.slug}/{path}"


@pytest.fixture
def storefront(live_server, django_db_serialized_rollback) -> Storefront:
    # Each transactional test ends by emptying every table; serialized rollback puts
    # back what migrations created (Wagtail's root page and collection, groups), which
    # provisioning needs.
    return Storefront(live_server.url)


@pytest.fixture
def demo_like(make_tenant) -> Callable[..., Tenant]:
    """A tenant made by ``make_tenant``, branded and filled like the demo ones.

    The content is what ``seed_demo`` puts in a demo dispensary (products, conditions,
    articles), made by the command's own code so that it follows the demo as it grows.
    """
    from sites.management.commands.seed_demo import Command as SeedDemo

    def make(slug: str, name: str, country: str = "GB", theme: str = "sage") -> Tenant:
        tenant = make_tenant(slug, name, country, theme)
        spec = next(spec for spec in demo.TENANTS if spec["theme"] == theme)
        primary, accent = spec["colours"]
        with tenant_scope(tenant):
            Branding.objects.filter(tenant=tenant).update(
                tagline=spec["tagline"], primary_colour=primary, accent_colour=accent
            )
            SeedDemo()._content(tenant)
        return tenant

    return make


@dataclass(frozen=True)
class Violation:
    """One axe-core rule a page breaks, with the HTML of each offending element."""

    rule: str
    impact: str
    help: str
    html: tuple[str, ...]


@pytest.fixture(scope="session")
def axe() -> Callable[[Page], list[Violation]]:
    """``axe(page)``: the page's serious and critical accessibility violations."""
    if not AXE_JS.exists():
        pytest.fail(MISSING_TOOLS.format(AXE_JS))

    def check(page: Page) -> list[Violation]:
        page.add_script_tag(path=str(AXE_JS))
        results = page.evaluate("() => axe.run(document, {resultTypes: ['violations']})")
        return [
            Violation(v["id"], v["impact"], v["help"], tuple(node["html"] for node in v["nodes"]))
            for v in results["violations"]
            if v["impact"] in SERIOUS_IMPACTS
        ]

    return check
