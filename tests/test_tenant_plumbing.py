"""Tasks, cache keys and emails keep to their tenant."""

from django.core import mail
from django.core.cache import cache

import pytest

from commerce.models import Product
from sites.cache import tenant_cache_key
from sites.context import get_current_tenant, tenant_scope
from sites.models import Branding
from sites.tasks import enqueue_for_tenant, tenant_task

pytestmark = pytest.mark.django_db


@tenant_task(name="tests.count_products")
def count_products(tenant, prefix):
    assert get_current_tenant() == tenant
    return f"{prefix}{tenant.slug}:{Product.objects.count()}"


def test_tenant_task_runs_inside_its_tenants_scope(tenant_a, tenant_b):
    with tenant_scope(tenant_b):
        Product.objects.create(name="B", slug="b", sku="B", strain_type="hybrid", price=1)
    assert count_products.delay(tenant_a.pk, "n=").get() == "n=alpha:0"
    assert count_products.delay(tenant_b.pk, "n=").get() == "n=bravo:1"
    assert get_current_tenant() is None


def test_tasks_are_sent_only_after_commit(tenant_a, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        enqueue_for_tenant(count_products, tenant_a, "x")
    assert len(callbacks) == 1


def test_cache_keys_never_collide_across_tenants(tenant_a, tenant_b):
    with tenant_scope(tenant_a):
        cache.set(tenant_cache_key("menu"), "alpha menu")
    with tenant_scope(tenant_b):
        assert cache.get(tenant_cache_key("menu")) is None
    with pytest.raises(RuntimeError):
        tenant_cache_key("menu")


def test_patient_emails_come_from_their_dispensary(
    client, tenant_a, make_user, django_capture_on_commit_callbacks
):
    with tenant_scope(tenant_a):
        Branding.objects.filter(tenant=tenant_a).update(support_email="help@alpha.example")
    make_user(tenant_a, email="pat@example.com")
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        client.post("/store/alpha/auth/forgot-password/", {"email": "pat@example.com"})
    (message,) = mail.outbox
    assert message.from_email.startswith("Alpha Dispensary <")
    assert message.reply_to == ["help@alpha.example"]
    assert "Alpha Dispensary" in message.subject
