"""Production settings, CSP, request ids, JSON logs and /metrics, in process."""

from __future__ import annotations

import json
import logging
import re

from django.test import Client

import pytest
from prometheus_client.parser import text_string_to_metric_families

from budstack.ops.logging import ContextFilter, JsonFormatter
from tests.deploy.conftest import manage, production_env

pytestmark = pytest.mark.django_db


def _nonce(response) -> str:
    match = re.search(r"script-src 'self' 'nonce-([^']+)'", response["Content-Security-Policy"])
    assert match, response["Content-Security-Policy"]
    return match.group(1)


def test_storefront_pages_get_a_nonce_csp_without_unsafe_inline_and_the_theme_uses_it(
    client, tenant_a, tenant_b
):
    for tenant in (tenant_a, tenant_b):  # two built-in themes
        response = client.get(f"/store/{tenant.slug}/")
        assert response.status_code == 200
        csp = response["Content-Security-Policy"]
        assert "unsafe-inline" not in csp and "unsafe-eval" not in csp
        assert "object-src 'none'" in csp
        nonce = _nonce(response)
        html = response.content.decode()
        styles = re.findall(r"<style[^>]*>", html)
        assert styles and all(f'nonce="{nonce}"' in tag for tag in styles)
        scripts = re.findall(r"<script(?![^>]*\bsrc=)(?![^>]*application/ld\+json)[^>]*>", html)
        assert all(f'nonce="{nonce}"' in tag for tag in scripts)


def test_each_response_gets_its_own_nonce(client, tenant_a):
    first, second = client.get("/store/alpha/"), client.get("/store/alpha/")
    assert _nonce(first) != _nonce(second)


def test_the_wagtail_admin_gets_the_looser_policy_it_needs(client):
    response = client.get("/admin/login/")
    csp = response["Content-Security-Policy"]
    assert "script-src 'self' 'unsafe-inline'" in csp
    assert "nonce-" not in csp


def test_request_id_is_kept_from_the_proxy_or_made_and_returned(client, tenant_a):
    given = client.get("/healthz", HTTP_X_REQUEST_ID="abcdef0123456789")
    made = client.get("/healthz", HTTP_X_REQUEST_ID="<script>")
    assert given["X-Request-ID"] == "abcdef0123456789"
    assert re.fullmatch(r"[0-9a-f]{32}", made["X-Request-ID"])


def test_one_json_log_line_per_request_with_request_id_and_tenant(client, tenant_a, caplog):
    caplog.set_level(logging.INFO, logger="budstack.request")
    response = client.get("/store/alpha/", HTTP_X_REQUEST_ID="req-0123456789")
    [record] = [r for r in caplog.records if r.name == "budstack.request"]
    ContextFilter().filter(record)
    entry = json.loads(JsonFormatter().format(record))
    assert entry["request_id"] == "req-0123456789" == response["X-Request-ID"]
    assert entry["tenant"] == "alpha"
    assert entry["status"] == 200 and entry["method"] == "GET" and entry["path"] == "/store/alpha/"
    assert entry["level"] == "INFO" and isinstance(entry["duration_ms"], float)


def _samples(text: str) -> dict:
    return {
        (s.name, tuple(sorted(s.labels.items()))): s.value
        for family in text_string_to_metric_families(text)
        for s in family.samples
    }


def test_metrics_need_the_token_or_a_direct_internal_address(settings, tenant_a):
    settings.METRICS_TOKEN = "scrape-secret"
    client = Client()
    client.get("/store/alpha/")
    # Through the public proxy (X-Forwarded-For), from outside, or with a wrong token: nothing.
    assert client.get("/metrics", HTTP_X_FORWARDED_FOR="203.0.113.9").status_code == 404
    assert client.get("/metrics", REMOTE_ADDR="203.0.113.9").status_code == 404
    assert (
        client.get("/metrics", REMOTE_ADDR="203.0.113.9", HTTP_AUTHORIZATION="Bearer nope").status_code == 404
    )
    with_token = client.get(
        "/metrics",
        REMOTE_ADDR="203.0.113.9",
        HTTP_X_FORWARDED_FOR="1.2.3.4",
        HTTP_AUTHORIZATION="Bearer scrape-secret",
    )
    internal = client.get("/metrics", REMOTE_ADDR="10.1.2.3")
    assert with_token.status_code == internal.status_code == 200
    samples = _samples(internal.content.decode())
    assert (
        samples[("budstack_http_requests_total", (("method", "GET"), ("status", "200"), ("tenant", "alpha")))]
        >= 1
    )
    assert samples[("budstack_tenants", (("status", "active"),))] == 1


def test_server_errors_are_counted_by_tenant(client, tenant_a, monkeypatch):
    from budstack.ops import metrics

    before = metrics.ERRORS.labels("alpha")._value.get()
    monkeypatch.setattr("wagtail.views.serve", lambda request, path: 1 / 0)
    client.raise_request_exception = False
    response = client.get("/store/alpha/")
    assert response.status_code == 500
    assert metrics.ERRORS.labels("alpha")._value.get() == before + 1
    # The themed 500 page keeps within the CSP too.
    assert f'<style nonce="{_nonce(response)}">' in response.content.decode()


def test_production_settings_pass_check_deploy(tmp_path):
    env = production_env(f"sqlite:///{tmp_path / 'db.sqlite3'}", REDIS_URL="")
    result = manage(env, "check", "--deploy", "--fail-level", "WARNING")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


def test_production_refuses_to_start_without_its_secrets(tmp_path):
    env = production_env(f"sqlite:///{tmp_path / 'db.sqlite3'}", REDIS_URL="", FIELD_ENCRYPTION_KEYS="")
    result = manage(env, "check")
    assert result.returncode != 0
    assert "FIELD_ENCRYPTION_KEYS" in result.stderr
