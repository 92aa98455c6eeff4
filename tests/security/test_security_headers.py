"""Every kind of answer carries the browser-side protections, cached pages included."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.django_db

EXPECTED = {
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "strict-origin-when-cross-origin",
}


@pytest.mark.parametrize(
    "path",
    [
        "/store/alpha/",
        "/store/alpha/products/",
        "/admin/login/",
        "/api/v1/tenant/current",
        "/store/alpha/nope/",
    ],
)
def test_answers_carry_the_security_headers(client, tenant_a, path):
    response = client.get(path, HTTP_X_TENANT_SLUG="alpha")
    for header, value in EXPECTED.items():
        assert response.headers.get(header) == value, (path, header, response.status_code)
    policy = response.headers.get("Permissions-Policy", "")
    assert {"camera=()", "microphone=()", "geolocation=()", "payment=()"} <= {
        part.strip() for part in policy.split(",")
    }


def test_a_page_served_from_the_cache_keeps_them(client, tenant_a, settings):
    settings.PAGE_CACHE_SECONDS = 300
    client.get("/store/alpha/")
    cached = client.get("/store/alpha/")
    assert cached.status_code == 200
    assert cached.headers["Permissions-Policy"].startswith("camera=()")
    assert cached.headers["Referrer-Policy"] == "strict-origin-when-cross-origin"
