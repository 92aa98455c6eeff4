"""A page served from the full-page cache keeps a CSP its own inline styles satisfy."""

from __future__ import annotations

import re

import pytest

pytestmark = pytest.mark.django_db


def nonces(response) -> tuple[set[str], set[str]]:
    policy = response.headers.get("Content-Security-Policy", "")
    allowed = set(re.findall(r"'nonce-([^']+)'", policy))
    used = set(re.findall(r'nonce="([^"]+)"', response.content.decode()))
    return allowed, used


def test_cached_pages_carry_a_policy_that_allows_their_inline_style(client, tenant_a, settings):
    settings.PAGE_CACHE_SECONDS = 300
    first = client.get("/store/alpha/")
    second = client.get("/store/alpha/")
    assert first.status_code == second.status_code == 200
    for response in (first, second):
        allowed, used = nonces(response)
        assert used, "the storefront uses nonced inline styles"
        assert used <= allowed, f"inline nonces {used} not allowed by the policy {allowed}"
