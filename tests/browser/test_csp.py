"""The storefront works under its Content-Security-Policy, as a real browser enforces it."""

from __future__ import annotations

import pytest
from playwright.sync_api import Browser

from sites.context import tenant_scope
from sites.models import Branding

pytestmark = pytest.mark.browser

# Collects CSP violations the page reports (securitypolicyviolation events).
RECORD_VIOLATIONS = """
window.__cspViolations = [];
document.addEventListener('securitypolicyviolation',
    e => window.__cspViolations.push(e.violatedDirective + ' ' + (e.blockedURI || 'inline')));
"""


@pytest.fixture
def strict_page(browser: Browser):
    """Unlike the shared ``page`` fixture, this one does not bypass the CSP."""
    context = browser.new_context(viewport={"width": 1280, "height": 800}, bypass_csp=False)
    context.set_default_timeout(10_000)
    context.add_init_script(RECORD_VIOLATIONS)
    page = context.new_page()
    yield page
    context.close()


@pytest.mark.parametrize("theme", ["sage", "clinic", "nocturne"])
def test_every_built_in_theme_renders_without_a_csp_violation(strict_page, storefront, make_tenant, theme):
    # Given a dispensary on the theme, with its own brand colour (an inline, nonce'd style)
    tenant = make_tenant("alpha", "Alpha Dispensary", "GB", theme)
    with tenant_scope(tenant):
        Branding.objects.filter(tenant=tenant).update(primary_colour="#0b5394")

    # When a visitor opens its home page with the CSP enforced
    strict_page.goto(storefront.url(tenant))

    # Then nothing was blocked, and the brand colour from the inline style applies
    assert strict_page.evaluate("() => window.__cspViolations") == []
    brand = strict_page.evaluate(
        "() => getComputedStyle(document.documentElement).getPropertyValue('--brand').trim()"
    )
    assert brand == "#0b5394"


def test_an_inline_script_without_the_nonce_is_blocked(strict_page, storefront, make_tenant):
    """Guards the test above: the browser does enforce the policy and report violations."""
    tenant = make_tenant("alpha", "Alpha Dispensary", "GB", "sage")
    strict_page.goto(storefront.url(tenant))
    strict_page.evaluate(
        """() => { const s = document.createElement('script');
                   s.textContent = 'window.__injected = true'; document.body.append(s); }"""
    )
    strict_page.wait_for_function("() => window.__cspViolations.length > 0")
    assert strict_page.evaluate("() => window.__injected") is None
    assert strict_page.evaluate("() => window.__cspViolations")[0].startswith("script-src")
