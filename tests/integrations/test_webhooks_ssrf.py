"""The SSRF guard: in production settings, webhook URLs into our own network are refused."""

from __future__ import annotations

from django.core.exceptions import ValidationError

import pytest

from integrations.events import emit_event
from integrations.webhooks import services
from integrations.webhooks.models import WebhookAttempt, WebhookEndpoint
from sites.context import tenant_scope

pytestmark = pytest.mark.django_db

INTERNAL = [
    pytest.param("http://127.0.0.1:8000/hook", id="loopback"),
    pytest.param("http://localhost/hook", id="localhost-name"),
    pytest.param("http://[::1]/hook", id="ipv6-loopback"),
    pytest.param("http://10.1.2.3/hook", id="private-10"),
    pytest.param("https://192.168.0.10/hook", id="private-192"),
    pytest.param("http://172.16.5.4/hook", id="private-172"),
    pytest.param("http://169.254.169.254/latest/meta-data/", id="cloud-metadata"),
    pytest.param("http://[fe80::1]/hook", id="ipv6-link-local"),
    pytest.param("http://[::ffff:127.0.0.1]/hook", id="ipv4-mapped-loopback"),
    pytest.param("http://0.0.0.0/hook", id="unspecified"),
    pytest.param("http://100.64.0.1/hook", id="shared-cgnat"),
]


@pytest.fixture
def production_guard(settings):
    settings.WEBHOOKS_ALLOW_PRIVATE_TARGETS = False


@pytest.mark.parametrize("url", INTERNAL)
def test_internal_addresses_are_refused_when_saving(url, tenant_a, production_guard):
    with pytest.raises(ValidationError) as refused:
        services.create_endpoint(tenant_a, url=url, events=["order.created"])

    assert "url" in refused.value.message_dict
    with tenant_scope(tenant_a):
        assert not WebhookEndpoint.objects.exists()


@pytest.mark.parametrize(
    "url",
    [
        pytest.param("ftp://example.com/hook", id="not-http"),
        pytest.param("file:///etc/passwd", id="file"),
        pytest.param("http://user:pw@93.184.216.34/hook", id="credentials-in-url"),
        pytest.param("not a url", id="garbage"),
    ],
)
def test_other_unusable_urls_are_refused(url, tenant_a, production_guard):
    with pytest.raises(ValidationError) as refused:
        services.create_endpoint(tenant_a, url=url, events=["order.created"])
    assert "url" in refused.value.message_dict


def test_a_public_address_is_accepted(tenant_a, production_guard):
    endpoint, _ = services.create_endpoint(
        tenant_a, url="https://93.184.216.34/hooks", events=["order.created"]
    )
    assert endpoint.pk


def test_editing_to_an_internal_address_is_refused_and_changes_nothing(tenant_a, production_guard):
    endpoint, _ = services.create_endpoint(
        tenant_a, url="https://93.184.216.34/hooks", events=["order.created"]
    )

    with pytest.raises(ValidationError):
        services.update_endpoint(tenant_a, endpoint, url="http://169.254.169.254/")

    with tenant_scope(tenant_a):
        assert WebhookEndpoint.objects.get(pk=endpoint.pk).url == "https://93.184.216.34/hooks"


def test_delivery_is_refused_too_when_the_target_became_internal(
    tenant_a, receiver, settings, django_capture_on_commit_callbacks
):
    """Saved while allowed (or the DNS answer changed since): the worker checks again."""
    settings.WEBHOOKS_RETRY_SCHEDULE = []
    services.create_endpoint(tenant_a, url=receiver.url, events=["order.created"])
    settings.WEBHOOKS_ALLOW_PRIVATE_TARGETS = False

    with django_capture_on_commit_callbacks(execute=True):
        emit_event(tenant_a, "order.created", {"order": {"id": 1}})

    assert receiver.received == []
    with tenant_scope(tenant_a):
        (attempt,) = WebhookAttempt.objects.all()
    assert attempt.status_code is None and attempt.error.startswith(
        "Refused: 127.0.0.1 resolves to 127.0.0.1"
    )


def test_the_admin_form_shows_the_refusal(tenant_a, client, make_user, production_guard):
    from sites.models import Role
    from tests.admin_world import log_in

    log_in(client, make_user(tenant_a, Role.TENANT_ADMIN))

    response = client.post(
        "/admin/webhooks/new/",
        {"url": "http://169.254.169.254/latest/", "events": ["order.created"], "is_active": "on"},
    )

    assert response.status_code == 200
    assert b"loopback, private or link-local" in response.content
    with tenant_scope(tenant_a):
        assert not WebhookEndpoint.objects.exists()


def test_services_refuse_malformed_input_field_by_field(tenant_a):
    """What the REST API will pass through: every bad field is a ValidationError, never a crash."""
    good = {"url": "https://93.184.216.34/hooks", "events": ["order.created"]}
    cases = [
        ({"url": "https://example.com/" + "a" * 500}, "url"),
        ({"url": None}, "url"),
        ({"events": "order.created"}, "events"),
        ({"events": [{"name": "order.created"}]}, "events"),
        ({"events": ["order.shipped"]}, "events"),
        ({"events": []}, "events"),
        ({"description": "x" * 201}, "description"),
        ({"description": 42}, "description"),
    ]
    for override, field in cases:
        with pytest.raises(ValidationError) as refused:
            services.create_endpoint(tenant_a, **{**good, **override})
        assert field in refused.value.message_dict, override
    endpoint, _ = services.create_endpoint(tenant_a, **good)
    with pytest.raises(ValidationError) as refused:
        services.update_endpoint(tenant_a, endpoint, secret_encrypted="x")
    assert "secret_encrypted" in refused.value.message_dict
    with tenant_scope(tenant_a):
        assert WebhookEndpoint.objects.count() == 1
