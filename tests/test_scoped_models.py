"""Wall 1: the tenant-scoped base and its manager."""

from decimal import Decimal

from django import forms

import pytest

from commerce.models import Product
from sites.context import get_current_tenant, platform_scope, tenant_scope
from sites.models import TenantScopedManager, TenantScopedModel, tenant_owned_models

pytestmark = pytest.mark.django_db


def product(tenant, sku: str) -> Product:
    with tenant_scope(tenant):
        return Product.objects.create(
            name=sku,
            slug=sku.lower(),
            sku=sku,
            strain_type="hybrid",
            price=Decimal("9.99"),
            available_countries="GB",
        )


def test_scope_shows_only_its_tenants_rows(tenant_a, tenant_b):
    product(tenant_a, "A1")
    product(tenant_b, "B1")
    with tenant_scope(tenant_a):
        assert list(Product.objects.values_list("sku", flat=True)) == ["A1"]
        assert not Product.objects.filter(sku="B1").exists()
    with tenant_scope(tenant_b):
        assert list(Product.objects.values_list("sku", flat=True)) == ["B1"]


def test_no_scope_fails_closed(tenant_a):
    product(tenant_a, "A1")
    assert get_current_tenant() is None
    assert Product.objects.count() == 0
    assert not Product.objects.filter(sku="A1").exists()
    with platform_scope("test"):
        assert Product.all_tenants.count() == 1


def test_platform_scope_sees_everything(tenant_a, tenant_b):
    product(tenant_a, "A1")
    product(tenant_b, "B1")
    with platform_scope("test"):
        assert Product.objects.count() == 2


def test_saving_inside_a_scope_stamps_the_tenant(tenant_a):
    made = product(tenant_a, "A1")
    assert made.tenant == tenant_a


def test_saving_without_tenant_or_scope_is_refused(tenant_a):
    with pytest.raises(ValueError, match="needs a tenant"):
        Product(name="x", slug="x", sku="X", strain_type="hybrid", price=1).save()


def test_scopes_nest_and_restore(tenant_a, tenant_b):
    with tenant_scope(tenant_a):
        with tenant_scope(tenant_b):
            assert get_current_tenant() == tenant_b
        assert get_current_tenant() == tenant_a
    assert get_current_tenant() is None


def test_every_tenant_owned_model_is_discovered():
    owned = {m._meta.label for m in tenant_owned_models()}
    assert {"commerce.Product", "kyc.PatientProfile", "tenancy.Branding", "media.TenantImage"} <= owned
    for model in tenant_owned_models():
        if issubclass(model, TenantScopedModel):
            assert isinstance(model._default_manager, TenantScopedManager), model
            assert model.all_tenants.model is model


def test_a_queryset_answers_for_the_scope_it_runs_in_not_the_one_it_was_built_in(tenant_a, tenant_b):
    """Form choices and class-level querysets outlive the request that built them."""
    product(tenant_a, "A1")
    product(tenant_b, "B1")
    with tenant_scope(tenant_a):
        built_for_a = Product.objects.all()
        field = forms.ModelChoiceField(queryset=Product.objects.all())
    built_outside = Product.objects.order_by("sku")
    with tenant_scope(tenant_b):
        assert [p.sku for p in built_for_a.all()] == ["B1"]
        assert [p.sku for p in built_outside.all()] == ["B1"]
        assert [label for _, label in field.choices][1:] == ["B1"]
        assert built_for_a.filter(sku="A1").update(name="pwned") == 0
        assert built_for_a.filter(sku="A1").delete()[0] == 0
    with tenant_scope(tenant_a):
        assert Product.objects.get(sku="A1").name == "A1"
    assert built_for_a.all().count() == 0
